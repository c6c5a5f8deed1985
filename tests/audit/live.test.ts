/**
 * The live audit against loopback servers speaking EMR Serverless (REST-JSON) and KMS (AWS JSON 1.1), reached by
 * the real SDK clients through AWS_ENDPOINT_URL_EMR_SERVERLESS / AWS_ENDPOINT_URL_KMS with static fake credentials.
 */
import * as assert from "node:assert/strict";
import { EmrServerlessServer } from "../support/emrServerlessServer";
import { FakeKmsKey, KmsServer, startKmsServer } from "../support/kmsServer";
import { keyPolicyDocument, serviceKeyPolicyStatement, PolicyDocument } from "../../components/keyPolicy";
import { jobRoleKeyGrantPolicy } from "../../components/jobRole";
import type { AuditCheck } from "../../audit/report";
import { ACCOUNT, APP_ARN, APP_ID, KEY_ARN, REGION, fakeAwsEnv, runInProcess, runSpawned } from "./support";
import { JOB_ROLE_ARN as JOB_ROLE, SUBMITTER_ARN as SUBMITTER } from "../../harness/fixtures";
const CONTEXT = { team: "analytics" };

/** The component's policy for the application (account root + admin + service + submitter statements). */
function componentPolicy(): PolicyDocument {
    return keyPolicyDocument({
        partition: "aws",
        accountId: ACCOUNT,
        applicationArn: APP_ARN,
        applicationId: APP_ID,
        submitterArns: [SUBMITTER],
        region: REGION,
        encryptionContext: CONTEXT,
    });
}

/** The component's policy without the account-root statement: the key policy alone decides. */
function policyWithoutRoot(): PolicyDocument {
    const doc = componentPolicy();
    return { ...doc, Statement: doc.Statement.filter((s) => s.Sid !== "EnableRootAccountControl") };
}

interface JsonReport {
    checks: AuditCheck[];
    exitCode: number;
    subject: { keyArn?: string; applicationArn?: string };
}

function check(report: JsonReport, id: string, principal?: string): AuditCheck {
    const c = report.checks.find((x) => x.id === id && (principal === undefined || x.principal === principal));
    assert.ok(c, `no ${id} check in ${JSON.stringify(report.checks.map((x) => x.id))}`);
    return c;
}

