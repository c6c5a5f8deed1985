import assert from "node:assert/strict";
import fc from "fast-check";
import { UNKNOWN_STRING, analyzeKeyPolicy, evaluateRequest, parsePolicyDocument } from "../../policypack/judge";
import { ACCOUNT, APP_ARN, APP_ID, SERVICE, guideStatement, keyPolicy } from "./fixtures";

const keys = [
    "aws:SourceArn",
    "aws:SourceAccount",
    "kms:EncryptionContext:applicationId",
    "kms:ViaService",
    "kms:CallerAccount",
    "aws:PrincipalOrgID",
    "kms:EncryptionContextKeys",
];
const values = [
    APP_ARN,
    ACCOUNT,
    APP_ID,
    "*",
    "arn:aws:emr-serverless:*:*:/applications/*",
    "o-abc123",
    "true",
    "false",
    UNKNOWN_STRING,
    "${aws:ResourceAccount}",
    "emr-serverless.us-east-1.amazonaws.com",
    "",
];
const operators = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIgnoreCase",
    "ArnLike",
    "ArnEquals",
    "ArnNotLike",
    "Null",
    "Bool",
    "StringEqualsIfExists",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringLike",
    "NumericLessThan",
    "DateGreaterThan",
    "IpAddress",
    "Bogus",
];

const condition = fc.dictionary(
    fc.constantFrom(...operators),
    fc.dictionary(
        fc.constantFrom(...keys),
        fc.oneof(fc.constantFrom(...values), fc.array(fc.constantFrom(...values), { maxLength: 3 })),
        { maxKeys: 3 },
    ),
    { maxKeys: 3 },
);
const principal = fc.oneof(
    fc.constant("*"),
    fc.constant({ AWS: "*" }),
    fc.constant({ Service: SERVICE }),
    fc.constant({ AWS: `arn:aws:iam::${ACCOUNT}:root` }),
    fc.constant({ AWS: [`arn:aws:iam::${ACCOUNT}:role/r`, "*"] }),
);
const statement = fc.record(
    {
        Sid: fc.constantFrom("A", "B", UNKNOWN_STRING),
        Effect: fc.constantFrom("Allow", "Deny", "allow"),
        Principal: principal,
        Action: fc.oneof(
            fc.constantFrom("kms:*", "*", "kms:Decrypt", "kms:GenerateDataKey*"),
            fc.constant(["kms:Decrypt", "kms:GenerateDataKey"]),
        ),
        Resource: fc.constant("*"),
        Condition: condition,
    },
    { requiredKeys: ["Effect", "Principal", "Action", "Resource"] },
);

describe("judge: fuzzing (never throws, stays consistent)", () => {
    it("parse and analyze never throw on arbitrary JSON values and strings", () => {
        fc.assert(
            fc.property(fc.oneof(fc.jsonValue(), fc.string(), fc.anything()), (doc) => {
                const parsed = parsePolicyDocument(doc);
                assert.equal(parsed.ok, parsed.problems.length === 0);
                const a = analyzeKeyPolicy(doc);
                assert.ok(Array.isArray(a.findings));
                assert.ok(a.findings.every((f) => typeof f.message === "string" && typeof f.fix === "string"));
            }),
            { numRuns: 300 },
        );
    });
    it("analyze never throws on policy-shaped documents, and findings name a statement", () => {
        fc.assert(
            fc.property(fc.array(statement, { minLength: 1, maxLength: 6 }), (statements) => {
                const doc = JSON.stringify({ Version: "2012-10-17", Statement: statements });
                const a = analyzeKeyPolicy(doc, { region: "us-east-1" });
                assert.equal(a.parsed, true);
                for (const f of a.findings) {
                    if (f.kind !== "malformed") {
                        assert.ok(f.where && f.message.includes(f.where), JSON.stringify(f));
                    }
                }
                // A service statement the judge calls bound really is: the service is refused for a foreign app.
                if (
                    a.grantsService &&
                    !a.findings.some((f) => f.kind === "service-unbound" || f.kind === "malformed")
                ) {
                    const policy = parsePolicyDocument(doc).policy!;
                    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
                        const foreign = evaluateRequest(policy, {
                            principal: { type: "Service", id: SERVICE },
                            action,
                            context: {
                                "aws:SourceArn": "arn:aws:emr-serverless:us-east-1:999999999999:/applications/00other",
                                "aws:SourceAccount": "999999999999",
                                "kms:EncryptionContext:applicationId": "00other",
                            },
                        });
                        assert.notEqual(foreign, "Allow", doc);
                    }
                }
            }),
            { numRuns: 300 },
        );
    });
    it("every single weakening of the guide statement is caught (metamorphic)", () => {
        const weakenings: Array<(c: Record<string, Record<string, unknown>>) => void> = [
            (c) => delete c.StringLike,
            (c) => delete c.StringEquals["aws:SourceAccount"],
            (c) => delete c.StringEquals["kms:EncryptionContext:applicationId"],
            (c) => (c.StringLike["aws:SourceArn"] = "arn:aws:emr-serverless:*:*:/applications/*"),
            (c) => (c.StringEquals["aws:SourceAccount"] = [ACCOUNT, "444455556666"]),
            (c) => ((c.StringLikeIfExists = c.StringLike), delete c.StringLike),
            (c) => (
                (c.StringNotEquals = { "kms:EncryptionContext:applicationId": "00zzz" }),
                delete c.StringEquals["kms:EncryptionContext:applicationId"]
            ),
            // (StringEquals with "*" would bind to the literal "*": no application has that id.)
            (c) => (
                (c.StringLike["kms:EncryptionContext:applicationId"] = "00f*"),
                delete c.StringEquals["kms:EncryptionContext:applicationId"]
            ),
            (c) => (
                (c["ForAllValues:StringEquals"] = { "aws:SourceAccount": ACCOUNT }),
                delete c.StringEquals["aws:SourceAccount"]
            ),
        ];
        fc.assert(
            fc.property(fc.integer({ min: 0, max: weakenings.length - 1 }), (i) => {
                const c = {
                    StringLike: { "aws:SourceArn": APP_ARN },
                    StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
                } as Record<string, Record<string, unknown>>;
                weakenings[i](c);
                const a = analyzeKeyPolicy(keyPolicy(guideStatement(c)));
                assert.ok(
                    a.findings.some((f) => f.kind === "service-unbound"),
                    `weakening #${i}: ${JSON.stringify(c)}`,
                );
            }),
            { numRuns: 60 },
        );
    });
});
