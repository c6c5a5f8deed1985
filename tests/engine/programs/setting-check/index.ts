/** Test program: the disk-encryption setting given a KMS alias ARN (the provider plugin's Check requires a key ARN). */
import * as pulumi from "@pulumi/pulumi";
import { ApplicationDiskEncryption } from "../../../../components/diskEncryption";

const config = new pulumi.Config();
const setting = new ApplicationDiskEncryption("setting", {
    applicationId: "00abc123def456",
    region: "us-east-1",
    encryptionKeyArn: config.get("keyArn") ?? "arn:aws:kms:us-east-1:111122223333:alias/my-key",
});

export const applicationId = setting.applicationId;
