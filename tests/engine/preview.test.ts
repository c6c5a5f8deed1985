/**
 * The offline preview end to end (the command spawned as CI would run it), and the component's full state
 * judged by its own pack, then mutated one weakening at a time.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PolicyPackClient } from "../../engine/analyzer";
import type { Diagnostic } from "../../engine/analyzerTypes";
import type { JsonValue } from "../../engine/policyConfig";
import type { EngineResource } from "../../engine/engineView";
import { analyzeView, runPreview } from "../../engine/preview";
import { captureProgram } from "../../engine/programRun";
import { formatReport } from "../../engine/textReport";
import type { JsonReport } from "../../engine/jsonReport";
import { assertPackBuilt, limited, preview, REAL_PACK, ROOT, type Run } from "./support";

const EXISTING = path.join(__dirname, "programs", "existing-key");

const mandatory = (ds: readonly Diagnostic[]): string[] =>
    [...new Set(ds.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.policyName))].sort();

describe("offline preview: the command end to end", function () {
    this.timeout(120_000);
    let runs: Record<"root" | "rootUnknowns" | "bad" | "symmetric" | "asymmetric" | "noFixture", Promise<Run>>;

    before(() => {
        assertPackBuilt();
        const [root, rootUnknowns, bad, symmetric, asymmetric, noFixture] = limited(2, [
            () => preview(["--account-id", "111122223333", "--json"]),
            () => preview(["--unknowns"]),
            () => preview(["--program", "examples/insecure-key"]),
            () =>
                preview(["--program", EXISTING, "--invokes", path.join(EXISTING, "symmetric.invokes.json"), "--json"]),
            () => preview(["--program", EXISTING, "--invokes", path.join(EXISTING, "asymmetric.invokes.json")]),
            () => preview(["--program", EXISTING]),
        ]);
        runs = { root, rootUnknowns, bad, symmetric, asymmetric, noFixture };
        // Avoid unhandled rejections for runs a failing test never awaits.
        for (const r of Object.values(runs)) {
            r.catch(() => undefined);
        }
    });

    it("the root example passes with no diagnostic at all (exit 0), judged as if created, the component's resources planned", async () => {
        const r = await runs.root;
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const report = JSON.parse(r.stdout) as JsonReport;
        assert.deepEqual(report.diagnostics, [], 'no violation, and no "can\'t run policy" note');
        assert.equal(report.mode, "placeholders");
        assert.equal(report.asIfCreated, true);
        const types = report.steps.map((s) => s.type);
        for (const t of [
            "pulumi:pulumi:Stack",
            "aws:kms/key:Key",
            "aws:kms/keyPolicy:KeyPolicy",
            "aws:emrserverless/application:Application",
            "emr-serverless-disk-encryption:index:ApplicationDiskEncryption",
        ]) {
            assert.ok(types.includes(t), `${t} missing from the plan: ${types.join(", ")}`);
        }
        const setting = report.steps.find(
            (s) => s.type === "emr-serverless-disk-encryption:index:ApplicationDiskEncryption",
        );
        assert.equal(setting && "__provider" in setting.inputs, false, "__provider is not part of the plan");
        const key = report.steps.find((s) => s.type === "aws:kms/key:Key");
        assert.deepEqual(
            setting?.inputs["encryptionKeyArn"],
            report.placeholders.find((p) => p.of === `${key?.urn}#arn`),
            "the setting's key ARN is the created key's placeholder ARN, marked as one",
        );
    });

    it("with --unknowns the root example's computed outputs are unknown: it passes (exit 0) with can't-run notes only", async () => {
        const r = await runs.rootUnknowns;
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /Computed outputs are unknown, as in pulumi preview/);
        assert.match(
            r.stdout,
            /- \[advisory\]\s+enforce-emr-serverless-service-conditions\s+\(aws:kms\/keyPolicy:KeyPolicy/,
        );
        assert.match(r.stdout, /can't run policy 'enforce-emr-serverless-service-conditions' .* during preview/);
        assert.doesNotMatch(r.stdout, /\[mandatory\]/);
        assert.doesNotMatch(r.stdout, /Placeholders:/);
        assert.match(r.stdout, /Preview passed: no mandatory policy violation, \d+ advisory \(exit code 0\)/);
    });

    it("the deliberately wrong example is blocked (exit 1) with the expected mandatory violations", async () => {
        const r = await runs.bad;
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /Policies:\n\s+❌ emr-serverless-disk-encryption@v/);
        assert.match(
            r.stdout,
            /- \[mandatory\]\s+disallow-asymmetric-emr-serverless-keys\s+\(aws:kms\/key:Key: insecure-key\)/,
        );
        assert.match(r.stdout, /- \[mandatory\]\s+enforce-emr-serverless-service-conditions/);
        assert.match(r.stdout, /RSA_2048/);
        assert.match(r.stdout, /\+\s+├─ aws:kms\/key:Key\s+insecure-key\s+create/);
        assert.match(r.stdout, /error: preview failed: \d+ mandatory policy violation/);
    });

    it("the component with an existing symmetric key (invokes fixture) passes (exit 0)", async () => {
        const r = await runs.symmetric;
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const report = JSON.parse(r.stdout) as JsonReport;
        assert.deepEqual(report.diagnostics, [], "no violation and no note");
        const existing = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        const setting = report.steps.find(
            (s) => s.type === "emr-serverless-disk-encryption:index:ApplicationDiskEncryption",
        );
        assert.equal(
            setting?.inputs["encryptionKeyArn"],
            existing,
            "the existing key's ARN is real, not a placeholder",
        );
        const app = report.steps.find((s) => s.type === "aws:emrserverless/application:Application");
        assert.deepEqual(
            setting?.inputs["applicationId"],
            report.placeholders.find((p) => p.of === `${app?.urn}#id`),
            "the new application's id is a placeholder",
        );
        assert.ok(report.invokes.some((i) => i.token === "aws:kms/getKey:getKey" && i.source === "fixture"));
        assert.equal(
            report.steps.some((s) => s.type === "aws:kms/key:Key"),
            false,
            "no key is created for an existing key",
        );
    });

    it("the component with an existing asymmetric key (fixture) is refused with the component's error (exit 2)", async () => {
        const r = await runs.asymmetric;
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(
            r.stdout,
            /existingKeyArn "arn:aws:kms:us-east-1:111122223333:key\/1234abcd-12ab-34cd-56ef-1234567890ab" has key spec RSA_2048/,
        );
        assert.equal(r.stdout.includes("Policies:"), false, "no policy run after a program error");
    });

    it("without a fixture, the preview names the invoke it could not answer and how to record it (exit 2)", async () => {
        const r = await runs.noFixture;
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(
            r.stdout,
            /cannot answer aws:kms\/getKey:getKey\(\{"keyId":"arn:aws:kms:us-east-1:111122223333:key\/1234abcd-12ab-34cd-56ef-1234567890ab"\}\)/,
        );
        assert.match(r.stdout, /--invokes FILE/);
        assert.match(r.stdout, /"token": "aws:kms\/getKey:getKey"/);
    });

    it("refuses unknown flags with a usage message on stderr, nothing on stdout (exit 2)", async () => {
        const r = await preview(["--frobnicate"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown option "--frobnicate"/);
        assert.match(r.stderr, /--policy-pack-config FILE/);
        assert.equal(r.stdout, "");
    });

    for (const flag of ["--help", "-h"]) {
        it(`${flag} prints the usage on stdout, nothing on stderr, and runs nothing (exit 0)`, async () => {
            const r = await preview(["--program", "/nonexistent", flag]);
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^usage: npm run preview:offline -- \[options\]/);
            assert.match(r.stdout, /--unknowns/);
            assert.match(r.stdout, /\{"\$placeholder": \.\.\., "of": "<urn>#<property>"\}/);
            assert.equal(r.stderr, "");
        });
    }
});

describe("offline preview: the component's full state against its own pack", function () {
    this.timeout(120_000);
    let pack: PolicyPackClient;
    let view: EngineResource[];

    before(async () => {
        assertPackBuilt();
        const [captured, launched] = await Promise.all([
            captureProgram({ programDir: ROOT, accountId: "111122223333" }),
            PolicyPackClient.launch({
                packDir: REAL_PACK,
                stack: {
                    project: "emr-serverless-encrypted",
                    stack: "example",
                    dryRun: false,
                    config: { "aws:region": "us-east-1" },
                },
            }),
        ]);
        pack = launched;
        assert.equal(captured.result.error, undefined, captured.result.error);
        view = captured.view;
    });
    after(async () => {
        await pack?.close();
    });

    /** A deep copy of the view with `edit` applied to the inputs and outputs of every resource of `type`. */
    function mutate(type: string, edit: (props: Record<string, JsonValue>) => void): EngineResource[] {
        const copy = JSON.parse(JSON.stringify(view)) as EngineResource[];
        const targets = copy.filter((r) => r.type === type);
        assert.ok(targets.length > 0, `no ${type} in the component's output`);
        for (const r of targets) {
            edit(r.inputs);
            edit(r.properties);
        }
        return copy;
    }

    function editServiceStatement(
        props: Record<string, JsonValue>,
        edit: (condition: Record<string, Record<string, JsonValue>>) => void,
    ): void {
        const document = JSON.parse(props["policy"] as string) as {
            Statement: { Principal?: { Service?: string }; Condition?: Record<string, Record<string, JsonValue>> }[];
        };
        const service = document.Statement.find((s) => s.Principal?.Service === "emr-serverless.amazonaws.com");
        assert.ok(service?.Condition, "the component's key policy has a conditioned service statement");
        edit(service.Condition);
        props["policy"] = JSON.stringify(document);
    }

    it("passes with no mandatory violation", async () => {
        const ds = await analyzeView(pack, view);
        assert.deepEqual(mandatory(ds), [], ds.map((d) => `${d.policyName}: ${d.message}`).join("\n"));
        assert.ok(view.some((r) => r.type === "aws:kms/keyPolicy:KeyPolicy"));
    });

    for (const conditionKey of ["aws:SourceArn", "aws:SourceAccount", "kms:EncryptionContext:applicationId"]) {
        it(`is blocked when the service statement loses its ${conditionKey} condition`, async () => {
            const mutated = mutate("aws:kms/keyPolicy:KeyPolicy", (props) =>
                editServiceStatement(props, (condition) => {
                    let removed = false;
                    for (const operator of Object.keys(condition)) {
                        if (conditionKey in condition[operator]) {
                            delete condition[operator][conditionKey];
                            removed = true;
                        }
                        if (Object.keys(condition[operator]).length === 0) {
                            delete condition[operator];
                        }
                    }
                    assert.ok(removed, `the component binds ${conditionKey}`);
                }),
            );
            const ds = await analyzeView(pack, mutated);
            assert.ok(
                mandatory(ds).includes("enforce-emr-serverless-service-conditions"),
                JSON.stringify(mandatory(ds)),
            );
        });
    }

    it("is blocked when the key is switched to an asymmetric spec", async () => {
        const mutated = mutate("aws:kms/key:Key", (props) => {
            props["customerMasterKeySpec"] = "RSA_2048";
        });
        const ds = await analyzeView(pack, mutated);
        assert.ok(mandatory(ds).includes("disallow-asymmetric-emr-serverless-keys"), JSON.stringify(mandatory(ds)));
    });

    it("is blocked when the encryption context gets more than eight entries", async () => {
        const mutated = mutate("emr-serverless-disk-encryption:index:ApplicationDiskEncryption", (props) => {
            const context = { ...((props["encryptionContext"] ?? {}) as Record<string, JsonValue>) };
            for (let i = 0; Object.keys(context).length < 9; i++) {
                context[`extra${i}`] = `value${i}`;
            }
            props["encryptionContext"] = context;
        });
        const ds = await analyzeView(pack, mutated);
        assert.ok(mandatory(ds).includes("enforce-disk-encryption-setting-limits"), JSON.stringify(mandatory(ds)));
    });

    it("--policy-pack-config can turn the wrong example's blocking policies advisory (in-process, reused pack)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-test-"));
        const file = path.join(dir, "policy-config.json");
        fs.writeFileSync(
            file,
            JSON.stringify({
                "disallow-asymmetric-emr-serverless-keys": "advisory",
                "enforce-emr-serverless-service-conditions": { enforcementLevel: "advisory" },
            }),
        );
        try {
            const report = await runPreview(
                {
                    programDir: path.join(ROOT, "examples", "insecure-key"),
                    packDir: REAL_PACK,
                    policyPackConfigFile: file,
                },
                pack,
            );
            assert.equal(report.exitCode, 0, JSON.stringify(mandatory(report.diagnostics)));
            assert.ok(
                report.diagnostics.some(
                    (d) =>
                        d.policyName === "disallow-asymmetric-emr-serverless-keys" && d.enforcementLevel === "advisory",
                ),
            );
            assert.deepEqual(report.warnings, [], "both names are policies of the pack");
        } finally {
            await pack.configure({});
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("warns about a --policy-pack-config entry that names no policy of the pack (a typo changes nothing)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "engine-test-"));
        const file = path.join(dir, "policy-config.json");
        fs.writeFileSync(file, JSON.stringify({ all: "mandatory", "disallow-asymetric-keys": "mandatory" }));
        try {
            const report = await runPreview(
                {
                    programDir: path.join(ROOT, "examples", "insecure-key"),
                    packDir: REAL_PACK,
                    policyPackConfigFile: file,
                },
                pack,
            );
            assert.equal(report.warnings.length, 1, report.warnings.join("\n"));
            assert.match(report.warnings[0], /"disallow-asymetric-keys" is not a policy of this pack/);
            assert.match(report.warnings[0], /disallow-asymmetric-emr-serverless-keys/, "lists the real names");
            assert.match(formatReport(report), /^warning: .*disallow-asymetric-keys/m);
            assert.equal(report.exitCode, 1, "the warning changes no verdict");
        } finally {
            await pack.configure({});
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
