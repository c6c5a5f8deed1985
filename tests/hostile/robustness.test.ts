/**
 * Hostile input for the judge: whatever the document, parsePolicyDocument, evaluateRequest and
 * analyzeKeyPolicy return a verdict, never throw, and never reach their catch-all (an internal
 * exception swallowed into a "could not be judged" finding) for JSON input.
 *
 * Duplicate keys. JSON text with a repeated member name: JSON.parse keeps the LAST copy. What AWS
 * does is not documented: the IAM grammar ("IAM JSON policy language grammar") only asks for JSON
 * that complies with RFC 7159, which says names SHOULD be unique and leaves the behaviour of
 * duplicates to the implementation; IAM Access Analyzer's policy checks have an ERROR "Duplicate keys
 * with different case" (condition keys that differ only by case in one block) but nothing we could
 * find for exact duplicates. So the judge cannot know which copy KMS keeps. The property asserted here
 * is only robustness (a verdict, no throw, no catch-all); the stricter property "a document whose
 * first-copy reading is a violation is not passed" is in semantics.test.ts ("duplicate keys").
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { UnknownValueError } from "@pulumi/policy";
import { analyzeKeyPolicy, evaluateRequest, parsePolicyDocument } from "../../policypack/judge";
import { UNKNOWN_STRING } from "../../policypack/judge/constants";
import {
    Json,
    anyJson,
    goodPolicy,
    hugePolicy,
    mutatedDocument,
    nest,
    nestedText,
    oddString,
    paths,
    policy,
    renamedKeyDocument,
    request,
    runs,
    unknownsDocument,
    withDuplicateKey,
} from "./generators";
import { assertVerdict, blocks, timed } from "./support";

/** Every front door of the judge on one document; returns the analysis. */
function judgeAll(doc: unknown, jsonInput: boolean): ReturnType<typeof analyzeKeyPolicy> {
    const parsed = parsePolicyDocument(doc);
    assert.equal(typeof parsed.ok, "boolean");
    assert.ok(Array.isArray(parsed.problems));
    if (jsonInput) {
        for (const p of parsed.problems) {
            assert.doesNotMatch(p.message, /could not be read:/);
        }
    }
    if (parsed.policy) {
        const d = evaluateRequest(parsed.policy, {
            principal: { type: "Service", id: "emr-serverless.amazonaws.com" },
            action: "kms:Decrypt",
            context: { "aws:SourceAccount": "111122223333" },
        });
        assert.ok(["Allow", "ExplicitDeny", "ImplicitDeny"].includes(d));
    }
    const a = analyzeKeyPolicy(doc);
    assertVerdict(a, jsonInput);
    // The same document as text must give the same verdict as the object (when it has a text form).
    if (jsonInput && typeof doc !== "string") {
        const text = JSON.stringify(doc);
        if (text !== undefined) {
            const b = analyzeKeyPolicy(text);
            assertVerdict(b, true);
            assert.equal(blocks(b), blocks(a), "object and JSON text of the same document judged differently");
        }
    }
    return a;
}

