/**
 * The provider plugin driven as the engine drives it: started by its executable with the engine's address,
 * its port read from stdout, then over gRPC: GetPluginInfo, GetSchema, CheckConfig, DiffConfig, Configure
 * (secrets encoded as the engine encodes them), Check, Diff, Create, Read, Update, Delete against the
 * loopback EMR Serverless server (`AWS_ENDPOINT_URL_EMR_SERVERLESS`) with its faults. Also the state entry
 * of the dynamic resource of 0.1 through Check, DiffConfig, Diff and Update.
 *
 * Every text a user could see (answers, errors, engine logs, the plugin's stderr and stdout) is collected
 * and searched for the configured credentials at the end.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EmrServerlessServer } from "../support/emrServerlessServer";
import {
    assertBuildIsFresh,
    envWithoutAws,
    FakeEngine,
    PACKAGED_PLUGIN,
    PluginCallError,
    ProviderPlugin,
    stubs,
    type Bag,
} from "../../harness/providerPlugin";
import { secret, SIG_KEY, SECRET_SIG } from "../../provider/wire";
import { KEY_ARN as KEY_A } from "../../harness/fixtures";

const KEY_B = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
/** The application the recorded state of fixtures/legacySetting names (the tests compare with that state). */
const APP = "00fkq8mtb3cm2d09";
const STATIC_KEY_ID = "AKIASTATICCONFIGKEY1";
const STATIC_SECRET = "staticSECRETdoNotLeak/1111111111111111111";
const STATIC_TOKEN = "staticSESSIONtokenDoNotLeak-0001";
const AMBIENT_KEY_ID = "AKIAAMBIENTENVKEY002";
const AMBIENT_SECRET = "ambientSECRETdoNotLeak/22222222222222222";
const PROFILE_KEY_ID = "AKIAPROFILEFILEKEY03";
const PROFILE_SECRET = "profileSECRETdoNotLeak/3333333333333333";
const TYPE = "emr-serverless-disk-encryption:index:ApplicationDiskEncryption";
const URN = `urn:pulumi:dev::emr::emr-serverless-disk-encryption:index:EncryptedApplication$${TYPE}::spark-disk-encryption`;
const PROVIDER_URN = "urn:pulumi:dev::emr::pulumi:providers:emr-serverless-disk-encryption::default_0_2_0";
const FAST = { totalMs: 8_000, pollInitialMs: 10, pollMaxMs: 60, maxAttempts: 4, requestTimeoutMs: 400 };

const legacy = JSON.parse(
    fs.readFileSync(path.join(__dirname, "..", "fixtures", "legacySetting", "state.json"), "utf8"),
) as { type: string; urn: string; id: string; inputs: Bag; outputs: Bag; providerInputs: Bag };

const setting = (over: Bag = {}): Bag => ({
    applicationId: APP,
    encryptionKeyArn: KEY_A,
    encryptionContext: { team: "analytics" },
    region: "us-east-1",
    timeouts: FAST,
    ...over,
});

