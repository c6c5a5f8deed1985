/**
 * Test program: secrets reaching everything the offline preview prints. Secret config (pass with --secret-config):
 * "sid" (a statement id), "token" (lower-cased into a condition), "appName" (lower-cased inside an ARN pattern: application ARNs are lower-case), "providerKey"
 * (an explicit provider's secretKey). The program also marks a literal secret with pulumi.secret, and writes the
 * token to stderr.
 *
 * Config "fail": "invoke" makes the program read a key whose id holds the token (no fixture answers it) and throw
 * an error that quotes the sid: the preview fails (exit 2), with the invoke, a fixture template and the error.
 * Otherwise the key policy is wrong (exit 1) and the violation messages quote the secret values.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { attachDiskEncryption } from "../../../../components/diskEncryption";
import { Provider } from "../../../../components/provider";

const config = new pulumi.Config();
const sid = config.requireSecret("sid");
const token = config.requireSecret("token");
const appName = config.requireSecret("appName");
const marked = pulumi.secret("LiteralMarkedSecret5e8b");

token.apply((t) => console.error(`debug: token is ${t}`));

if (config.get("fail") === "invoke") {
    aws.kms.getKeyOutput({ keyId: pulumi.interpolate`arn:aws:kms:us-east-1:111122223333:key/${token}` });
    sid.apply((s) => {
        throw new Error(`the key for statement ${s} is not usable`);
    });
}

const provider = new aws.Provider("keys", { region: "us-east-1", secretKey: config.requireSecret("providerKey") });
const region = aws.getRegionOutput().region;
const account = aws.getCallerIdentityOutput().accountId;

const key = new aws.kms.Key(
    "disks",
    { customerMasterKeySpec: "SYMMETRIC_DEFAULT", enableKeyRotation: true },
    { provider },
);
const app = new aws.emrserverless.Application("etl", { releaseLabel: "emr-7.9.0", type: "spark" });

const policy = new aws.kms.KeyPolicy(
    "disks-policy",
    {
        keyId: key.keyId,
        policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Root",
                    Effect: "Allow",
                    Principal: { AWS: pulumi.interpolate`arn:aws:iam::${account}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    // Wrong on purpose: the ARN is a pattern, the id is not the application's, kms:* is too much.
                    Sid: pulumi.interpolate`${sid}${marked}`,
                    Effect: "Allow",
                    Principal: { Service: "emr-serverless.amazonaws.com" },
                    Action: "kms:*",
                    Resource: "*",
                    Condition: {
                        StringLike: {
                            "aws:SourceArn": pulumi.interpolate`arn:aws:emr-serverless:us-east-1:${account}:/applications/${appName.apply((n) => n.toLowerCase())}*`,
                        },
                        StringEquals: {
                            "aws:SourceAccount": account,
                            "kms:EncryptionContext:applicationId": token.apply((t) => t.toLowerCase()),
                        },
                    },
                },
            ],
        }),
    },
    { provider },
);

// The default aws provider has a secret key in its config: the setting states its own provider, as the component
// requires when the two would otherwise differ.
export const setting = attachDiskEncryption(
    "etl-disks",
    { applicationId: app.id, encryptionKeyArn: key.arn, region },
    { dependsOn: [policy], provider: new Provider("setting", { region: "us-east-1" }) },
).urn;
