/**
 * The disk-encryption provider's logic, with the SDK client mocked (aws-sdk-client-mock).
 */
import { strict as assert } from "node:assert";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import {
    EMRServerlessClient,
    GetApplicationCommand,
    ResourceNotFoundException,
    StartApplicationCommand,
    StopApplicationCommand,
    UpdateApplicationCommand,
    type Application,
} from "@aws-sdk/client-emr-serverless";
import {
    backoffDelay,
    checkDiskEncryption,
    createDiskEncryption,
    deleteDiskEncryption,
    isCredentialError,
    keyProblemOf,
    parseApplicationArn,
    resolveTimings,
    sameSetting,
    updateDiskEncryption,
    type AwsAccess,
    type DiskEncryptionInputs,
} from "../../components/diskEncryption/provider";
import { UNKNOWN_STRING } from "../../policypack/judge/constants";
import { KEY_ARN as KEY_A } from "../../harness/fixtures";

const KEY_B = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
const inputs = (over: Partial<DiskEncryptionInputs> = {}): DiskEncryptionInputs => ({
    applicationId: "app1",
    region: "us-east-1",
    encryptionKeyArn: KEY_A,
    encryptionContext: { team: "analytics" },
    timeouts: { totalMs: 2_000, pollInitialMs: 1, pollMaxMs: 4, maxAttempts: 1, requestTimeoutMs: 200 },
    ...over,
});
/** The operations as the plugin calls them, with the SDK's default chain (the mocked clients answer anyone). */
const DEFAULT_CHAIN: AwsAccess = {};
const create = (i: DiskEncryptionInputs) => createDiskEncryption(i, DEFAULT_CHAIN);
const update = (id: string, olds: DiskEncryptionInputs, news: DiskEncryptionInputs) =>
    updateDiskEncryption(id, olds, news, DEFAULT_CHAIN);
const remove = (id: string, props: DiskEncryptionInputs & { applicationArn?: string }) =>
    deleteDiskEncryption(id, props, DEFAULT_CHAIN);
const app = (state: string, config?: Application["diskEncryptionConfiguration"]) => ({
    application: { applicationId: "app1", state, diskEncryptionConfiguration: config } as Application,
});
const notFound = () =>
    new ResourceNotFoundException({ message: "Application app1 does not exist.", $metadata: { httpStatusCode: 404 } });

async function rejection(p: Promise<unknown>): Promise<string> {
    try {
        await p;
    } catch (e) {
        return e instanceof Error ? e.message : String(e);
    }
    assert.fail("expected a rejection");
}