describe("provider plugin over gRPC", function () {
    this.timeout(120_000);
    const server = new EmrServerlessServer({ transitionMs: 40 });
    const engine = new FakeEngine();
    const plugins: ProviderPlugin[] = [];
    /** Everything a user could see; searched for credentials at the end. */
    const visible: string[] = [];
    let tmp = "";
    let env: NodeJS.ProcessEnv = {};

    const launch = async (): Promise<ProviderPlugin> => {
        const p = await ProviderPlugin.launch({ ...PACKAGED_PLUGIN, baseEnv: env }, engine.address);
        plugins.push(p);
        return p;
    };
    const rejection = async (p: Promise<unknown>): Promise<PluginCallError> => {
        try {
            await p;
        } catch (e) {
            assert.ok(e instanceof PluginCallError, String(e));
            visible.push(e.details);
            return e;
        }
        assert.fail("expected the call to fail");
    };
    const see = <T>(v: T): T => {
        visible.push(JSON.stringify(v));
        return v;
    };
    const authKeyIds = (): string[] =>
        server.requests.map(
            (r) => /Credential=([A-Z0-9]+)\//.exec(String(r.headers.authorization ?? ""))?.[1] ?? "none",
        );

    /** A plugin configured with static keys (secrets, as the engine sends stack config set with --secret). */
    let statics: ProviderPlugin;

    before(async () => {
        assertBuildIsFresh();
        await server.start();
        await engine.start();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "emr-plugin-"));
        const credentials = path.join(tmp, "credentials");
        fs.writeFileSync(
            credentials,
            `[deployer]\naws_access_key_id = ${PROFILE_KEY_ID}\naws_secret_access_key = ${PROFILE_SECRET}\n`,
        );
        env = {
            ...envWithoutAws(),
            AWS_ENDPOINT_URL_EMR_SERVERLESS: server.url,
            AWS_ENDPOINT_URL_STS: server.url,
            AWS_ACCESS_KEY_ID: AMBIENT_KEY_ID,
            AWS_SECRET_ACCESS_KEY: AMBIENT_SECRET,
            AWS_CONFIG_FILE: path.join(tmp, "no-config"),
            AWS_SHARED_CREDENTIALS_FILE: credentials,
            AWS_EC2_METADATA_DISABLED: "true",
        };
        statics = await launch();
        see(
            await statics.configure(
                {
                    region: "us-east-1",
                    accessKey: secret(STATIC_KEY_ID),
                    secretKey: secret(STATIC_SECRET),
                    token: secret(STATIC_TOKEN),
                    version: "0.2.0",
                },
                {
                    "emr-serverless-disk-encryption:config:region": "us-east-1",
                    "emr-serverless-disk-encryption:config:accessKey": STATIC_KEY_ID,
                    "emr-serverless-disk-encryption:config:secretKey": STATIC_SECRET,
                    "emr-serverless-disk-encryption:config:token": STATIC_TOKEN,
                },
            ),
        );
    });

    after(async () => {
        for (const p of plugins) {
            visible.push(p.stderr(), p.stdout());
            await p.close();
        }
        await engine.stop();
        await server.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    beforeEach(() => {
        server.reset();
        server.transitionMs = 40;
    });

    describe("plugin information and configuration", () => {
        it("GetPluginInfo reports the package version; GetSchema serves the package schema", async () => {
            const version = (
                JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as {
                    version: string;
                }
            ).version;
            assert.equal(await statics.getPluginInfo(), version);
            const schema = JSON.parse(await statics.getSchema()) as {
                name: string;
                resources: Record<string, unknown>;
            };
            assert.equal(schema.name, "emr-serverless-disk-encryption");
            assert.ok(schema.resources[TYPE], "the schema has the custom resource");
        });

        it("CheckConfig answers per-key failures (not UNIMPLEMENTED), and returns the inputs", async () => {
            const ok = see(await statics.checkConfig(PROVIDER_URN, {}, { region: "eu-west-1", version: "0.2.0" }));
            assert.deepEqual(ok.failures, []);
            assert.deepEqual(ok.inputs, { region: "eu-west-1", version: "0.2.0" });
            // CheckConfig answers the engine with the inputs as given (it restores their secret bit): not user-facing.
            const bad = await statics.checkConfig(
                PROVIDER_URN,
                {},
                {
                    accessKey: STATIC_KEY_ID,
                    assumeRoles: JSON.stringify([{ roleArn: "arn:aws:iam::111122223333:role/a" }]),
                    assumeRole: JSON.stringify({ roleArn: "arn:aws:iam::111122223333:user/x" }),
                    regoin: "us-east-1",
                },
            );
            visible.push(JSON.stringify(bad.failures));
            assert.deepEqual(bad.failures.map((f) => f.property).sort(), [
                "assumeRole.roleArn",
                "assumeRoles",
                "regoin",
                "secretKey",
            ]);
        });

        it("DiffConfig never replaces the provider, and reports what changed with a detailed diff", async () => {
            const d = see(
                await statics.diffConfig(PROVIDER_URN, { region: "us-east-1", profile: "a" }, { region: "eu-west-1" }),
            );
            assert.equal(d.changes, "DIFF_SOME");
            assert.deepEqual(d.replaces, []);
            assert.equal(d.hasDetailedDiff, true);
            assert.deepEqual(d.detailed, { profile: "DELETE", region: "UPDATE" });
            const none = await statics.diffConfig(PROVIDER_URN, { region: "us-east-1" }, { region: "us-east-1" });
            assert.equal(none.changes, "DIFF_NONE");
        });

        it("Configure refuses credentials stored in plain text and unknown keys, naming the key and the fix", async () => {
            const p = await launch();
            const plain = await rejection(
                p.configure({ accessKey: secret(STATIC_KEY_ID), secretKey: STATIC_SECRET, version: "0.2.0" }),
            );
            assert.equal(plain.code, stubs.grpc.status.INVALID_ARGUMENT);
            assert.match(plain.details, /secretKey: secretKey is stored in plain text/);
            assert.match(plain.details, /pulumi config set --secret emr-serverless-disk-encryption:secretKey/);
            const unknown = await rejection(p.configure({ endpoints: "[]" }));
            assert.match(unknown.details, /endpoints is not supported/);
            // A refused configuration leaves the provider unconfigured: no operation runs as anyone.
            const op = await rejection(p.create(URN, setting()));
            assert.match(op.details, /was not configured/);
            assert.equal(server.count(), 0);
        });

        it("Configure accepts secrets and tells the engine it accepts secrets, resources and outputs", async () => {
            const p = await launch();
            assert.deepEqual(
                await p.configure({
                    region: secret("us-east-1"),
                    accessKey: secret(STATIC_KEY_ID),
                    secretKey: secret(STATIC_SECRET),
                }),
                { acceptSecrets: true, acceptResources: true, acceptOutputs: true, supportsPreview: false },
            );
        });
    });

    describe("Check and Diff", () => {
        it("Check refuses a secret encryption context with the field and the fix, and never echoes it", async () => {
            const r = see(
                await statics.check(
                    URN,
                    {},
                    setting({ encryptionContext: { team: "analytics", owner: secret("hidden-owner-77") } }),
                ),
            );
            assert.deepEqual(
                r.failures.map((f) => f.property),
                ['encryptionContext["owner"]'],
            );
            assert.match(r.failures[0]?.reason ?? "", /CloudTrail.*Fix: /s);
            assert.ok(!JSON.stringify(r.failures).includes("hidden-owner-77"));
        });

        it("Check fills the provider's region and keeps a secret input secret", async () => {
            const { region: _r, ...noRegion } = setting({ encryptionKeyArn: secret(KEY_A) });
            const r = await statics.check(URN, {}, noRegion);
            assert.deepEqual(r.failures, []);
            assert.equal(r.inputs.region, "us-east-1");
            assert.deepEqual(r.inputs.encryptionKeyArn, { [SIG_KEY]: SECRET_SIG, value: KEY_A });
        });

        it("Diff answers with a detailed diff: replace kinds for the application, update kinds for the key", async () => {
            const d = await statics.diff(
                APP,
                URN,
                setting(),
                setting({ applicationId: "00other", encryptionKeyArn: KEY_B }),
            );
            assert.equal(d.changes, "DIFF_SOME");
            assert.equal(d.hasDetailedDiff, true);
            assert.deepEqual(d.replaces, ["applicationId"]);
            assert.equal(d.deleteBeforeReplace, false);
            assert.deepEqual(d.detailed, { applicationId: "UPDATE_REPLACE", encryptionKeyArn: "UPDATE" });
            assert.equal((await statics.diff(APP, URN, setting(), setting())).changes, "DIFF_NONE");
        });
    });

    describe("CRUD against the loopback EMR Serverless", () => {
        it("every resource call refuses a URN of another type, naming it, before any AWS call", async () => {
            server.reset();
            server.addApplication(APP, "CREATED");
            const other = URN.replace(`$${TYPE}::`, "$aws:kms/key:Key::");
            const calls: (() => Promise<unknown>)[] = [
                () => statics.check(other, {}, setting()),
                () => statics.diff(APP, other, setting(), setting()),
                () => statics.create(other, setting()),
                () => statics.read(APP, other, setting(), setting()),
                () => statics.update(APP, other, setting(), setting({ encryptionKeyArn: KEY_B })),
                () => statics.delete(APP, other, setting()),
            ];
            for (const call of calls) {
                const e = await rejection(call());
                assert.equal(e.code, stubs.grpc.status.INVALID_ARGUMENT);
                assert.match(e.details, /no custom resource of type aws:kms\/key:Key/);
            }
            assert.equal(server.count(), 0);
        });

        it("Create applies the setting, signed with the configured static keys, and stores no credential", async () => {
            server.addApplication(APP, "CREATED");
            const r = see(await statics.create(URN, setting({ encryptionKeyArn: secret(KEY_A) })));
            assert.equal(r.id, APP);
            assert.deepEqual(server.application(APP)?.diskEncryptionConfiguration, {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            assert.deepEqual(
                new Set(authKeyIds()),
                new Set([STATIC_KEY_ID]),
                "every request signed with the static key",
            );
            assert.ok(server.requests.every((r) => r.headers["x-amz-security-token"] === STATIC_TOKEN));
            assert.deepEqual(r.properties.encryptionKeyArn, { [SIG_KEY]: SECRET_SIG, value: KEY_A }, "still a secret");
            assert.equal(r.properties.region, "us-east-1");
        });

        it("Create converges through throttling and transient 5xx, bounded in calls", async () => {
            server.addApplication(APP, "CREATED");
            server.script("GetApplication", { kind: "throttle" }, { kind: "server", status: 500 });
            server.script("UpdateApplication", { kind: "server", status: 503 }, { kind: "throttle" });
            await statics.create(URN, setting());
            assert.equal(server.application(APP)?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_A);
            assert.equal(server.count("UpdateApplication"), 3);
        });

        it("a STARTED application is refused with the application, the region and both fixes, as a recoverable error", async () => {
            server.addApplication(APP, "STARTED");
            const e = await rejection(statics.create(URN, setting()));
            assert.equal(
                e.code,
                stubs.grpc.status.ABORTED,
                "not UNKNOWN, which the engine reads as a possibly corrupt resource",
            );
            assert.match(e.details, new RegExp(`${APP} \\(region us-east-1\\) is STARTED`));
            assert.match(e.details, /stop-application/);
            assert.match(e.details, /restartIfStarted/);
            assert.equal(server.count("UpdateApplication"), 0);
        });

        it("Update applies a new key; an update of the timeouts alone makes no AWS call", async () => {
            server.addApplication(APP, "STOPPED", {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            const olds = setting();
            const outs = see(await statics.update(APP, URN, olds, setting({ encryptionKeyArn: KEY_B })));
            assert.equal(outs.encryptionKeyArn, KEY_B);
            assert.equal(server.application(APP)?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_B);
            server.reset();
            const same = await statics.update(APP, URN, setting(), setting({ timeouts: { ...FAST, totalMs: 9_000 } }));
            assert.equal(server.count(), 0);
            assert.deepEqual(same.timeouts, { ...FAST, totalMs: 9_000 });
        });

        it("Delete unsets only this resource's key and context; another setting is left alone", async () => {
            server.addApplication(APP, "CREATED", {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            await statics.delete(APP, URN, setting());
            assert.equal(server.application(APP)?.diskEncryptionConfiguration, undefined);
            server.reset();
            server.addApplication(APP, "CREATED", { encryptionKeyArn: KEY_B });
            await statics.delete(APP, URN, setting());
            assert.equal(server.count("UpdateApplication"), 0);
            assert.equal(server.application(APP)?.diskEncryptionConfiguration?.encryptionKeyArn, KEY_B);
        });

        it("Read (refresh) reports what AWS holds: another key as drift, an unset setting as gone", async () => {
            server.addApplication(APP, "CREATED", { encryptionKeyArn: KEY_B });
            const state = setting({ restartIfStarted: true });
            const r = see(await statics.read(APP, URN, state, state));
            assert.equal(r.id, APP);
            assert.equal(r.properties.encryptionKeyArn, KEY_B);
            assert.equal(r.properties.encryptionContext, undefined);
            assert.equal(r.inputs.encryptionKeyArn, KEY_B);
            assert.equal(r.inputs.restartIfStarted, true, "inputs AWS does not hold are kept");
            server.reset();
            server.addApplication(APP, "CREATED");
            const gone = await statics.read(APP, URN, state, state);
            assert.deepEqual(gone, { id: "", properties: {}, inputs: {} });
        });

        it("Read (import) takes the application ARN or the bare id with the provider's region", async () => {
            server.addApplication(APP, "STARTED", {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            const byArn = await statics.read(
                `arn:aws:emr-serverless:us-east-1:111122223333:/applications/${APP}`,
                URN,
                {},
                {},
            );
            assert.equal(byArn.id, APP);
            assert.deepEqual(byArn.inputs, {
                applicationId: APP,
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
                region: "us-east-1",
            });
            const byId = await statics.read(APP, URN, {}, {});
            assert.deepEqual(byId.inputs, byArn.inputs);
            // The imported inputs pass Check and show no diff against themselves.
            assert.deepEqual((await statics.check(URN, {}, byId.inputs)).failures, []);
            assert.equal(
                (await statics.diff(APP, URN, byId.properties, byId.inputs, byId.inputs)).changes,
                "DIFF_NONE",
            );
        });

        it("an import of an application without a customer-managed key is an error naming it", async () => {
            server.addApplication(APP, "CREATED");
            const e = await rejection(statics.read(APP, URN, {}, {}));
            assert.match(e.details, new RegExp(`${APP}.*us-east-1.*no customer-managed`));
        });
    });

    describe("the state of the dynamic resource of 0.1", () => {
        it("is the size it is in real stacks (serialized provider code of about 37 KB)", () => {
            assert.equal(legacy.type, "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption");
            assert.ok(String(legacy.inputs.__provider).length > 30_000);
            assert.match(String(legacy.inputs.__provider), /^exports\.handler = /);
        });

        it("goes through CheckConfig, Check, DiffConfig, Diff and Update with no replacement and no AWS call", async () => {
            // The new program's inputs for the same setting (what the component registers now).
            const news = {
                applicationId: legacy.inputs.applicationId,
                encryptionKeyArn: legacy.inputs.encryptionKeyArn,
                encryptionContext: legacy.inputs.encryptionContext,
                region: legacy.inputs.region,
                restartIfStarted: false,
            } as Bag;
            // The new default provider's config is checked; the provider change is diffed by the new provider.
            assert.deepEqual((await statics.checkConfig(PROVIDER_URN, {}, { version: "0.2.0" })).failures, []);
            const providerDiff = await statics.diffConfig(PROVIDER_URN, legacy.providerInputs, { version: "0.2.0" });
            assert.deepEqual(providerDiff.replaces, [], "the move from the pulumi-nodejs provider replaces nothing");
            // Check with the old inputs as olds.
            const checked = await statics.check(URN, legacy.inputs, news);
            assert.deepEqual(checked.failures, []);
            assert.equal(checked.inputs.__provider, undefined);
            // Diff against the old state.
            const d = await statics.diff(legacy.id, URN, legacy.outputs, checked.inputs, legacy.inputs);
            assert.equal(d.changes, "DIFF_SOME");
            assert.deepEqual(d.replaces, []);
            assert.deepEqual(d.detailed, { __provider: "DELETE", assumeRole: "DELETE", profile: "DELETE" });
            // The update that drops the legacy fields.
            const outs = await statics.update(legacy.id, URN, legacy.outputs, checked.inputs, legacy.inputs);
            assert.equal(server.count(), 0, "no AWS call");
            assert.deepEqual(Object.keys(outs).sort(), [
                "applicationId",
                "encryptionContext",
                "encryptionKeyArn",
                "region",
                "restartIfStarted",
            ]);
            assert.ok(JSON.stringify(outs).length < 1_000, "the serialized code is gone from the state");
        });

        it("the migrated state is the setting's: a refresh records the ARN, a later delete unsets only its own setting", async () => {
            // A 0.1 entry with every input set: restart option, timeouts, profile, assumed role, context.
            const olds = { ...legacy.inputs, restartIfStarted: true, timeouts: { totalMs: 600_000 } } as Bag;
            const news = {
                applicationId: olds.applicationId,
                encryptionKeyArn: olds.encryptionKeyArn,
                encryptionContext: olds.encryptionContext,
                region: olds.region,
                restartIfStarted: true,
            } as Bag;
            server.addApplication(APP, "STARTED", {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            const checked = await statics.check(URN, olds, news);
            assert.deepEqual(checked.failures, []);
            const d = await statics.diff(legacy.id, URN, olds, checked.inputs, olds);
            assert.deepEqual(d.replaces, []);
            assert.deepEqual(d.detailed, {
                __provider: "DELETE",
                assumeRole: "DELETE",
                profile: "DELETE",
                timeouts: "DELETE",
            });
            const outs = await statics.update(legacy.id, URN, olds, checked.inputs, olds);
            assert.equal(server.count(), 0, "no AWS call, not even to restart the STARTED application");
            assert.deepEqual(outs, news, "the state holds the program's setting and nothing of the dynamic resource");
            // A refresh with the new state finds the setting and records the application's ARN.
            const refreshed = await statics.read(legacy.id, URN, outs, checked.inputs);
            assert.equal(refreshed.id, APP);
            assert.match(String(refreshed.properties.applicationArn), new RegExp(`:/applications/${APP}$`));
            assert.deepEqual(refreshed.inputs, checked.inputs);
            // A later delete (here of a STOPPED application) unsets the setting it carries.
            server.reset();
            server.addApplication(APP, "STOPPED", {
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: "analytics" },
            });
            await statics.delete(legacy.id, URN, refreshed.properties, refreshed.inputs);
            assert.equal(server.application(APP)?.diskEncryptionConfiguration, undefined);
        });
    });

    describe("credentials", () => {
        it("without configuration: the SDK's default chain (here the environment's keys); a bare import id needs a region", async () => {
            const p = await launch();
            await p.configure({ version: "0.2.0" });
            server.addApplication(APP, "CREATED");
            await p.create(URN, setting());
            assert.deepEqual(new Set(authKeyIds()), new Set([AMBIENT_KEY_ID]));
            const e = await rejection(p.read(APP, URN, {}, {}));
            assert.match(e.details, /no region.*application's ARN/s);
        });

        it("a profile beats the environment's keys; assumeRole is assumed with it and signs the EMR calls", async () => {
            const p = await launch();
            await p.configure({
                profile: "deployer",
                assumeRole: JSON.stringify({
                    roleArn: "arn:aws:iam::111122223333:role/deployer",
                    externalId: "ext-42",
                }),
            });
            server.addApplication(APP, "CREATED");
            await p.create(URN, setting());
            const sts = server.requests.filter((r) => r.op === "AssumeRole");
            assert.equal(sts.length, 1);
            const form = new URLSearchParams(sts[0]?.body ?? "");
            assert.equal(form.get("RoleArn"), "arn:aws:iam::111122223333:role/deployer");
            assert.equal(form.get("ExternalId"), "ext-42");
            assert.equal(form.get("RoleSessionName"), "pulumi-emr-disk-encryption");
            assert.match(String(sts[0]?.headers.authorization), new RegExp(`Credential=${PROFILE_KEY_ID}/`));
            const emr = server.requests.filter((r) => r.op !== "AssumeRole");
            assert.ok(emr.length >= 2);
            for (const r of emr) {
                assert.match(
                    String(r.headers.authorization),
                    new RegExp(`Credential=${server.assumedCredentials.accessKeyId}/`),
                );
            }
        });

        it("a profile that does not exist is an error, never another identity", async () => {
            const p = await launch();
            await p.configure({ profile: "nobody" });
            server.addApplication(APP, "CREATED");
            const e = await rejection(p.create(URN, setting()));
            assert.match(e.details, /nobody/);
            assert.equal(server.count(), 0, "no request signed by anyone");
        });

        it("no answer, error, engine log, stderr or stdout line carries a configured credential", async () => {
            // One more error path with the static keys on top of everything recorded above.
            server.addApplication(APP, "CREATED");
            server.script("UpdateApplication", {
                kind: "error",
                status: 403,
                errorType: "AccessDeniedException",
                message: "not authorized",
            });
            await rejection(statics.create(URN, setting()));
            for (const p of plugins) {
                visible.push(p.stderr(), p.stdout());
            }
            visible.push(...engine.logs.map((l) => l.message));
            assert.ok(visible.length > 20, `only ${visible.length} texts recorded`);
            for (const text of visible) {
                for (const s of [
                    STATIC_KEY_ID,
                    STATIC_SECRET,
                    STATIC_TOKEN,
                    AMBIENT_SECRET,
                    PROFILE_SECRET,
                    server.assumedCredentials.secretAccessKey,
                ]) {
                    assert.ok(!text.includes(s), `a credential in: ${text.slice(0, 300)}`);
                }
            }
        });
    });
});
