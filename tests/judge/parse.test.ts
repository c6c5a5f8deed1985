import assert from "node:assert/strict";
import { UNKNOWN_STRING, parsePolicyDocument } from "../../policypack/judge";
import { guideStatement, rootStatement } from "./fixtures";

function problems(doc: unknown): string[] {
    const r = parsePolicyDocument(doc);
    assert.equal(r.ok, r.problems.length === 0);
    return r.problems.map((p) => p.message);
}

function onlyProblem(doc: unknown, pattern: RegExp): void {
    const p = problems(doc);
    assert.equal(p.length, 1, JSON.stringify(p));
    assert.match(p[0], pattern);
}

const ok = { Effect: "Allow", Principal: { AWS: "111122223333" }, Action: "kms:Decrypt", Resource: "*" };
const doc = (...statements: unknown[]) => ({ Version: "2012-10-17", Statement: statements });

describe("judge: parsePolicyDocument", () => {
    it("accepts a string or an object and normalizes single values to lists", () => {
        for (const input of [doc(ok), JSON.stringify(doc(ok)), { Statement: ok }]) {
            const r = parsePolicyDocument(input);
            assert.equal(r.ok, true, JSON.stringify(r.problems));
            const st = r.policy!.statements[0];
            assert.deepEqual(st.actions, ["kms:Decrypt"]);
            assert.deepEqual(st.resources, ["*"]);
            assert.deepEqual(st.principal, { wildcard: false, values: { AWS: ["111122223333"] } });
            assert.equal(st.where, "statement #1");
        }
    });
    it("normalizes principals, conditions (numbers and booleans to strings) and Sid", () => {
        const r = parsePolicyDocument(
            doc(
                {
                    ...ok,
                    Sid: "X",
                    Principal: "*",
                    Condition: { NumericLessThan: { "kms:Foo": 3 }, Bool: { "aws:SecureTransport": [true] } },
                },
                { ...ok, Principal: { Service: ["a.amazonaws.com"], AWS: "*", Federated: "f", CanonicalUser: "c" } },
            ),
        );
        assert.equal(r.ok, true, JSON.stringify(r.problems));
        const [a, b] = r.policy!.statements;
        assert.equal(a.where, `Sid "X"`);
        assert.equal(a.principal!.wildcard, true);
        assert.deepEqual(
            a.conditions.map((c) => [c.base, c.key, c.values]),
            [
                ["NumericLessThan", "kms:Foo", ["3"]],
                ["Bool", "aws:SecureTransport", ["true"]],
            ],
        );
        assert.deepEqual(b.principal!.values, {
            Service: ["a.amazonaws.com"],
            AWS: ["*"],
            Federated: ["f"],
            CanonicalUser: ["c"],
        });
    });
    it("parses operator prefixes and suffixes", () => {
        const r = parsePolicyDocument(
            doc({ ...ok, Condition: { "ForAllValues:StringNotLikeIfExists": { "aws:TagKeys": "a*" } } }),
        );
        const c = r.policy!.statements[0].conditions[0];
        assert.deepEqual(
            [c.base, c.set, c.ifExists, c.negated, c.keyLower],
            ["StringNotLike", "ForAllValues", true, true, "aws:tagkeys"],
        );
    });
    it("reports bad JSON and non-objects", () => {
        onlyProblem("{", /not valid JSON/);
        onlyProblem("[1]", /must be a JSON object/);
        onlyProblem(7, /must be a JSON object/);
        onlyProblem(null, /must be a JSON object/);
        assert.equal(parsePolicyDocument("{").policy, undefined);
    });
    it("reports missing or unknown Effect", () => {
        onlyProblem(doc({ ...ok, Effect: undefined }), /has no Effect/);
        onlyProblem(doc({ ...ok, Effect: "allow" }), /Effect must be "Allow" or "Deny"/);
        assert.equal(parsePolicyDocument(doc({ ...ok, Effect: "allow" })).policy!.statements.length, 0);
    });
    it("reports both or neither Action/NotAction", () => {
        onlyProblem(doc({ ...ok, NotAction: "kms:Encrypt" }), /both Action and NotAction/);
        onlyProblem(doc({ ...ok, Action: undefined }), /neither Action nor NotAction/);
    });
    it("reports both or neither Principal/NotPrincipal (a key policy needs one)", () => {
        onlyProblem(doc({ ...ok, NotPrincipal: { AWS: "1" } }), /both Principal and NotPrincipal/);
        onlyProblem(doc({ ...ok, Principal: undefined }), /no Principal/);
    });
    it("reports both or neither Resource/NotResource", () => {
        onlyProblem(doc({ ...ok, NotResource: "*" }), /both Resource and NotResource/);
        onlyProblem(doc({ ...ok, Resource: undefined }), /neither Resource nor NotResource/);
    });
    it("reports unknown top-level and statement fields (case-sensitive)", () => {
        onlyProblem({ ...doc(ok), Extra: 1 }, /top-level field "Extra"/);
        onlyProblem(doc({ ...ok, effect: "Allow" }), /field "effect"/);
        onlyProblem({ Version: "2012-10-18", Statement: [ok] }, /Version/);
        onlyProblem({ Version: "2012-10-17" }, /no Statement/);
        onlyProblem(doc(), /empty/);
    });
    it("reports unknown condition operators and lists the valid ones in the fix", () => {
        for (const op of ["StringEqual", "NullIfExists", "ForSomeValues:StringEquals", "StringLikeIfExist"]) {
            const r = parsePolicyDocument(doc({ ...ok, Condition: { [op]: { "aws:SourceArn": "x" } } }));
            assert.equal(r.problems.length, 1, op);
            assert.match(r.problems[0].message, new RegExp(`"${op}" is not one AWS accepts`));
            assert.match(r.problems[0].fix, /String\(Not\)Like.*Null.*IfExists.*ForAnyValue/);
        }
    });
    it("reports wrong value types", () => {
        onlyProblem(doc({ ...ok, Action: 3 }), /Action must be a string/);
        onlyProblem(doc({ ...ok, Action: [] }), /Action is an empty list/);
        onlyProblem(doc({ ...ok, Resource: ["*", {}] }), /Resource must be a string/);
        onlyProblem(doc({ ...ok, Principal: "arn:aws:iam::1:root" }), /Principal must be "\*" or an object/);
        onlyProblem(doc({ ...ok, Principal: { Aws: "1" } }), /unknown principal type "Aws"/);
        onlyProblem(doc({ ...ok, Principal: { AWS: [1] } }), /Principal.AWS must be a string/);
        onlyProblem(doc({ ...ok, Condition: [] }), /Condition must be an object/);
        onlyProblem(doc({ ...ok, Condition: { StringEquals: "x" } }), /must map condition keys/);
        onlyProblem(doc({ ...ok, Condition: { StringEquals: { k: { a: 1 } } } }), /value of "StringEquals" \/ "k"/);
        onlyProblem(doc({ ...ok, Condition: { StringEquals: { k: [] } } }), /value of "StringEquals" \/ "k"/);
        onlyProblem(doc({ ...ok, Sid: 5 }), /Sid must be a string/);
        onlyProblem(doc("x"), /statement #1 must be an object/);
    });
    it("names the statement by Sid or 1-based number in each problem", () => {
        const r = parsePolicyDocument(doc(ok, { ...ok, Sid: "Two", Effect: "Nope" }, { ...ok, Effect: "Nope" }));
        assert.deepEqual(
            r.problems.map((p) => p.where),
            [`Sid "Two"`, "statement #3"],
        );
    });
    it("reports documents over 32 KB (32,768 bytes), counting UTF-8 bytes", () => {
        const big = (n: number) => ({ Version: "2012-10-17", Statement: [{ ...ok, Sid: "é".repeat(n) }] });
        const base = Buffer.byteLength(JSON.stringify(big(0)));
        const fits = Math.floor((32768 - base) / 2);
        assert.deepEqual(problems(big(fits)), []);
        onlyProblem(big(fits + 1), /KMS accepts at most 32768 bytes/);
        onlyProblem(JSON.stringify(big(fits + 1)), /32768/);
    });
    it("notes the unknown sentinel without calling it malformed", () => {
        for (const d of [
            doc({ ...ok, Condition: { StringEquals: { "aws:SourceArn": UNKNOWN_STRING } } }),
            doc({ ...ok, Effect: UNKNOWN_STRING }),
            doc(UNKNOWN_STRING, ok),
            doc({ ...ok, Principal: UNKNOWN_STRING }),
            doc({ ...ok, Condition: UNKNOWN_STRING }),
        ]) {
            const r = parsePolicyDocument(d);
            assert.deepEqual(r.problems, [], JSON.stringify(d));
            assert.equal(r.policy!.hasUnknowns, true);
        }
        assert.equal(parsePolicyDocument(doc(ok)).policy!.hasUnknowns, false);
    });
    it("accepts the guide's statement and the standard root statement with no problem", () => {
        assert.deepEqual(problems(doc(rootStatement, guideStatement())), []);
    });
    it("never throws, even on hostile input", () => {
        const hostile = Object.create(null);
        Object.defineProperty(hostile, "Statement", {
            enumerable: true,
            get: () => {
                throw new Error("boom");
            },
        });
        for (const input of [hostile, Symbol("x"), () => 1, BigInt(1), new Date(), doc(null, [], 1)]) {
            const r = parsePolicyDocument(input);
            assert.equal(r.ok, false);
            assert.ok(r.problems.length > 0);
        }
    });
});
