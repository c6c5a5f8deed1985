import * as assert from "node:assert/strict";
import { parseAuditArgs } from "../../audit/args";
import { AuditError, classifyAwsError } from "../../audit/errors";
import { parseApplicationArn } from "../../audit/judgment";
import { APP_ARN, APP_ID } from "./support";

function usageError(argv: string[], pattern: RegExp): void {
    assert.throws(
        () => parseAuditArgs(argv),
        (e: unknown) => e instanceof AuditError && e.code === "usage" && pattern.test(e.message) && e.fix.length > 0,
    );
}

describe("audit: command line", () => {
    it("parses key-policy mode and takes the region from the application ARN", () => {
        const cmd = parseAuditArgs([
            "--key-policy",
            "p.json",
            "--application-arn",
            APP_ARN,
            "--job-role-arn",
            "arn:aws:iam::111122223333:role/r",
        ]);
        assert.equal(cmd.mode, "key-policy");
        if (cmd.mode !== "key-policy") {
            return;
        }
        assert.equal(cmd.region, "us-east-1");
        assert.equal(cmd.keyId, undefined);
        const byId = parseAuditArgs(["--key-policy", "p.json", "--key-id", "mrk-0f1e2d3c4b5a69788796a5b4c3d2e1f0"]);
        assert.equal(byId.mode === "key-policy" ? byId.keyId : undefined, "mrk-0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        assert.deepEqual(cmd.application, {
            arn: APP_ARN,
            partition: "aws",
            region: "us-east-1",
            account: "111122223333",
            id: APP_ID,
        });
        assert.deepEqual(cmd.jobRoleArns, ["arn:aws:iam::111122223333:role/r"]);
    });

    it("parses application mode with repeated --submitter-arn", () => {
        const cmd = parseAuditArgs([
            "--application",
            APP_ID,
            "--region",
            "eu-west-1",
            "--submitter-arn",
            "arn:aws:iam::111122223333:user/a",
            "--submitter-arn",
            "arn:aws:iam::111122223333:role/b",
            "--json",
        ]);
        assert.deepEqual(cmd, {
            mode: "application",
            applicationId: APP_ID,
            region: "eu-west-1",
            json: true,
            strict: false,
            jobRoleArns: [],
            submitterArns: ["arn:aws:iam::111122223333:user/a", "arn:aws:iam::111122223333:role/b"],
        });
    });

    it("refuses bad command lines, naming the flag", () => {
        usageError([], /Nothing to audit/);
        usageError(["--bogus"], /bogus/);
        usageError(["--application", APP_ID], /--application needs --region/);
        usageError(
            ["--application", "My App", "--region", "us-east-1"],
            /--application "My App" is not an EMR Serverless application id/,
        );
        usageError(["--application", APP_ID, "--region", "useast1"], /--region "useast1" is not an AWS region/);
        usageError(["--key-policy", "p", "--application", APP_ID, "--region", "us-east-1"], /exclusive/);
        usageError(
            ["--key-policy", "p", "--application-arn", "arn:aws:emr-serverless:us-east-1:111122223333:/applications/*"],
            /--application-arn/,
        );
        usageError(
            ["--key-policy", "p", "--application-arn", APP_ARN, "--region", "eu-west-1"],
            /differs from the region us-east-1/,
        );
        usageError(
            ["--key-policy", "p", "--job-role-arn", "arn:aws:iam::111122223333:role/r"],
            /need --application-arn/,
        );
        usageError(
            ["--key-policy", "p", "--application-arn", APP_ARN, "--job-role-arn", "emr-job-role"],
            /--job-role-arn "emr-job-role" is not an IAM principal ARN/,
        );
        usageError(["--key-policy", "p", "--key-arn", "alias/disk"], /--key-arn "alias\/disk" is not a KMS key ARN/);
        usageError(["--key-policy", "p", "--key-id", "alias/disk"], /--key-id "alias\/disk" is not a KMS key id/);
        usageError(
            [
                "--key-policy",
                "p",
                "--key-id",
                "1234abcd-12ab-34cd-56ef-1234567890ab",
                "--key-arn",
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ],
            /--key-id and --key-arn name the key twice/,
        );
        usageError(
            ["--application", APP_ID, "--region", "us-east-1", "--key-id", "1234abcd-12ab-34cd-56ef-1234567890ab"],
            /--key-id is for --key-policy mode/,
        );
        usageError(["--key-policy", "p", "--encryption-context", '{"password":"x"}'], /looks like a secret/);
        usageError(["--key-policy", "p", "--encryption-context", "team=a"], /--encryption-context is not JSON/);
        usageError(
            ["--application", APP_ID, "--region", "us-east-1", "--application-arn", APP_ARN],
            /--application-arn is for --key-policy mode/,
        );
    });

    it("parses application ARNs strictly", () => {
        assert.equal(parseApplicationArn(`${APP_ARN}/jobruns/x`), undefined);
        assert.equal(parseApplicationArn("arn:aws:emr-serverless:us-east-1:1111:/applications/x"), undefined);
        assert.equal(parseApplicationArn(APP_ARN.toUpperCase()), undefined);
        assert.equal(
            parseApplicationArn("arn:aws-cn:emr-serverless:cn-north-1:111122223333:/applications/abc")?.partition,
            "aws-cn",
        );
    });
});

describe("audit: AWS error classification", () => {
    const call = { action: "kms:GetKeyPolicy", resource: "arn:aws:kms:us-east-1:111122223333:key/k" };
    const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

    it("maps SDK errors to exit-2 error codes with a fix", () => {
        assert.equal(classifyAwsError(named("AccessDeniedException", "no"), call).code, "access-denied");
        assert.equal(
            classifyAwsError(named("CredentialsProviderError", "Could not load credentials from any providers"), call)
                .code,
            "credentials",
        );
        assert.equal(classifyAwsError(named("ExpiredTokenException", "expired"), call).code, "credentials");
        assert.equal(classifyAwsError(named("NotFoundException", "gone"), call).code, "not-found");
        assert.equal(classifyAwsError(named("ResourceNotFoundException", "gone"), call).code, "not-found");
        const other = classifyAwsError(named("ThrottlingException", "slow down"), call);
        assert.equal(other.code, "aws");
        assert.match(other.message, /kms:GetKeyPolicy on .* failed: ThrottlingException: slow down/);
    });
});
