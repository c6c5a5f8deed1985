/**
 * Names that the component, the policy pack, the offline preview and the audit command share.
 * Public contract: changing one of these is a breaking change.
 */

/** The EMR Serverless service principal that uses the key for worker disks. */
export const EMR_SERVERLESS_PRINCIPAL = "emr-serverless.amazonaws.com";

/**
 * Type token of the component's disk-encryption setting: a custom resource served by this package's
 * provider plugin. Inputs: `applicationId`, `encryptionKeyArn`, `encryptionContext`, `region`.
 */
export const DISK_ENCRYPTION_TYPE = "emr-serverless-disk-encryption:index:ApplicationDiskEncryption";

/**
 * Type token the same setting had as a Pulumi dynamic resource (module `emrserverless`), still in
 * the state of stacks not yet updated with the provider plugin; same inputs.
 */
export const LEGACY_DISK_ENCRYPTION_TYPE = "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption";

/** Resource types the pack reads. */
export const KMS_KEY_TYPE = "aws:kms/key:Key";
export const KMS_KEY_POLICY_TYPE = "aws:kms/keyPolicy:KeyPolicy";
export const NATIVE_KMS_KEY_TYPE = "aws-native:kms:Key";
export const EMR_APPLICATION_TYPE = "aws:emrserverless/application:Application";

/** The only key spec and usage EMR Serverless disk encryption accepts. */
export const SYMMETRIC_KEY_SPEC = "SYMMETRIC_DEFAULT";
export const ENCRYPT_DECRYPT_USAGE = "ENCRYPT_DECRYPT";

/** Actions the service needs, and no more. */
export const SERVICE_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;
/** Actions a job submitter needs. */
export const SUBMITTER_ACTIONS = ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"] as const;

/** Condition keys that bind the service to one application, one account, one application id. */
export const SOURCE_ARN_KEY = "aws:SourceArn";
export const SOURCE_ACCOUNT_KEY = "aws:SourceAccount";
export const APPLICATION_ID_CONTEXT_KEY = "kms:EncryptionContext:applicationId";
export const VIA_SERVICE_KEY = "kms:ViaService";

/** Service endpoint used in `kms:ViaService` for a region. */
export function emrServerlessViaService(region: string): string {
    return `emr-serverless.${region}.amazonaws.com`;
}

/** API limits on `diskEncryptionConfiguration.encryptionContext`. */
export const MAX_CONTEXT_ENTRIES = 8;
export const MAX_CONTEXT_KEY_LENGTH = 128;
export const MAX_CONTEXT_VALUE_LENGTH = 384;

/** The engine's sentinel for an unknown (computed) string at preview. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
