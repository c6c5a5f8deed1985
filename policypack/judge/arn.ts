/**
 * The ARNs this package reads and writes, parsed and built in one place: EMR Serverless applications, KMS keys, and
 * IAM principals (account roots, users, roles, and STS sessions). Pure; used by the components, the provider plugin,
 * the audit and the policy pack.
 */

/**
 * The fields of an ARN as regular-expression sources, for the patterns of this module and for patterns of ARNs
 * built elsewhere. An AWS partition as it appears in an ARN (`aws`, `aws-cn`, `aws-us-gov`, ...).
 */
const ARN_PARTITION = "aws[a-z-]*";
/** A region name (`us-east-1`, `cn-north-1`, `us-gov-west-1`, ...). */
const ARN_REGION = "[a-z]{2}(?:-[a-z]+)+-\\d+";
/** An account id. */
const ARN_ACCOUNT = "\\d{12}";
/** A KMS key id: a UUID, or a multi-Region key id (`mrk-` and 32 hex digits). */
const KEY_ID = "(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})";
/** The characters of an IAM name (user, role) and of a path's segments. */
const IAM_NAME_CHARS = "[\\w+=,.@-]";

/** A region name. */
export const REGION_PATTERN = new RegExp(`^${ARN_REGION}$`);

/** An account id: twelve digits. */
export const ACCOUNT_ID_PATTERN = new RegExp(`^${ARN_ACCOUNT}$`);

/** An EMR Serverless application id: lower-case letters and digits. */
export const APPLICATION_ID_PATTERN = /^[0-9a-z]{1,64}$/;

/**
 * A KMS key ARN: `arn:<partition>:kms:<region>:<12-digit account>:key/<key id>`, where the key id is a UUID or a
 * multi-Region key id (`mrk-` and 32 hex digits). Aliases and bare ids are refused by the API.
 */
export const KEY_ARN_PATTERN = new RegExp(
    `^arn:(${ARN_PARTITION}):kms:(${ARN_REGION}):(${ARN_ACCOUNT}):key/(${KEY_ID})$`,
);

/** A bare KMS key id: a UUID, or a multi-Region key id (`mrk-` and 32 hex digits). */
export const BARE_KEY_ID_PATTERN = new RegExp(`^${KEY_ID}$`);

/** An IAM principal ARN accepted in a key policy: the account root, a user or a role. Never `*`. */
export const PRINCIPAL_ARN_PATTERN = new RegExp(
    `^arn:${ARN_PARTITION}:iam::${ARN_ACCOUNT}:(?:root|user/[\\w+=,.@/-]+|role/[\\w+=,.@/-]+)$`,
);

/** An IAM role ARN: `arn:<partition>:iam::<account>:role/<path/>name`, path and name at most 512 characters. */
export const ROLE_ARN_PATTERN = new RegExp(`^arn:${ARN_PARTITION}:iam::${ARN_ACCOUNT}:role/[\\w+=,.@/-]{1,512}$`);

const APPLICATION_ARN = new RegExp(
    `^arn:(${ARN_PARTITION}):emr-serverless:(${ARN_REGION}):(${ARN_ACCOUNT}):/applications/([0-9a-z]{1,64})$`,
);
const IAM_ARN = new RegExp(`^arn:(${ARN_PARTITION}):(iam|sts)::(${ARN_ACCOUNT}):(.+)$`);
const ROLE_RESOURCE = new RegExp(`^role/((?:[\\w+=,.@/-]*/)?)(${IAM_NAME_CHARS}{1,64})$`);
const PRINCIPAL_RESOURCE_TYPES = new Set(["role", "user", "assumed-role", "federated-user"]);

/** The parts of an EMR Serverless application ARN. */
export interface ApplicationArnParts {
    partition: string;
    region: string;
    account: string;
    applicationId: string;
}

/** The parts of a KMS key ARN. */
export interface KeyArnParts {
    partition: string;
    region: string;
    account: string;
    keyId: string;
}

