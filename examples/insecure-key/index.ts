/**
 * DELIBERATELY WRONG example (do not deploy): what a hand-written program might do without the component.
 * Every resource is plain @pulumi/aws, except the disk-encryption setting, which is the component package's
 * dynamic resource pointed at the wrong key. The policy pack must block it at preview:
 *
 * - the key is RSA_2048 (asymmetric): EMR Serverless disk encryption accepts only SYMMETRIC_DEFAULT keys;
 * - the key policy lets emr-serverless.amazonaws.com use the key with no aws:SourceArn, aws:SourceAccount or
 *   kms:EncryptionContext:applicationId condition: any EMR Serverless application, in any account, could use it;
 * - the key policy grants the service kms:* rather than kms:GenerateDataKey and kms:Decrypt.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { attachDiskEncryption } from "../../components/diskEncryption";

const config = new pulumi.Config();
const region = aws.getRegionOutput().region;
const account = aws.getCallerIdentityOutput().accountId;

const keyPolicy = account.apply((acct) =>
    JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Enable IAM User Permissions",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${acct}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                // WRONG: no aws:SourceArn / aws:SourceAccount / kms:EncryptionContext:applicationId, and kms:*.
                Sid: "AllowEmrServerless",
                Effect: "Allow",
                Principal: { Service: "emr-serverless.amazonaws.com" },
                Action: "kms:*",
                Resource: "*",
            },
        ],
    }),
);

// WRONG: an asymmetric key spec.
const key = new aws.kms.Key("insecure-key", {
    description: "DELIBERATELY WRONG: asymmetric key for EMR Serverless disk encryption",
    customerMasterKeySpec: "RSA_2048",
    keyUsage: "ENCRYPT_DECRYPT",
    policy: keyPolicy,
});

const app = new aws.emrserverless.Application("insecure-app", {
    releaseLabel: "emr-7.9.0",
    type: "spark",
});

export const setting = attachDiskEncryption(
    "insecure-disk-encryption",
    {
        applicationId: app.id,
        encryptionKeyArn: key.arn,
        encryptionContext: config.getObject<Record<string, string>>("encryptionContext"),
        region,
    },
    { dependsOn: [key] },
).urn;
export const keyArn = key.arn;
