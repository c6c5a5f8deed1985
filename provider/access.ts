/**
 * Who the setting's operations act as: the credential provider and fallback region built from the provider's
 * configuration (see `./config` for the order, which is the AWS provider's). The SDK modules are loaded on
 * first use, so a plugin that only answers Check, Diff or Construct never loads them.
 */
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { AwsAccess } from "../components/diskEncryption/provider";
import type { ProviderConfig } from "./config";

export type { AwsAccess } from "../components/diskEncryption/provider";

/** The STS session name when `assumeRole.sessionName` is not set. */
export const DEFAULT_SESSION_NAME = "pulumi-emr-disk-encryption";

/** Builds the {@link AwsAccess} of a configuration. */
export function awsAccess(config: ProviderConfig): AwsAccess {
    let base: AwsCredentialIdentityProvider | undefined;
    if (config.accessKey !== undefined && config.secretKey !== undefined) {
        const identity = {
            accessKeyId: config.accessKey,
            secretAccessKey: config.secretKey,
            ...(config.token !== undefined ? { sessionToken: config.token } : {}),
        };
        base = async () => identity;
    } else if (config.profile !== undefined) {
        const cp = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
        // Only the named profile: a profile that cannot be read is an error, never another identity.
        base = cp.fromIni({ profile: config.profile });
    }
    let credentials = base;
    if (config.assumeRole) {
        const cp = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
        credentials = cp.fromTemporaryCredentials({
            params: {
                RoleArn: config.assumeRole.roleArn,
                RoleSessionName: config.assumeRole.sessionName ?? DEFAULT_SESSION_NAME,
                ...(config.assumeRole.externalId !== undefined ? { ExternalId: config.assumeRole.externalId } : {}),
            },
            // Without base credentials, STS is called with the SDK's default chain.
            ...(base ? { masterCredentials: base } : {}),
            // Without a configured region, STS uses the region of the operation's client.
            ...(config.region !== undefined ? { clientConfig: { region: config.region } } : {}),
        });
    }
    const access: AwsAccess = {};
    if (credentials) {
        access.credentials = credentials;
    }
    if (config.region !== undefined) {
        access.region = config.region;
    }
    return access;
}
