/**
 * The disk-encryption operations as the provider plugin calls them (explicit `AwsAccess`), against
 * the loopback EMR Serverless and STS endpoints with the real SDK clients: restarts that lose their
 * credentials half-way, a read-back that lags, a 404 from the wrong region or account, KMS key
 * states, and the application and region in every error.
 */
import { strict as assert } from "node:assert";
import type { AwsCredentialIdentity } from "@smithy/types";
import { EmrServerlessServer } from "../support/emrServerlessServer";
import {
    createDiskEncryption,
    deleteDiskEncryption,
    readDiskEncryption,
    updateDiskEncryption,
    type AwsAccess,
    type DiskEncryptionInputs,
    type DiskEncryptionOutputs,
    type DiskEncryptionTimeouts,
} from "../../components/diskEncryption/provider";
import { KEY_ARN as KEY_A } from "../../harness/fixtures";

const KEY_B = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
const APP_ARN = "arn:aws:emr-serverless:us-east-1:111122223333:/applications/app1";
const HOME_KEY = { accessKeyId: "AKIAHOMEACCOUNT00001", secretAccessKey: "homeSECRETdoNotLeak/111111111111111111" };
const OTHER_KEY = { accessKeyId: "AKIAOTHERACCOUNT0002", secretAccessKey: "otherSECRETdoNotLeak/22222222222222222" };
const FRESH_KEY = { accessKeyId: "AKIAFRESHSESSION0003", secretAccessKey: "freshSECRETdoNotLeak/33333333333333333" };
const SECRETS = [HOME_KEY.secretAccessKey, OTHER_KEY.secretAccessKey, FRESH_KEY.secretAccessKey];
/** Small bounds; the request timeout is generous so that a loaded machine does not retry. */
const FAST: DiskEncryptionTimeouts = {
    totalMs: 10_000,
    pollInitialMs: 10,
    pollMaxMs: 60,
    maxAttempts: 3,
    requestTimeoutMs: 3_000,
    convergenceMs: 2_000,
};
const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`;
const START_COMMAND = "aws emr-serverless start-application --application-id app1 --region us-east-1";

const ENV_KEYS = [
    "AWS_ENDPOINT_URL_EMR_SERVERLESS",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL",
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

/** Static credentials as a provider (what the plugin builds from its configuration). */
function staticAccess(key: { accessKeyId: string; secretAccessKey: string }, region?: string): AwsAccess {
    return { credentials: async () => ({ ...key }), ...(region ? { region } : {}) };
}

describe("disk-encryption operations with explicit AWS access (loopback EMR Serverless and STS)", function () {
    this.timeout(60_000);
    const server = new EmrServerlessServer({ transitionMs: 40 });
    const saved: Record<string, string | undefined> = {};
    const messages: string[] = [];
    const home = staticAccess(HOME_KEY);

    const inputs = (over: Partial<DiskEncryptionInputs> = {}): DiskEncryptionInputs => ({
        applicationId: "app1",
        region: "us-east-1",
        encryptionKeyArn: KEY_A,
        encryptionContext: { team: "analytics" },
        timeouts: FAST,
        ...over,
    });
    const rejection = async (p: Promise<unknown>): Promise<string> => {
        try {
            await p;
        } catch (e) {
            const message = e instanceof Error ? e.message : String(e);
            messages.push(message);
            return message;
        }
        assert.fail("expected a rejection");
    };
    const lastReadState = (): string | undefined => {
        const reads = server.requests.filter((r) => r.op === "GetApplication" && r.status === 200);
        const last = reads[reads.length - 1];
        return last
            ? (JSON.parse(last.response ?? "{}") as { application: { state: string } }).application.state
            : undefined;
    };

    before(async () => {
        for (const k of ENV_KEYS) {
            saved[k] = process.env[k];
            delete process.env[k];
        }
        await server.start();
        process.env.AWS_ENDPOINT_URL_EMR_SERVERLESS = server.url;
        process.env.AWS_ENDPOINT_URL_STS = server.url;
        process.env.AWS_CONFIG_FILE = "/nonexistent/aws-config";
        process.env.AWS_SHARED_CREDENTIALS_FILE = "/nonexistent/aws-credentials";
        process.env.AWS_EC2_METADATA_DISABLED = "true";
    });
    after(async () => {
        await server.stop();
        for (const k of ENV_KEYS) {
            if (saved[k] === undefined) delete process.env[k];
            else process.env[k] = saved[k];
        }
        for (const m of messages) {
            for (const s of SECRETS) {
                assert.ok(!m.includes(s), `a secret in: ${m}`);
            }
        }
    });
    beforeEach(() => {
        server.reset();
        server.transitionMs = 40;
        server.setAccount(OTHER_KEY.accessKeyId, "444455556666");
    });

    describe("restartIfStarted when the credentials stop working", () => {
        for (const errorType of ["ExpiredTokenException", "UnrecognizedClientException"] as const) {
            it(`credentials refused (${errorType}) right after StopApplication: tries to start it again, then names the last state read and the command`, async () => {
                server.addApplication("app1", "STARTED");
                server.expireCredentials({ afterOp: "StopApplication" }, { errorType });
                const message = await rejection(createDiskEncryption(inputs({ restartIfStarted: true }), home));
                assert.doesNotMatch(message, /state unknown/);
                assert.match(message, /app1/);
                assert.match(message, /us-east-1/);
                assert.match(message, new RegExp(errorType));
                assert.match(message, new RegExp(`StopApplication was accepted at ${ISO}`));
                assert.match(
                    message,
                    new RegExp(`last state read was STARTED \\(at ${ISO}, before StopApplication\\)`),
                );
                assert.match(message, /could not be started again/);
                assert.ok(message.includes(START_COMMAND), message);
                assert.match(message, /disk-encryption setting was not changed/);
                // It really is stopped, and no polling storm followed the expiry.
                assert.notEqual(server.application("app1")?.state, "STARTED");
                const stopAt = server.requests.findIndex((r) => r.op === "StopApplication");
                const after = server.requests.slice(stopAt + 1);
                assert.ok(after.length <= 4, `${after.length} requests after the stop: ${after.map((r) => r.op)}`);
                assert.ok(
                    after.some((r) => r.op === "GetApplication" || r.op === "StartApplication"),
                    "it tried to recover",
                );
            });
        }

        it("a read-back that lags inside a restart is waited for, and the application is started again", async () => {
            server.addApplication("app1", "STARTED");
            server.readBackLagMs = 300;
            await createDiskEncryption(inputs({ restartIfStarted: true }), home);
            assert.equal(server.application("app1")?.state, "STARTED");
            assert.equal(server.application("app1")?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_A);
            assert.deepEqual(
                server.operations().filter((o) => o !== "GetApplication"),
                ["StopApplication", "UpdateApplication", "StartApplication"],
            );
        });

        it("credentials that can be refreshed: starts it again with fresh ones and says the setting was not changed", async () => {
            server.addApplication("app1", "STARTED");
            server.expireCredentials({ afterOp: "StopApplication" }, { accessKeyId: HOME_KEY.accessKeyId });
            let refreshes = 0;
            const access: AwsAccess = {
                credentials: async (props?: Record<string, unknown>): Promise<AwsCredentialIdentity> => {
                    if (props?.forceRefresh) {
                        refreshes++;
                        return { ...FRESH_KEY };
                    }
                    return { ...HOME_KEY };
                },
            };
            const message = await rejection(createDiskEncryption(inputs({ restartIfStarted: true }), access));
            assert.equal(refreshes, 1, "refreshed once");
            assert.equal(server.application("app1")?.state, "STARTED");
            assert.match(message, /ExpiredTokenException/);
            assert.match(message, /has been started again/);
            assert.match(message, new RegExp(`last state read was STARTED \\(at ${ISO}\\)`));
            assert.match(message, /disk-encryption setting was not changed/);
            assert.ok(!message.includes(START_COMMAND), "no command needed: it is running");
            assert.equal(server.application("app1")?.diskEncryptionConfiguration, undefined);
        });

        it("wherever the credentials expire between stop and started, the message tells the truth about the state and the setting", async () => {
            server.addApplication("app1", "STARTED");
            await createDiskEncryption(inputs({ restartIfStarted: true }), home);
            const undisturbed = server.count();
            assert.ok(undisturbed >= 6, `${undisturbed} requests`);
            let failures = 0;
            for (let n = 1; n < undisturbed; n++) {
                server.reset();
                server.addApplication("app1", "STARTED");
                server.expireCredentials({ afterRequests: n });
                let message: string | undefined;
                try {
                    await createDiskEncryption(inputs({ restartIfStarted: true }), home);
                } catch (e) {
                    message = e instanceof Error ? e.message : String(e);
                    messages.push(message);
                }
                const app = server.application("app1");
                const where = `expiry after ${n} requests: ${message}`;
                assert.ok(server.count() <= n + 4, `${server.count()} requests; ${where}`);
                if (message === undefined) {
                    // Every request of this run fell before the expiry.
                    assert.equal(app?.state, "STARTED");
                    continue;
                }
                failures++;
                assert.match(message, /app1/, where);
                assert.match(message, /region us-east-1/, where);
                assert.doesNotMatch(message, /unknown/, where);
                const read = lastReadState();
                assert.ok(read, where);
                assert.match(message, new RegExp(`last state read was ${read} \\(at ${ISO}`), where);
                if (app?.state === "STARTED" || app?.state === "STARTING") {
                    // Running, or on its way: the command is offered only for the case it ends up stopped.
                    assert.ok(
                        !message.includes(START_COMMAND) ||
                            /StartApplication was accepted at .*; if it is STOPPED, start it with/.test(message),
                        where,
                    );
                } else {
                    assert.ok(message.includes(START_COMMAND), where);
                }
                const config = app?.diskEncryptionConfiguration;
                if (/setting was not changed/.test(message)) {
                    assert.equal(config, undefined, where);
                } else if (/setting was applied/.test(message)) {
                    assert.equal(config?.encryptionKeyArn, KEY_A, where);
                } else {
                    assert.match(message, /may or may not have changed|not read back/, where);
                }
            }
            assert.ok(failures >= 5, `${failures} failing runs`);
        });

        it("a StopApplication that never got an answer: finds it still running and says so", async () => {
            server.addApplication("app1", "STARTED");
            server.scriptTimes("StopApplication", 3, { kind: "reset" });
            const message = await rejection(createDiskEncryption(inputs({ restartIfStarted: true }), home));
            assert.equal(server.application("app1")?.state, "STARTED");
            assert.match(message, /StopApplication failed for EMR Serverless application app1 \(region us-east-1\)/);
            assert.match(
                message,
                /is running \(it did not have to be started again\); the last state read was STARTED/,
            );
            assert.ok(!message.includes(START_COMMAND));
            assert.equal(server.count("StartApplication"), 0);
        });

        it("StartApplication accepted but the credentials expire before STARTED: says it was asked to start and how to check", async () => {
            server.addApplication("app1", "STARTED");
            server.transitionMs = 150;
            server.expireCredentials({ afterOp: "StartApplication" });
            const message = await rejection(createDiskEncryption(inputs({ restartIfStarted: true }), home));
            assert.match(message, /disk-encryption setting was applied/);
            assert.match(message, new RegExp(`StartApplication was accepted at ${ISO}`));
            assert.match(message, /get-application --application-id app1 --region us-east-1/);
            assert.equal(server.application("app1")?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_A);
        });
    });

    describe("read-back after UpdateApplication", () => {
        it("waits for a lagging read-back to converge, with bounded polls", async () => {
            server.addApplication("app1", "CREATED");
            server.readBackLagMs = 700;
            const t0 = Date.now();
            const r = await createDiskEncryption(inputs(), home);
            assert.equal(r.outs.encryptionKeyArn, KEY_A);
            assert.ok(Date.now() - t0 >= 600, "it waited for the read-back");
            const gets = server.count("GetApplication");
            // 700 ms at 10 ms doubling to 60 ms: about 15 reads (fewer on a loaded machine); never hundreds.
            // At least the state read, one stale read-back and the one that converged.
            assert.ok(gets >= 3 && gets <= 40, `${gets} GetApplication calls`);
            assert.equal(server.count("UpdateApplication"), 1);
        });

        it("gives up at timeouts.convergenceMs and says what it saw, for how long, and what to do", async () => {
            server.addApplication("app1", "STOPPED", {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            server.readBackLagMs = 30_000;
            const t0 = Date.now();
            const message = await rejection(
                updateDiskEncryption(
                    "app1",
                    inputs(),
                    inputs({ encryptionKeyArn: KEY_B, timeouts: { ...FAST, convergenceMs: 400 } }),
                    home,
                ),
            );
            const elapsed = Date.now() - t0;
            assert.ok(elapsed < 5_000, `${elapsed} ms`);
            assert.match(message, /app1 \(region us-east-1\)/);
            assert.match(message, /UpdateApplication .*was accepted/);
            assert.match(message, new RegExp(`key ${KEY_A}.* instead of key ${KEY_B}`));
            assert.match(message, /for \d+ ms \(\d+ reads, the last at /);
            assert.match(message, /get-application --application-id app1 --region us-east-1/);
            assert.match(message, /timeouts\.convergenceMs/);
            const gets = server.count("GetApplication");
            assert.ok(gets <= 20, `${gets} GetApplication calls`);
        });
    });

    describe("a 404 is a deleted application only when the region and the account are the application's", () => {
        const created = async (): Promise<DiskEncryptionOutputs> => {
            server.addApplication("app1", "CREATED");
            return (await createDiskEncryption(inputs(), home)).outs;
        };

        it("create records the application ARN", async () => {
            const outs = await created();
            assert.equal(outs.applicationArn, APP_ARN);
            assert.equal(outs.region, "us-east-1");
        });

        it("delete of a deleted application succeeds after one caller-identity check", async () => {
            const outs = await created();
            server.removeApplication("app1");
            server.requests.length = 0;
            await deleteDiskEncryption("app1", outs, home);
            assert.deepEqual(server.operations(), ["GetApplication", "GetCallerIdentity"]);
        });

        it("delete with another account's credentials fails, names both accounts, and changes nothing", async () => {
            const outs = await created();
            server.requests.length = 0;
            const message = await rejection(deleteDiskEncryption("app1", outs, staticAccess(OTHER_KEY)));
            assert.match(message, /app1/);
            assert.match(message, /us-east-1/);
            assert.match(message, /444455556666/);
            assert.match(message, /111122223333/);
            assert.match(message, /not (been )?deleted|not removed|was not unset/);
            assert.equal(server.application("app1")?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_A);
            assert.ok(server.count() <= 2, server.operations().join());
        });

        it("without a recorded region, the recorded ARN's region wins over the provider's region", async () => {
            const outs = await created();
            const { region: _region, ...withoutRegion } = outs;
            server.requests.length = 0;
            await deleteDiskEncryption("app1", withoutRegion, staticAccess(HOME_KEY, "eu-west-1"));
            assert.equal(server.application("app1")?.diskEncryptionConfiguration, undefined, "unset");
            assert.ok(server.requests.every((r) => r.region === "us-east-1"));
        });

        it("a recorded region that disagrees with the recorded ARN is refused on a 404", async () => {
            const outs = await created();
            const message = await rejection(deleteDiskEncryption("app1", { ...outs, region: "eu-west-1" }, home));
            assert.match(message, /eu-west-1/);
            assert.match(message, /us-east-1/);
            assert.equal(server.application("app1")?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_A);
        });

        it("a state without the application ARN cannot prove a 404 is a deletion: refuses and says how to proceed", async () => {
            server.removeApplication("app1");
            const message = await rejection(deleteDiskEncryption("app1", inputs(), home));
            assert.match(message, /app1 \(region us-east-1\)/);
            assert.match(message, /111122223333/, "names the account the credentials belong to");
            assert.match(message, /pulumi state delete/);
            assert.ok(server.count() <= 2);
        });

        it("read: the setting as AWS holds it, with the ARN", async () => {
            const outs = await created();
            await updateDiskEncryption(
                "app1",
                outs,
                inputs({ encryptionKeyArn: KEY_B, encryptionContext: undefined }),
                home,
            );
            const r = await readDiskEncryption(
                "app1",
                { ...outs, restartIfStarted: true, ...{ __provider: "serialized" } },
                home,
            );
            assert.ok(r.found);
            assert.equal(r.id, "app1");
            assert.equal(r.outputs.encryptionKeyArn, KEY_B);
            assert.equal(r.outputs.encryptionContext, undefined);
            assert.equal(r.outputs.applicationArn, APP_ARN);
            assert.equal(r.outputs.region, "us-east-1");
            assert.deepEqual(r.outputs.timeouts, FAST, "inputs AWS does not hold are carried over");
            assert.equal(r.outputs.restartIfStarted, true);
            assert.ok(!("__provider" in r.outputs), "nothing else is");
        });

        it("read for import: by id with the provider's region, or by ARN", async () => {
            server.addApplication("app1", "STARTED", { encryptionKeyArn: KEY_A });
            const byId = await readDiskEncryption("app1", {}, staticAccess(HOME_KEY, "us-east-1"));
            assert.ok(byId.found);
            assert.equal(byId.outputs.encryptionKeyArn, KEY_A);
            assert.equal(byId.outputs.region, "us-east-1");
            const byArn = await readDiskEncryption(APP_ARN, {}, staticAccess(HOME_KEY, "eu-west-1"));
            assert.ok(byArn.found);
            assert.equal(byArn.id, "app1");
            assert.equal(byArn.outputs.region, "us-east-1");
            assert.equal(server.count("UpdateApplication"), 0);
        });

        it("read of a deleted or TERMINATED application is 'not found'; with the wrong account it is an error", async () => {
            const outs = await created();
            const wrong = await rejection(readDiskEncryption("app1", outs, staticAccess(OTHER_KEY)));
            assert.match(wrong, /444455556666/);
            server.setState("app1", "TERMINATED");
            const terminated = await readDiskEncryption("app1", outs, home);
            assert.equal(terminated.found, false);
            server.removeApplication("app1");
            const gone = await readDiskEncryption("app1", outs, home);
            assert.equal(gone.found, false);
            assert.match(gone.found ? "" : gone.reason, /app1/);
        });

        it("read refuses an import id that is neither an application id nor an application ARN", async () => {
            for (const id of ["", "App 1", "arn:aws:emr-serverless:us-east-1:111122223333:/jobs/x", "../app1"]) {
                const message = await rejection(readDiskEncryption(id, {}, staticAccess(HOME_KEY, "us-east-1")));
                assert.match(message, /neither an EMR Serverless application id nor an application ARN/);
            }
            assert.equal(server.count(), 0);
        });

        it("read without a recorded ARN but with a recorded setting refuses a 404 rather than dropping the state", async () => {
            const message = await rejection(readDiskEncryption("app1", inputs(), home));
            assert.match(message, /pulumi state delete/);
        });

        it("access decides the credentials and, without a region input, the region", async () => {
            server.addApplication("app1", "CREATED", undefined, { region: "eu-west-1" });
            const r = await createDiskEncryption(inputs({ region: undefined }), staticAccess(HOME_KEY, "eu-west-1"));
            assert.equal(r.outs.region, "eu-west-1");
            assert.equal(r.outs.applicationArn, "arn:aws:emr-serverless:eu-west-1:111122223333:/applications/app1");
            assert.ok(server.requests.every((req) => req.accessKeyId === HOME_KEY.accessKeyId));
            assert.ok(server.requests.every((req) => req.region === "eu-west-1"));
        });

        it("no region at all is a clear error naming the application", async () => {
            const message = await rejection(
                createDiskEncryption(inputs({ region: undefined }), { credentials: home.credentials }),
            );
            assert.match(message, /app1/);
            assert.match(message, /region/);
            assert.equal(server.count(), 0);
        });
    });

    describe("KMS key problems are not application state conflicts", () => {
        const cases: { message: string; errorType?: string; status?: number; fix: RegExp }[] = [
            { message: "The key state is Disabled", fix: /aws kms enable-key --key-id .*1234abcd/ },
            { message: `KMS key ${KEY_A} is pending deletion.`, fix: /aws kms cancel-key-deletion --key-id / },
            { message: `KMSInvalidStateException: ${KEY_A} is pending deletion.`, fix: /cancel-key-deletion/ },
            { message: `DisabledException: ${KEY_A} is disabled.`, fix: /enable-key/ },
            { message: "Key state is PENDING_IMPORT for the provided KMS key", fix: /import/i },
            {
                message: "The KMS key is in the Unavailable state: its custom key store is disconnected",
                fix: /custom key store/,
            },
            {
                errorType: "AccessDeniedException",
                status: 403,
                message: `User is not authorized to perform: kms:DescribeKey on resource: ${KEY_A}`,
                fix: /key policy/,
            },
            { message: "The specified KMS key does not exist", fix: /exists?/ },
            { message: "Asymmetric KMS keys are not supported for disk encryption", fix: /symmetric/ },
        ];
        for (const c of cases) {
            it(`fails at once on "${c.message.slice(0, 60)}"`, async () => {
                server.addApplication("app1", "CREATED");
                server.scriptTimes("UpdateApplication", 5, {
                    kind: "error",
                    status: c.status ?? 400,
                    errorType: c.errorType ?? "ValidationException",
                    message: c.message,
                });
                const message = await rejection(createDiskEncryption(inputs(), home));
                assert.equal(server.count("UpdateApplication"), 1, "not retried as a state conflict");
                assert.equal(server.count("GetApplication"), 1);
                assert.match(message, /app1 \(region us-east-1\)/);
                assert.match(message, /KMS key/);
                assert.match(message, c.fix);
            });
        }

        it("an application state conflict is still read again", async () => {
            server.addApplication("app1", "CREATED");
            server.script("UpdateApplication", {
                kind: "error",
                status: 400,
                errorType: "ValidationException",
                message:
                    "Application app1 must be in one of the following states: CREATED, STOPPED. Current state: STARTING",
            });
            await createDiskEncryption(inputs(), home);
            assert.equal(server.count("UpdateApplication"), 2);
        });

        it("with restartIfStarted: a disabled key fails the update, the application is started again, and the fix is given", async () => {
            server.addApplication("app1", "STARTED");
            server.script("UpdateApplication", {
                kind: "error",
                status: 400,
                errorType: "ValidationException",
                message: "The key state is Disabled",
            });
            const message = await rejection(createDiskEncryption(inputs({ restartIfStarted: true }), home));
            assert.match(message, /enable-key/);
            assert.match(message, /has been started again/);
            assert.equal(server.application("app1")?.state, "STARTED");
            assert.equal(server.count("UpdateApplication"), 1);
        });
    });

    describe("every error names the application and the region", () => {
        const shapes: { op: "GetApplication" | "UpdateApplication"; status: number; errorType: string }[] = [
            { op: "GetApplication", status: 403, errorType: "AccessDeniedException" },
            { op: "GetApplication", status: 400, errorType: "ValidationException" },
            { op: "GetApplication", status: 403, errorType: "UnrecognizedClientException" },
            { op: "UpdateApplication", status: 403, errorType: "AccessDeniedException" },
            { op: "UpdateApplication", status: 402, errorType: "ServiceQuotaExceededException" },
            { op: "GetApplication", status: 500, errorType: "InternalServerException" },
        ];
        for (const s of shapes) {
            for (const operation of ["create", "delete", "read"] as const) {
                it(`${operation}: ${s.op} ${s.errorType}`, async () => {
                    server.addApplication("app1", "CREATED", {
                        encryptionKeyArn: KEY_A,
                        encryptionContext: { team: "analytics" },
                    });
                    server.scriptTimes(s.op, 10, {
                        kind: "error",
                        status: s.status,
                        errorType: s.errorType,
                        message: "scripted",
                    });
                    const props = { ...inputs(), applicationArn: APP_ARN, region: "us-east-1" };
                    const run =
                        operation === "create"
                            ? createDiskEncryption(inputs({ encryptionKeyArn: KEY_B }), home)
                            : operation === "delete"
                              ? deleteDiskEncryption("app1", props, home)
                              : readDiskEncryption("app1", props, home);
                    if (s.op === "UpdateApplication" && operation === "read") {
                        await run;
                        return;
                    }
                    const message = await rejection(run);
                    assert.match(message, /application app1 \(region us-east-1\)/, message);
                    assert.match(message, new RegExp(s.errorType), message);
                    assert.match(message, new RegExp(s.op), message);
                });
            }
        }
    });
});
