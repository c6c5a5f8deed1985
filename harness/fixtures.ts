/**
 * The AWS identities every test and benchmark uses: one account, region, EMR Serverless application, KMS key and
 * roles. A test that needs another value on purpose (a foreign account, a second application or key) defines it
 * next to its use and names it as such (OTHER_ACCOUNT, OTHER_APP_ID, ...).
 *
 * The application id is the one the held key policies (tests/fixtures/keyPolicies) are written for.
 */

export const PARTITION = "aws";
export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const APP_ID = "00fabcdexample09";
export const APP_ARN = `arn:${PARTITION}:emr-serverless:${REGION}:${ACCOUNT}:/applications/${APP_ID}`;
export const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
export const KEY_ARN = `arn:${PARTITION}:kms:${REGION}:${ACCOUNT}:key/${KEY_ID}`;
/** The job runtime role. */
export const JOB_ROLE_ARN = `arn:${PARTITION}:iam::${ACCOUNT}:role/emr-job-role`;
/** A principal that submits jobs. */
export const SUBMITTER_ARN = `arn:${PARTITION}:iam::${ACCOUNT}:role/job-submitter`;
/** The role that administers the key. */
export const ADMIN_ARN = `arn:${PARTITION}:iam::${ACCOUNT}:role/security-admins`;
/** The role a deployment assumes. */
export const DEPLOYER_ROLE_ARN = `arn:${PARTITION}:iam::${ACCOUNT}:role/deployer`;
