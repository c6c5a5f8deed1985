/**
 * The binding question is asked of every key-material action granted to the service, not only of
 * kms:GenerateDataKey and kms:Decrypt: an unbound kms:CreateGrant, kms:ReEncrypt* or
 * kms:GenerateDataKeyWithoutPlaintext to emr-serverless.amazonaws.com is service-unbound (mandatory),
 * not just the service-overgrant advisory.
 */
import assert from "node:assert/strict";
import { FindingKind, KeyPolicyAnalysis, analyzeKeyPolicy } from "../../policypack/judge";
import { APP_ARN, Statement, guideStatement, keyPolicy } from "./fixtures";

function kinds(a: KeyPolicyAnalysis): FindingKind[] {
    return a.findings.map((f) => f.kind);
}

function service(action: string | string[], condition?: Record<string, unknown>): Statement {
    const st: Statement = { ...guideStatement(condition), Sid: "Svc", Action: action };
    if (condition === undefined) {
        delete st.Condition;
    }
    return st;
}

const BOUND = guideStatement().Condition as Record<string, unknown>;

describe("judge: the binding question covers every key-material action granted to the service", () => {
    for (const action of ["kms:CreateGrant", "kms:ReEncrypt*", "kms:GenerateDataKeyWithoutPlaintext", "kms:Encrypt"]) {
        it(`an unconditioned grant of only ${action} to the service is service-unbound, naming the action`, () => {
            const a = analyzeKeyPolicy(keyPolicy(service(action)));
            const unbound = a.findings.filter((f) => f.kind === "service-unbound");
            assert.equal(unbound.length, 1, JSON.stringify(a.findings, null, 1));
            assert.match(unbound[0].message, /Sid "Svc" lets emr-serverless\.amazonaws\.com use the key \(kms:/);
            assert.match(unbound[0].message, new RegExp(action.replace("*", "")));
            assert.match(unbound[0].message, /aws:SourceArn, aws:SourceAccount, kms:EncryptionContext:applicationId/);
            // The service still does not get the two actions disk encryption needs.
            assert.equal(a.grantsService, false);
            assert.equal(a.binding, undefined);
        });
        it(`a bound grant of ${action} to the service is only the over-grant advisory`, () => {
            const a = analyzeKeyPolicy(keyPolicy(service(action, BOUND)));
            assert.deepEqual(kinds(a), ["service-overgrant"], JSON.stringify(a.findings, null, 1));
        });
    }

    it("kms:* bound by the statement's conditions is only the over-grant advisory", () => {
        const a = analyzeKeyPolicy(keyPolicy(service("kms:*", BOUND)));
        assert.deepEqual(kinds(a), ["service-overgrant"]);
        assert.equal(a.grantsService, true);
    });

    it("flags kms:CreateGrant left unbound when a Deny binds only GenerateDataKey and Decrypt", () => {
        const denies = Object.entries({
            "aws:SourceArn": APP_ARN,
            "aws:SourceAccount": "111122223333",
            "kms:EncryptionContext:applicationId": "00fabcdexample09",
        }).map(([key, value], i) => ({
            Sid: `Pin${i}`,
            Effect: "Deny",
            Principal: "*",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: { StringNotEquals: { [key]: value } },
        }));
        const open = service(["kms:GenerateDataKey", "kms:Decrypt", "kms:CreateGrant"]);
        const a = analyzeKeyPolicy(keyPolicy(open, ...denies));
        const unbound = a.findings.filter((f) => f.kind === "service-unbound");
        assert.equal(unbound.length, 1, JSON.stringify(a.findings, null, 1));
        assert.match(unbound[0].message, /use the key \(kms:CreateGrant\)/);
        // Only GenerateDataKey and Decrypt: the Denies bind them, and it passes.
        const narrow = analyzeKeyPolicy(keyPolicy(service(["kms:GenerateDataKey", "kms:Decrypt"]), ...denies));
        assert.deepEqual(narrow.findings, []);
    });

    it("leaves an unconditioned kms:DescribeKey grant to the service to the over-grant advisory", () => {
        const a = analyzeKeyPolicy(keyPolicy(guideStatement(), service("kms:DescribeKey")));
        assert.deepEqual(kinds(a), ["service-overgrant"], JSON.stringify(a.findings, null, 1));
    });

    it("still passes the AWS guide's statement", () => {
        assert.deepEqual(analyzeKeyPolicy(keyPolicy(guideStatement())).findings, []);
    });
});

describe("judge: the service's requests always carry applicationId among their encryption-context keys", () => {
    const deny = (condition: Record<string, unknown>): Statement => ({
        Sid: "D",
        Effect: "Deny",
        Principal: { Service: "emr-serverless.amazonaws.com" },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: condition,
    });
    it("a Deny of Decrypt on kms:EncryptionContextKeys holding applicationId refuses every Decrypt", () => {
        for (const op of ["ForAnyValue:StringEquals", "ForAnyValue:StringLike"]) {
            const a = analyzeKeyPolicy(
                keyPolicy(guideStatement(), deny({ [op]: { "kms:EncryptionContextKeys": "applicationId" } })),
            );
            assert.deepEqual(a.serviceActions, ["kms:GenerateDataKey"], op);
        }
        // A Deny on a key name the service does not have to send leaves Decrypt (a context without it is possible).
        const other = analyzeKeyPolicy(
            keyPolicy(guideStatement(), deny({ "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "team" } })),
        );
        assert.deepEqual(other.serviceActions, ["kms:GenerateDataKey", "kms:Decrypt"]);
    });
    it("an Allow whose context keys must all be others never lets the service in", () => {
        const only = guideStatement({
            ...BOUND,
            "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["team", "env"] },
        });
        assert.equal(analyzeKeyPolicy(keyPolicy(only)).grantsService, false);
        const withId = guideStatement({
            ...BOUND,
            "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["team", "applicationId"] },
        });
        assert.equal(analyzeKeyPolicy(keyPolicy(withId)).grantsService, true);
    });
});
