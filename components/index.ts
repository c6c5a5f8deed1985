/**
 * Public entry of the component package: an EMR Serverless application with disk encryption by a
 * customer-managed KMS key, the pure policy builders it uses, and job-submission helpers.
 */
export * from "./encryptedApplication";
export * from "./keyPolicy";
export * from "./jobRole";
export * from "./jobOverrides";
export {
    DiskEncryptionValidationError,
    checkExistingKey,
    checkPrincipalArns,
    PRINCIPAL_ARN_PATTERN,
} from "./validation";
export type { ExistingKeyFacts } from "./validation";
export * from "./keyUsageMonitoring";
export { Provider } from "./provider";
export type { ProviderArgs, ProviderAssumeRole } from "./provider";
export { PACKAGE_NAME } from "./packageInfo";
export { ApplicationDiskEncryption, attachDiskEncryption } from "./diskEncryption";
export type { ApplicationDiskEncryptionArgs, DiskEncryptionTimeouts } from "./diskEncryption";