describe("hostile input: the judge never throws and always returns a verdict", () => {
    it("any JSON value as the document (object and text)", () => {
        fc.assert(
            fc.property(anyJson(), (doc) => {
                judgeAll(doc, true);
                judgeAll(JSON.stringify(doc), true);
            }),
            runs(0x5eed01, 300),
        );
    });

    it("a wrong type in every field of a valid document", () => {
        fc.assert(
            fc.property(mutatedDocument(), (doc) => {
                judgeAll(doc, true);
            }),
            runs(0x5eed02, 400),
        );
    });

    it("exhaustively: every field of the good policy replaced by each type", () => {
        const good = goodPolicy() as unknown as Json;
        const replacements: Json[] = [null, true, 0, -1.5, "", "x", UNKNOWN_STRING, [], [null], {}, { a: 1 }, [[]]];
        let n = 0;
        for (const p of paths(good)) {
            for (const r of replacements) {
                let doc: Json = good;
                if (p.length > 0) {
                    doc = JSON.parse(JSON.stringify(good)) as Json;
                    let cur = doc as Record<string, Json>;
                    for (const k of p.slice(0, -1)) {
                        cur = cur[k as string] as Record<string, Json>;
                    }
                    cur[p[p.length - 1] as string] = r;
                } else {
                    doc = r;
                }
                const a = judgeAll(doc, true);
                // Breaking any field of the good policy must never yield a verdict that is both
                // unparsed and silent.
                assert.ok(a.parsed || a.findings.length > 0 || (r === UNKNOWN_STRING && a.hasUnknowns));
                n++;
            }
        }
        assert.ok(n > 200);
    });

    it("renamed keys (case variants, odd Unicode) anywhere", () => {
        fc.assert(
            fc.property(renamedKeyDocument(), (doc) => {
                const a = judgeAll(doc, true);
                // A renamed element name is not an IAM element: the document must not pass silently
                // as if nothing were wrong unless the rename removed nothing the checks need.
                assert.ok(a.parsed || a.findings.length > 0);
            }),
            runs(0x5eed03, 300),
        );
    });

    it("odd Unicode in every string position", () => {
        fc.assert(
            fc.property(
                fc.constantFrom(...paths(goodPolicy() as unknown as Json).filter((p) => p.length > 0)),
                oddString(),
                (p, s) => {
                    const doc = JSON.parse(JSON.stringify(goodPolicy())) as Record<string, Json>;
                    let cur = doc as Record<string, Json>;
                    for (const k of p.slice(0, -1)) {
                        cur = cur[k as string] as Record<string, Json>;
                    }
                    cur[p[p.length - 1] as string] = s;
                    judgeAll(doc, true);
                },
            ),
            runs(0x5eed04, 300),
        );
    });

    it("unknowns (the engine's sentinel) at every position are reported as hasUnknowns", () => {
        fc.assert(
            fc.property(unknownsDocument(), (doc) => {
                const a = judgeAll(doc, true);
                assert.ok(
                    a.hasUnknowns || !a.parsed || a.findings.some((f) => f.kind === "malformed"),
                    "an unknown went unnoticed",
                );
            }),
            runs(0x5eed05, 300),
        );
        // The whole document unknown (a computed policy at preview).
        const a = analyzeKeyPolicy(UNKNOWN_STRING);
        assertVerdict(a, true);
        assert.equal(a.hasUnknowns, true);
    });

    it("deep nesting: 100,000 levels as text, 5,000 as an object (arrays, objects, mixed)", () => {
        for (const depth of [10, 1000, 100_000]) {
            const a = judgeAll(nestedText(depth), true);
            assert.equal(blocks(a), true);
        }
        for (const kind of ["array", "object", "mixed"] as const) {
            const doc = { Version: "2012-10-17", Statement: nest(5000, { Effect: "Allow" }, kind) };
            // JSON.stringify of such an object may overflow the stack; the judge must still answer.
            const a = analyzeKeyPolicy(doc);
            assertVerdict(a, false);
            assert.equal(blocks(a), true, `${kind} nesting passed`);
            const cond = goodPolicy();
            (cond.Statement as Record<string, Json>[])[1].Condition = nest(5000, "x", kind);
            assertVerdict(analyzeKeyPolicy(cond), false);
        }
    });

    it("huge documents: at the 32 KB limit it is judged, beyond it malformed, 1 MB in bounded time", () => {
        const at = hugePolicy(32_000);
        assert.ok(Buffer.byteLength(JSON.stringify(at)) <= 32_768);
        const a = analyzeKeyPolicy(at);
        assertVerdict(a, true);
        assert.equal(
            a.findings.some((f) => f.kind === "malformed"),
            false,
        );
        for (const size of [33_000, 200_000, 1_000_000]) {
            const doc = JSON.stringify(hugePolicy(size));
            const t = timed(() => analyzeKeyPolicy(doc));
            assertVerdict(t.value, true);
            assert.ok(
                t.value.findings.some((f) => f.kind === "malformed" && /32768|32 KB/.test(f.message)),
                `${size} bytes not refused`,
            );
            assert.ok(t.ms < 5000, `${size} bytes took ${t.ms} ms`);
        }
        // Multi-byte characters: the limit is in bytes, not UTF-16 units.
        const wide = hugePolicy(20_000);
        (wide.Statement as Record<string, Json>[]).forEach((s, i) => {
            if (i > 1) {
                s.Sid = "日本語".repeat(30) + String(i);
            }
        });
        const bytes = Buffer.byteLength(JSON.stringify(wide));
        const w = analyzeKeyPolicy(JSON.stringify(wide));
        assert.equal(
            w.findings.some((f) => f.kind === "malformed" && /32768|32 KB/.test(f.message)),
            bytes > 32_768,
        );
        // A single huge string value.
        const big = goodPolicy();
        (big.Statement as Record<string, Json>[])[1].Sid = "x".repeat(2_000_000);
        const t = timed(() => analyzeKeyPolicy(big));
        assertVerdict(t.value, true);
        assert.ok(t.ms < 5000);
    });

    it("duplicate keys in JSON text: a verdict, never a throw", () => {
        fc.assert(
            fc.property(
                policy({ notPrincipal: true, notAction: true }).chain((doc) =>
                    fc.tuple(
                        fc.constant(doc),
                        fc.constantFrom(
                            ...paths(doc).filter((p) => p.length > 0 && typeof p[p.length - 1] === "string"),
                        ),
                        anyJson(),
                    ),
                ),
                ([doc, p, first]) => {
                    const text = withDuplicateKey(doc as unknown as Json, p, first);
                    fc.pre(text !== undefined);
                    judgeAll(text, true);
                },
            ),
            runs(0x5eed06, 200),
        );
    });

    it("exotic JavaScript values: throwing getters, proxies, cycles, symbols, BigInt, functions", () => {
        const cyclic: Record<string, unknown> = { Version: "2012-10-17" };
        cyclic.Statement = [cyclic];
        const getter = { Version: "2012-10-17" };
        Object.defineProperty(getter, "Statement", {
            enumerable: true,
            get() {
                throw new Error("boom");
            },
        });
        const proxy = new Proxy(
            {},
            {
                get() {
                    throw new Error("proxy boom");
                },
                ownKeys() {
                    throw new Error("proxy keys boom");
                },
            },
        );
        const unknownProxyError = new Proxy(goodPolicy(), {
            get(target, prop) {
                if (prop === "Statement") {
                    throw new UnknownValueError("04da6b54-80e4-46f7-96ec-b56ff0331ba9", ["Statement"]);
                }
                return Reflect.get(target, prop);
            },
        });
        const sparse: unknown[] = [];
        sparse[1] = { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" };
        const nullProto = Object.assign(Object.create(null) as object, goodPolicy());
        const values: unknown[] = [
            undefined,
            Symbol("s"),
            BigInt(1),
            () => 1,
            cyclic,
            getter,
            proxy,
            nullProto,
            new Date(0),
            /re/,
            new Map([["Statement", []]]),
            Object.assign([], { Statement: [] }),
            { Version: "2012-10-17", Statement: [{ ...goodPolicy(), Effect: Symbol("Allow") }] },
            {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: "*", Action: [BigInt(1)], Resource: "*" }],
            },
            { Version: "2012-10-17", Statement: sparse },
            unknownProxyError,
        ];
        for (const v of values) {
            const a = analyzeKeyPolicy(v);
            assertVerdict(a, false);
            const p = parsePolicyDocument(v);
            assert.ok(Array.isArray(p.problems));
        }
        // A null-prototype copy of the good policy is the same document.
        assert.equal(blocks(analyzeKeyPolicy(nullProto)), false);
    });

    it("evaluateRequest never throws on hostile requests", () => {
        const parsedGood = parsePolicyDocument(goodPolicy()).policy!;
        fc.assert(
            fc.property(
                request(),
                fc.dictionary(
                    oddString(),
                    fc.oneof(oddString(), fc.array(oddString(), { maxLength: 3 }), fc.constant(undefined)),
                    { maxKeys: 4 },
                ),
                oddString(),
                (r, extra, action) => {
                    const d1 = evaluateRequest(parsedGood, { ...r, context: { ...r.context, ...extra } });
                    const d2 = evaluateRequest(parsedGood, { ...r, action });
                    const d3 = evaluateRequest(parsedGood, { ...r, principal: { type: r.principal.type, id: action } });
                    for (const d of [d1, d2, d3]) {
                        assert.ok(["Allow", "ExplicitDeny", "ImplicitDeny"].includes(d));
                    }
                },
            ),
            runs(0x5eed07, 300),
        );
        // Wrong types smuggled past the type system.
        const weird = [
            { principal: { type: "AWS", id: 5 }, action: null, context: null },
            { principal: null, action: "kms:Decrypt", context: {} },
            {
                principal: { type: "Service", id: "emr-serverless.amazonaws.com" },
                action: "kms:Decrypt",
                context: { "aws:SourceAccount": [1, null, {}] },
            },
        ] as unknown as Parameters<typeof evaluateRequest>[1][];
        for (const r of weird) {
            assert.ok(["Allow", "ExplicitDeny", "ImplicitDeny"].includes(evaluateRequest(parsedGood, r)));
        }
    });
});
