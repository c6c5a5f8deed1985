/**
 * The offline preview against what `pulumi preview` does: secret provider config, programs without a tsconfig,
 * the Remediate pass, computed outputs at preview, and dynamic providers' check.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hasMandatory, PolicyPackClient } from "../../engine/analyzer";
import type { AnalyzerResource } from "../../engine/analyzerTypes";
import { engineView, KNOWN_COMPUTED_OUTPUTS, stackUrn } from "../../engine/engineView";
import { analyzeWithRemediation } from "../../engine/policyPasses";
import { runPreview } from "../../engine/preview";
import { EXIT } from "../../engine/previewReport";
import { formatReport } from "../../engine/textReport";
import type { RecordedResource } from "../../engine/previewTypes";
import { isSecret, isUnknown, type PropertyMap, UNKNOWN } from "../../engine/properties";
import { assertPackBuilt, REAL_PACK, ROOT } from "./support";

const ECHO_PACK = path.join(__dirname, "packs", "echo");
const REMEDIATE_PACK = path.join(__dirname, "packs", "remediate");
const SECRET = "SUPERSECRETxyz";
const ACCESS_KEY = "AKIAOFFLINEPREVIEW01";

function recorded(
    type: string,
    name: string,
    inputs: PropertyMap,
    extra: Partial<RecordedResource> = {},
): RecordedResource {
    return {
        urn: `urn:pulumi:dev::proj::${type}::${name}`,
        type,
        name,
        custom: true,
        parent: "",
        inputs,
        dependencies: [],
        propertyDependencies: {},
        provider: "",
        version: "",
        protect: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        ...extra,
    };
}

describe("offline preview: secret provider config", function () {
    this.timeout(120_000);

    it("wraps secret config keys as secrets in the default provider's inputs, leaves the others plain", () => {
        const view = engineView(
            "proj",
            "dev",
            { "aws:region": "us-east-1", "aws:secretKey": SECRET },
            { resources: [recorded("aws:kms/key:Key", "k", {})], stackOutputs: {} },
            ["aws:secretKey"],
        );
        const provider = view.find((r) => r.defaultProvider);
        assert.ok(provider, "a default aws provider is added");
        const value = provider.inputs["secretKey"];
        assert.ok(isSecret(value), `secretKey is sent as a secret, got ${JSON.stringify(value)}`);
        assert.equal(value.value, SECRET);
        assert.equal(provider.inputs["region"], "us-east-1");
        const key = view.find((r) => r.type === "aws:kms/key:Key");
        assert.ok(key?.provider && isSecret(key.provider.properties["secretKey"]), "Analyze's provider carries it too");
    });

    it("neither the text nor the JSON report contains the value; the pack receives it as a secret", async () => {
        assertPackBuilt();
        const pack = await PolicyPackClient.launch({
            packDir: REAL_PACK,
            stack: { project: "emr-serverless-encrypted", stack: "example", dryRun: true },
        });
        const sent: AnalyzerResource[] = [];
        const analyze = pack.analyze.bind(pack);
        pack.analyze = (r: AnalyzerResource) => {
            sent.push(r);
            return analyze(r);
        };
        try {
            const report = await runPreview(
                {
                    programDir: ROOT,
                    packDir: REAL_PACK,
                    accountId: "111122223333",
                    // The setting's provider must act as the same identity: the same key pair, in its own config.
                    secretConfig: [
                        `aws:accessKey=${ACCESS_KEY}`,
                        `aws:secretKey=${SECRET}`,
                        `emr-serverless-disk-encryption:accessKey=${ACCESS_KEY}`,
                        `emr-serverless-disk-encryption:secretKey=${SECRET}`,
                    ],
                },
                pack,
            );
            assert.equal(report.exitCode, EXIT.ok, report.programError ?? JSON.stringify(report.diagnostics));
            assert.equal(JSON.stringify(report).includes(SECRET), false, "the JSON report leaks the secret");
            assert.equal(formatReport(report).includes(SECRET), false, "the text report leaks the secret");
            const withProvider = sent.filter((r) => r.provider?.type === "pulumi:providers:aws");
            assert.ok(withProvider.length > 0, "aws resources were analyzed with their provider");
            for (const r of withProvider) {
                const v = r.provider?.properties["secretKey"];
                assert.ok(isSecret(v) && v.value === SECRET, `${r.urn}: provider secretKey ${JSON.stringify(v)}`);
            }
            assert.deepEqual(report.checkFailures, [], "the component's own setting passes its provider's check");
        } finally {
            await pack.close();
        }
    });
});

describe("offline preview: programs outside the repository", function () {
    this.timeout(120_000);
    let dir: string;
    let pack: PolicyPackClient;

    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "offline-preview-program-"));
        pack = await PolicyPackClient.launch({
            packDir: ECHO_PACK,
            stack: { project: "p", stack: "dev", dryRun: true },
        });
    });
    after(async () => {
        await pack?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    /** A project in a temp dir (no tsconfig above it) with its dependencies installed (linked). */
    function program(name: string, files: Record<string, string>): string {
        const p = path.join(dir, name);
        fs.mkdirSync(p);
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(p, "node_modules"), "dir");
        for (const [f, text] of Object.entries(files)) {
            fs.writeFileSync(path.join(p, f), text);
        }
        return p;
    }

    // A subclass (CustomResource is abstract: TypeScript programs are type-checked, as the language host does), valid
    // as JavaScript and as strict TypeScript.
    // Type checking (the language host's default) is tested in programs.test.ts; here, the compile options.
    const TRANSPILE_ONLY = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
    const resource =
        `class Thing extends pulumi.CustomResource {\n` +
        `    constructor(name = "thing") {\n` +
        `        super("test:index:Thing", name, { size: 3 });\n` +
        `    }\n` +
        `}\n` +
        `new Thing("thing");\n`;

    for (const [label, files] of [
        [
            "a JavaScript program",
            {
                "Pulumi.yaml": "name: js-prog\nruntime: nodejs\n",
                "index.js": `const pulumi = require("@pulumi/pulumi");\n${resource}`,
            },
        ],
        [
            "a TypeScript program with no tsconfig.json (the language host's default options)",
            {
                "Pulumi.yaml": "name: ts-prog\nruntime: nodejs\nmain: index.ts\n",
                "index.ts": `import * as pulumi from "@pulumi/pulumi";\nconst n: number = 3;\n${resource}export const size = n;\n`,
            },
        ],
    ] as const) {
        it(`previews ${label} (exit 0, its resource planned)`, async () => {
            const p = program(label.split(" ")[1], files);
            assert.equal(fs.existsSync(path.join(p, "tsconfig.json")), false);
            const report = await runPreview({ programDir: p, packDir: ECHO_PACK, programEnv: TRANSPILE_ONLY }, pack);
            assert.equal(report.programError, undefined, report.programError);
            assert.equal(report.exitCode, EXIT.ok);
            assert.ok(report.steps.some((s) => s.type === "test:index:Thing"));
        });
    }

    it("compiles a TypeScript program with its own tsconfig.json when it has one", async () => {
        const p = program("commonjs-tsconfig", {
            "Pulumi.yaml": "name: tsc-prog\nruntime: nodejs\nmain: index.ts\n",
            "tsconfig.json": JSON.stringify({ compilerOptions: { module: "commonjs", moduleResolution: "node" } }),
            "index.ts": `import * as pulumi from "@pulumi/pulumi";\n${resource}`,
        });
        const report = await runPreview({ programDir: p, packDir: ECHO_PACK, programEnv: TRANSPILE_ONLY }, pack);
        assert.equal(report.programError, undefined, report.programError);
        assert.equal(report.exitCode, EXIT.ok);
    });

    it("applies the tsconfig's options over the host's defaults, as pulumi does (module ES2015 + nodenext: TS5110)", async () => {
        const p = program("own-tsconfig", {
            "Pulumi.yaml": "name: tsc-prog\nruntime: nodejs\nmain: index.ts\n",
            // noCheck: transpile-only (the host's switch), where TypeScript reports the options' conflict.
            "tsconfig.json": JSON.stringify({ compilerOptions: { module: "ES2015", target: "ES2020", noCheck: true } }),
            "index.ts": `import * as pulumi from "@pulumi/pulumi";\n${resource}`,
        });
        const report = await runPreview({ programDir: p, packDir: ECHO_PACK }, pack);
        assert.equal(report.exitCode, EXIT.error);
        assert.match(report.programError ?? "", /TS5110: Option 'module' must be set to 'NodeNext'/);
    });
});

