/**
 * Documents KMS refuses (KMS API Reference, PutKeyPolicy / CreateKey, `Policy`: 1 to 32,768 bytes matching
 * `[\u0009\u000A\u000D\u0020-\u00FF]+`), empty strings where a name is required, and condition values that
 * are not text: refused the same whether the document is an object or its JSON text. What the grammar accepts
 * (an empty Sid, an empty condition value, DEL and the C1 controls) is judged as written.
 */
import assert from "node:assert/strict";
import * as fc from "fast-check";
import { analyzeKeyPolicy, parsePolicyDocument } from "../../policypack/judge";
import { runs } from "../hostile/generators";
import { ACCOUNT, APP_ARN, APP_ID, guideStatement, rootStatement } from "./fixtures";

const doc = (...statements: unknown[]): Record<string, unknown> => ({ Version: "2012-10-17", Statement: statements });
const withSid = (sid: string): Record<string, unknown> => doc(rootStatement, { ...guideStatement(), Sid: sid });

function problems(d: unknown): string[] {
    return parsePolicyDocument(d).problems.map((p) => p.message);
}

/** Problems of the object and of its JSON text: they must agree on validity. */
function both(d: Record<string, unknown>): { object: string[]; text: string[] } {
    return { object: problems(d), text: problems(JSON.stringify(d)) };
}

describe("judge: characters KMS accepts in a key policy", () => {
    it("accepts tab, LF, CR and U+0020-U+00FF (DEL and C1 included), and refuses the rest, as object and as text", () => {
        const accepted = [0x09, 0x0a, 0x0d, 0x20, 0x41, 0x7e, 0x7f, 0x80, 0x85, 0x9f, 0xa0, 0xe9, 0xff];
        const refused = [0x00, 0x08, 0x1f, 0x100, 0x130, 0x2019, 0x200b, 0xfeff, 0x1f512];
        for (const cp of accepted) {
            const r = both(withSid(`Sid${String.fromCodePoint(cp)}x`));
            assert.deepEqual(r, { object: [], text: [] }, cp.toString(16));
        }
        for (const cp of refused) {
            const r = both(withSid(`Sid${String.fromCodePoint(cp)}x`));
            for (const list of [r.object, r.text]) {
                assert.equal(list.length, 1, `${cp.toString(16)}: ${JSON.stringify(list)}`);
                assert.match(list[0], /KMS refuses/);
                assert.match(list[0], new RegExp(`U\\+${cp.toString(16).toUpperCase().padStart(4, "0")}`));
                assert.match(list[0], /Statement\[1\]\.Sid/);
            }
        }
    });
    it("refuses a raw refused character in the text and the same character escaped as \\u", () => {
        const raw = JSON.stringify(withSid("A\u0410"));
        assert.match(problems(raw)[0], /U\+0410/);
        assert.match(problems(raw.replace("\u0410", "\\u0410"))[0], /U\+0410/);
    });
    it("refuses a byte-order mark and still reads the document after it", () => {
        const a = analyzeKeyPolicy(`\uFEFF${JSON.stringify(doc(rootStatement, guideStatement()))}`);
        assert.deepEqual(
            a.findings.map((f) => f.kind),
            ["malformed"],
        );
        assert.match(a.findings[0].message, /byte-order mark \(U\+FEFF\)/);
        assert.equal(a.grantsService, true);
    });
    it("refuses characters outside the range anywhere, generated", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 0x100, max: 0x10ffff }).filter((cp) => cp < 0xd800 || cp > 0xdfff),
                fc.constantFrom("Sid", "Action", "Condition"),
                (cp, where) => {
                    const ch = String.fromCodePoint(cp);
                    const st: Record<string, unknown> = { ...guideStatement() };
                    if (where === "Sid") {
                        st.Sid = `S${ch}`;
                    } else if (where === "Action") {
                        st.Action = ["kms:Decrypt", `kms:Generate${ch}`];
                    } else {
                        st.Condition = { StringEquals: { "aws:SourceAccount": `${ACCOUNT}${ch}` } };
                    }
                    const r = both(doc(rootStatement, st));
                    assert.ok(r.object.some((m) => /KMS refuses/.test(m)));
                    assert.ok(r.text.some((m) => /KMS refuses/.test(m)));
                },
            ),
            runs(0xc4a5, 200),
        );
    });
});

