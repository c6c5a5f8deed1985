/**
 * The one seam between the component and however the disk-encryption setting is applied.
 *
 * Today: {@link ApplicationDiskEncryption}, a custom resource of this package's provider plugin
 * (`emr-serverless-disk-encryption:index:ApplicationDiskEncryption`, the policy pack's `DISK_ENCRYPTION_TYPE`),
 * which calls the EMR Serverless API (`./provider`) as the provider's configured identity. It carries an alias
 * to the dynamic resource it replaces (`pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption`), so
 * stacks created with 0.1 keep their setting: one update without any AWS call drops the dynamic resource's
 * serialized code from the state.
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
import { DISK_ENCRYPTION_TYPE, LEGACY_DISK_ENCRYPTION_TYPE } from "../../policypack/judge/constants";
import type { SettingProblem } from "../../policypack/judge/setting";
import { PACKAGE_NAME, packageVersion } from "../packageInfo";
import { throwIfProblems } from "../validation";
import {
    type AwsIdentityConfig,
    type ExplicitProviders,
    settingIdentityProblems,
    type SettingProviderConfig,
} from "./identity";
import type { DiskEncryptionTimeouts } from "./provider";

export type { DiskEncryptionInputs, DiskEncryptionTimeouts } from "./provider";

/** Inputs of the disk-encryption setting (public contract: the policy pack reads these names). */
export interface ApplicationDiskEncryptionArgs {
    /** The EMR Serverless application id. Changing it replaces the setting. */
    applicationId: pulumi.Input<string>;
    /** The KMS key ARN (not an alias, not a bare id). */
    encryptionKeyArn: pulumi.Input<string>;
    /** The custom encryption context (at most 8 entries; logged in plain text by CloudTrail; never a secret). */
    encryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** The application's region. Default: the provider's `region`. Changing it replaces the setting. */
    region?: pulumi.Input<string>;
    /** When the application is STARTED: stop it, update, start it again. Default false (a clear error instead). */
    restartIfStarted?: pulumi.Input<boolean>;
    /**
     * Time and attempt bounds of each create/update/delete (overall budget, poll backoff, SDK
     * attempts, request timeout, read-back convergence). Defaults: 30 min, 2 s doubling to 30 s
     * with jitter, 5, 60 s, 60 s.
     */
    timeouts?: pulumi.Input<DiskEncryptionTimeouts>;
}

/**
 * The disk-encryption setting of one EMR Serverless application, applied through the EMR Serverless API by
 * this package's provider plugin. Id: the application id. Import id: the application's ARN, or its id when
 * the provider's `region` is set.
 */
export class ApplicationDiskEncryption extends pulumi.CustomResource {
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
    /** The operations' time and attempt bounds, if set. */
    declare public readonly timeouts: pulumi.Output<DiskEncryptionTimeouts | undefined>;
    /** The application's ARN, as EMR Serverless reported it. */
    declare public readonly applicationArn: pulumi.Output<string | undefined>;

    /**
     * @param name The resource name.
     * @param args The application, key, context and region (see {@link ApplicationDiskEncryptionArgs}).
     * @param opts Resource options; the component passes `parent` and `dependsOn` (the key policy). A
     *   `provider` of this package chooses who the setting acts as (default: the stack's default provider).
     */
    constructor(name: string, args: ApplicationDiskEncryptionArgs, opts?: pulumi.CustomResourceOptions) {
        // Who it acts as: refused before registering when the default provider's identity is not the aws: one.
        throwIfProblems(`ApplicationDiskEncryption "${name}"`, settingIdentityProblemsFor(opts));
        super(
            DISK_ENCRYPTION_TYPE,
            name,
            {
                applicationId: args.applicationId,
                encryptionKeyArn: args.encryptionKeyArn,
                encryptionContext: args.encryptionContext,
                region: args.region,
                restartIfStarted: args.restartIfStarted,
                timeouts: args.timeouts,
                applicationArn: undefined,
            },
            {
                version: packageVersion(),
                ...opts,
                aliases: [...(opts?.aliases ?? []), { type: LEGACY_DISK_ENCRYPTION_TYPE }],
            },
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

/** The `aws:` stack config that decides the AWS provider's identity (raw text, as the config holds it). */
function awsIdentityConfig(): AwsIdentityConfig {
    const get = (k: string): string | undefined => pulumi.runtime.getConfig(`aws:${k}`);
    return {
        profile: get("profile"),
        assumeRoles: get("assumeRoles"),
        assumeRoleWithWebIdentity: get("assumeRoleWithWebIdentity"),
        accessKey: get("accessKey"),
        secretKey: get("secretKey"),
        token: get("token"),
        sharedCredentialsFiles: get("sharedCredentialsFiles"),
        sharedConfigFiles: get("sharedConfigFiles"),
        ec2MetadataServiceEndpoint: get("ec2MetadataServiceEndpoint"),
    };
}

/** This package's provider configuration in the stack config (what its default provider uses). */
function settingProviderConfig(): SettingProviderConfig {
    const get = (k: string): string | undefined => pulumi.runtime.getConfig(`${PACKAGE_NAME}:${k}`);
    return {
        profile: get("profile"),
        assumeRole: get("assumeRole"),
        accessKey: get("accessKey"),
        secretKey: get("secretKey"),
        token: get("token"),
    };
}

/** The package of a provider resource (`getPackage` is not in the SDK's typings). */
function packageOf(p: pulumi.ProviderResource): string | undefined {
    const getPackage = (p as unknown as { getPackage?: () => string }).getPackage;
    return typeof getPackage === "function" ? getPackage.call(p) : undefined;
}

/**
 * Which explicit providers apply, as the SDK resolves them for a resource: its own `providers` (a component's)
 * and `provider`, else the ones its parent carries.
 */
function explicitProviders(opts: pulumi.ComponentResourceOptions | undefined): ExplicitProviders {
    const has = (pkg: string): boolean => {
        const own = opts?.providers;
        if (Array.isArray(own) ? own.some((p) => packageOf(p) === pkg) : own !== undefined && pkg in own) {
            return true;
        }
        if (opts?.provider !== undefined && packageOf(opts.provider) === pkg) {
            return true;
        }
        return opts?.parent?.getProvider(`${pkg}:index:x`) !== undefined;
    };
    return { setting: has(PACKAGE_NAME), aws: has("aws") };
}

/**
 * Why the disk-encryption setting registered with `opts` could act as another identity than the AWS provider
 * (see `./identity`): the `aws:` and this package's stack config, the explicit providers that apply, and the
 * environment both plugins share. Empty when an explicit provider of this package applies.
 */
export function settingIdentityProblemsFor(opts: pulumi.ComponentResourceOptions | undefined): SettingProblem[] {
    return settingIdentityProblems(awsIdentityConfig(), settingProviderConfig(), explicitProviders(opts), {
        AWS_SHARED_CREDENTIALS_FILE: process.env.AWS_SHARED_CREDENTIALS_FILE,
        AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT,
    });
}