/** The parts of an IAM or STS ARN: `arn:<partition>:<service>::<account>:<resource>`. */
export interface IamArnParts {
    partition: string;
    service: "iam" | "sts";
    account: string;
    /** What follows the account: `root`, `role/<path/>name`, `assumed-role/<role>/<session>`, ... */
    resource: string;
}

/** `arn:<partition>:emr-serverless:<region>:<account>:/applications/<id>`, or undefined when `arn` is not one. */
export function parseApplicationArn(arn: unknown): ApplicationArnParts | undefined {
    const m = typeof arn === "string" ? APPLICATION_ARN.exec(arn) : null;
    return m ? { partition: m[1], region: m[2], account: m[3], applicationId: m[4] } : undefined;
}

/** The ARN of an EMR Serverless application. */
export function applicationArn(parts: ApplicationArnParts): string {
    return `arn:${parts.partition}:emr-serverless:${parts.region}:${parts.account}:/applications/${parts.applicationId}`;
}

/** The parts of a key ARN, or undefined when `arn` is not a key ARN (an alias ARN, a bare id, ...). */
export function parseKeyArn(arn: unknown): KeyArnParts | undefined {
    const m = typeof arn === "string" ? KEY_ARN_PATTERN.exec(arn) : null;
    return m ? { partition: m[1], region: m[2], account: m[3], keyId: m[4] } : undefined;
}

/** The ARN of a KMS key. */
export function keyArn(parts: KeyArnParts): string {
    return `arn:${parts.partition}:kms:${parts.region}:${parts.account}:key/${parts.keyId}`;
}

/** The parts of an IAM or STS ARN, or undefined when `arn` is not one. */
export function parseIamArn(arn: unknown): IamArnParts | undefined {
    const m = typeof arn === "string" ? IAM_ARN.exec(arn) : null;
    return m ? { partition: m[1], service: m[2] as "iam" | "sts", account: m[3], resource: m[4] } : undefined;
}

/** The account root's ARN (`arn:<partition>:iam::<account>:root`)? */
export function isAccountRootArn(arn: unknown): boolean {
    const p = parseIamArn(arn);
    return p !== undefined && p.service === "iam" && p.resource === "root";
}

/**
 * The role's name and path in an IAM role ARN (`arn:<p>:iam::<acct>:role/<path/>name`), or undefined when `arn` is
 * not a role ARN.
 */
export function parseRoleArn(arn: unknown): { account: string; path: string; name: string } | undefined {
    const p = parseIamArn(arn);
    const m = p && p.service === "iam" ? ROLE_RESOURCE.exec(p.resource) : null;
    return p && m ? { account: p.account, path: `/${m[1]}`, name: m[2] } : undefined;
}

/** An IAM name (a role's or a user's, without path). */
export function isIamName(name: string): boolean {
    return new RegExp(`^${IAM_NAME_CHARS}{1,64}$`).test(name);
}

/**
 * An ARN of a principal whose use of a key one can ask about: the account root, an IAM user or role, an STS
 * assumed-role or federated-user session.
 */
export function isPrincipalArn(arn: unknown): boolean {
    const p = parseIamArn(arn);
    if (!p) {
        return false;
    }
    if (p.resource === "root") {
        return p.service === "iam";
    }
    const type = p.resource.split("/")[0];
    return PRINCIPAL_RESOURCE_TYPES.has(type);
}

/**
 * The six colon-separated fields of an ARN or of an ARN pattern: `arn`, partition, service, region, account, and the
 * resource, which keeps its own colons; undefined when there are fewer than six. Textual only: a field may be empty
 * or hold wildcards, so this reads patterns as well as ARNs.
 */
export function arnFields(arn: string): string[] | undefined {
    const parts = arn.split(":");
    if (parts.length < 6) {
        return undefined;
    }
    return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/** The account field of any ARN (`arn:<partition>:<service>:<region>:<account>:...`) when it is an account id. */
export function arnAccount(arn: string): string | undefined {
    const f = arnFields(arn);
    return f && f[0] === "arn" && ACCOUNT_ID_PATTERN.test(f[4]) ? f[4] : undefined;
}