describe("judge: empty documents and empty strings", () => {
    it("refuses an empty string, white space, an empty object and an empty Statement list", () => {
        assert.match(problems("")[0], /empty string; KMS requires a policy document of 1 to 32,768 bytes/);
        for (const d of [" ", "\n\t", {}, { Version: "2012-10-17" }, { Version: "2012-10-17", Statement: [] }]) {
            assert.equal(parsePolicyDocument(d).ok, false, JSON.stringify(d));
        }
    });
    it("refuses an empty Id, action, resource, principal or condition key", () => {
        const g = guideStatement();
        for (const [what, d] of [
            ["Id", { ...doc(rootStatement, g), Id: "" }],
            ["Action", doc(rootStatement, { ...g, Action: ["kms:Decrypt", ""] })],
            ["Resource", doc(rootStatement, { ...g, Resource: "" })],
            ["Principal.AWS", doc({ ...rootStatement, Principal: { AWS: "" } }, g)],
            ["Principal.Service", doc(rootStatement, { ...g, Principal: { Service: "" } })],
            ["condition key", doc(rootStatement, { ...g, Condition: { StringEquals: { "": APP_ID } } })],
        ] as const) {
            const p = problems(d);
            assert.equal(p.length, 1, `${what}: ${JSON.stringify(p)}`);
            assert.match(p[0], /empty/, what);
        }
    });
    it("accepts an empty Sid and an empty condition value, and judges the value as written", () => {
        assert.deepEqual(both(withSid("")), { object: [], text: [] });
        const a = analyzeKeyPolicy(withSid(""));
        assert.equal(a.grantsService, true);
        assert.deepEqual(a.findings, []);
        // No request of the service carries an empty source ARN: the statement lets it in for nothing.
        const emptyArn = doc(rootStatement, {
            ...guideStatement(),
            Condition: { StringLike: { "aws:SourceArn": "" } },
        });
        assert.deepEqual(both(emptyArn), { object: [], text: [] });
        assert.equal(analyzeKeyPolicy(emptyArn).grantsService, false);
        // In a Deny's negated condition an empty value refuses every request that carries the key.
        const denied = doc(rootStatement, guideStatement(), {
            Sid: "D",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:SourceAccount": "" } },
        });
        assert.equal(analyzeKeyPolicy(denied).grantsService, false);
    });
    it("reports a statement without Resource or Action, and evaluates it as applying to nothing", () => {
        const { Resource: _r, ...noResource } = guideStatement();
        const a = analyzeKeyPolicy(doc(rootStatement, noResource));
        assert.deepEqual(
            a.findings.map((f) => f.kind),
            ["malformed"],
        );
        assert.match(a.findings[0].message, /no effect/);
        assert.equal(a.grantsService, false);
        const wide = { ...guideStatement(), Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } };
        const deny = {
            Sid: "D",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:*",
            Condition: { Null: { "aws:SourceArn": "true" } },
        };
        const b = analyzeKeyPolicy(doc(rootStatement, wide, deny));
        assert.ok(
            b.findings.some((f) => f.kind === "service-unbound"),
            "a Deny without Resource binds nothing",
        );
    });
});

describe("judge: condition values that are not text", () => {
    const withValue = (operator: string, key: string, value: unknown): Record<string, unknown> =>
        doc(rootStatement, {
            ...guideStatement(),
            Condition: { StringLike: { "aws:SourceArn": APP_ARN }, [operator]: { [key]: value } },
        });
    it("reads booleans and plain whole numbers as their text", () => {
        for (const [op, key, value] of [
            ["StringEquals", "aws:SourceAccount", Number(ACCOUNT)],
            ["Bool", "aws:SecureTransport", true],
            ["StringEquals", "kms:EncryptionContext:applicationId", [APP_ID, 7]],
        ] as const) {
            assert.deepEqual(both(withValue(op, key, value)), { object: [], text: [] }, `${op} ${String(value)}`);
        }
    });
    it("reads any finite number with a Numeric or Date operator", () => {
        for (const op of ["NumericLessThan", "DateGreaterThan", "NumericEqualsIfExists"]) {
            assert.deepEqual(both(withValue(op, "aws:MultiFactorAuthAge", 3600.5)), { object: [], text: [] }, op);
        }
    });
    it("refuses fractions, exponents, negative and unsafe numbers with other operators", () => {
        for (const value of [1.5, -3, 2 ** 53 + 2]) {
            const r = both(withValue("StringEquals", "aws:SourceAccount", value));
            assert.match(r.object[0] ?? "", /text AWS compares/, String(value));
            assert.match(r.text[0] ?? "", /text AWS compares/, String(value));
        }
        // Written with an exponent or a fraction in the text, even when the value is a whole number.
        for (const written of ["1.11122223333e11", "111122223333.0"]) {
            const text = JSON.stringify(withValue("StringEquals", "aws:SourceAccount", 0)).replace(
                '"aws:SourceAccount":0',
                `"aws:SourceAccount":${written}`,
            );
            assert.match(problems(text)[0] ?? "", /text AWS compares/, written);
        }
    });
    it("refuses null, objects and nested lists as condition values", () => {
        for (const value of [null, { a: 1 }, [["x"]], []]) {
            assert.equal(parsePolicyDocument(withValue("StringEquals", "aws:SourceAccount", value)).ok, false);
        }
    });
});
