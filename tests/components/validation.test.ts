import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { constructionProblems, EncryptedApplicationArgs } from "../../components/encryptedApplication";
import {
    checkExistingKey,
    checkExtraSecretPatterns,
    checkPrincipalArns,
    DiskEncryptionValidationError,
    isPlain,
    validateEncryptionContextInput,
    validateKeyArnInput,
} from "../../components/validation";
import { KEY_ARN as KEY } from "../../harness/fixtures";

const base: EncryptedApplicationArgs = { type: "spark", releaseLabel: "emr-7.9.0" };

function resolve<T>(o: pulumi.Output<T>): Promise<T> {
    return (o as unknown as { promise(): Promise<T> }).promise();
}

describe("components: validation", () => {
    it("checkExistingKey accepts an enabled SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key (keySpec or customerMasterKeySpec)", () => {
        const ok = { enabled: true, keyState: "Enabled", keyUsage: "ENCRYPT_DECRYPT" };
        assert.deepEqual(checkExistingKey(KEY, { ...ok, keySpec: "SYMMETRIC_DEFAULT" }), []);
        assert.deepEqual(checkExistingKey(KEY, { ...ok, keySpec: "", customerMasterKeySpec: "SYMMETRIC_DEFAULT" }), []);
    });

    it("checkExistingKey names the key and what is wrong: disabled, asymmetric, wrong usage", () => {
        const disabled = checkExistingKey(KEY, {
            enabled: false,
            keyState: "PendingDeletion",
            keySpec: "SYMMETRIC_DEFAULT",
            keyUsage: "ENCRYPT_DECRYPT",
        });
        assert.equal(disabled.length, 1);
        assert.match(
            disabled[0].message,
            new RegExp(`existingKeyArn "${KEY}" is not enabled \\(key state PendingDeletion\\)`),
        );
        const asym = checkExistingKey(KEY, { enabled: true, keySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" });
        assert.equal(asym.length, 2);
        assert.match(asym[0].message, /key spec RSA_2048.*only symmetric/);
        assert.match(asym[1].message, /key usage SIGN_VERIFY/);
        assert.ok(asym.every((p) => p.fix.length > 0 && p.field === "existingKeyArn"));
        assert.equal(
            checkExistingKey(KEY, { enabled: true, keySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }).length,
            2,
        );
    });

    it("checkPrincipalArns accepts users, roles, the root; refuses *, accounts, services, non-ARNs", () => {
        const ok = [
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:role/path/r",
            "arn:aws-cn:iam::111122223333:root",
        ];
        assert.deepEqual(checkPrincipalArns(ok, "submitterArns"), []);
        for (const bad of [
            "*",
            "111122223333",
            "emr-serverless.amazonaws.com",
            "arn:aws:iam::111122223333:group/g",
            "alice",
        ]) {
            const problems = checkPrincipalArns([bad], "submitterArns");
            assert.equal(problems.length, 1, bad);
            assert.equal(problems[0].field, "submitterArns[0]");
        }
        assert.match(checkPrincipalArns(["*"], "submitterArns")[0].message, /wildcard/);
    });

    it("checkExtraSecretPatterns refuses an invalid regular expression (it would silently match nothing)", () => {
        assert.deepEqual(checkExtraSecretPatterns(["^ok$"], "extraSecretPatterns"), []);
        assert.equal(checkExtraSecretPatterns(["(unclosed"], "extraSecretPatterns")[0].field, "extraSecretPatterns[0]");
    });

    it("constructionProblems: type, key options with an existing key, alias, ranges, existing role", () => {
        assert.deepEqual(constructionProblems(base), []);
        const fields = (a: Partial<EncryptedApplicationArgs>): string[] =>
            constructionProblems({ ...base, ...a } as EncryptedApplicationArgs).map((p) => p.field);
        assert.deepEqual(fields({ type: "presto" as "spark" }), ["type"]);
        assert.deepEqual(fields({ existingKeyArn: KEY, key: { alias: "alias/x" } }), ["key"]);
        assert.deepEqual(fields({ key: { alias: "emr" } }), ["key.alias"]);
        assert.deepEqual(fields({ key: { alias: "alias/aws/emr" } }), ["key.alias"]);
        assert.deepEqual(fields({ key: { rotationPeriodInDays: 30 } }), ["key.rotationPeriodInDays"]);
        assert.deepEqual(fields({ key: { deletionWindowInDays: 31 } }), ["key.deletionWindowInDays"]);
        assert.deepEqual(fields({ keyAdministratorArns: ["*"] }), ["keyAdministratorArns[0]"]);
        assert.deepEqual(fields({ jobRole: { existingRole: "arn:aws:iam::111122223333:user/alice" } }), [
            "jobRole.existingRole",
        ]);
        // Outputs are not judged at construction (they are checked when they resolve).
        assert.deepEqual(fields({ type: pulumi.output("presto") as unknown as pulumi.Output<"spark"> }), []);
    });

    it("isPlain: plain values and nested objects are plain; Outputs and promises (also nested) are not", () => {
        assert.ok(isPlain({ a: "b" }));
        assert.ok(isPlain("x"));
        assert.ok(!isPlain(pulumi.output("x")));
        assert.ok(!isPlain({ a: pulumi.output("x") }));
        assert.ok(!isPlain(Promise.resolve("x")));
    });

    it("plain refused values throw DiskEncryptionValidationError at once, naming component, field and fix", () => {
        assert.throws(
            () => validateKeyArnInput('EncryptedApplication "app"', "alias/emr", "existingKeyArn"),
            (e: unknown) => {
                assert.ok(e instanceof DiskEncryptionValidationError);
                assert.match(e.message, /^EncryptedApplication "app": refused/);
                assert.match(e.message, /existingKeyArn "alias\/emr" is refused: it is an alias/);
                assert.match(e.message, /Fix: Use the key's ARN/);
                return true;
            },
        );
        assert.throws(
            () => validateEncryptionContextInput("s", { secretName: "x" }, "encryptionContext"),
            /encryptionContext\["secretName"\] looks like a secret/,
        );
    });

    it("Output values are checked when known: the returned Output rejects with the same message", async () => {
        await assert.rejects(
            resolve(validateKeyArnInput("s", pulumi.output("alias/emr"), "existingKeyArn")),
            /it is an alias/,
        );
        await assert.rejects(
            resolve(validateEncryptionContextInput("s", pulumi.output({ token: "abc" }), "encryptionContext")),
            /looks like a secret/,
        );
        await assert.rejects(
            resolve(validateEncryptionContextInput("s", { team: pulumi.output("x".repeat(385)) }, "encryptionContext")),
            /385 characters/,
        );
        assert.equal(await resolve(validateKeyArnInput("s", pulumi.output(KEY), "existingKeyArn")), KEY);
        assert.deepEqual(await resolve(validateEncryptionContextInput("s", { team: pulumi.output("a") }, "c")), {
            team: "a",
        });
        assert.equal(await resolve(validateEncryptionContextInput("s", undefined, "c")), undefined);
    });
});
