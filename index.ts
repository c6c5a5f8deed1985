/**
 * Example program: one EMR Serverless application with disk encryption by a customer-managed KMS
 * key, configured from stack config (see Pulumi.example.yaml).
 */
import * as pulumi from "@pulumi/pulumi";
import { EncryptedApplication } from "./components";

const config = new pulumi.Config();
const type = config.get("type") ?? "spark";
if (type !== "spark" && type !== "hive") {
    throw new Error(`config "type" is "${type}"; use "spark" or "hive".`);
}

const app = new EncryptedApplication("emr", {
    type,
    releaseLabel: config.get("releaseLabel") ?? "emr-7.9.0",
    encryptionContext: config.getObject<Record<string, string>>("encryptionContext"),
    existingKeyArn: config.get("existingKeyArn"),
    submitterArns: config.getObject<string[]>("submitterArns"),
    keyAdministratorArns: config.getObject<string[]>("keyAdministratorArns"),
    restartIfStarted: config.getBoolean("restartIfStarted"),
    applicationArgs: {
        autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 15 },
    },
});

export const applicationId = app.applicationId;
export const applicationArn = app.applicationArn;
export const keyArn = app.keyArn;
export const jobRoleArn = app.jobRoleArn;
export const jobRunConfigurationOverrides = app.jobRunConfigurationOverrides;
export const livySessionConf = app.livySessionConf;
export const requiredKeyPolicyStatements = app.requiredKeyPolicyStatements;