describe("offline preview: the Remediate pass", function () {
    this.timeout(60_000);
    let pack: PolicyPackClient;

    before(async () => {
        pack = await PolicyPackClient.launch({
            packDir: REMEDIATE_PACK,
            stack: { project: "proj", stack: "dev", dryRun: true },
        });
    });
    after(async () => {
        await pack?.close();
    });

    const view = (): ReturnType<typeof engineView> =>
        engineView(
            "proj",
            "dev",
            {},
            {
                resources: [
                    recorded("test:index:Thing", "thing", { bad: true, size: 3 }),
                    recorded("test:index:Unknowable", "later", { later: UNKNOWN.string }),
                ],
                stackOutputs: {},
            },
        );

    it("runs Remediate before Analyze, which (and AnalyzeStack) sees the remediated inputs", async () => {
        const result = await analyzeWithRemediation(pack, view());
        assert.equal(hasMandatory(result.diagnostics), false, JSON.stringify(result.diagnostics, null, 1));
        assert.deepEqual(
            result.remediations.map((m) => [m.policyName, m.urn, m.changedKeys]),
            [["fix-thing", "urn:pulumi:dev::proj::test:index:Thing::thing", ["bad", "fixed"]]],
        );
        const thing = result.view.find((r) => r.type === "test:index:Thing");
        assert.deepEqual(thing?.inputs, { size: 3, fixed: true });
        const stack = result.diagnostics.find((d) => d.policyName === "stack-sees");
        assert.deepEqual(JSON.parse(stack?.message.split("\n").pop() ?? "{}"), { fixed: true, hasBad: false });
    });

    it("reports a remediation that cannot run at preview as advisory, and lists remediations under Policies", async () => {
        const result = await analyzeWithRemediation(pack, view());
        const cannot = result.diagnostics.find((d) => d.urn.endsWith("test:index:Unknowable::later"));
        assert.equal(cannot?.enforcementLevel, "advisory");
        assert.match(cannot?.message ?? "", /can't run remediation 'fix-thing'/);
        const text = formatReport({
            project: "proj",
            stack: "dev",
            mode: "unknowns",
            placeholders: [],
            steps: result.view.map((r) => ({
                op: r.op,
                urn: r.urn,
                type: r.type,
                name: r.name,
                parent: r.urn === stackUrn("proj", "dev") ? "" : (r.parent ?? ""),
                custom: r.custom,
                inputs: r.inputs,
            })),
            policyPack: { name: pack.info.name, version: pack.info.version, dir: REMEDIATE_PACK },
            diagnostics: result.diagnostics,
            remediations: result.remediations,
            checkFailures: [],
            unanswered: [],
            invokes: [],
            exitCode: EXIT.ok,
            timings: { programMs: 0 },
            warnings: [],
        });
        assert.match(
            text,
            /- \[remediated\]\s+fix-thing\s+\(test:index:Thing: thing\)\n\s+Sets fixed=true and drops bad\.\n\s+changed: bad, fixed/,
        );
        assert.match(text, /✅ engine-test-remediate@v0\.0\.1/);
    });

    it("a remediate-level violation that remains after remediation is reported as mandatory", async () => {
        const stubborn = engineView(
            "proj",
            "dev",
            {},
            {
                resources: [recorded("test:index:Stubborn", "s", { bad: true })],
                stackOutputs: {},
            },
        );
        const result = await analyzeWithRemediation(pack, stubborn);
        const d = result.diagnostics.find((x) => x.policyName === "fix-thing");
        assert.equal(d?.enforcementLevel, "mandatory");
        assert.deepEqual(result.remediations, []);
    });
});

describe("offline preview --unknowns: computed outputs at preview", () => {
    const outputs = (type: string, inputs: PropertyMap): PropertyMap => {
        const view = engineView("proj", "dev", {}, { resources: [recorded(type, "r", inputs)], stackOutputs: {} });
        const r = view.find((v) => v.type === type);
        assert.ok(r);
        return r.properties;
    };

    it("marks a created key's arn, keyId and id unknown", () => {
        const props = outputs("aws:kms/key:Key", { description: "d" });
        for (const k of ["arn", "keyId", "id"]) {
            assert.ok(isUnknown(props[k]), `${k}: ${JSON.stringify(props[k])}`);
        }
        assert.equal(props["description"], "d");
    });

    it("marks the table's outputs for every listed type, and keeps what the program set", () => {
        for (const [type, keys] of Object.entries(KNOWN_COMPUTED_OUTPUTS)) {
            const props = outputs(type, {});
            for (const k of keys) {
                assert.ok(isUnknown(props[k]), `${type}.${k}`);
            }
        }
        assert.equal(outputs("aws:iam/role:Role", { arn: "given" })["arn"], "given");
    });

    it("adds nothing but the id for a type outside the table", () => {
        assert.deepEqual(outputs("aws:s3/bucket:Bucket", { x: 1 }), { x: 1, id: UNKNOWN.string });
    });
});

describe("offline preview: providers' checks", function () {
    this.timeout(120_000);

    const preview = async (program: string) => {
        const pack = await PolicyPackClient.launch({
            packDir: ECHO_PACK,
            stack: { project: program, stack: "dev", dryRun: true },
        });
        try {
            return await runPreview(
                { programDir: path.join(__dirname, "programs", program), packDir: ECHO_PACK },
                pack,
            );
        } finally {
            await pack.close();
        }
    };

    it("runs the provider plugin's Check of the setting: an alias key ARN is an error naming the property (exit 2)", async () => {
        const report = await preview("setting-check");
        assert.equal(report.programError, undefined, report.programError);
        assert.equal(report.exitCode, EXIT.error);
        const f = report.checkFailures.find((c) => c.property === "encryptionKeyArn");
        assert.ok(f, JSON.stringify(report.checkFailures));
        assert.equal(f.type, "emr-serverless-disk-encryption:index:ApplicationDiskEncryption");
        const text = formatReport(report);
        assert.match(
            text,
            /error: emr-serverless-disk-encryption:index:ApplicationDiskEncryption resource 'setting's property 'encryptionKeyArn' value "arn:aws:kms:us-east-1:111122223333:alias\/my-key" has a problem: .*alias/i,
        );
        assert.match(text, /failed their provider's check.*\(exit code 2\)/);
    });

    it("runs a dynamic resource's serialized check: its refusal is an error naming the property (exit 2)", async () => {
        const report = await preview("dynamic-check");
        assert.equal(report.programError, undefined, report.programError);
        assert.equal(report.exitCode, EXIT.error);
        assert.deepEqual(
            report.checkFailures.map((c) => [c.type, c.property, c.reason]),
            [["pulumi-nodejs:dynamic/test:Sized", "size", "size 11 is above 10"]],
        );
    });
});
