import assert from "node:assert/strict";
import { ParsedPolicy, RequestContext, evaluateRequest, parsePolicyDocument } from "../../policypack/judge";
import { globsIntersect } from "../../policypack/judge/wildcards";
import { ACCOUNT } from "../../harness/fixtures";

const ROLE = `arn:aws:iam::${ACCOUNT}:role/r`;

function policy(...statements: unknown[]): ParsedPolicy {
    const r = parsePolicyDocument({ Version: "2012-10-17", Statement: statements });
    assert.deepEqual(r.problems, []);
    return r.policy!;
}

function allow(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*", ...extra };
}

function req(context: RequestContext["context"] = {}, extra: Partial<RequestContext> = {}): RequestContext {
    return { principal: { type: "AWS", id: ROLE }, action: "kms:Decrypt", context, ...extra };
}

/** Evaluates one condition block for a context: true when the Allow applies. */
function holds(condition: Record<string, unknown>, context: RequestContext["context"]): boolean {
    return evaluateRequest(policy(allow({ Condition: condition })), req(context)) === "Allow";
}

describe("judge: evaluateRequest - statements", () => {
    it("implicitly denies without a matching Allow, allows with one, and lets an explicit Deny win", () => {
        assert.equal(evaluateRequest(policy(allow({ Action: "kms:Encrypt" })), req()), "ImplicitDeny");
        assert.equal(evaluateRequest(policy(allow()), req()), "Allow");
        assert.equal(evaluateRequest(policy(allow(), { ...allow(), Effect: "Deny" }), req()), "ExplicitDeny");
        assert.equal(evaluateRequest(policy({ ...allow(), Effect: "Deny" }, allow()), req()), "ExplicitDeny");
    });
    it("matches action wildcards case-insensitively", () => {
        for (const [pattern, action, expected] of [
            ["kms:Generate*", "kms:GenerateDataKey", true],
            ["kms:*", "kms:ScheduleKeyDeletion", true],
            ["*", "kms:Decrypt", true],
            ["KMS:decrypt", "kms:Decrypt", true],
            ["kms:GenerateDataKe?", "kms:GenerateDataKey", true],
            ["kms:GenerateDataKe?", "kms:GenerateDataKeys", false],
            ["kms:Generate*", "kms:Decrypt", false],
            ["kms:Decrypt", "kms:DecryptX", false],
            ["kms:De.rypt", "kms:Decrypt", false],
        ] as const) {
            const got = evaluateRequest(policy(allow({ Action: pattern })), req({}, { action })) === "Allow";
            assert.equal(got, expected, `${pattern} vs ${action}`);
        }
    });
    it("applies NotAction as every action except the listed ones", () => {
        const p = policy(allow({ Action: undefined, NotAction: ["kms:Schedule*", "kms:PutKeyPolicy"] }));
        assert.equal(evaluateRequest(p, req()), "Allow");
        assert.equal(evaluateRequest(p, req({}, { action: "kms:ScheduleKeyDeletion" })), "ImplicitDeny");
        assert.equal(evaluateRequest(p, req({}, { action: "kms:PutKeyPolicy" })), "ImplicitDeny");
    });
    it('matches Resource and NotResource; "*" and an absent request resource mean this key', () => {
        const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
        assert.equal(evaluateRequest(policy(allow()), req({}, { resource: key })), "Allow");
        assert.equal(evaluateRequest(policy(allow({ Resource: key })), req({}, { resource: key })), "Allow");
        assert.equal(
            evaluateRequest(
                policy(allow({ Resource: key.replace("1234abcd", "ffffffff") })),
                req({}, { resource: key }),
            ),
            "ImplicitDeny",
        );
        assert.equal(
            evaluateRequest(policy(allow({ Resource: undefined, NotResource: key })), req({}, { resource: key })),
            "ImplicitDeny",
        );
        assert.equal(evaluateRequest(policy(allow({ Resource: undefined, NotResource: "*" })), req()), "ImplicitDeny");
        assert.equal(
            evaluateRequest(policy(allow({ Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` })), req({}, { resource: key })),
            "Allow",
        );
    });
    it("matches principals: everyone, accounts, exact ARNs, assumed-role sessions, services", () => {
        const cases: Array<[unknown, RequestContext["principal"], boolean]> = [
            ["*", { type: "Service", id: "emr-serverless.amazonaws.com" }, true],
            [{ AWS: "*" }, { type: "Service", id: "emr-serverless.amazonaws.com" }, true],
            [{ AWS: "*" }, { type: "AWS", id: "arn:aws:iam::999999999999:role/x" }, true],
            [{ AWS: ACCOUNT }, { type: "AWS", id: ROLE }, true],
            [{ AWS: `arn:aws:iam::${ACCOUNT}:root` }, { type: "AWS", id: ROLE }, true],
            [{ AWS: `arn:aws:iam::${ACCOUNT}:root` }, { type: "AWS", id: "arn:aws:iam::999999999999:role/r" }, false],
            [{ AWS: ROLE }, { type: "AWS", id: ROLE }, true],
            [{ AWS: ROLE }, { type: "AWS", id: `arn:aws:iam::${ACCOUNT}:role/other` }, false],
            [{ AWS: ROLE }, { type: "AWS", id: `arn:aws:sts::${ACCOUNT}:assumed-role/r/session` }, true],
            [{ AWS: ROLE }, { type: "AWS", id: `arn:aws:sts::${ACCOUNT}:assumed-role/rr/session` }, false],
            [
                { Service: "emr-serverless.amazonaws.com" },
                { type: "Service", id: "emr-serverless.amazonaws.com" },
                true,
            ],
            [{ Service: "emr-serverless.amazonaws.com" }, { type: "Service", id: "s3.amazonaws.com" }, false],
            [{ Service: "emr-serverless.amazonaws.com" }, { type: "AWS", id: ROLE }, false],
            [{ AWS: ACCOUNT }, { type: "Service", id: "emr-serverless.amazonaws.com" }, false],
        ];
        for (const [principal, who, expected] of cases) {
            const got =
                evaluateRequest(policy(allow({ Principal: principal })), req({}, { principal: who })) === "Allow";
            assert.equal(got, expected, `${JSON.stringify(principal)} vs ${who.id}`);
        }
    });
    it("applies NotPrincipal to everyone except the listed principals", () => {
        const p = policy(allow({ Principal: undefined, NotPrincipal: { AWS: ROLE } }));
        assert.equal(evaluateRequest(p, req()), "ImplicitDeny");
        assert.equal(
            evaluateRequest(p, req({}, { principal: { type: "AWS", id: "arn:aws:iam::999999999999:role/x" } })),
            "Allow",
        );
        const d = policy(allow(), { ...allow(), Effect: "Deny", Principal: undefined, NotPrincipal: { AWS: ROLE } });
        assert.equal(evaluateRequest(d, req()), "Allow");
        assert.equal(
            evaluateRequest(d, req({}, { principal: { type: "Service", id: "s3.amazonaws.com" } })),
            "ExplicitDeny",
        );
    });
});

describe("judge: evaluateRequest - conditions", () => {
    it("String(Not)Equals(IgnoreCase): exact or case-folded; several values OR, negated NOR", () => {
        assert.equal(holds({ StringEquals: { k: "Ab" } }, { k: "Ab" }), true);
        assert.equal(holds({ StringEquals: { k: "Ab" } }, { k: "ab" }), false);
        assert.equal(holds({ StringEquals: { k: ["x", "Ab"] } }, { k: "Ab" }), true);
        assert.equal(holds({ StringEqualsIgnoreCase: { k: "Ab" } }, { k: "aB" }), true);
        assert.equal(holds({ StringNotEquals: { k: ["x", "y"] } }, { k: "y" }), false);
        assert.equal(holds({ StringNotEquals: { k: ["x", "y"] } }, { k: "z" }), true);
        assert.equal(holds({ StringNotEqualsIgnoreCase: { k: "Ab" } }, { k: "AB" }), false);
    });
    it("String(Not)Like with * and ? (case-sensitive, regex characters literal)", () => {
        assert.equal(holds({ StringLike: { k: "a*c" } }, { k: "abbbc" }), true);
        assert.equal(holds({ StringLike: { k: "a?c" } }, { k: "abc" }), true);
        assert.equal(holds({ StringLike: { k: "a?c" } }, { k: "abbc" }), false);
        assert.equal(holds({ StringLike: { k: "A*" } }, { k: "abc" }), false);
        assert.equal(holds({ StringLike: { k: "a.c" } }, { k: "abc" }), false);
        assert.equal(holds({ StringNotLike: { k: ["x*", "a*"] } }, { k: "abc" }), false);
        assert.equal(holds({ StringNotLike: { k: ["x*", "y*"] } }, { k: "abc" }), true);
    });
    it("Arn(Not)Equals / Arn(Not)Like: per-field globs; ArnEquals behaves like ArnLike", () => {
        const arn = `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/00abc`;
        for (const op of ["ArnEquals", "ArnLike"]) {
            assert.equal(holds({ [op]: { "aws:SourceArn": arn } }, { "aws:SourceArn": arn }), true, op);
            assert.equal(
                holds(
                    { [op]: { "aws:SourceArn": "arn:aws:emr-serverless:*:*:/applications/*" } },
                    { "aws:SourceArn": arn },
                ),
                true,
                op,
            );
            assert.equal(
                holds(
                    { [op]: { "aws:SourceArn": `arn:aws:emr-serverless:*:${ACCOUNT}:*` } },
                    { "aws:SourceArn": arn.replace(ACCOUNT, "999999999999") },
                ),
                false,
                op,
            );
            assert.equal(holds({ [op]: { "aws:SourceArn": arn } }, { "aws:SourceArn": "not-an-arn" }), false, op);
        }
        // A * inside one field does not swallow the colons of the next.
        assert.equal(holds({ ArnLike: { k: "arn:aws:s3:::b*" } }, { k: "arn:aws:s3:us-east-1::b" }), false);
        assert.equal(holds({ ArnNotLike: { k: "arn:aws:s3:::b*" } }, { k: "arn:aws:s3:::bucket" }), false);
        assert.equal(holds({ ArnNotEquals: { k: "arn:aws:s3:::b" } }, { k: "arn:aws:s3:::c" }), true);
    });
    it("Null: true means absent, false means present", () => {
        assert.equal(holds({ Null: { k: "true" } }, {}), true);
        assert.equal(holds({ Null: { k: "true" } }, { k: "v" }), false);
        assert.equal(holds({ Null: { k: "false" } }, { k: "v" }), true);
        assert.equal(holds({ Null: { k: "false" } }, {}), false);
        assert.equal(holds({ Null: { k: false } }, { k: "v" }), true);
    });
    it("Bool, Numeric*, Date*, BinaryEquals, IpAddress/NotIpAddress", () => {
        assert.equal(holds({ Bool: { "aws:SecureTransport": "true" } }, { "aws:SecureTransport": "TRUE" }), true);
        assert.equal(holds({ Bool: { "aws:SecureTransport": true } }, { "aws:SecureTransport": "false" }), false);
        assert.equal(holds({ NumericLessThan: { n: 10 } }, { n: "9" }), true);
        assert.equal(holds({ NumericLessThan: { n: 10 } }, { n: "10" }), false);
        assert.equal(holds({ NumericLessThanEquals: { n: 10 } }, { n: "10" }), true);
        assert.equal(holds({ NumericGreaterThan: { n: 10 } }, { n: "11" }), true);
        assert.equal(holds({ NumericGreaterThanEquals: { n: 10 } }, { n: "9" }), false);
        assert.equal(holds({ NumericEquals: { n: 10 } }, { n: "10.0" }), true);
        assert.equal(holds({ NumericNotEquals: { n: 10 } }, { n: "10" }), false);
        assert.equal(holds({ NumericEquals: { n: 10 } }, { n: "ten" }), false);
        assert.equal(holds({ DateLessThan: { t: "2030-01-01T00:00:00Z" } }, { t: "2026-11-28T00:00:00Z" }), true);
        assert.equal(holds({ DateGreaterThan: { t: "2030-01-01T00:00:00Z" } }, { t: "2026-11-28T00:00:00Z" }), false);
        assert.equal(
            holds({ DateEquals: { t: "2030-01-01T00:00:00Z" } }, { t: String(Date.UTC(2030, 0, 1) / 1000) }),
            true,
        );
        assert.equal(holds({ DateNotEquals: { t: "2030-01-01T00:00:00Z" } }, { t: "2030-01-01T00:00:00Z" }), false);
        assert.equal(holds({ BinaryEquals: { b: "QmluYXJ5" } }, { b: "QmluYXJ5" }), true);
        assert.equal(
            holds({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "203.0.113.9" }),
            true,
        );
        assert.equal(
            holds({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "203.0.114.9" }),
            false,
        );
        assert.equal(holds({ IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }, { "aws:SourceIp": "8.8.8.8" }), true);
        assert.equal(
            holds({ NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:SourceIp": "203.0.113.9" }),
            false,
        );
    });
    it("missing keys: positive operators false, negated true, IfExists true", () => {
        assert.equal(holds({ StringEquals: { k: "v" } }, {}), false);
        assert.equal(holds({ StringLike: { k: "*" } }, {}), false);
        assert.equal(holds({ ArnLike: { k: "*" } }, {}), false);
        assert.equal(holds({ StringNotEquals: { k: "v" } }, {}), true);
        assert.equal(holds({ ArnNotLike: { k: "v" } }, {}), true);
        assert.equal(holds({ NotIpAddress: { k: "10.0.0.0/8" } }, {}), true);
        assert.equal(holds({ StringEqualsIfExists: { k: "v" } }, {}), true);
        assert.equal(holds({ StringEqualsIfExists: { k: "v" } }, { k: "w" }), false);
        assert.equal(holds({ StringEquals: { k: "v" } }, { k: undefined }), false);
        assert.equal(holds({ StringEquals: { k: "v" } }, { k: [] }), false);
    });
    it("condition keys are case-insensitive, values are not", () => {
        assert.equal(holds({ StringEquals: { "AWS:SourceAccount": ACCOUNT } }, { "aws:sourceaccount": ACCOUNT }), true);
        assert.equal(
            holds(
                { StringEquals: { "kms:encryptioncontext:APPLICATIONID": "a" } },
                { "kms:EncryptionContext:applicationId": "A" },
            ),
            false,
        );
    });
    it("several operators and several keys AND", () => {
        const c = { StringEquals: { a: "1", b: "2" }, StringLike: { c: "x*" } };
        assert.equal(holds(c, { a: "1", b: "2", c: "xy" }), true);
        assert.equal(holds(c, { a: "1", b: "2", c: "y" }), false);
        assert.equal(holds(c, { a: "1", c: "xy" }), false);
    });
    it("ForAnyValue / ForAllValues over multi-valued keys, including missing keys and negation", () => {
        const tags = "aws:TagKeys";
        assert.equal(holds({ "ForAnyValue:StringEquals": { [tags]: ["a", "b"] } }, { [tags]: ["z", "b"] }), true);
        assert.equal(holds({ "ForAnyValue:StringEquals": { [tags]: ["a", "b"] } }, { [tags]: ["z"] }), false);
        assert.equal(holds({ "ForAnyValue:StringEquals": { [tags]: ["a"] } }, {}), false);
        assert.equal(holds({ "ForAllValues:StringEquals": { [tags]: ["a", "b"] } }, { [tags]: ["a", "b"] }), true);
        assert.equal(holds({ "ForAllValues:StringEquals": { [tags]: ["a", "b"] } }, { [tags]: ["a", "c"] }), false);
        assert.equal(holds({ "ForAllValues:StringEquals": { [tags]: ["a"] } }, {}), true);
        assert.equal(holds({ "ForAllValues:StringLike": { [tags]: ["a*"] } }, { [tags]: ["ab", "ac"] }), true);
        // ForAnyValue:StringNotEquals: some request value matches none of the policy values.
        assert.equal(holds({ "ForAnyValue:StringNotEquals": { [tags]: ["a"] } }, { [tags]: ["a", "b"] }), true);
        assert.equal(holds({ "ForAnyValue:StringNotEquals": { [tags]: ["a"] } }, { [tags]: ["a"] }), false);
        // ForAllValues:StringNotEquals: no request value matches any policy value.
        assert.equal(holds({ "ForAllValues:StringNotEquals": { [tags]: ["a"] } }, { [tags]: ["b", "c"] }), true);
        assert.equal(holds({ "ForAllValues:StringNotEquals": { [tags]: ["a"] } }, { [tags]: ["a", "c"] }), false);
        assert.equal(holds({ "ForAllValues:StringNotEquals": { [tags]: ["a"] } }, {}), true);
    });
    it("substitutes policy variables (Version 2012-10-17 only); an unresolved one makes the condition false", () => {
        const c = { StringEquals: { "aws:SourceAccount": "${aws:ResourceAccount}" } };
        assert.equal(holds(c, { "aws:SourceAccount": ACCOUNT, "aws:ResourceAccount": ACCOUNT }), true);
        assert.equal(holds(c, { "aws:SourceAccount": ACCOUNT, "aws:ResourceAccount": "999999999999" }), false);
        assert.equal(holds(c, { "aws:SourceAccount": ACCOUNT }), false);
        // Negated too: "If AWS cannot resolve a variable this might cause the entire statement to be invalid".
        assert.equal(
            holds(
                { StringNotEquals: { "aws:SourceAccount": "${aws:ResourceAccount}" } },
                { "aws:SourceAccount": ACCOUNT },
            ),
            false,
        );
        assert.equal(
            holds(
                { StringEquals: { "aws:SourceAccount": "${aws:ResourceAccount, '111122223333'}" } },
                { "aws:SourceAccount": ACCOUNT },
            ),
            true,
        );
        assert.equal(
            holds(
                { ArnLike: { "aws:SourceArn": "arn:aws:emr-serverless:*:${aws:SourceAccount}:*" } },
                {
                    "aws:SourceArn": `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/a`,
                    "aws:SourceAccount": ACCOUNT,
                },
            ),
            true,
        );
        assert.equal(
            holds(
                { ArnLike: { "aws:SourceArn": "arn:aws:emr-serverless:*:${aws:SourceAccount}:*" } },
                {
                    "aws:SourceArn": `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/a`,
                    "aws:SourceAccount": "999999999999",
                },
            ),
            false,
        );
        // Version 2008-10-17 (or none): the text is literal.
        const old = parsePolicyDocument({ Version: "2008-10-17", Statement: [allow({ Condition: c })] }).policy!;
        assert.equal(evaluateRequest(old, req({ "aws:SourceAccount": "${aws:ResourceAccount}" })), "Allow");
        assert.equal(
            evaluateRequest(old, req({ "aws:SourceAccount": ACCOUNT, "aws:ResourceAccount": ACCOUNT })),
            "ImplicitDeny",
        );
    });
    it("a policy with an unknown operator never grants (the statement does not apply)", () => {
        const r = parsePolicyDocument({ Statement: [allow({ Condition: { StringEqual: { k: "v" } } })] });
        assert.equal(evaluateRequest(r.policy!, req({ k: "v" })), "ImplicitDeny");
    });
    it("never throws on odd requests", () => {
        const p = policy(allow({ Condition: { StringEquals: { k: "v" } } }));
        const odd = { principal: { type: "AWS", id: "" }, action: "", context: null } as unknown as RequestContext;
        assert.equal(evaluateRequest(p, odd), "ImplicitDeny");
        assert.equal(evaluateRequest(null as unknown as ParsedPolicy, req()), "ImplicitDeny");
    });
});

describe("judge: globsIntersect", () => {
    it("tells whether two patterns match a string in common", () => {
        const yes: Array<[string, string]> = [
            ["*", "abc"],
            ["a*", "*c"],
            ["arn:*:kms:*:*:key/1234", "arn:aws:kms:us-east-1:*:key/*"],
            ["a?c", "abc"],
            ["", "*"],
        ];
        const no: Array<[string, string]> = [
            ["abc", "abd"],
            ["a?", "abc"],
            ["", "a"],
        ];
        for (const [a, b] of yes) {
            assert.equal(globsIntersect(a, b), true, `${a} / ${b}`);
            assert.equal(globsIntersect(b, a), true, `${b} / ${a}`);
        }
        for (const [a, b] of no) {
            assert.equal(globsIntersect(a, b), false, `${a} / ${b}`);
            assert.equal(globsIntersect(b, a), false, `${b} / ${a}`);
        }
        // A star may span fields, unless it stands for one field: then another key's id cannot meet this one's.
        const other = "arn:aws:kms:*:*:key/0987*";
        const thisKey = "arn:*:kms:*:*:key/1234";
        assert.equal(globsIntersect(other, thisKey), true);
        assert.equal(globsIntersect(other, thisKey, ":/"), false);
        assert.equal(globsIntersect("arn:aws:kms:us-*:111122223333:key/*", thisKey, ":/"), true);
    });
});
