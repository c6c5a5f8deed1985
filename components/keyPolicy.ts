/**
 * Pure builders for the KMS key policy of an EMR Serverless application's disk-encryption key.
 *
 * Every function here takes plain values and returns plain JSON-ready objects: no invokes, no
 * Outputs. The component calls them inside `apply`; tests and the policy pack's judge call them
 * directly.
 */
import {
    APPLICATION_ID_CONTEXT_KEY,
    EMR_SERVERLESS_PRINCIPAL,
    SERVICE_ACTIONS,
    SOURCE_ACCOUNT_KEY,
    SOURCE_ARN_KEY,
    VIA_SERVICE_KEY,
    emrServerlessViaService,
} from "../policypack/judge/constants";

/** A condition block: operator -> condition key -> value(s). */
export type PolicyCondition = Record<string, Record<string, string | string[]>>;

/** One IAM / KMS policy statement, in the JSON form AWS expects. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: { AWS?: string | string[]; Service?: string | string[] } | "*";
    Action: string | string[];
    /** Absent only in a role's trust policy. */
    Resource?: string | string[];
    Condition?: PolicyCondition;
}

/** A policy document (version 2012-10-17). */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** Statement ids the builders use (stable: other tooling may look statements up by Sid). */
export const KEY_POLICY_SIDS = {
    root: "EnableRootAccountControl",
    administrators: "AllowKeyAdministration",
    service: "AllowEmrServerlessDiskEncryption",
    submitterDescribe: "AllowSubmittersDescribeKey",
    submitterUse: "AllowSubmittersUseKeyViaEmrServerless",
} as const;

/**
 * Actions granted to key administrators: manage the key (policy, rotation, aliases, tags,
 * deletion), no cryptographic use and no grants (`kms:CreateAlias`, not `kms:Create*`, which would
 * include `kms:CreateGrant`). Administrators can still change the key policy (`kms:PutKeyPolicy`):
 * that is what administering a key means, so choose them accordingly.
 */
export const KEY_ADMINISTRATOR_ACTIONS: readonly string[] = [
    "kms:CreateAlias",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
];

/** Inputs of {@link baseKeyPolicyStatements}. */
export interface BaseKeyPolicyParams {
    /** The AWS partition, e.g. `aws`, `aws-cn`, `aws-us-gov`. */
    partition: string;
    /** The 12-digit account that owns the key. */
    accountId: string;
    /** IAM principals (users, roles) that administer the key. */
    administratorArns?: readonly string[];
}

/**
 * The statements that keep the key manageable: the account root gets `kms:*` (so IAM policies in
 * the account can grant access and the key can never be locked out), and the administrators get
 * the management actions.
 */
export function baseKeyPolicyStatements(params: BaseKeyPolicyParams): PolicyStatement[] {
    const statements: PolicyStatement[] = [
        {
            Sid: KEY_POLICY_SIDS.root,
            Effect: "Allow",
            Principal: { AWS: `arn:${params.partition}:iam::${params.accountId}:root` },
            Action: "kms:*",
            Resource: "*",
        },
    ];
    const admins = uniqueSorted(params.administratorArns ?? []);
    if (admins.length > 0) {
        statements.push({
            Sid: KEY_POLICY_SIDS.administrators,
            Effect: "Allow",
            Principal: { AWS: admins },
            Action: [...KEY_ADMINISTRATOR_ACTIONS],
            Resource: "*",
        });
    }
    return statements;
}

/** Inputs of {@link serviceKeyPolicyStatement}. */
export interface ServiceStatementParams {
    /** The application's ARN: `arn:<partition>:emr-serverless:<region>:<account>:/applications/<id>`. */
    applicationArn: string;
    /** The application's id (EMR Serverless puts it in the encryption context as `applicationId`). */
    applicationId: string;
    /** The account the application lives in. */
    accountId: string;
}

