/**
 * The engine harness over the real analyzer protocol: test-only packs for the wire details (tests/engine/packs),
 * and the real pack (policypack/bin, built by `npm run pretest`) for the verdicts.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { PolicyPackClient } from "../../engine/analyzer";
import type { AnalyzerResource, AnalyzerStackResource, Diagnostic, StackContext } from "../../engine/analyzerTypes";
import { PolicyPackStartError, readRssKiB } from "../../engine/packProcess";
import type { JsonValue } from "../../engine/policyConfig";
import { type PropertyMap, secret, UNKNOWN } from "../../engine/properties";
import { POLICY_PACK_NAME, policies } from "../../policypack/policies";
import {
    APP_ID,
    awsKeyProps,
    doc,
    guidePolicy,
    KEY,
    KEY_ARN,
    KEY_POLICY,
    REGION,
    rootStatement,
    serviceWith,
    SETTING,
} from "../../harness/corpus/build";
import { assertPackBuilt, REAL_PACK } from "./support";

const PACKS = path.join(__dirname, "packs");
const STACK: StackContext = { project: "engine-test", stack: "dev", dryRun: true, config: { "aws:region": REGION } };

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

const names = (ds: readonly Diagnostic[], level: string): string[] =>
    [
        ...new Set(
            ds
                .filter((d) => d.enforcementLevel === level && !d.message.startsWith("can't run policy"))
                .map((d) => d.policyName),
        ),
    ].sort();
const notes = (ds: readonly Diagnostic[]): string[] =>
    [...new Set(ds.filter((d) => d.message.startsWith("can't run policy")).map((d) => d.policyName))].sort();

describe("engine harness: start-up and wire encoding (test packs)", () => {
    let echo: PolicyPackClient;
    before(async () => {
        echo = await PolicyPackClient.launch({
            packDir: path.join(PACKS, "echo"),
            stack: { ...STACK, organization: "acme" },
            policyPackConfig: { "deny-bad": { properties: { label: "from-file" } } },
        });
    });
    after(async () => {
        await echo?.close();
    });

    it("runs the CLI's start-up sequence and records timings", () => {
        assert.deepEqual(
            echo.timings.calls.map((c) => c.method),
            ["Handshake", "ConfigureStack", "GetPluginInfo", "GetAnalyzerInfo", "Configure"],
        );
        assert.ok(echo.timings.spawnToPortMs > 0);
        assert.ok(echo.pid > 0 && alive(echo.pid));
        assert.ok((readRssKiB(echo.pid) ?? 0) > 10_000, "RSS of the pack process is readable");
        assert.equal(echo.info.name, "engine-test-echo");
        assert.deepEqual(echo.config["deny-bad"], {
            enforcementLevel: "mandatory",
            properties: { label: "from-file" },
        });
    });

    it("sends secrets wrapped (the pack sees plain values), drops __ keys, always sends options and the provider", async () => {
        const ds = await echo.analyze({
            type: "test:index:Echo",
            name: "e",
            urn: "urn:pulumi:dev::engine-test::test:index:Echo::e",
            properties: { password: secret("hunter2"), __provider: "serialized code", nested: { __meta: 1, ok: true } },
            options: { protect: true },
            provider: {
                type: "pulumi:providers:test",
                name: "default",
                urn: "urn:prov",
                properties: { region: REGION },
            },
        });
        const echoed = JSON.parse(ds[0].message.split("\n")[1]) as {
            props: Record<string, unknown>;
            opts: { protect: boolean };
            provider: { props: Record<string, unknown> };
        };
        assert.deepEqual(echoed.props, { password: "hunter2", nested: { ok: true } });
        assert.equal(echoed.opts.protect, true);
        assert.deepEqual(echoed.provider.props, { region: REGION });
        assert.equal(
            ds[0].urn,
            "urn:pulumi:dev::engine-test::test:index:Echo::e",
            "Analyze diagnostics get the resource's URN",
        );
    });

    it("turns a policy reading an unknown value into an advisory note, even for a mandatory policy", async () => {
        const ds = await echo.analyze({
            type: "test:index:Known",
            name: "k",
            urn: "urn:k",
            properties: { mustKnow: UNKNOWN.string },
        });
        assert.equal(ds.length, 1);
        assert.equal(ds[0].enforcementLevel, "advisory");
        assert.match(ds[0].message, /can't run policy 'needs-known'.*during preview/);
        const bad = await echo.analyze({
            type: "test:index:Known",
            name: "k",
            urn: "urn:k",
            properties: { mustKnow: "no" },
        });
        assert.equal(bad[0].enforcementLevel, "mandatory");
    });

    it("passes parent, dependencies and property dependencies as URNs, omitting empty lists, and the stack env", async () => {
        const ds = await echo.analyzeStack([
            { type: "test:index:Key", name: "k", urn: "urn:k", properties: { spec: "RSA_2048" } },
            {
                type: "test:index:Setting",
                name: "s",
                urn: "urn:s",
                properties: {},
                parent: "urn:k",
                dependencies: ["urn:k"],
                propertyDependencies: { keyArn: ["urn:k"], region: [] },
            },
        ]);
        assert.ok(
            ds.some((d) => d.enforcementLevel === "mandatory" && /asymmetric/.test(d.message) && d.urn === "urn:s"),
        );
        const info = JSON.parse(ds.find((d) => d.enforcementLevel === "advisory")?.message ?? "{}") as Record<
            string,
            unknown
        >;
        assert.deepEqual(info, {
            parent: "urn:k",
            deps: ["urn:k"],
            pdeps: ["keyArn"],
            config: JSON.stringify({ "aws:region": REGION }),
            project: "engine-test",
            dryRun: "true",
        });
    });

    it("reconfigures: a policy pack config file can change a level and disable everything", async () => {
        const bad = { type: "test:index:Thing", name: "t", urn: "urn:t", properties: { bad: true } };
        assert.deepEqual(names(await echo.analyze(bad), "mandatory"), ["deny-bad"]);
        await echo.configure({ "deny-bad": { enforcementLevel: "advisory" } });
        const advisory = await echo.analyze(bad);
        assert.deepEqual(names(advisory, "advisory"), ["deny-bad"]);
        assert.match(advisory[0].message, /label=bad/, "schema default restored when the file no longer sets it");
        await echo.configure({ all: { enforcementLevel: "disabled" } });
        assert.deepEqual(await echo.analyze(bad), []);
        await echo.configure({});
    });

    it("refuses a pack whose first stdout line is not a port, and reports the pack's stderr on a crash", async () => {
        await assert.rejects(
            PolicyPackClient.launch({ packDir: path.join(PACKS, "noisy"), stack: STACK }),
            (e: Error) =>
                e instanceof PolicyPackStartError &&
                /first stdout line must be its port number, got "starting my pack"/.test(e.message),
        );
        await assert.rejects(
            PolicyPackClient.launch({ packDir: path.join(PACKS, "broken"), stack: STACK }),
            (e: Error) =>
                /exited .* before printing its port/.test(e.message) &&
                /missing configuration file policy\.json/.test(e.message),
        );
    });

    it("leaves no process behind after close", async () => {
        const pack = await PolicyPackClient.launch({ packDir: path.join(PACKS, "echo"), stack: STACK });
        const pid = pack.pid;
        await pack.close();
        assert.equal(alive(pid), false);
        await assert.rejects(pack.analyze({ type: "t", name: "n", urn: "u", properties: {} }), /closed/);
    });
});

describe("engine harness: the real policy pack over gRPC", () => {
    let pack: PolicyPackClient;
    before(async () => {
        assertPackBuilt();
        pack = await PolicyPackClient.launch({ packDir: REAL_PACK, stack: STACK });
    });
    after(async () => {
        await pack?.close();
    });
    afterEach(async () => {
        await pack.configure({});
    });

    const keyPolicy = (policy: JsonValue): AnalyzerResource => ({
        type: KEY_POLICY,
        name: "kp",
        urn: `urn:pulumi:dev::engine-test::${KEY_POLICY}::kp`,
        properties: { keyId: KEY_ARN, policy },
    });
    const unbound = JSON.stringify(
        doc(rootStatement(), serviceWith({ StringEquals: { "kms:EncryptionContext:applicationId": APP_ID } })),
    );

    it("GetAnalyzerInfo lists every policy of the pack with its declared level", () => {
        assert.equal(pack.info.name, POLICY_PACK_NAME);
        const declared = policies.map((p) => [p.name, p.enforcementLevel ?? "advisory"]).sort();
        assert.deepEqual(pack.info.policies.map((p) => [p.name, p.enforcementLevel]).sort(), declared);
        assert.ok(pack.info.policies.filter((p) => p.enforcementLevel === "mandatory").length >= 4);
    });

    it("Analyze of a key policy with an unbound service grant is a mandatory violation; the guide's policy passes", async () => {
        const ds = await pack.analyze(keyPolicy(unbound));
        assert.ok(names(ds, "mandatory").includes("enforce-emr-serverless-service-conditions"), JSON.stringify(ds));
        assert.deepEqual(names(await pack.analyze(keyPolicy(JSON.stringify(guidePolicy()))), "mandatory"), []);
    });

    it("a --policy-pack-config file changes a level (mandatory -> advisory)", async () => {
        await pack.configure({ "enforce-emr-serverless-service-conditions": { enforcementLevel: "advisory" } });
        const ds = await pack.analyze(keyPolicy(unbound));
        assert.equal(names(ds, "mandatory").includes("enforce-emr-serverless-service-conditions"), false);
        assert.ok(names(ds, "advisory").includes("enforce-emr-serverless-service-conditions"));
    });

    it("unknown values become notes, not violations", async () => {
        const ds = await pack.analyze(keyPolicy(UNKNOWN.string));
        assert.deepEqual(names(ds, "mandatory"), []);
        assert.ok(notes(ds).length > 0, JSON.stringify(ds));
        assert.ok(ds.every((d) => d.enforcementLevel === "advisory"));
    });

    it("secrets arrive decoded: a secret key policy is judged like a plain one", async () => {
        const ds = await pack.analyze(keyPolicy(secret(unbound)));
        assert.ok(names(ds, "mandatory").includes("enforce-emr-serverless-service-conditions"), JSON.stringify(ds));
        assert.deepEqual(names(await pack.analyze(keyPolicy(secret(JSON.stringify(guidePolicy())))), "mandatory"), []);
    });

    it("AnalyzeStack ties a setting to an asymmetric key through propertyDependencies and blocks it", async () => {
        const keyUrn = `urn:pulumi:dev::engine-test::${KEY}::k`;
        const stack = (spec: string): AnalyzerStackResource[] => [
            {
                type: KEY,
                name: "k",
                urn: keyUrn,
                properties: {
                    ...(awsKeyProps(undefined) as PropertyMap),
                    customerMasterKeySpec: spec,
                    keyUsage: "ENCRYPT_DECRYPT",
                    arn: UNKNOWN.string,
                    keyId: UNKNOWN.string,
                },
            },
            {
                type: SETTING,
                name: "s",
                urn: `urn:pulumi:dev::engine-test::${SETTING}::s`,
                properties: { applicationId: UNKNOWN.string, encryptionKeyArn: UNKNOWN.string, region: REGION },
                dependencies: [keyUrn],
                propertyDependencies: { encryptionKeyArn: [keyUrn] },
            },
        ];
        const blocked = await pack.analyzeStack(stack("RSA_2048"));
        assert.ok(
            names(blocked, "mandatory").includes("disallow-asymmetric-emr-serverless-keys"),
            JSON.stringify(blocked),
        );
        const fine = await pack.analyzeStack(stack("SYMMETRIC_DEFAULT"));
        assert.equal(
            names(fine, "mandatory").includes("disallow-asymmetric-emr-serverless-keys"),
            false,
            JSON.stringify(fine),
        );
    });
});