describe("audit --application (live, loopback EMR Serverless and KMS)", function () {
    this.timeout(60000);
    const emr = new EmrServerlessServer();
    let kms: KmsServer;
    const saved: NodeJS.ProcessEnv = {};
    let env: NodeJS.ProcessEnv;

    function setKey(key: Partial<FakeKmsKey> & { policy: string }): void {
        kms.keys.clear();
        kms.keys.set(KEY_ARN, { arn: KEY_ARN, ...key });
    }

    async function audit(
        ...extra: string[]
    ): Promise<{ code: number; report: JsonReport; stderr: string; stdout: string }> {
        const r = await runInProcess(["--application", APP_ID, "--region", REGION, "--json", ...extra]);
        return { code: r.code, report: JSON.parse(r.stdout) as JsonReport, stderr: r.stderr, stdout: r.stdout };
    }

    before(async () => {
        await emr.start();
        kms = await startKmsServer();
        env = fakeAwsEnv({ emr: emr.url, kms: kms.url });
        for (const [k, v] of Object.entries(env)) {
            if (k === "PATH") {
                continue;
            }
            saved[k] = process.env[k];
            process.env[k] = v;
        }
    });

    after(async () => {
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) {
                delete process.env[k];
            } else {
                process.env[k] = v;
            }
        }
        await emr.stop();
        await kms.close();
    });

    beforeEach(() => {
        emr.reset();
        kms.requests.length = 0;
        kms.faults.clear();
        emr.addApplication(APP_ID, "CREATED", { encryptionKeyArn: KEY_ARN, encryptionContext: CONTEXT });
        setKey({ policy: JSON.stringify(componentPolicy()) });
    });

    it("all good: exits 0; the job role's access depends on IAM policies (account-root delegation) and says so", async () => {
        const { code, report } = await audit("--job-role-arn", JOB_ROLE, "--submitter-arn", SUBMITTER);
        assert.equal(code, 0, JSON.stringify(report.checks, null, 2));
        for (const id of ["disk-encryption", "key-spec", "key-state", "service-binding"]) {
            assert.equal(check(report, id).status, "pass", id);
        }
        assert.equal(check(report, "principal", SUBMITTER).status, "pass");
        const role = check(report, "principal", JOB_ROLE);
        assert.equal(role.status, "depends");
        assert.match(role.message, /depends on IAM policies/);
        assert.deepEqual(role.iamPolicyToAttach, jobRoleKeyGrantPolicy(KEY_ARN));
        assert.equal(report.subject.keyArn, KEY_ARN);
        assert.equal(report.subject.applicationArn, APP_ARN);
        // The real SDK spoke the real protocols with the static credentials.
        assert.deepEqual(
            kms.requests.map((r) => r.operation),
            ["DescribeKey", "GetKeyPolicy"],
        );
        assert.deepEqual(kms.requests[1].body, { KeyId: KEY_ARN, PolicyName: "default" });
        assert.match(
            kms.requests[0].authorization ?? "",
            /Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-east-1\/kms\/aws4_request/,
        );
        assert.equal(emr.count("GetApplication"), 1);
    });

    it("disk encryption unset: exits 1 with the update-application fix, and reads no key", async () => {
        emr.reset();
        emr.addApplication(APP_ID, "CREATED");
        const { code, report } = await audit();
        assert.equal(code, 1);
        const c = check(report, "disk-encryption");
        assert.equal(c.status, "fail");
        assert.match(c.message, /Disk encryption is not set on application 00fabcdexample09/);
        assert.match(
            c.fix ?? "",
            /update-application --application-id 00fabcdexample09 --region us-east-1 --disk-encryption-configuration/,
        );
        assert.equal(kms.requests.length, 0);
    });

    it("asymmetric key: exits 1 naming the key spec", async () => {
        setKey({ keySpec: "RSA_2048", keyUsage: "ENCRYPT_DECRYPT", policy: JSON.stringify(componentPolicy()) });
        const { code, report } = await audit();
        assert.equal(code, 1);
        const c = check(report, "key-spec");
        assert.equal(c.status, "fail");
        assert.match(c.message, /RSA_2048 .*supports only symmetric encryption keys/);
        assert.equal(check(report, "key-state").status, "pass");
    });

    it("disabled key: exits 1 with the enable-key fix", async () => {
        setKey({ keyState: "Disabled", policy: JSON.stringify(componentPolicy()) });
        const { code, report } = await audit();
        assert.equal(code, 1);
        const c = check(report, "key-state");
        assert.equal(c.status, "fail");
        assert.match(c.message, /The key is Disabled/);
        assert.equal(c.fix, `aws kms enable-key --key-id ${KEY_ARN}`);
        assert.equal(check(report, "key-spec").status, "pass");
    });

    it("policy without the service binding: exits 1, prints the statement to add; with it added, exits 0", async () => {
        const doc = componentPolicy();
        doc.Statement = doc.Statement.filter((s) => s.Sid !== "AllowEmrServerlessDiskEncryption");
        setKey({ policy: JSON.stringify(doc) });
        const first = await audit();
        assert.equal(first.code, 1);
        const c = check(first.report, "service-binding");
        assert.equal(c.status, "fail");
        const expected = serviceKeyPolicyStatement({
            applicationArn: APP_ARN,
            applicationId: APP_ID,
            accountId: ACCOUNT,
        });
        assert.deepEqual(c.statementToAdd, expected);

        const human = await runInProcess(["--application", APP_ID, "--region", REGION]);
        assert.equal(human.code, 1);
        assert.match(
            human.stdout,
            /statement to add to the key policy's Statement list:\n {10}\{\n {12}"Sid": "AllowEmrServerlessDiskEncryption"/,
        );

        doc.Statement.push(expected);
        setKey({ policy: JSON.stringify(doc) });
        const second = await audit();
        assert.equal(second.code, 0, JSON.stringify(second.report.checks, null, 2));
    });

    it("job role lacking a grant (no account delegation): exits 1 with the statement to add; with it added, exits 0", async () => {
        const doc = policyWithoutRoot();
        setKey({ policy: JSON.stringify(doc) });
        const first = await audit("--job-role-arn", JOB_ROLE);
        assert.equal(first.code, 1);
        const c = check(first.report, "principal", JOB_ROLE);
        assert.equal(c.status, "fail");
        assert.match(c.message, /does not grant the job role .*kms:GenerateDataKey, kms:Decrypt/);
        const statement = c.statementToAdd as { Principal: { AWS: string[] }; Action: string[]; Sid: string };
        assert.deepEqual(statement.Principal, { AWS: [JOB_ROLE] });
        assert.deepEqual(statement.Action, ["kms:GenerateDataKey", "kms:Decrypt"]);
        assert.ok(
            !doc.Statement.some((s) => s.Sid === statement.Sid),
            "the printed Sid must not collide with an existing one",
        );

        doc.Statement.push(c.statementToAdd as PolicyDocument["Statement"][number]);
        setKey({ policy: JSON.stringify(doc) });
        const second = await audit("--job-role-arn", JOB_ROLE);
        assert.equal(second.code, 0, JSON.stringify(second.report.checks, null, 2));
        assert.equal(check(second.report, "principal", JOB_ROLE).status, "pass");
    });

    it("a role of another account granted directly by the key policy is 'depends' (its IAM policy), never 'pass'", async () => {
        const foreign = "arn:aws:iam::444455556666:role/dev";
        const doc = keyPolicyDocument({
            partition: "aws",
            accountId: ACCOUNT,
            applicationArn: APP_ARN,
            applicationId: APP_ID,
            submitterArns: [SUBMITTER, foreign],
            region: REGION,
            encryptionContext: CONTEXT,
        });
        doc.Statement.push({
            Sid: "AllowJobRolesUseKey",
            Effect: "Allow",
            Principal: { AWS: [foreign] },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
        });
        setKey({ policy: JSON.stringify(doc) });
        const { code, report } = await audit("--job-role-arn", foreign, "--submitter-arn", foreign);
        assert.equal(code, 0, JSON.stringify(report.checks, null, 2));
        const checks = report.checks.filter((c) => c.principal === foreign);
        assert.equal(checks.length, 2);
        for (const c of checks) {
            assert.equal(c.status, "depends", c.message);
            assert.match(c.message, /in account 444455556666, not the key's account 111122223333/);
            assert.ok(c.iamPolicyToAttach);
        }
        const human = await runInProcess(["--application", APP_ID, "--region", REGION, "--job-role-arn", foreign]);
        assert.match(human.stdout, /^DEPENDS +The key policy grants the job role arn:aws:iam::444455556666:role\/dev/m);
        assert.doesNotMatch(human.stdout, /^PASS .*444455556666/m);
    });

    it("a Deny on the job role is reported as explicit", async () => {
        const doc = componentPolicy();
        doc.Statement.push({
            Sid: "DenyRole",
            Effect: "Deny",
            Principal: { AWS: JOB_ROLE },
            Action: "kms:Decrypt",
            Resource: "*",
        });
        setKey({ policy: JSON.stringify(doc) });
        const { code, report } = await audit("--job-role-arn", JOB_ROLE);
        assert.equal(code, 1);
        const c = check(report, "principal", JOB_ROLE);
        assert.equal(c.status, "fail");
        assert.match(c.message, /explicitly denies .*kms:Decrypt/);
    });

    it("AccessDenied on GetKeyPolicy: exits 2 naming the call, the key and the cross-account hint", async () => {
        kms.faults.set("GetKeyPolicy", {
            type: "AccessDeniedException",
            message: "User is not authorized to perform: kms:GetKeyPolicy",
        });
        const r = await runInProcess(["--application", APP_ID, "--region", REGION]);
        assert.equal(r.code, 2);
        assert.equal(r.stdout, "");
        assert.match(r.stderr, new RegExp(`kms:GetKeyPolicy on ${KEY_ARN} was refused: AccessDeniedException`));
        assert.match(
            r.stderr,
            /fix: Run the audit as a principal allowed kms:GetKeyPolicy .*cannot be called across accounts/,
        );
        const j = await runInProcess(["--application", APP_ID, "--region", REGION, "--json"]);
        assert.equal(j.code, 2);
        assert.equal((JSON.parse(j.stdout) as { error: { code: string } }).error.code, "access-denied");
    });

    it("application not found: exits 2 with a not-found message", async () => {
        emr.reset();
        const r = await runInProcess(["--application", APP_ID, "--region", REGION]);
        assert.equal(r.code, 2);
        assert.match(
            r.stderr,
            /emr-serverless:GetApplication: application 00fabcdexample09 in us-east-1 was not found/,
        );
        assert.match(r.stderr, /fix: Check the id\/ARN and the --region/);
    });

    it("as a process: all good exits 0, AccessDenied exits 2", async () => {
        const ok = await runSpawned(["--application", APP_ID, "--region", REGION, "--submitter-arn", SUBMITTER], {
            env,
        });
        assert.equal(ok.code, 0, ok.stderr + ok.stdout);
        assert.match(ok.stdout, /^PASS +The key is enabled\./m);
        kms.faults.set("GetKeyPolicy", { type: "AccessDeniedException", message: "denied" });
        const denied = await runSpawned(["--application", APP_ID, "--region", REGION], { env });
        assert.equal(denied.code, 2);
        assert.match(denied.stderr, /kms:GetKeyPolicy .* was refused: AccessDeniedException/);
    });

    it("as a process without credentials: exits 2 with a credentials message, before any request", async () => {
        const noCreds = { ...env };
        delete noCreds.AWS_ACCESS_KEY_ID;
        delete noCreds.AWS_SECRET_ACCESS_KEY;
        const r = await runSpawned(["--application", APP_ID, "--region", REGION], { env: noCreds });
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(r.stderr, /No AWS credentials were found for emr-serverless:GetApplication/);
        assert.match(r.stderr, /fix: Configure credentials/);
        assert.equal(emr.count("GetApplication"), 0);
    });
});
