import * as assert from "node:assert/strict";
import {
    checkDiskEncryptionSetting,
    checkEncryptionContext,
    checkEncryptionKeyArn,
    parseKeyArn,
    secretLooking,
} from "../../policypack/judge/setting";
import { KEY_ARN as KEY } from "../../harness/fixtures";

const MRK = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef";

function fields(problems: { field: string }[]): string[] {
    return problems.map((p) => p.field);
}

describe("judge: the disk-encryption setting's own values (shared by component, pack and audit)", () => {
    it("accepts key ARNs in any partition, including multi-Region keys, and parses their parts", () => {
        assert.deepEqual(checkEncryptionKeyArn(KEY), []);
        assert.deepEqual(checkEncryptionKeyArn(MRK), []);
        assert.deepEqual(parseKeyArn(MRK), {
            partition: "aws-us-gov",
            region: "us-gov-west-1",
            account: "111122223333",
            keyId: "mrk-0123456789abcdef0123456789abcdef",
        });
    });

    for (const [what, value, reason] of [
        ["an alias ARN", "arn:aws:kms:us-east-1:111122223333:alias/disks", /alias/],
        ["an alias name", "alias/disks", /alias/],
        ["a bare key id", "1234abcd-12ab-34cd-56ef-1234567890ab", /bare key id/],
        [
            "an 11-digit account",
            "arn:aws:kms:us-east-1:11112222333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            /not of the form/,
        ],
        ["another service's ARN", "arn:aws:s3:::bucket", /not a KMS key ARN/],
    ] as const) {
        it(`refuses ${what}, naming the field and the fix`, () => {
            const [p] = checkEncryptionKeyArn(value);
            assert.equal(p.field, "encryptionKeyArn");
            assert.match(p.message, reason);
            assert.match(p.fix, /key's ARN/);
        });
    }

    it("refuses a non-string key ARN", () => {
        assert.match(checkEncryptionKeyArn(42)[0].message, /must be a string/);
    });

    it("accepts 8 entries at the length limits and refuses the 9th entry, an empty key and over-long keys/values", () => {
        const eight = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, `v${i}`]));
        assert.deepEqual(checkEncryptionContext(eight), []);
        assert.deepEqual(checkEncryptionContext({ ["k".repeat(128)]: "v".repeat(384) }), []);
        assert.deepEqual(fields(checkEncryptionContext({ ...eight, k8: "v8" })), ["encryptionContext"]);
        assert.deepEqual(fields(checkEncryptionContext({ "": "v" })), ['encryptionContext[""]']);
        assert.equal(checkEncryptionContext({ ["k".repeat(129)]: "v" }).length, 1);
        assert.equal(checkEncryptionContext({ team: "v".repeat(385) }).length, 1);
        assert.equal(checkEncryptionContext({ team: "" }).length, 1);
        assert.match(checkEncryptionContext(["team"])[0].message, /map of strings/);
        assert.match(checkEncryptionContext({ team: 3 })[0].message, /must be a string/);
    });

    it("refuses the reserved key applicationId, which EMR Serverless adds itself", () => {
        const [p] = checkEncryptionContext({ applicationId: "00abc" });
        assert.equal(p.field, 'encryptionContext["applicationId"]');
        assert.match(p.message, /EMR Serverless itself puts in the encryption context/);
        assert.deepEqual(checkEncryptionContext({ app: "00abc" }), []);
    });

    for (const [what, context] of [
        ["a key named password", { dbPassword: "x" }],
        ["a key named token", { api_token: "x" }],
        ["an AWS access key id value", { owner: "AKIAIOSFODNN7EXAMPLE" }],
        ["a private key value", { note: "-----BEGIN RSA PRIVATE KEY-----" }],
        ["a JWT value", { session: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.x" }],
        ["a password assignment", { note: "password=hunter2" }],
    ] as const) {
        it(`refuses a secret-looking entry: ${what}`, () => {
            const problems = checkEncryptionContext(context);
            assert.equal(problems.length, 1);
            assert.match(problems[0].message, /looks like a secret .* CloudTrail/);
        });
    }

    it("keeps ordinary identifiers, and applies configured extra patterns (ignoring invalid ones)", () => {
        assert.deepEqual(checkEncryptionContext({ team: "analytics", environment: "prod", author: "ana" }), []);
        assert.equal(checkEncryptionContext({ team: "sk-abcdefghijklmnopqrstuv" }).length, 0);
        const rules = { extraSecretPatterns: ["^sk-[a-z]{20,}$", "("] };
        assert.equal(checkEncryptionContext({ team: "sk-abcdefghijklmnopqrstuv" }, rules).length, 1);
        assert.match(secretLooking("sk-abcdefghijklmnopqrstuv", false, rules.extraSecretPatterns) ?? "", /configured/);
    });

    it("checks both fields of a setting together", () => {
        assert.deepEqual(
            fields(
                checkDiskEncryptionSetting({ encryptionKeyArn: "alias/x", encryptionContext: { applicationId: "a" } }),
            ),
            ["encryptionKeyArn", 'encryptionContext["applicationId"]'],
        );
        assert.deepEqual(checkDiskEncryptionSetting({ encryptionKeyArn: KEY, encryptionContext: { team: "a" } }), []);
    });
});
