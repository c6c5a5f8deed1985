/**
 * Fault injection: the disk-encryption operations, called as the provider plugin calls them (with the
 * identity it builds from its configuration), drive the real EMR Serverless SDK client against a loopback
 * server that scripts faults.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EmrServerlessServer } from "../support/emrServerlessServer";
import {
    type AwsAccess,
    createDiskEncryption,
    deleteDiskEncryption,
    updateDiskEncryption,
} from "../../components/diskEncryption/provider";
import type { DiskEncryptionInputs, DiskEncryptionTimeouts } from "../../components/diskEncryption";
import { awsAccess } from "../../provider/access";
import { KEY_ARN as KEY_A } from "../../harness/fixtures";

const FAKE_ACCESS_KEY_ID = "AKIAFAKETESTKEY00042";
const FAKE_SECRET = "FAKEsecretKEY/doNotLeak+4242424242424242";
const KEY_B = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
const PROFILE_KEY_ID = "AKIAPROFILEKEY000077";
const PROFILE_SECRET = "profileSECRETdoNotLeak/7777777777777777777";
const FAST: DiskEncryptionTimeouts = {
    totalMs: 8_000,
    pollInitialMs: 10,
    pollMaxMs: 60,
    maxAttempts: 4,
    requestTimeoutMs: 400,
    convergenceMs: 300,
};

const ENV_KEYS = [
    "AWS_ENDPOINT_URL_EMR_SERVERLESS",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
];

describe("disk encryption operations against a faulty loopback EMR Serverless", function () {
    this.timeout(20_000);
    const server = new EmrServerlessServer({ transitionMs: 60 });
    const savedEnv: Record<string, string | undefined> = {};
    /** Everything a user could see: error messages, outputs, console lines. Grepped for credentials at the end. */
    const visible: string[] = [];
    const savedConsole = { log: console.log, warn: console.warn, error: console.error };
    let tmpDir = "";

    const inputs = (over: Partial<DiskEncryptionInputs> = {}): DiskEncryptionInputs => ({
        applicationId: "app1",
        region: "us-east-1",
        encryptionKeyArn: KEY_A,
        encryptionContext: { team: "analytics" },
        timeouts: FAST,
        ...over,
    });
    /** The identity of a provider with no configuration: the SDK's default chain (the environment here). */
    const ambient: AwsAccess = awsAccess({});
    const create = async (i: DiskEncryptionInputs, access: AwsAccess = ambient) => {
        const r = await createDiskEncryption(i, access);
        visible.push(JSON.stringify(r));
        return r;
    };
    const update = async (olds: DiskEncryptionInputs, news: DiskEncryptionInputs) => {
        const r = await updateDiskEncryption("app1", olds, news, ambient);
        visible.push(JSON.stringify(r));
        return r;
    };
    const del = (props: DiskEncryptionInputs) => deleteDiskEncryption(props.applicationId, props, ambient);
    /** Runs `p`, expects a rejection, records and returns its message. */
    const rejection = async (p: Promise<unknown>): Promise<string> => {
        try {
            await p;
        } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            visible.push(message, e instanceof Error ? (e.stack ?? "") : "");
            return message;
        }
        assert.fail("expected a rejection");
    };

    before(async () => {
        for (const k of ENV_KEYS) {
            savedEnv[k] = process.env[k];
            delete process.env[k];
        }
        await server.start();
        process.env.AWS_ENDPOINT_URL_EMR_SERVERLESS = server.url;
        process.env.AWS_ACCESS_KEY_ID = FAKE_ACCESS_KEY_ID;
        process.env.AWS_SECRET_ACCESS_KEY = FAKE_SECRET;
        process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
        process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
        process.env.AWS_EC2_METADATA_DISABLED = "true";
        process.env.AWS_ENDPOINT_URL_STS = server.url;
        tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "emr-disk-enc-"));
        for (const level of ["log", "warn", "error"] as const) {
            console[level] = (...args: unknown[]) => {
                visible.push(args.map(String).join(" "));
                savedConsole[level](...args);
            };
        }
    });

    after(async () => {
        Object.assign(console, savedConsole);
        await server.stop();
        fs.rmSync(tmpDir, { recursive: true, force: true });
        for (const k of ENV_KEYS) {
            if (savedEnv[k] === undefined) {
                delete process.env[k];
            } else {
                process.env[k] = savedEnv[k];
            }
        }
    });

    beforeEach(() => {
        server.reset();
        server.transitionMs = 60;
    });

    it("create converges through throttling and transient 5xx, bounded in calls and time", async () => {
        server.addApplication("app1", "CREATED");
        server.script("GetApplication", { kind: "throttle" }, { kind: "server", status: 500 });
        server.script("UpdateApplication", { kind: "server", status: 503 }, { kind: "throttle" });
        const t0 = Date.now();
        const r = await create(inputs());
        assert.equal(r.id, "app1");
        assert.deepEqual(server.application("app1")?.diskEncryptionConfiguration, {
            encryptionKeyArn: KEY_A,
            encryptionContext: { team: "analytics" },
        });
        // 2 failed + 1 read of the state + 1 read-back; 2 failed + 1 update.
        assert.equal(server.count("GetApplication"), 4);
        assert.equal(server.count("UpdateApplication"), 3);
        assert.equal(server.count(), 7);
        assert.ok(Date.now() - t0 < 6_000);
    });

    it("a fault that outlasts maxAttempts fails after exactly maxAttempts requests, naming the error", async () => {
        server.addApplication("app1", "CREATED");
        server.scriptTimes("UpdateApplication", 10, { kind: "throttle" });
        const t0 = Date.now();
        const message = await rejection(create(inputs({ timeouts: { ...FAST, maxAttempts: 3 } })));
        assert.match(message, /ThrottlingException/);
        assert.match(message, /app1/);
        assert.equal(server.count("UpdateApplication"), 3);
        assert.ok(Date.now() - t0 < 8_000);
        assert.equal(server.application("app1")?.diskEncryptionConfiguration, undefined);
    });

    it("update converges through a 503 and a connection reset", async () => {
        server.addApplication("app1", "STOPPED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "analytics" } });
        server.script("UpdateApplication", { kind: "server", status: 503 }, { kind: "reset" });
        await update(inputs(), inputs({ encryptionKeyArn: KEY_B }));
        assert.deepEqual(server.application("app1")?.diskEncryptionConfiguration, {
            encryptionKeyArn: KEY_B,
            encryptionContext: { team: "analytics" },
        });
        assert.equal(server.count("UpdateApplication"), 3);
    });

    it("delete converges through a response slower than the client timeout and a throttle", async () => {
        server.addApplication("app1", "CREATED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "analytics" } });
        server.script("GetApplication", { kind: "slow", delayMs: 3_000 }, { kind: "throttle" });
        const t0 = Date.now();
        await del(inputs());
        assert.equal(server.application("app1")?.diskEncryptionConfiguration, undefined);
        assert.equal(server.requests[0].fault, "slow");
        // The client gave up on the slow response at its 400 ms timeout and retried long before it
        // arrived (3 s; the margin absorbs a loaded CI machine).
        assert.ok(
            server.requests[1].at - server.requests[0].at < 2_500,
            `retried after ${server.requests[1].at - server.requests[0].at} ms`,
        );
        assert.ok(Date.now() - t0 < 6_000);
    });

    it("waits through CREATING with backoff, without a polling storm", async () => {
        server.transitionMs = 400;
        server.addApplication("app1", "CREATING");
        await create(inputs());
        const gets = server.count("GetApplication");
        // 400 ms at 10 ms doubling to a 60 ms cap (with jitter): roughly 8-14 polls, never hundreds.
        assert.ok(gets >= 3 && gets <= 20, `${gets} GetApplication calls`);
        const updates = server.requests.filter((r) => r.op === "UpdateApplication");
        assert.equal(updates.length, 1);
        assert.equal(updates[0].status, 200, "the update was sent only once the application was CREATED");
        // Backoff: the wait before poll i+1 is at least half of min(60, 10 * 2^i) ms (equal jitter).
        // A loaded machine only lengthens gaps, so this floor holds under load; the final GET is the
        // read-back right after the update and has no wait before it.
        const polls = server.requests.filter((r) => r.op === "GetApplication").map((r) => r.at);
        for (let i = 0; i + 1 < polls.length - 1; i++) {
            const floor = Math.min(60, 10 * 2 ** i) / 2;
            assert.ok(polls[i + 1] - polls[i] >= floor - 2, `gap ${i}: ${polls[i + 1] - polls[i]} ms < ${floor} ms`);
        }
    });

    it("waits through STOPPING, then updates the STOPPED application", async () => {
        server.addApplication("app1", "STOPPING");
        await create(inputs());
        assert.equal(server.application("app1")?.state, "STOPPED");
        assert.equal(server.application("app1")?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_A);
        assert.equal(server.requests.filter((r) => r.op === "UpdateApplication" && r.status !== 200).length, 0);
    });

    it("waits through STARTING, then refuses the STARTED application with a clear error", async () => {
        server.addApplication("app1", "STARTING");
        const message = await rejection(create(inputs()));
        assert.match(message, /app1/);
        assert.match(message, /STARTED/);
        assert.match(message, /stop-application/);
        assert.match(message, /restartIfStarted/);
        assert.equal(server.count("UpdateApplication"), 0);
        assert.equal(server.count("StopApplication"), 0);
    });

    it("gives up waiting at the overall time budget and names the state", async () => {
        server.transitionMs = 60_000;
        server.addApplication("app1", "STOPPING");
        const t0 = Date.now();
        const message = await rejection(create(inputs({ timeouts: { ...FAST, totalMs: 300 } })));
        assert.match(message, /Timed out after 300 ms/);
        assert.match(message, /STOPPING/);
        assert.ok(Date.now() - t0 < 1_500);
    });

    it("restartIfStarted: stop, wait STOPPED, update, start, wait STARTED", async () => {
        server.addApplication("app1", "STARTED");
        await create(inputs({ restartIfStarted: true }));
        const app = server.application("app1");
        assert.equal(app?.state, "STARTED");
        assert.equal(app?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_A);
        const ops = server.operations().filter((o) => o !== "GetApplication");
        assert.deepEqual(ops, ["StopApplication", "UpdateApplication", "StartApplication"]);
    });

    it("restartIfStarted: an update that fails permanently leaves the application started again, and says so", async () => {
        server.addApplication("app1", "STARTED");
        server.script("UpdateApplication", {
            kind: "error",
            status: 400,
            errorType: "ValidationException",
            message: "The key is not usable.",
        });
        const message = await rejection(create(inputs({ restartIfStarted: true })));
        assert.match(message, /ValidationException: The key is not usable/);
        assert.match(message, /disk-encryption setting was not changed/);
        assert.match(message, /has been started again; the last state read was STARTED \(at /);
        assert.equal(server.application("app1")?.state, "STARTED");
        assert.equal(server.application("app1")?.diskEncryptionConfiguration, undefined);
        assert.deepEqual(
            server.operations().filter((o) => o !== "GetApplication"),
            ["StopApplication", "UpdateApplication", "StartApplication"],
        );
    });

    it("restartIfStarted: when starting again fails too, the error says the exact state and how to start it", async () => {
        server.addApplication("app1", "STARTED");
        server.script("UpdateApplication", {
            kind: "error",
            status: 400,
            errorType: "ValidationException",
            message: "The key is not usable.",
        });
        server.script("StartApplication", {
            kind: "error",
            status: 402,
            errorType: "ServiceQuotaExceededException",
            message: "Quota exceeded.",
        });
        const message = await rejection(create(inputs({ restartIfStarted: true })));
        assert.match(message, /could not be started again \(StartApplication: ServiceQuotaExceededException/);
        assert.match(message, /the last state read was STOPPED \(at /);
        assert.match(message, /aws emr-serverless start-application --application-id app1 --region us-east-1/);
        assert.equal(server.application("app1")?.state, "STOPPED");
    });

    it("delete unsets with an empty configuration when the application carries this resource's key and context", async () => {
        server.addApplication("app1", "CREATED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "analytics" } });
        await del(inputs());
        const updates = server.requests.filter((r) => r.op === "UpdateApplication");
        assert.equal(updates.length, 1);
        assert.deepEqual(JSON.parse(updates[0].body).diskEncryptionConfiguration, {});
        assert.equal(server.application("app1")?.diskEncryptionConfiguration, undefined);
    });

    it("delete leaves another key, or the same key with another context, alone", async () => {
        server.addApplication("app1", "CREATED", { encryptionKeyArn: KEY_B, encryptionContext: { team: "analytics" } });
        await del(inputs());
        server.addApplication("app2", "CREATED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "other" } });
        await del(inputs({ applicationId: "app2" }));
        assert.equal(server.count("UpdateApplication"), 0);
        assert.equal(server.application("app1")?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_B);
        assert.deepEqual(server.application("app2")?.diskEncryptionConfiguration?.encryptionContext, { team: "other" });
    });

    it("a newer setting of the same application (e.g. a renamed resource, created before the old one is deleted) survives the old resource's delete", async () => {
        server.addApplication("app1", "CREATED");
        const oldInputs = inputs();
        await create(oldInputs);
        const newInputs = inputs({ encryptionKeyArn: KEY_B, encryptionContext: { team: "analytics", env: "prod" } });
        await create(newInputs);
        await del(oldInputs);
        assert.deepEqual(server.application("app1")?.diskEncryptionConfiguration, {
            encryptionKeyArn: KEY_B,
            encryptionContext: { team: "analytics", env: "prod" },
        });
        assert.equal(server.count("UpdateApplication"), 2);
    });

    it("a deleted application is success on delete (the ARN recorded by create proves it), and a clear error on create", async () => {
        server.addApplication("gone1", "CREATED");
        const created = await create(inputs({ applicationId: "gone1" }));
        server.removeApplication("gone1");
        server.requests.length = 0;
        await del(created.outs as DiskEncryptionInputs);
        assert.deepEqual(server.operations(), ["GetApplication", "GetCallerIdentity"]);
        const refused = await rejection(del(inputs({ applicationId: "gone1" })));
        assert.match(refused, /no application ARN/);
        const message = await rejection(create(inputs({ applicationId: "gone1" })));
        assert.match(message, /gone1/);
        assert.match(message, /us-east-1/);
        assert.match(message, /not found/);
        assert.match(message, /Fix: check applicationId and region/);
    });

    it("a TERMINATED application is success on delete", async () => {
        server.addApplication("app1", "TERMINATED", {
            encryptionKeyArn: KEY_A,
            encryptionContext: { team: "analytics" },
        });
        await del(inputs());
        assert.equal(server.count("UpdateApplication"), 0);
    });

    it("restartIfStarted: credentials that expire right after StopApplication leave a message with the last state read and the command that restores it", async () => {
        server.addApplication("app1", "STARTED");
        server.expireCredentials({ afterOp: "StopApplication" });
        const message = await rejection(create(inputs({ restartIfStarted: true })));
        assert.doesNotMatch(message, /unknown/);
        assert.match(message, /ExpiredTokenException/);
        assert.match(message, /last state read was STARTED \(at \d{4}-\d\d-\d\dT[\d:.]+Z, before StopApplication\)/);
        assert.match(message, /aws emr-serverless start-application --application-id app1 --region us-east-1/);
        assert.match(message, /disk-encryption setting was not changed/);
        assert.ok(
            server.requests.some(
                (r, i) => i > server.operations().indexOf("StopApplication") && r.op !== "StopApplication",
            ),
            "it tried to read or start the application again",
        );
    });

    it("a read-back that lags behind UpdateApplication is waited for (timeouts.convergenceMs)", async () => {
        server.addApplication("app1", "CREATED");
        server.readBackLagMs = 600;
        await create(inputs({ timeouts: { ...FAST, convergenceMs: 3_000 } }));
        const gets = server.count("GetApplication");
        // The state read, at least one stale read-back and the one that converged; never a storm.
        assert.ok(gets >= 3 && gets <= 40, `${gets} GetApplication calls`);
        assert.equal(server.count("UpdateApplication"), 1);
    });

    it("a KMS key state refusal fails at once with the key's fix, not as a state conflict", async () => {
        server.addApplication("app1", "CREATED");
        server.scriptTimes("UpdateApplication", 5, {
            kind: "error",
            status: 400,
            errorType: "ValidationException",
            message: "The key state is Disabled",
        });
        const message = await rejection(create(inputs()));
        assert.equal(server.count("UpdateApplication"), 1);
        assert.match(message, /app1 \(region us-east-1\)/);
        assert.match(message, /aws kms enable-key --key-id arn:aws:kms:us-east-1:111122223333:key\/1234abcd/);
    });

    it("an error while polling names the application and the region", async () => {
        server.addApplication("app1", "CREATED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "analytics" } });
        server.script("GetApplication", {
            kind: "error",
            status: 403,
            errorType: "AccessDeniedException",
            message: "denied",
        });
        const message = await rejection(del(inputs()));
        assert.match(message, /AccessDeniedException/);
        assert.match(message, /app1 \(region us-east-1\)/);
    });

    it("delete with another account's credentials is not a success although the service answers 404", async () => {
        server.addApplication("app1", "CREATED");
        const created = await create(inputs());
        server.setAccount(FAKE_ACCESS_KEY_ID, "444455556666");
        const message = await rejection(del(created.outs as DiskEncryptionInputs));
        assert.match(message, /444455556666/);
        assert.equal(server.application("app1")?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_A);
    });

    it("a setting the service ignores fails the create at read-back", async () => {
        server.addApplication("app1", "CREATED");
        server.ignoreUpdates = true;
        const message = await rejection(create(inputs()));
        assert.match(message, /did not take/);
        assert.match(message, /no customer-managed key instead of key arn:aws:kms/);
        assert.equal(server.count("UpdateApplication"), 1);
    });

    it("uses the provider's profile, not the ambient credentials", async () => {
        const credentials = path.join(tmpDir, "credentials");
        fs.writeFileSync(
            credentials,
            `[deployer]\naws_access_key_id = ${PROFILE_KEY_ID}\naws_secret_access_key = ${PROFILE_SECRET}\n`,
        );
        process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
        try {
            server.addApplication("app1", "CREATED");
            await create(inputs(), awsAccess({ profile: "deployer" }));
        } finally {
            process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
        }
        const auth = server.requests.map((r) => String(r.headers.authorization ?? ""));
        assert.ok(auth.length >= 3);
        assert.ok(
            auth.every((a) => a.includes(`Credential=${PROFILE_KEY_ID}/`)),
            auth.join("\n"),
        );
        assert.ok(
            auth.every((a) => a.includes("/us-east-1/emr-serverless/aws4_request")),
            "signed for the input's region",
        );
    });

    it("assumes the provider's role (with its external id) and signs with the temporary credentials", async () => {
        server.addApplication("app1", "CREATED");
        await create(
            inputs(),
            awsAccess({ assumeRole: { roleArn: "arn:aws:iam::111122223333:role/deployer", externalId: "ext-42" } }),
        );
        const sts = server.requests.filter((r) => r.op === "AssumeRole");
        assert.equal(sts.length, 1);
        const form = new URLSearchParams(sts[0].body);
        assert.equal(form.get("RoleArn"), "arn:aws:iam::111122223333:role/deployer");
        assert.equal(form.get("ExternalId"), "ext-42");
        assert.equal(form.get("RoleSessionName"), "pulumi-emr-disk-encryption");
        assert.ok(
            String(sts[0].headers.authorization).includes(`Credential=${FAKE_ACCESS_KEY_ID}/`),
            "AssumeRole signed by the base credentials",
        );
        const emrCalls = server.requests.filter((r) => r.op !== "AssumeRole");
        assert.ok(emrCalls.length >= 3);
        for (const r of emrCalls) {
            assert.ok(String(r.headers.authorization).includes(`Credential=${server.assumedCredentials.accessKeyId}/`));
            assert.equal(r.headers["x-amz-security-token"], server.assumedCredentials.sessionToken);
        }
    });

    it("no error message, output or console line carries the credentials", async () => {
        // One more error path on top of everything recorded by the tests above.
        server.addApplication("app1", "CREATED");
        server.script("UpdateApplication", {
            kind: "error",
            status: 403,
            errorType: "AccessDeniedException",
            message: "not authorized",
        });
        await rejection(create(inputs()));
        assert.ok(visible.length > 10, `only ${visible.length} recorded texts`);
        // The requests were signed with the fake key (so the grep below is meaningful).
        assert.ok(server.requests.some((r) => String(r.headers.authorization ?? "").includes(FAKE_ACCESS_KEY_ID)));
        for (const text of visible) {
            for (const secret of [
                FAKE_SECRET,
                PROFILE_SECRET,
                server.assumedCredentials.secretAccessKey,
                server.assumedCredentials.sessionToken,
            ]) {
                assert.ok(!text.includes(secret), `credential found in: ${text.slice(0, 200)}`);
            }
            assert.ok(!text.includes(FAKE_ACCESS_KEY_ID), `access key id found in: ${text.slice(0, 200)}`);
        }
        for (const r of server.requests) {
            assert.ok(!r.body.includes(FAKE_SECRET));
            assert.ok(!JSON.stringify(r.headers).includes(FAKE_SECRET));
        }
    });
});
