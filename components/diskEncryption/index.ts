/**
 * The one seam between the component and however the disk-encryption setting is applied.
 *
 * Today: a Pulumi dynamic provider ({@link diskEncryptionProvider}, in `./provider`) calling the
 * EMR Serverless API, registered as `pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption`
 * (the policy pack's `DISK_ENCRYPTION_TYPE`).
 *
 * Switching to a provider property: the day `@pulumi/aws` gains `diskEncryptionConfiguration` on
 * `aws.emrserverless.Application`, the component passes the setting to the application itself and
 * {@link attachDiskEncryption} returns nothing to attach (or the application); only this module and
 * the component's call site change. The policy pack then reads the application's property instead
 * of this resource (both can be supported during a migration; the state of existing stacks keeps
 * this resource until it is deleted, and its delete unsets the setting only while the application
 * still carries this resource's key and context, so moving the setting to the property first and
 * deleting this resource afterwards is safe).
 */
import * as pulumi from "@pulumi/pulumi";
import { DISK_ENCRYPTION_TYPE } from "../../policypack/judge/constants";
import { diskEncryptionProvider } from "./provider";
import type { DiskEncryptionAssumeRole, DiskEncryptionTimeouts } from "./provider";

export { diskEncryptionProvider } from "./provider";
export type { DiskEncryptionAssumeRole, DiskEncryptionInputs, DiskEncryptionTimeouts } from "./provider";

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
    /**
     * Time and attempt bounds of each create/update/delete (overall budget, poll backoff, SDK
     * attempts, request timeout, read-back convergence). Defaults: 30 min, 2 s doubling to 30 s
     * with jitter, 5, 60 s, 60 s.
     */
    timeouts?: pulumi.Input<DiskEncryptionTimeouts>;
}

/** `module` and `type` for `pulumi.dynamic.Resource`, taken from the shared type token. */
function tokenParts(token: string): { module: string; type: string } {
    const m = /^pulumi-nodejs:dynamic\/([^:]+):([^:]+)$/.exec(token);
    if (!m) {
        throw new Error(`DISK_ENCRYPTION_TYPE "${token}" is not a pulumi-nodejs:dynamic/<module>:<type> token.`);
    }
    return { module: m[1], type: m[2] };
}

/**
 * The disk-encryption setting of one EMR Serverless application, applied through the EMR
 * Serverless API by {@link diskEncryptionProvider}. Id: the application id.
 */
export class ApplicationDiskEncryption extends pulumi.dynamic.Resource {
    /** The application id. */
    declare public readonly applicationId: pulumi.Output<string>;
    /** The KMS key ARN in effect. */
    declare public readonly encryptionKeyArn: pulumi.Output<string>;
    /** The encryption context in effect, if any. */
    declare public readonly encryptionContext: pulumi.Output<Record<string, string> | undefined>;
    /** The application's region. */
    declare public readonly region: pulumi.Output<string>;
    /** Whether a STARTED application may be restarted to apply the setting. */
    declare public readonly restartIfStarted: pulumi.Output<boolean | undefined>;
    /** The named profile used, if any. */
    declare public readonly profile: pulumi.Output<string | undefined>;
    /** The role assumed, if any. */
    declare public readonly assumeRole: pulumi.Output<DiskEncryptionAssumeRole | undefined>;

    /**
     * @param name The resource name.
     * @param args The application, key, context and region (see {@link ApplicationDiskEncryptionArgs}).
     * @param opts Resource options; the component passes `parent` and `dependsOn` (the key policy).
     */
    constructor(name: string, args: ApplicationDiskEncryptionArgs, opts?: pulumi.CustomResourceOptions) {
        const { module, type } = tokenParts(DISK_ENCRYPTION_TYPE);
        super(
            diskEncryptionProvider,
            name,
            {
                applicationId: args.applicationId,
                encryptionKeyArn: args.encryptionKeyArn,
                encryptionContext: args.encryptionContext,
                region: args.region,
                restartIfStarted: args.restartIfStarted,
                profile: args.profile,
                assumeRole: args.assumeRole,
                timeouts: args.timeouts,
            },
            opts,
            module,
            type,
        );
    }
}

/**
 * The seam: apply the disk-encryption setting to an application. The component calls only this.
 * Returns the resource that carries the setting (for dependsOn and outputs).
 *
 * To switch to a provider property later, change this function (see the module comment).
 */
export function attachDiskEncryption(
    name: string,
    args: ApplicationDiskEncryptionArgs,
    opts: pulumi.CustomResourceOptions,
): ApplicationDiskEncryption {
    return new ApplicationDiskEncryption(name, args, opts);
}
