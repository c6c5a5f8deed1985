/**
 * A new stack judged completely: values that exist only once created are placeholders, so key policies built from
 * them are judged as if created, with the verdict the real values would get; `--unknowns` keeps the CLI's view.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import type { JsonReport, MarkedValue, PlaceholderMarker } from "../../engine/jsonReport";
import { assertPackBuilt, limited, preview, type Run } from "./support";

const PROGRAMS = path.join(__dirname, "programs");
const BINDING = path.join(PROGRAMS, "key-policy-binding");
const DERIVED = path.join(PROGRAMS, "derived-values");

const BOUND = ["nested", "interpolated", "split", "secret", "provider"];
const UNBOUND = ["uppercased", "sliced", "crossed"];

describe("offline preview: a new stack judged as if created", function () {
    this.timeout(240_000);
    let runs: Record<"bound" | "wildcard" | "wildcardUnknowns" | "derived", Promise<Run>>;

    before(() => {
        assertPackBuilt();
        const [bound, wildcard, wildcardUnknowns, derived] = limited(2, [
            () => preview(["--program", BINDING]),
            () => preview(["--program", BINDING, "--config", "binding=wildcard"]),
            () => preview(["--program", BINDING, "--config", "binding=wildcard", "--unknowns"]),
            () => preview(["--program", DERIVED, "--json"]),
        ]);
        runs = { bound, wildcard, wildcardUnknowns, derived };
        for (const r of Object.values(runs)) {
            r.catch(() => undefined);
        }
    });

    it("a hand-written key policy bound to the new application's ARN and id passes, with no note at all", async () => {
        const r = await runs.bound;
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /Policies:\n\s+✅ emr-serverless-disk-encryption@v\S+ \(local: .*\)\n\nResources:/);
        assert.match(r.stdout, /Preview passed: no mandatory policy violation, 0 advisory, judged as if created/);
        assert.match(
            r.stdout,
            /aws:emrserverless\/application:Application 'etl' arn = arn:aws:emr-serverless:us-east-1:111122223333:\/applications\/00[0-9a-z]{14}\n/,
            "the placeholders are listed, in the stack's region and account",
        );
    });

    it("an invoke given a placeholder (reading the new key back) returns unknown, as in pulumi preview, and says so", async () => {
        const r = await runs.bound;
        assert.match(r.stdout, /warning: 1 invoke\(s\) received placeholders \(\S+aws:kms\/key:Key::disks#arn\)/);
        assert.doesNotMatch(r.stdout, /cannot answer/, "no fixture is asked for a key that does not exist yet");
    });

    it("aws:SourceArn = arn:aws:emr-serverless:*:*:/applications/* next to the application's id is blocked (exit 1)", async () => {
        const r = await runs.wildcard;
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(
            r.stdout,
            /- \[mandatory\]\s+enforce-emr-serverless-service-conditions\s+\(aws:kms\/keyPolicy:KeyPolicy: disks-policy\)/,
        );
        assert.match(r.stdout, /without binding aws:SourceArn to one value/);
        assert.match(
            r.stdout,
            /error: preview failed: 1 mandatory policy violation\(s\), 0 advisory, judged as if created/,
        );
    });

    it("with --unknowns the same program passes with only a can't-run note: the CLI's view of a new stack", async () => {
        const r = await runs.wildcardUnknowns;
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /- \[advisory\]\s+enforce-emr-serverless-service-conditions/);
        assert.match(r.stdout, /can't run policy .* during preview: string value at \.policy can't be known/);
        assert.match(r.stdout, /drop --unknowns to judge them with placeholders/);
    });

    describe("key policies built from outputs the ways programs do", () => {
        let report: JsonReport;
        const policyOf = (c: string): string => `${c}-policy`;

        before(async () => {
            const r = await runs.derived;
            assert.equal(r.code, 1, r.stdout + r.stderr);
            report = JSON.parse(r.stdout) as JsonReport;
            assert.equal(report.programError, undefined, report.programError);
        });

        /** A case's resources are named `<case>-key`, `-app`, `-policy` and `-disks`. */
        const caseOf = (urn: string): string => (urn.split("::").pop() ?? "").replace(/-(key|app|policy|disks)$/, "");
        const diagnosticsOf = (c: string) => report.diagnostics.filter((d) => caseOf(d.urn) === c);

        for (const c of BOUND) {
            it(`"${c}": bound to its application, no diagnostic`, () => {
                assert.ok(
                    report.steps.some((s) => s.name === policyOf(c)),
                    `${c} is in the program`,
                );
                assert.deepEqual(diagnosticsOf(c), []);
            });
        }

        for (const c of UNBOUND) {
            it(`"${c}": not bound to its application, a mandatory violation`, () => {
                const ds = diagnosticsOf(c);
                assert.ok(
                    ds.some(
                        (d) =>
                            d.policyName === "enforce-emr-serverless-service-conditions" &&
                            d.enforcementLevel === "mandatory",
                    ),
                    JSON.stringify(ds, null, 1),
                );
            });
        }

        it("only those three are blocked, and no policy noted it could not run", () => {
            const blocked = new Set(
                report.diagnostics.filter((d) => d.enforcementLevel === "mandatory").map((d) => caseOf(d.urn)),
            );
            assert.deepEqual([...blocked].sort(), [...UNBOUND].sort());
            assert.equal(
                report.diagnostics.some((d) => /can't run/.test(d.message)),
                false,
            );
        });

        it("no two resources share a placeholder id", () => {
            const ids = report.placeholders.filter((p) => p.of.endsWith("#id")).map((p) => p.$placeholder);
            assert.ok(ids.length >= 16, `ids: ${ids.length}`);
            assert.equal(new Set(ids).size, ids.length);
        });

        it("an explicit provider's resources get ARNs in its region and account", () => {
            const arns = report.placeholders.filter((p) => /::provider-(key|app)#arn$/.test(p.of));
            assert.equal(arns.length, 2);
            for (const p of arns) {
                assert.match(p.$placeholder, /^arn:aws:(kms|emr-serverless):us-west-2:777788889999:/);
            }
            const others = report.placeholders.filter((p) => /::nested-(key|app)#arn$/.test(p.of));
            for (const p of others) {
                assert.match(p.$placeholder, /^arn:aws:(kms|emr-serverless):eu-west-1:444455556666:/);
            }
        });

        it("--json marks placeholders in inputs: whole values, and documents built from them (upper-cased too)", () => {
            const step = (name: string) => report.steps.find((s) => s.name === name);
            const app = report.placeholders.find((p) => p.of.endsWith("::uppercased-app#id"));
            assert.ok(app);
            assert.deepEqual(step("uppercased-disks")?.inputs["applicationId"], app);
            const policy = step("uppercased-policy")?.inputs["policy"] as MarkedValue & {
                $withPlaceholders: string;
                placeholders: PlaceholderMarker[];
            };
            assert.ok(policy.$withPlaceholders.includes(app.$placeholder.toUpperCase()));
            assert.ok(
                policy.placeholders.some((p) => p.of === app.of),
                "the upper-cased id is recognised as the application's",
            );
            assert.equal(step("secret-policy")?.inputs["policy"], "[secret]", "a secret document stays masked");
        });
    });
});
