/**
 * The live audit: reads the application (EMR Serverless GetApplication), its key (KMS DescribeKey) and the key's
 * default policy (KMS GetKeyPolicy) with the default AWS credential chain, then judges them. Endpoints follow the
 * SDK's usual configuration (`AWS_ENDPOINT_URL_EMR_SERVERLESS`, `AWS_ENDPOINT_URL_KMS`, ...).
 */
import { EMRServerlessClient, GetApplicationCommand } from "@aws-sdk/client-emr-serverless";
import { DescribeKeyCommand, GetKeyPolicyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
    ENCRYPT_DECRYPT_USAGE,
    SYMMETRIC_KEY_SPEC,
    checkDiskEncryptionSetting,
    parseKeyArn,
} from "../policypack/judge";
import { AuditError, classifyAwsError } from "./errors";
import { judgeKeyPolicy, parseApplicationArn } from "./judgment";
import type { ApplicationCommand } from "./args";
import type { AuditCheck, AuditReport } from "./report";

/** Clients to use instead of the default ones (tests, or callers with their own configuration). */
export interface LiveClients {
    emr?: EMRServerlessClient;
    /** Called with the key's region. */
    kms?: (region: string) => KMSClient;
}

const KEY_POLICY_ACCESS_HINT =
    "GetKeyPolicy cannot be called across accounts: if the key belongs to another account, run the audit with that " +
    "account's credentials, or have its owner export the policy (aws kms get-key-policy --key-id <key-arn> " +
    "--policy-name default --output text) and judge it with --key-policy FILE --application-arn <arn>.";

/** Runs the live audit for one application. Throws {@link AuditError} when it cannot read what it needs. */
export async function auditApplication(cmd: ApplicationCommand, clients: LiveClients = {}): Promise<AuditReport> {
    const emr = clients.emr ?? new EMRServerlessClient({ region: cmd.region });
    const report: AuditReport = {
        subject: { mode: "application", applicationId: cmd.applicationId, region: cmd.region },
        checks: [],
    };
    const checks: AuditCheck[] = report.checks;

    let application;
    try {
        application = (await emr.send(new GetApplicationCommand({ applicationId: cmd.applicationId }))).application;
    } catch (e) {
        throw classifyAwsError(e, {
            action: "emr-serverless:GetApplication",
            resource: `application ${cmd.applicationId} in ${cmd.region}`,
        });
    }
    const app = application?.arn ? parseApplicationArn(application.arn) : undefined;
    if (!application || !app) {
        throw new AuditError(
            "aws",
            `GetApplication for ${cmd.applicationId} returned no usable application ARN (${String(application?.arn)}).`,
            "Check the endpoint configuration (AWS_ENDPOINT_URL_EMR_SERVERLESS) and the region.",
        );
    }
    report.subject.applicationArn = app.arn;

    const setting = application.diskEncryptionConfiguration;
    if (!setting || !setting.encryptionKeyArn) {
        checks.push({
            id: "disk-encryption",
            status: "fail",
            message: `Disk encryption is not set on application ${app.id}: its workers' disks are encrypted with an AWS owned key, not a customer-managed key.`,
            fix:
                `aws emr-serverless update-application --application-id ${app.id} --region ${app.region} ` +
                `--disk-encryption-configuration '{"encryptionKeyArn": "<key-arn>"}' (or give the EncryptedApplication component the key).`,
        });
        return report;
    }
    const problems = checkDiskEncryptionSetting(setting);
    for (const p of problems) {
        checks.push({
            id: "disk-encryption-setting",
            status: "fail",
            message: `Application ${app.id}: ${p.message}`,
            fix: p.fix,
        });
    }
    const keyArn = setting.encryptionKeyArn;
    const keyParts = parseKeyArn(keyArn);
    if (!keyParts) {
        return report;
    }
    report.subject.keyArn = keyArn;
    if (problems.length === 0) {
        const ctx =
            setting.encryptionContext && Object.keys(setting.encryptionContext).length > 0
                ? ` with encryption context ${JSON.stringify(setting.encryptionContext)}`
                : "";
        checks.push({
            id: "disk-encryption",
            status: "pass",
            message: `Disk encryption is set on application ${app.id}: key ${keyArn}${ctx}.`,
        });
    }

    const kms = clients.kms ? clients.kms(keyParts.region) : new KMSClient({ region: keyParts.region });
    let metadata;
    try {
        metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
    } catch (e) {
        throw classifyAwsError(e, { action: "kms:DescribeKey", resource: keyArn });
    }
    const spec = metadata?.KeySpec ?? metadata?.CustomerMasterKeySpec;
    const usage = metadata?.KeyUsage;
    if (spec === SYMMETRIC_KEY_SPEC && usage === ENCRYPT_DECRYPT_USAGE) {
        checks.push({
            id: "key-spec",
            status: "pass",
            message: `The key is a symmetric encryption key (${spec}, ${usage}).`,
        });
    } else {
        checks.push({
            id: "key-spec",
            status: "fail",
            message: `The key is ${spec ?? "of unknown spec"} with usage ${usage ?? "unknown"}: EMR Serverless disk encryption supports only symmetric encryption keys (${SYMMETRIC_KEY_SPEC}, ${ENCRYPT_DECRYPT_USAGE}).`,
            fix: "Create a symmetric encryption key (aws kms create-key --key-spec SYMMETRIC_DEFAULT --key-usage ENCRYPT_DECRYPT) and point the application's diskEncryptionConfiguration to it.",
        });
    }
    const state = metadata?.KeyState ?? (metadata?.Enabled ? "Enabled" : "unknown");
    if (state === "Enabled") {
        checks.push({ id: "key-state", status: "pass", message: "The key is enabled." });
    } else {
        checks.push({
            id: "key-state",
            status: "fail",
            message: `The key is ${state}, not Enabled: EMR Serverless cannot create or read encrypted worker disks, so jobs fail.`,
            fix:
                state === "PendingDeletion"
                    ? `aws kms cancel-key-deletion --key-id ${keyArn} && aws kms enable-key --key-id ${keyArn}`
                    : state === "Disabled"
                      ? `aws kms enable-key --key-id ${keyArn}`
                      : "Bring the key to the Enabled state (see aws kms describe-key), or point the application to an enabled key.",
        });
    }

    let policy: string | undefined;
    try {
        policy = (await kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: "default" }))).Policy;
    } catch (e) {
        throw classifyAwsError(e, { action: "kms:GetKeyPolicy", resource: keyArn, accessHint: KEY_POLICY_ACCESS_HINT });
    }
    if (policy === undefined) {
        throw new AuditError(
            "aws",
            `kms:GetKeyPolicy on ${keyArn} returned no policy.`,
            "Retry; check the KMS endpoint configuration.",
        );
    }
    const judgment = judgeKeyPolicy({
        policy,
        application: app,
        region: cmd.region,
        keyArn,
        encryptionContext: setting.encryptionContext,
        jobRoleArns: cmd.jobRoleArns,
        submitterArns: cmd.submitterArns,
    });
    checks.push(...judgment.checks);
    report.analysis = judgment.analysis;
    return report;
}
