/**
 * Test program: a key, an application, a hand-written key policy in its own aws.kms.KeyPolicy (it needs the
 * application's id and ARN, which exist only once the application is created) and the disk-encryption setting.
 *
 * Config "binding":
 * - "application" (default): aws:SourceArn = the application's ARN, as the AWS guide asks;
 * - "wildcard": aws:SourceArn = arn:aws:emr-serverless:*:*:/applications/* (any application), while the policy still
 *   uses the application's id: the binding is wrong whatever the id turns out to be.
 *
 * It also reads the new key back with an invoke (`keySpec`): its arguments come from the key, which does not exist
 * before the update, so its result is unknown at preview.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { attachDiskEncryption } from "../../../../components/diskEncryption";

const binding = new pulumi.Config().get("binding") ?? "application";
if (binding !== "application" && binding !== "wildcard") {
    throw new Error(`config "binding" is "${binding}"; use "application" or "wildcard"`);
}
const region = aws.getRegionOutput().region;
const account = aws.getCallerIdentityOutput().accountId;

const key = new aws.kms.Key("disks", {
    description: "EMR Serverless worker disks",
    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
    enableKeyRotation: true,
});
const app = new aws.emrserverless.Application("etl", { releaseLabel: "emr-7.9.0", type: "spark" });

const policy = new aws.kms.KeyPolicy("disks-policy", {
    keyId: key.keyId,
    policy: pulumi.all([account, app.arn, app.id]).apply(([acct, appArn, appId]) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Root",
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${acct}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    Sid: "EmrServerlessDisks",
                    Effect: "Allow",
                    Principal: { Service: "emr-serverless.amazonaws.com" },
                    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                    Resource: "*",
                    Condition: {
                        StringLike: {
                            "aws:SourceArn":
                                binding === "wildcard" ? "arn:aws:emr-serverless:*:*:/applications/*" : appArn,
                        },
                        StringEquals: { "aws:SourceAccount": acct, "kms:EncryptionContext:applicationId": appId },
                    },
                },
            ],
        }),
    ),
});

export const setting = attachDiskEncryption(
    "etl-disks",
    { applicationId: app.id, encryptionKeyArn: key.arn, region },
    { dependsOn: [policy] },
).urn;
export const keySpec = aws.kms.getKeyOutput({ keyId: key.arn }).keySpec;
