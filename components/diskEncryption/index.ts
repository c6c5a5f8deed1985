/**
 * CONTRACT STUB written by the lead; the disk-encryption helper replaces the body.
 *
 * The one seam between the component and however the disk-encryption setting is applied.
 * Today: a dynamic provider calling the EMR Serverless API. The day `@pulumi/aws` gains
 * `diskEncryptionConfiguration` on `aws.emrserverless.Application`, only this module changes.
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of the disk-encryption setting (public contract: the policy pack reads these names). */
export interface ApplicationDiskEncryptionArgs {
    /** The EMR Serverless application id. Changing it replaces the setting. */
    applicationId: pulumi.Input<string>;
    /** The KMS key ARN (not an alias, not a bare id). */
    encryptionKeyArn: pulumi.Input<string>;
    /** The custom encryption context (at most 8 entries; logged in plain text by CloudTrail). */
    encryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The application's region. Changing it replaces the setting. */
    region: pulumi.Input<string>;
    /** When the application is STARTED: stop it, update, start it again. Default false (a clear error instead). */
    restartIfStarted?: pulumi.Input<boolean>;
    /** Named AWS profile to use (the AWS provider's `aws:profile`), if any. */
    profile?: pulumi.Input<string>;
    /** Role to assume (the AWS provider's first `assumeRoles` entry), if any; no secrets. */
    assumeRole?: pulumi.Input<{ roleArn: string; sessionName?: string; externalId?: string }>;
}

export declare class ApplicationDiskEncryption extends pulumi.dynamic.Resource {
    public readonly applicationId: pulumi.Output<string>;
    public readonly encryptionKeyArn: pulumi.Output<string>;
    public readonly encryptionContext: pulumi.Output<Record<string, string> | undefined>;
    public readonly region: pulumi.Output<string>;
    constructor(name: string, args: ApplicationDiskEncryptionArgs, opts?: pulumi.CustomResourceOptions);
}

/**
 * The seam: apply the disk-encryption setting to an application. The component calls only this.
 * Returns the resource that carries the setting (for dependsOn and outputs).
 */
export declare function attachDiskEncryption(
    name: string,
    args: ApplicationDiskEncryptionArgs,
    opts: pulumi.CustomResourceOptions,
): ApplicationDiskEncryption;
