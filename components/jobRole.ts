/**
 * Pure builders for the job runtime role (trust and key grant) and for the optional IAM policy
 * for job submitters.
 */
import {
    EMR_SERVERLESS_PRINCIPAL,
    SERVICE_ACTIONS,
    SOURCE_ACCOUNT_KEY,
    SOURCE_ARN_KEY,
    SUBMITTER_ACTIONS,
    VIA_SERVICE_KEY,
    emrServerlessViaService,
} from "../policypack/judge/constants";
import { isIamName, parseRoleArn } from "../policypack/judge/arn";
import { encryptionContextConditions, PolicyDocument } from "./keyPolicy";

/** Inputs of {@link jobRoleTrustPolicy}. */
export interface JobRoleTrustParams {
    /** The account the application lives in (`aws:SourceAccount`). */
    accountId: string;
    /** The application's ARN (`aws:SourceArn`). */
    applicationArn: string;
}

/**
 * Trust policy of the job runtime role: only EMR Serverless may assume it, and only on behalf of
 * this account (`aws:SourceAccount`) and this application (`aws:SourceArn`: the application ARN or
 * anything under it, such as its job runs), against the confused-deputy problem.
 */
export function jobRoleTrustPolicy(params: JobRoleTrustParams): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EmrServerlessAssumeRole",
                Effect: "Allow",
                Principal: { Service: EMR_SERVERLESS_PRINCIPAL },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { [SOURCE_ACCOUNT_KEY]: params.accountId },
                    ArnLike: { [SOURCE_ARN_KEY]: [params.applicationArn, `${params.applicationArn}/*`] },
                },
            },
        ],
    };
}

/**
 * The job runtime role's grant on the disk-encryption key: `kms:GenerateDataKey` and
 * `kms:Decrypt` on the key ARN alone (never `"*"`), as in the AWS guide.
 */
export function jobRoleKeyGrantPolicy(keyArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EnableGenerateDataKeyAndDecrypt",
                Effect: "Allow",
                Action: [...SERVICE_ACTIONS],
                Resource: keyArn,
            },
        ],
    };
}

/** Inputs of {@link submitterIamPolicy}. */
export interface SubmitterIamPolicyParams {
    /** The disk-encryption key ARN. */
    keyArn: string;
    /** The application's region (for `kms:ViaService`). */
    region: string;
    /** The custom encryption context; each entry becomes a `kms:EncryptionContext:<key>` condition. */
    encryptionContext?: Record<string, string>;
}

/**
 * An IAM policy for job submitters, for teams that grant through IAM rather than the key policy:
 * `kms:DescribeKey` on the key, and `kms:GenerateDataKey` / `kms:Decrypt` on the key only via EMR
 * Serverless in the region and only with the custom encryption context (the same conditions as the
 * key policy's submitter statement). The component creates it as a managed policy and attaches it
 * to nobody: attach it to the submitters' roles or groups yourself.
 */
export function submitterIamPolicy(params: SubmitterIamPolicyParams): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DescribeDiskEncryptionKey",
                Effect: "Allow",
                Action: SUBMITTER_ACTIONS[0],
                Resource: params.keyArn,
            },
            {
                Sid: "UseDiskEncryptionKeyViaEmrServerless",
                Effect: "Allow",
                Action: [SUBMITTER_ACTIONS[1], SUBMITTER_ACTIONS[2]],
                Resource: params.keyArn,
                Condition: {
                    StringEquals: {
                        [VIA_SERVICE_KEY]: emrServerlessViaService(params.region),
                        ...encryptionContextConditions(params.encryptionContext),
                    },
                },
            },
        ],
    };
}

/**
 * The role name in a role ARN (`arn:<p>:iam::<acct>:role/<path/>name` -> `name`), or the input
 * itself when it is already a name. Undefined when the ARN is not an IAM role ARN.
 */
export function roleNameFromArnOrName(roleArnOrName: string): string | undefined {
    if (!roleArnOrName.startsWith("arn:")) {
        return isIamName(roleArnOrName) ? roleArnOrName : undefined;
    }
    return parseRoleArn(roleArnOrName)?.name;
}
