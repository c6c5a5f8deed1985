import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { analyzeKeyPolicy } from "../../policypack/judge";
import { serviceKeyPolicyStatement } from "../../components/keyPolicy";
import { unwrapKeyPolicyText } from "../../audit/keyPolicyFile";
import type { AuditCheck } from "../../audit/report";
import { ACCOUNT, APP_ARN, APP_ID, FIXTURES, ROOT, runInProcess, runSpawned } from "./support";

interface Expectation {
    exitCode: number;
    failing: string[];
    warning?: string[];
}
interface ExpectedFile {
    application: string;
    cases: Record<string, { why: string; withApplication: Expectation; alone: Expectation }>;
}

const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, "expected.json"), "utf8")) as ExpectedFile;

function ids(checks: AuditCheck[], status: string): string[] {
    return [...new Set(checks.filter((c) => c.status === status).map((c) => c.id))].sort();
}

describe("audit --key-policy: held policy files", () => {
    it("has an expected verdict for every held policy file", () => {
        const files = fs
            .readdirSync(FIXTURES)
            .filter((f) => /\.(json|txt)$/.test(f) && f !== "expected.json")
            .sort();
        assert.deepEqual(files, Object.keys(expected.cases).sort());
        assert.ok(files.some((f) => f.startsWith("good-")) && files.some((f) => f.startsWith("bad-")));
    });

    for (const [file, c] of Object.entries(expected.cases)) {
        for (const [variant, exp] of [
            ["for the application", c.withApplication],
            ["alone", c.alone],
        ] as const) {
            it(`${file} ${variant}: exit ${exp.exitCode}, violations [${exp.failing.join(", ")}] (${c.why})`, async () => {
                const args = ["--key-policy", path.join(FIXTURES, file), "--json"];
                if (variant === "for the application") {
                    args.push("--application-arn", expected.application);
                }
                const r = await runInProcess(args);
                assert.equal(r.code, exp.exitCode, r.stdout + r.stderr);
                const report = JSON.parse(r.stdout) as { checks: AuditCheck[]; exitCode: number };
                assert.equal(report.exitCode, exp.exitCode);
                assert.deepEqual(ids(report.checks, "fail"), [...exp.failing].sort());
                assert.deepEqual(ids(report.checks, "warn"), [...(exp.warning ?? [])].sort());
                if (exp.exitCode === 0) {
                    assert.ok(report.checks.some((x) => x.id === "service-binding" && x.status === "pass"));
                }
            });
        }
    }

    it("reports the judge's own messages and fixes (same analysis as the policy pack)", async () => {
        const file = path.join(FIXTURES, "bad-open-grant.json");
        const r = await runInProcess(["--key-policy", file, "--application-arn", APP_ARN, "--json"]);
        const report = JSON.parse(r.stdout) as { checks: AuditCheck[] };
        const direct = analyzeKeyPolicy(fs.readFileSync(file, "utf8"), {
            region: "us-east-1",
            expectedApplication: { arn: APP_ARN, id: APP_ID, account: ACCOUNT },
        });
        assert.ok(direct.findings.length > 0);
        for (const f of direct.findings) {
            const check = report.checks.find((c) => c.id === `finding:${f.kind}` && c.message === f.message);
            assert.ok(check, `missing finding ${f.kind}: ${f.message}`);
            assert.equal(check.fix, f.fix);
        }
    });

    it('unwraps the {"Policy": "..."} wrapper of --output json, and leaves a bare document alone', () => {
        const wrapped = fs.readFileSync(path.join(FIXTURES, "good-get-key-policy-output-json.json"), "utf8");
        const bare = fs.readFileSync(path.join(FIXTURES, "good-aws-guide.json"), "utf8");
        assert.deepEqual(JSON.parse(unwrapKeyPolicyText(wrapped)), JSON.parse(bare));
        assert.equal(unwrapKeyPolicyText(bare), bare);
        // The wrapper's file may carry a byte-order mark; the policy inside it does not.
        assert.deepEqual(JSON.parse(unwrapKeyPolicyText(`\uFEFF${wrapped}`)), JSON.parse(bare));
        // A bare document keeps its byte-order mark, for the judge to refuse as the pack does.
        assert.equal(unwrapKeyPolicyText(`\uFEFF${bare}`), `\uFEFF${bare}`);
        assert.equal(unwrapKeyPolicyText("not json"), "not json");
        // A document that happens to have a Policy field next to Statement is not a wrapper.
        const odd = JSON.stringify({ Policy: "x", Statement: [] });
        assert.equal(unwrapKeyPolicyText(odd), odd);
    });

    it("prints the service statement to add, and the policy with it added passes", async () => {
        const file = path.join(FIXTURES, "bad-no-service-statement.json");
        const r = await runInProcess(["--key-policy", file, "--application-arn", APP_ARN, "--json"]);
        assert.equal(r.code, 1);
        const check = (JSON.parse(r.stdout) as { checks: AuditCheck[] }).checks.find((c) => c.id === "service-binding");
        assert.ok(check && check.status === "fail");
        const statement = serviceKeyPolicyStatement({
            applicationArn: APP_ARN,
            applicationId: APP_ID,
            accountId: ACCOUNT,
        });
        assert.deepEqual(check.statementToAdd, statement);

        const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { Statement: unknown[] };
        doc.Statement.push(check.statementToAdd);
        const fixed = await runInProcess(["--key-policy", "-", "--application-arn", APP_ARN, "--json"], {
            stdin: streamOf(JSON.stringify(doc)),
        });
        assert.equal(fixed.code, 0, fixed.stdout);
    });

    it("--strict turns advisory findings into a violation", async () => {
        const file = path.join(FIXTURES, "warn-service-overgrant.json");
        assert.equal((await runInProcess(["--key-policy", file])).code, 0);
        const strict = await runInProcess(["--key-policy", file, "--strict"]);
        assert.equal(strict.code, 1);
        assert.match(strict.stdout, /^WARN /m);
    });

    it("exits 2 with a message naming the flag for a missing file", async () => {
        const r = await runInProcess(["--key-policy", "no/such/policy.json"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /--key-policy no\/such\/policy\.json: cannot read .*ENOENT/);
        assert.match(r.stderr, /fix: .*get-key-policy/);
        assert.equal(r.stdout, "");
    });

    it("exits 2 with an error object under --json for usage errors", async () => {
        const r = await runInProcess([
            "--key-policy",
            "x.json",
            "--application-arn",
            "arn:aws:emr-serverless:us-east-1:111122223333:applications/x",
            "--json",
        ]);
        assert.equal(r.code, 2);
        const out = JSON.parse(r.stdout) as { error: { code: string; message: string }; exitCode: number };
        assert.equal(out.error.code, "usage");
        assert.match(out.error.message, /--application-arn .* is not an EMR Serverless application ARN/);
        assert.equal(out.exitCode, 2);
    });
});

describe("audit CLI as a process", function () {
    this.timeout(60000);

    it("exits 0 on the AWS guide's policy and prints a human report", async () => {
        const r = await runSpawned([
            "--key-policy",
            path.join(FIXTURES, "good-aws-guide.json"),
            "--application-arn",
            APP_ARN,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(
            r.stdout,
            /^PASS +The key policy lets emr-serverless\.amazonaws\.com use the key for application 00fabcdexample09/m,
        );
        assert.match(r.stdout, /Result: OK/);
    });

    it("exits 1 on a policy missing aws:SourceArn, naming the statement and printing the replacement", async () => {
        const r = await runSpawned([
            "--key-policy",
            path.join(FIXTURES, "bad-missing-source-arn.json"),
            "--application-arn",
            APP_ARN,
        ]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /^FAIL +Sid "AllowEmrServerlessDiskEncryption" .*aws:SourceArn/m);
        assert.match(r.stdout, /statement to use in the key policy instead of Sid "AllowEmrServerlessDiskEncryption"/);
        assert.match(r.stdout, /Result: VIOLATION/);
    });

    it("exits 1 on malformed JSON read from standard input, in JSON", async () => {
        const r = await runSpawned(["--key-policy", "-", "--json"], {
            stdin: '{"Version": "2012-10-17", "Statement": [',
        });
        assert.equal(r.code, 1, r.stderr);
        const report = JSON.parse(r.stdout) as { checks: AuditCheck[]; analysis: { parsed: boolean } };
        assert.equal(report.analysis.parsed, false);
        assert.equal(report.checks[0].id, "finding:malformed");
    });

    it("exits 2 on a usage error, with the usage text on stderr", async () => {
        const r = await runSpawned(["--application", "00fabcdexample09"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /--application needs --region/);
        assert.match(r.stderr, /Usage:/);
    });

    it("`npm run audit` resolves a relative file against the caller's directory", async () => {
        const { spawnSync } = await import("node:child_process");
        const npm = process.platform === "win32" ? "npm.cmd" : "npm";
        const r = spawnSync(
            npm,
            ["run", "--silent", "audit", "--", "--key-policy", "good-component-shape.json", "--json"],
            {
                cwd: FIXTURES,
                encoding: "utf8",
                env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? ROOT },
            },
        );
        assert.equal(r.status, 0, r.stderr);
        assert.equal((JSON.parse(r.stdout) as { exitCode: number }).exitCode, 0);
    });
});

function streamOf(text: string): NodeJS.ReadableStream {
    return Readable.from([Buffer.from(text)]);
}
