/**
 * Secrets never printed: recognisable secret values sent through every path of the offline preview (secret config in
 * a Sid, a condition and an ARN pattern, lower-cased; a provider's secret config; a literal the program marks secret;
 * an invoke's arguments and the fixture template; an error message; the program's own stderr) never appear in what the
 * command prints, text or --json, stdout or stderr.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import type { JsonReport } from "../../engine/jsonReport";
import { REDACTED } from "../../engine/redact";
import { assertPackBuilt, limited, preview, type Run } from "./support";

const PROGRAM = path.join(__dirname, "programs", "secrets");

/** Each secret, and how it is passed. */
const SECRETS = {
    sid: "SecretSid4f9a",
    token: "tok3nSecret7c1d",
    appName: "HiddenAppName2b6",
    providerKey: "ProviderSecretKey9a3f",
    "aws:secretKey": "AwsSecretKey0c4e",
};
/** The literal the program marks with pulumi.secret. */
const MARKED = "LiteralMarkedSecret5e8b";

const flags = Object.entries(SECRETS).flatMap(([k, v]) => ["--secret-config", `${k}=${v}`]);

/** Every form of every secret that must not be printed. */
const FORBIDDEN = [...Object.values(SECRETS), MARKED, SECRETS.token.toLowerCase(), SECRETS.appName.toLowerCase()];

function assertNoSecret(r: Run): void {
    for (const s of FORBIDDEN) {
        assert.equal(r.stdout.includes(s), false, `stdout prints ${s}`);
        assert.equal(r.stderr.includes(s), false, `stderr prints ${s}`);
    }
}

describe("offline preview: secrets are never printed", function () {
    this.timeout(240_000);
    let runs: Record<"json" | "text" | "failed" | "badFlag", Promise<Run>>;

    before(() => {
        assertPackBuilt();
        const [json, text, failed, badFlag] = limited(2, [
            () => preview(["--program", PROGRAM, ...flags, "--json"]),
            () => preview(["--program", PROGRAM, ...flags]),
            () => preview(["--program", PROGRAM, ...flags, "--config", "fail=invoke"]),
            () => preview(["--program", PROGRAM, "--secret-config", `${SECRETS.token}-without-a-key`, "--json"]),
        ]);
        runs = { json, text, failed, badFlag };
        for (const r of Object.values(runs)) {
            r.catch(() => undefined);
        }
    });

    it("--json: the violations that quote the Sid, the ARN pattern and the lower-cased token show [secret] instead", async () => {
        const r = await runs.json;
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assertNoSecret(r);
        const report = JSON.parse(r.stdout) as JsonReport;
        const messages = report.diagnostics.map((d) => d.message).join("\n");
        assert.match(messages, /Sid "\[secret\]\[secret\]"/, "the Sid is the secret and the marked literal");
        // The witness the judge shows for the secret ARN pattern (the pattern with its wildcard filled in).
        assert.match(
            messages,
            /aws:SourceArn = "arn:aws:emr-serverless:us-east-1:111122223333:\/applications\/\[secret\][0-9a-z]*"/,
        );
        assert.match(messages, /kms:EncryptionContext:applicationId is bound to "\[secret\]"/);
        const provider = report.steps.find((s) => s.type === "pulumi:providers:aws" && s.name === "keys");
        assert.equal(provider?.inputs["secretKey"], REDACTED, "an explicit provider's secret config");
        const defaults = report.steps.find((s) => s.type === "pulumi:providers:aws" && s.defaultProvider);
        assert.equal(defaults?.inputs["secretKey"], REDACTED, "the default provider's secret config");
    });

    it("text: the same violations, redacted; exit code unchanged", async () => {
        const r = await runs.text;
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assertNoSecret(r);
        assert.match(r.stdout, /- \[mandatory\]\s+enforce-emr-serverless-service-conditions/);
        assert.match(r.stdout, /Sid "\[secret\]\[secret\]"/);
    });

    it("a failed program: the invoke, its fixture template and the program's error are redacted (exit 2)", async () => {
        const r = await runs.failed;
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assertNoSecret(r);
        assert.match(
            r.stdout,
            /cannot answer aws:kms\/getKey:getKey\(\{"keyId":"arn:aws:kms:us-east-1:111122223333:key\/\[secret\]"\}\)/,
        );
        assert.match(r.stdout, /"keyId": "arn:aws:kms:us-east-1:111122223333:key\/\[secret\]"/, "the fixture template");
        assert.match(r.stdout, /the key for statement \[secret\] is not usable/);
    });

    it("a --secret-config flag without a key is refused without printing its value (exit 2)", async () => {
        const r = await runs.badFlag;
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assertNoSecret(r);
        assert.match(r.stderr, /--secret-config "\[secret\]": expected key=value/);
        assert.equal((JSON.parse(r.stdout) as { exitCode: number }).exitCode, 2);
    });
});
