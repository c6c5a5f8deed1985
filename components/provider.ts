/**
 * The explicit provider of this package: who the disk-encryption setting acts as, when the stack's default
 * provider (stack config `emr-serverless-disk-encryption:*`) is not the right one, e.g. next to an explicit
 * `aws.Provider`. Pass it to the component with `providers: { "emr-serverless-disk-encryption": provider }`
 * (or to `ApplicationDiskEncryption` with `provider`).
 */
import * as pulumi from "@pulumi/pulumi";
import { PACKAGE_NAME, packageVersion } from "./packageInfo";

/** A role the provider assumes (one role: no chain, no session policy). */
export interface ProviderAssumeRole {
    /** The role ARN. */
    roleArn: pulumi.Input<string>;
    /** The STS session name. Default `pulumi-emr-disk-encryption`. */
    sessionName?: pulumi.Input<string>;
    /** The external id the role's trust policy requires, if any. */
    externalId?: pulumi.Input<string>;
}

/** Arguments of {@link Provider}: the AWS provider's identity settings this provider honours. */
export interface ProviderArgs {
    /** Region of settings that have no `region` input (the component always passes one). */
    region?: pulumi.Input<string>;
    /** Named profile of the shared AWS config and credentials files (only that profile; never a fall-back). */
    profile?: pulumi.Input<string>;
    /** Role assumed on top of the base credentials. */
    assumeRole?: pulumi.Input<ProviderAssumeRole>;
    /** Static access key id (stored as a secret). With `secretKey`, wins over `profile` as in the AWS provider. */
    accessKey?: pulumi.Input<string>;
    /** Static secret access key (stored as a secret). */
    secretKey?: pulumi.Input<string>;
    /** Session token of temporary static credentials (stored as a secret). */
    token?: pulumi.Input<string>;
}

/** The provider resource of this package (`pulumi:providers:emr-serverless-disk-encryption`). */
export class Provider extends pulumi.ProviderResource {
    /**
     * @param name The provider's name.
     * @param args Its identity settings; nothing set = the SDK's default credential chain.
     * @param opts Resource options.
     */
    constructor(name: string, args: ProviderArgs = {}, opts: pulumi.ResourceOptions = {}) {
        const secretOf = (v: pulumi.Input<string> | undefined): pulumi.Output<string> | undefined =>
            v === undefined ? undefined : pulumi.secret(v);
        super(
            PACKAGE_NAME,
            name,
            {
                region: args.region,
                profile: args.profile,
                // Object-valued provider configuration travels as JSON text, as generated SDKs send it.
                assumeRole:
                    args.assumeRole === undefined
                        ? undefined
                        : pulumi.output(args.assumeRole).apply((r) => JSON.stringify(r)),
                accessKey: secretOf(args.accessKey),
                secretKey: secretOf(args.secretKey),
                token: secretOf(args.token),
            },
            { version: packageVersion(), ...opts },
        );
    }
}