/**
 * The statement that lets EMR Serverless use the key for this one application's worker disks:
 * only `kms:GenerateDataKey` and `kms:Decrypt`, bound by `aws:SourceArn` (the application ARN, as
 * in the AWS guide), `aws:SourceAccount` and `kms:EncryptionContext:applicationId`.
 */
export function serviceKeyPolicyStatement(params: ServiceStatementParams): PolicyStatement {
    return {
        Sid: KEY_POLICY_SIDS.service,
        Effect: "Allow",
        Principal: { Service: EMR_SERVERLESS_PRINCIPAL },
        Action: [...SERVICE_ACTIONS],
        Resource: "*",
        Condition: {
            StringLike: { [SOURCE_ARN_KEY]: params.applicationArn },
            StringEquals: {
                [APPLICATION_ID_CONTEXT_KEY]: params.applicationId,
                [SOURCE_ACCOUNT_KEY]: params.accountId,
            },
        },
    };
}

/** Inputs of {@link submitterKeyPolicyStatements}. */
export interface SubmitterStatementParams {
    /** IAM principals allowed to submit jobs that use the key. Empty: no statements. */
    submitterArns: readonly string[];
    /** The application's region (for `kms:ViaService`). */
    region: string;
    /** The custom encryption context; each entry becomes a `kms:EncryptionContext:<key>` condition. */
    encryptionContext?: Record<string, string>;
}

/**
 * The statements for job submitters: `kms:DescribeKey` (EMR Serverless checks the key is enabled
 * and symmetric), and `kms:GenerateDataKey` / `kms:Decrypt` only via EMR Serverless in the region
 * and only with the custom encryption context.
 */
export function submitterKeyPolicyStatements(params: SubmitterStatementParams): PolicyStatement[] {
    const submitters = uniqueSorted(params.submitterArns);
    if (submitters.length === 0) {
        return [];
    }
    return [
        {
            Sid: KEY_POLICY_SIDS.submitterDescribe,
            Effect: "Allow",
            Principal: { AWS: submitters },
            Action: "kms:DescribeKey",
            Resource: "*",
        },
        {
            Sid: KEY_POLICY_SIDS.submitterUse,
            Effect: "Allow",
            Principal: { AWS: submitters },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: {
                StringEquals: {
                    [VIA_SERVICE_KEY]: emrServerlessViaService(params.region),
                    ...encryptionContextConditions(params.encryptionContext),
                },
            },
        },
    ];
}

/** `{ "kms:EncryptionContext:<k>": v }` for each context entry (sorted by key). */
export function encryptionContextConditions(context: Record<string, string> | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of Object.keys(context ?? {}).sort()) {
        out[`kms:EncryptionContext:${k}`] = (context as Record<string, string>)[k];
    }
    return out;
}

/** Inputs of {@link requiredKeyPolicyStatements}. */
export type RequiredStatementsParams = ServiceStatementParams & SubmitterStatementParams;

/**
 * The statements a key's policy must contain for this application: the service statement and
 * the submitter statements. For a key managed elsewhere, these are what its owner must add.
 */
export function requiredKeyPolicyStatements(params: RequiredStatementsParams): PolicyStatement[] {
    return [serviceKeyPolicyStatement(params), ...submitterKeyPolicyStatements(params)];
}

/** Inputs of {@link keyPolicyDocument}. */
export type KeyPolicyParams = BaseKeyPolicyParams & RequiredStatementsParams;

/** The full key policy: base statements, then the required statements. */
export function keyPolicyDocument(params: KeyPolicyParams): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [...baseKeyPolicyStatements(params), ...requiredKeyPolicyStatements(params)],
    };
}

/** The key's initial (base) policy document, before the application exists. */
export function baseKeyPolicyDocument(params: BaseKeyPolicyParams): PolicyDocument {
    return { Version: "2012-10-17", Statement: baseKeyPolicyStatements(params) };
}

function uniqueSorted(values: readonly string[]): string[] {
    return [...new Set(values)].sort();
}