describe("disk encryption provider (mocked SDK)", () => {
    // Created in before(), not at load time: mockClient patches the client class for the whole process.
    let emr: AwsClientStub<EMRServerlessClient>;
    let sts: AwsClientStub<STSClient>;
    const saved: Record<string, string | undefined> = {};

    before(() => {
        emr = mockClient(EMRServerlessClient);
        sts = mockClient(STSClient);
        for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"]) {
            saved[k] = process.env[k];
        }
        // The mock replaces send(); credentials are never resolved, but keep the default chain quiet.
        process.env.AWS_ACCESS_KEY_ID = "AKIAMOCKMOCKMOCKMOCK";
        process.env.AWS_SECRET_ACCESS_KEY = "mock";
        delete process.env.AWS_PROFILE;
    });
    after(() => {
        emr.restore();
        sts.restore();
        for (const [k, v] of Object.entries(saved)) {
            if (v === undefined) delete process.env[k];
            else process.env[k] = v;
        }
    });
    beforeEach(() => {
        emr.reset();
        sts.reset();
    });

    /** A fake application whose state machine answers Get/Update/Stop/Start. */
    function fakeApplication(initial: string, config?: Application["diskEncryptionConfiguration"]) {
        const st = { state: initial, config, ops: [] as string[] };
        emr.on(GetApplicationCommand).callsFake(() => {
            st.ops.push("get");
            const now = st.state;
            if (now === "STOPPING") st.state = "STOPPED";
            if (now === "STARTING") st.state = "STARTED";
            if (now === "CREATING") st.state = "CREATED";
            return app(now, st.config);
        });
        emr.on(UpdateApplicationCommand).callsFake(
            (input: { diskEncryptionConfiguration?: Application["diskEncryptionConfiguration"] }) => {
                st.ops.push("update");
                if (st.state !== "CREATED" && st.state !== "STOPPED") {
                    throw Object.assign(new Error(`must be CREATED or STOPPED, is ${st.state}`), {
                        name: "ValidationException",
                    });
                }
                const dec = input.diskEncryptionConfiguration;
                st.config = dec && dec.encryptionKeyArn ? dec : undefined;
                return app(st.state, st.config);
            },
        );
        emr.on(StopApplicationCommand).callsFake(() => {
            st.ops.push("stop");
            st.state = "STOPPING";
            return {};
        });
        emr.on(StartApplicationCommand).callsFake(() => {
            st.ops.push("start");
            st.state = "STARTING";
            return {};
        });
        return st;
    }

    describe("create", () => {
        it("waits through CREATING, updates with the key and context, and reads it back", async () => {
            const st = fakeApplication("CREATING");
            const r = await create(inputs());
            assert.equal(r.id, "app1");
            assert.deepEqual(st.ops, ["get", "get", "update", "get"]);
            const calls = emr.commandCalls(UpdateApplicationCommand);
            assert.equal(calls.length, 1);
            assert.deepEqual(calls[0].args[0].input, {
                applicationId: "app1",
                diskEncryptionConfiguration: { encryptionKeyArn: KEY_A, encryptionContext: { team: "analytics" } },
            });
            assert.deepEqual(r.outs, inputs());
        });

        it("sends no context when none is given", async () => {
            fakeApplication("CREATED");
            await create(inputs({ encryptionContext: undefined }));
            assert.deepEqual(emr.commandCalls(UpdateApplicationCommand)[0].args[0].input.diskEncryptionConfiguration, {
                encryptionKeyArn: KEY_A,
            });
        });

        it("makes no update when the application already carries the setting (even STARTED)", async () => {
            const st = fakeApplication("STARTED", {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            await create(inputs());
            assert.deepEqual(st.ops, ["get"]);
        });

        it("refuses a STARTED application with the two fixes, and changes nothing", async () => {
            const st = fakeApplication("STARTED");
            const message = await rejection(create(inputs()));
            assert.match(message, /application app1 \(region us-east-1\) is STARTED/);
            assert.match(message, /stop-application --application-id app1 --region us-east-1/);
            assert.match(message, /restartIfStarted: true/);
            assert.deepEqual(st.ops, ["get"]);
        });

        it("with restartIfStarted: stops, waits STOPPED, updates, verifies, starts and waits STARTED", async () => {
            const st = fakeApplication("STARTED");
            await create(inputs({ restartIfStarted: true }));
            assert.deepEqual(st.ops, ["get", "stop", "get", "get", "update", "get", "start", "get", "get"]);
            assert.equal(st.state, "STARTED");
            assert.equal(st.config?.encryptionKeyArn, KEY_A);
        });

        it("re-reads the state when the update meets a state conflict (a job started it meanwhile)", async () => {
            const st = fakeApplication("CREATED");
            emr.on(UpdateApplicationCommand).callsFakeOnce(() => {
                st.ops.push("update");
                st.state = "STARTED";
                throw Object.assign(new Error("Application is in state STARTED"), { name: "ConflictException" });
            });
            const message = await rejection(create(inputs()));
            assert.match(message, /is STARTED/);
            assert.deepEqual(st.ops, ["get", "update", "get"]);
        });

        it("a missing application is a clear error naming the id, the region and the fix", async () => {
            emr.on(GetApplicationCommand).rejects(notFound());
            const message = await rejection(create(inputs()));
            assert.match(message, /application app1 \(region us-east-1\) was not found/);
            assert.match(message, /Fix: check applicationId and region/);
        });

        it("fails when the read-back does not show the setting", async () => {
            emr.on(GetApplicationCommand).resolves(app("CREATED"));
            emr.on(UpdateApplicationCommand).resolves(app("CREATED"));
            const t0 = Date.now();
            const message = await rejection(
                create(
                    inputs({
                        timeouts: { ...inputs().timeouts, pollInitialMs: 20, pollMaxMs: 40, convergenceMs: 150 },
                    }),
                ),
            );
            assert.match(message, /did not take/);
            assert.match(message, /timeouts\.convergenceMs \(now 150 ms\)/);
            // Read-backs for 150 ms at 20 ms doubling to 40 ms (with jitter): a handful, not a storm.
            const reads = emr.commandCalls(GetApplicationCommand).length;
            assert.ok(reads >= 2 && reads <= 12, `${reads} reads`);
            assert.ok(Date.now() - t0 >= 100, "it kept reading for the window");
        });

        it("fails on a read-back with another context", async () => {
            emr.on(GetApplicationCommand)
                .resolvesOnce(app("CREATED"))
                .resolves(app("CREATED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "other" } }));
            emr.on(UpdateApplicationCommand).resolves(app("CREATED"));
            assert.match(await rejection(create(inputs())), /did not take/);
        });

        it("refuses a TERMINATED application", async () => {
            fakeApplication("TERMINATED");
            assert.match(await rejection(create(inputs())), /is TERMINATED/);
        });
    });

    describe("update", () => {
        it("makes no call when only non-setting inputs change", async () => {
            const later = { ...inputs().timeouts, totalMs: 9_000 };
            const r = await update("app1", inputs(), inputs({ restartIfStarted: true, timeouts: later }));
            assert.equal(emr.calls().length, 0);
            assert.equal(r.outs.restartIfStarted, true);
            assert.deepEqual(r.outs.timeouts, later);
        });

        it("applies a new key", async () => {
            const st = fakeApplication("STOPPED", {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            await update("app1", inputs(), inputs({ encryptionKeyArn: KEY_B }));
            assert.equal(st.config?.encryptionKeyArn, KEY_B);
        });

        it("applies a new context", async () => {
            const st = fakeApplication("STOPPED", {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            await update("app1", inputs(), inputs({ encryptionContext: { team: "analytics", env: "prod" } }));
            assert.deepEqual(st.config?.encryptionContext, { team: "analytics", env: "prod" });
        });
    });

    describe("delete", () => {
        it("unsets with an empty configuration when the application carries this key and context", async () => {
            fakeApplication("CREATED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "analytics" } });
            await remove("app1", inputs());
            const calls = emr.commandCalls(UpdateApplicationCommand);
            assert.equal(calls.length, 1);
            assert.deepEqual(calls[0].args[0].input.diskEncryptionConfiguration, {});
        });

        it("leaves another key alone (no update call)", async () => {
            const st = fakeApplication("CREATED", {
                encryptionKeyArn: KEY_B,
                encryptionContext: { team: "analytics" },
            });
            await remove("app1", inputs());
            assert.equal(emr.commandCalls(UpdateApplicationCommand).length, 0);
            assert.equal(st.config?.encryptionKeyArn, KEY_B);
        });

        it("leaves the same key with another context alone", async () => {
            fakeApplication("CREATED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "x" } });
            await remove("app1", inputs());
            assert.equal(emr.commandCalls(UpdateApplicationCommand).length, 0);
        });

        it("does nothing when the setting is already unset", async () => {
            fakeApplication("CREATED");
            await remove("app1", inputs());
            assert.equal(emr.commandCalls(UpdateApplicationCommand).length, 0);
        });

        const ARN = "arn:aws:emr-serverless:us-east-1:111122223333:/applications/app1";
        const caller = (account: string) => ({ Account: account, Arn: `arn:aws:iam::${account}:user/deployer` });

        it("a missing application is success when the 404 came from the application's own account and region", async () => {
            emr.on(GetApplicationCommand).rejects(notFound());
            sts.on(GetCallerIdentityCommand).resolves(caller("111122223333"));
            await remove("app1", { ...inputs(), applicationArn: ARN });
            assert.equal(emr.commandCalls(UpdateApplicationCommand).length, 0);
            assert.equal(sts.commandCalls(GetCallerIdentityCommand).length, 1);
        });

        it("a 404 seen by another account's credentials is an error naming both accounts", async () => {
            emr.on(GetApplicationCommand).rejects(notFound());
            sts.on(GetCallerIdentityCommand).resolves(caller("444455556666"));
            const message = await rejection(remove("app1", { ...inputs(), applicationArn: ARN }));
            assert.match(message, /account 444455556666 .*account 111122223333/);
            assert.match(message, /application app1 \(region us-east-1\)/);
        });

        it("a 404 from another partition than the application's is an error", async () => {
            emr.on(GetApplicationCommand).rejects(notFound());
            sts.on(GetCallerIdentityCommand).resolves({
                Account: "111122223333",
                Arn: "arn:aws-cn:iam::111122223333:user/deployer",
            });
            assert.match(await rejection(remove("app1", { ...inputs(), applicationArn: ARN })), /aws-cn/);
        });

        it("a 404 is an error when STS cannot say who the caller is", async () => {
            emr.on(GetApplicationCommand).rejects(notFound());
            sts.on(GetCallerIdentityCommand).rejects(
                Object.assign(new Error("denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }),
            );
            const message = await rejection(remove("app1", { ...inputs(), applicationArn: ARN }));
            assert.match(
                message,
                /sts:GetCallerIdentity failed for EMR Serverless application app1 \(region us-east-1\)/,
            );
        });

        it("a 404 without a recorded application ARN is refused", async () => {
            emr.on(GetApplicationCommand).rejects(notFound());
            sts.on(GetCallerIdentityCommand).resolves(caller("111122223333"));
            const message = await rejection(remove("app1", inputs()));
            assert.match(message, /no application ARN/);
            assert.match(message, /pulumi state delete/);
        });

        it("a 404 about the KMS key is not a deleted application", async () => {
            fakeApplication("CREATED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "analytics" } });
            emr.on(UpdateApplicationCommand).rejects(
                Object.assign(new Error(`KMS key ${KEY_A} does not exist`), {
                    name: "ResourceNotFoundException",
                    $metadata: { httpStatusCode: 404 },
                }),
            );
            const message = await rejection(create(inputs({ encryptionKeyArn: KEY_B })));
            assert.match(message, /KMS key .* was not found/);
            assert.doesNotMatch(message, /application app1 \(region us-east-1\) was not found/);
            assert.equal(sts.commandCalls(GetCallerIdentityCommand).length, 0);
        });

        it("a TERMINATED application is success", async () => {
            fakeApplication("TERMINATED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "analytics" } });
            await remove("app1", inputs());
            assert.equal(emr.commandCalls(UpdateApplicationCommand).length, 0);
        });

        it("refuses to unset on a STARTED application without restartIfStarted", async () => {
            fakeApplication("STARTED", { encryptionKeyArn: KEY_A, encryptionContext: { team: "analytics" } });
            assert.match(await rejection(remove("app1", inputs())), /is STARTED.*restartIfStarted/s);
        });

        it("propagates other errors", async () => {
            emr.on(GetApplicationCommand).rejects(
                Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }),
            );
            const message = await rejection(remove("app1", inputs()));
            assert.match(message, /GetApplication failed for EMR Serverless application app1 \(region us-east-1\)/);
            assert.match(message, /AccessDeniedException: not authorized/);
        });
    });

    describe("check", () => {
        const check = (news: Record<string, unknown>) => ({ failures: checkDiskEncryption(news) });
        const base = inputs() as unknown as Record<string, unknown>;

        it("accepts valid inputs", () => {
            assert.deepEqual(check(base).failures, []);
        });
        it("names the property and the fix for an alias, a secret-looking context entry and too many entries", async () => {
            const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, "v"]));
            const r = check({
                ...base,
                encryptionKeyArn: "alias/mine",
                encryptionContext: { ...many, password: "hunter2" },
            });
            const props = (r.failures ?? []).map((f) => f.property);
            assert.ok(props.includes("encryptionKeyArn"));
            assert.ok(props.includes('encryptionContext["password"]'));
            assert.ok(props.includes("encryptionContext"));
            for (const f of r.failures ?? []) {
                assert.match(f.reason, /Fix: /);
            }
        });
        it("refuses a bad application id, region, restartIfStarted and timeouts", async () => {
            const r = check({
                ...base,
                applicationId: "App 1",
                region: "us-east",
                restartIfStarted: "yes",
                timeouts: { totalMs: -1, bogus: 1 },
            });
            assert.deepEqual((r.failures ?? []).map((f) => f.property).sort(), [
                "applicationId",
                "region",
                "restartIfStarted",
                "timeouts.bogus",
                "timeouts.totalMs",
            ]);
        });
        it("skips values still unknown at preview, but checks the known ones", async () => {
            const r = check({
                ...base,
                applicationId: UNKNOWN_STRING,
                encryptionKeyArn: UNKNOWN_STRING,
                encryptionContext: { team: UNKNOWN_STRING, secret: "x" },
            });
            assert.deepEqual(
                (r.failures ?? []).map((f) => f.property),
                ['encryptionContext["secret"]'],
            );
            assert.deepEqual(check({ ...base, encryptionContext: UNKNOWN_STRING }).failures, []);
        });
        it("accepts timeouts.convergenceMs as a bound and refuses a non-positive one", async () => {
            assert.deepEqual(check({ ...base, timeouts: { convergenceMs: 5_000 } }).failures, []);
            for (const bad of [0, -1, "60s", Number.NaN]) {
                assert.deepEqual(
                    (check({ ...base, timeouts: { convergenceMs: bad } }).failures ?? []).map((f) => f.property),
                    ["timeouts.convergenceMs"],
                    String(bad),
                );
            }
        });
        it("refuses a missing key ARN", async () => {
            const r = check({ ...base, encryptionKeyArn: undefined });
            assert.deepEqual(
                (r.failures ?? []).map((f) => f.property),
                ["encryptionKeyArn"],
            );
        });
    });

    describe("error classification", () => {
        const err = (name: string, message: string, status = 400) =>
            Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
        const KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

        it("names the key's problem from EMR Serverless's wrapped messages and from KMS error shapes", () => {
            const cases: [Error, string][] = [
                [err("ValidationException", "The key state is Disabled"), "disabled"],
                [err("ValidationException", `KMS key ${KEY} is disabled.`), "disabled"],
                [err("DisabledException", `${KEY} is disabled.`), "disabled"],
                [err("ValidationException", "The KMS key is not enabled"), "disabled"],
                [err("DisabledException", `${KEY} is pending deletion.`), "pendingDeletion"],
                [err("KMSInvalidStateException", `${KEY} is pending deletion.`), "pendingDeletion"],
                [err("ValidationException", "Key state is PENDING_DELETION"), "pendingDeletion"],
                [err("ValidationException", `KMSInvalidStateException: ${KEY} is pending import.`), "pendingImport"],
                [err("KeyUnavailableException", `${KEY} is unavailable.`), "unavailable"],
                [err("ValidationException", "KMS key's custom key store is disconnected"), "unavailable"],
                [
                    err(
                        "AccessDeniedException",
                        `User: arn:aws:iam::111122223333:user/x is not authorized to perform: kms:GenerateDataKey on resource: ${KEY}`,
                        403,
                    ),
                    "accessDenied",
                ],
                [err("ValidationException", "Access denied to the KMS key provided"), "accessDenied"],
                [err("ValidationException", `Key '${KEY}' does not exist`), "notFound"],
                [err("NotFoundException", `Invalid keyId ${KEY}`), "notFound"],
                [err("ValidationException", "The KMS key must be a symmetric encryption key"), "unsupported"],
                [err("InvalidKeyUsageException", `${KEY} key usage is SIGN_VERIFY`), "unsupported"],
                [err("ValidationException", "encryptionKeyArn is not a valid ARN"), "notFound"],
                [err("ValidationException", `Unexpected problem with KMS key ${KEY}`), "other"],
            ];
            for (const [e, problem] of cases) {
                assert.equal(keyProblemOf(e), problem, `${e.name}: ${e.message}`);
            }
        });

        it("does not take application states, context keys, credentials or a KMS outage for a key problem", () => {
            for (const e of [
                err("ValidationException", "Application must be in one of the following states: CREATED, STOPPED."),
                err("ConflictException", "Application app1 is in state STARTING", 409),
                err("ValidationException", "encryptionContext key 'team' must be 1-128 characters"),
                err("ValidationException", "The maximum number of encryption context entries is 8"),
                err("UnrecognizedClientException", "The security token included in the request is invalid.", 403),
                err("InvalidClientTokenId", "The AWS Access Key Id you provided does not exist in our records.", 403),
                err("ValidationException", "KMS request timed out, try again"),
                err("InternalServerException", "KMSInternalException while calling KMS", 500),
                err("AccessDeniedException", "not authorized to perform: emr-serverless:UpdateApplication", 403),
                err("ResourceNotFoundException", "Application app1 does not exist.", 404),
            ]) {
                assert.equal(keyProblemOf(e), undefined, `${e.name}: ${e.message}`);
            }
        });

        it("recognises refused or unresolvable credentials by their error shape", () => {
            for (const name of [
                "ExpiredTokenException",
                "ExpiredToken",
                "UnrecognizedClientException",
                "InvalidClientTokenId",
                "InvalidSignatureException",
                "CredentialsProviderError",
            ]) {
                assert.ok(isCredentialError(err(name, "x", 403)), name);
            }
            for (const name of ["AccessDeniedException", "ValidationException", "ThrottlingException", "Error"]) {
                assert.ok(!isCredentialError(err(name, "The security token is expired")), name);
            }
        });

        it("parses application ARNs of every partition and refuses anything else", () => {
            assert.deepEqual(
                parseApplicationArn("arn:aws:emr-serverless:us-east-1:111122223333:/applications/00f1abc"),
                {
                    partition: "aws",
                    region: "us-east-1",
                    account: "111122223333",
                    applicationId: "00f1abc",
                },
            );
            assert.equal(
                parseApplicationArn("arn:aws-cn:emr-serverless:cn-north-1:111122223333:/applications/app1")?.partition,
                "aws-cn",
            );
            for (const bad of [
                undefined,
                42,
                "",
                "app1",
                "arn:aws:emr-serverless:us-east-1:111122223333:/applications/app1/jobruns/x",
                "arn:aws:emr-serverless:us-east-1:1111:/applications/app1",
                "arn:aws:emr-containers:us-east-1:111122223333:/applications/app1",
                "arn:aws:emr-serverless::111122223333:/applications/app1",
                "arn:aws:emr-serverless:us-east-1:111122223333:/applications/App1",
            ]) {
                assert.equal(parseApplicationArn(bad), undefined, String(bad));
            }
        });
    });

    describe("pure helpers", () => {
        it("backoffDelay grows exponentially to the cap, with jitter in [cap/2, cap]", () => {
            assert.equal(backoffDelay(0, 100, 1_000, 0), 50);
            assert.equal(backoffDelay(0, 100, 1_000, 1), 100);
            assert.equal(backoffDelay(3, 100, 1_000, 1), 800);
            assert.equal(backoffDelay(4, 100, 1_000, 1), 1_000);
            assert.equal(backoffDelay(1_000, 100, 1_000, 0.5), 750);
            const samples = Array.from({ length: 200 }, () => backoffDelay(2, 100, 1_000));
            assert.ok(samples.every((d) => d >= 200 && d <= 400));
            assert.ok(new Set(samples).size > 100, "jittered");
        });
        it("resolveTimings applies defaults and clamps", () => {
            assert.deepEqual(resolveTimings(undefined), {
                convergenceMs: 60_000,
                totalMs: 1_800_000,
                pollInitialMs: 2_000,
                pollMaxMs: 30_000,
                maxAttempts: 5,
                requestTimeoutMs: 60_000,
            });
            const t = resolveTimings({ totalMs: 1e12, maxAttempts: 1_000, pollInitialMs: -5 });
            assert.equal(t.totalMs, 6 * 3_600_000);
            assert.equal(t.maxAttempts, 20);
            assert.equal(t.pollInitialMs, 1);
        });
        it("sameSetting: absent context equals empty; unset equals unset; key or context differences differ", () => {
            assert.ok(sameSetting({ encryptionKeyArn: KEY_A }, { encryptionKeyArn: KEY_A, encryptionContext: {} }));
            assert.ok(sameSetting(undefined, {}));
            assert.ok(!sameSetting({ encryptionKeyArn: KEY_A }, { encryptionKeyArn: KEY_B }));
            assert.ok(
                !sameSetting(
                    { encryptionKeyArn: KEY_A, encryptionContext: { a: "1" } },
                    { encryptionKeyArn: KEY_A, encryptionContext: { a: "2" } },
                ),
            );
            assert.ok(
                !sameSetting(
                    { encryptionKeyArn: KEY_A, encryptionContext: { a: "1" } },
                    { encryptionKeyArn: KEY_A, encryptionContext: { b: "1" } },
                ),
            );
            assert.ok(!sameSetting(undefined, { encryptionKeyArn: KEY_A }));
        });
    });
});
