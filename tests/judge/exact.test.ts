/**
 * The exact search (policypack/judge/witness.ts, languages.ts) against an independent oracle: every request over a
 * small alphabet and bounded lengths, each put to the IAM evaluator. Documents are generated with an Allow and
 * Denies over a few context keys (single-valued strings, a multi-valued key, a numeric key), every string operator
 * and its negation, IfExists, Null, ForAnyValue / ForAllValues, and Deny shapes written against bounded searches
 * (value lists, lengths, prefixes). The search must find a request exactly when one exists within the oracle's
 * bounds, and every request it returns must be allowed by the evaluator.
 */
import * as assert from "node:assert/strict";
import { analyzeKeyPolicy, evaluateRequest } from "../../policypack/judge";
import { inLanguage, glob, solve, arnPattern, literal } from "../../policypack/judge/languages";
import { KeyDomain, MULTI_VALUED_KEYS, findAllowedRequestExactly } from "../../policypack/judge/witness";
import { KEY_ARN } from "../../harness/fixtures";
import { ACTION, CALLER, Condition, craftedDeny, LETTERS, parsed, random, strings } from "./oracle";

/** The oracle's bounds: strings over {a, b, x} ("x" stands for every other character) of 1 to 3 characters. */
const MAX_LENGTH = 3;
const STRING_KEYS = ["kms:EncryptionContext:k1", "kms:EncryptionContext:k2"];
const LIST_KEY = "aws:TagKeys";
const NUMBER_KEY = "kms:ExampleNumber";

const STRING_VALUES: Array<string | undefined> = [undefined, ...strings(MAX_LENGTH)];
/** Lists of distinct one-character elements. */
const LIST_VALUES: Array<string[] | undefined> = [
    undefined,
    ["a"],
    ["b"],
    ["x"],
    ["a", "b"],
    ["a", "x"],
    ["b", "x"],
    ["a", "b", "x"],
];
const NUMBER_VALUES: Array<string | undefined> = [undefined, "-1", "0", "0.5", "1", "1.5", "2", "2.5", "3", "4"];

function generator(seed: number) {
    const r = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const pattern = (): string => {
        const n = Math.floor(r() * 4);
        let s = "";
        for (let i = 0; i < n; i++) {
            s += pick(["a", "b", "a", "b", "*", "?"]);
        }
        return s === "" ? pick(["*", "a", "?"]) : s;
    };
    const stringCondition = (keys: readonly string[]): Condition => {
        const key = pick(keys);
        const op = pick([
            "StringEquals",
            "StringNotEquals",
            "StringLike",
            "StringNotLike",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLikeIfExists",
            "StringNotLikeIfExists",
            "Null",
        ]);
        if (op === "Null") {
            return { Null: { [key]: pick(["true", "false"]) } };
        }
        const n = 1 + Math.floor(r() * 3);
        const values = Array.from({ length: n }, () => {
            const p = pattern();
            return op.includes("Like")
                ? p
                : op.includes("IgnoreCase")
                  ? p.replace(/[*?]/g, "A")
                  : p.replace(/[*?]/g, "b");
        });
        return { [op]: { [key]: values.length === 1 ? values[0] : values } };
    };
    const listCondition = (): Condition => {
        const op = pick([
            "ForAnyValue:StringLike",
            "ForAllValues:StringLike",
            "ForAnyValue:StringNotEquals",
            "ForAllValues:StringNotLike",
            "StringEquals",
            "Null",
        ]);
        if (op === "Null") {
            return { Null: { [LIST_KEY]: pick(["true", "false"]) } };
        }
        return { [op]: { [LIST_KEY]: [pick(["a", "b", "x", "*"]), pick(["a", "b"])] } };
    };
    const numberCondition = (): Condition => {
        const op = pick([
            "NumericLessThan",
            "NumericGreaterThanEquals",
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThanEqualsIfExists",
        ]);
        return { [op]: { [NUMBER_KEY]: String(pick([0, 1, 2, 3])) } };
    };
    /** Deny shapes written against bounded searches: every short value, every value of some lengths, prefixes. */
    const crafted = (keys: readonly string[]): Condition => craftedDeny(pick(keys), r, pattern);
    return (): { doc: unknown; keys: string[] } => {
        const shape = r();
        const keys =
            shape < 0.65
                ? [pick(STRING_KEYS)]
                : shape < 0.75
                  ? STRING_KEYS
                  : shape < 0.9
                    ? [STRING_KEYS[0], LIST_KEY]
                    : [STRING_KEYS[0], NUMBER_KEY];
        const condition = (): Condition => {
            const key = pick(keys);
            return key === LIST_KEY ? listCondition() : key === NUMBER_KEY ? numberCondition() : stringCondition([key]);
        };
        const merge = (parts: Condition[]): Condition => {
            const out: Condition = {};
            for (const p of parts) {
                for (const [op, body] of Object.entries(p)) {
                    out[op] = { ...(out[op] ?? {}), ...body };
                }
            }
            return out;
        };
        const statements: unknown[] = [
            {
                Effect: "Allow",
                Principal: "*",
                Action: "kms:*",
                Resource: "*",
                Condition: merge(Array.from({ length: Math.floor(r() * 3) }, condition)),
            },
        ];
        const denies = Math.floor(r() * 5);
        const stringKeys = keys.filter((k) => STRING_KEYS.includes(k));
        for (let i = 0; i < denies; i++) {
            const parts = Array.from({ length: 1 + Math.floor(r() * 2) }, () =>
                r() < 0.4 && stringKeys.length > 0 ? crafted(stringKeys) : condition(),
            );
            statements.push({
                Effect: "Deny",
                Principal: "*",
                Action: "kms:*",
                Resource: "*",
                Condition: merge(parts),
            });
        }
        return { doc: { Version: "2012-10-17", Statement: statements }, keys };
    };
}

/** Every request within the bounds over `keys`, put to the evaluator: the first one allowed, if any. */
function oracle(doc: unknown, keys: readonly string[]): Record<string, string | string[]> | undefined {
    const p = parsed(doc);
    const domains = keys.map((k) => (k === LIST_KEY ? LIST_VALUES : k === NUMBER_KEY ? NUMBER_VALUES : STRING_VALUES));
    const context: Record<string, string | string[] | undefined> = {};
    const walk = (i: number): Record<string, string | string[]> | undefined => {
        if (i === keys.length) {
            const decision = evaluateRequest(p, { principal: CALLER, action: ACTION, resource: KEY_ARN, context });
            return decision === "Allow"
                ? (JSON.parse(JSON.stringify(context)) as Record<string, string | string[]>)
                : undefined;
        }
        for (const v of domains[i]) {
            context[keys[i]] = v;
            const found = walk(i + 1);
            if (found) {
                return found;
            }
        }
        context[keys[i]] = undefined;
        return undefined;
    };
    return walk(0);
}

const FREE = (lower: string): KeyDomain => ({
    kind: "free",
    absent: true,
    multi: MULTI_VALUED_KEYS.has(lower),
    shape: [],
});

function judged(doc: unknown) {
    const p = parsed(doc);
    return findAllowedRequestExactly({
        policy: p,
        statement: p.statements[0],
        action: ACTION,
        resource: KEY_ARN,
        principal: CALLER,
        domain: FREE,
    });
}

/** Whether a witness lies within the oracle's bounds (its strings over the oracle's letters, short enough). */
function withinBounds(context: Map<string, string[]>, keys: readonly string[]): boolean {
    return keys.every((k) => {
        const v = context.get(k.toLowerCase());
        if (v === undefined || k === NUMBER_KEY) {
            return true;
        }
        return v.every(
            (e) => e.length <= (k === LIST_KEY ? 1 : MAX_LENGTH) && [...e].every((c) => LETTERS.includes(c)),
        );
    });
}

describe("judge: the exact search against an exhaustive oracle", () => {
    it("finds an allowed request exactly when the oracle does, on 10,000 generated documents", function () {
        this.timeout(120_000);
        const next = generator(0x16e7);
        let agreeAllowed = 0;
        let agreeNone = 0;
        let beyond = 0;
        let judgeMs = 0;
        let oracleMs = 0;
        for (let i = 0; i < 10_000; i++) {
            const { doc, keys } = next();
            let t = performance.now();
            const found = judged(doc);
            judgeMs += performance.now() - t;
            t = performance.now();
            const expected = oracle(doc, keys);
            oracleMs += performance.now() - t;
            const where = `document ${i}: ${JSON.stringify(doc)}`;
            if (found) {
                // Every witness is a request the evaluator allows.
                assert.equal(
                    evaluateRequest(parsed(doc), { ...found, context: Object.fromEntries(found.context) }),
                    "Allow",
                    where,
                );
                if (expected) {
                    agreeAllowed++;
                } else {
                    // The only way to disagree: the shortest witness lies beyond the oracle's bounds.
                    assert.ok(
                        !withinBounds(found.context, keys),
                        `${where}: the oracle finds none, the search ${JSON.stringify([...found.context])}`,
                    );
                    beyond++;
                }
            } else {
                assert.equal(expected, undefined, `${where}: the oracle allows ${JSON.stringify(expected)}`);
                agreeNone++;
            }
        }
        if (process.env.EXACT_STATS) {
            console.log({ agreeAllowed, agreeNone, beyond, judgeMs, oracleMs });
        }
        // Both answers occur often enough for the comparison to mean something.
        assert.ok(
            agreeAllowed > 2_000 && agreeNone > 1_000,
            `allowed ${agreeAllowed}, none ${agreeNone}, beyond ${beyond}`,
        );
        assert.ok(beyond < 500, `beyond the bounds: ${beyond}`);
    });
});

describe("judge: string languages", () => {
    it("a glob, an ARN pattern and a literal accept what the evaluator's matchers accept", () => {
        assert.equal(inLanguage([glob("a*b?", false)], "axxbc"), true);
        assert.equal(inLanguage([glob("a*b?", false)], "axxb"), false);
        assert.equal(inLanguage([glob("A*", true)], "abc"), true);
        assert.equal(inLanguage(arnPattern("arn:aws:iam::*:role/*"), "arn:aws:iam::1:role/a:b"), true);
        assert.equal(inLanguage(arnPattern("arn:aws:iam::*:role/*"), "arn:aws:iam::1:2:role/a"), false);
        assert.equal(inLanguage(literal("a*"), "a*"), true);
        assert.equal(inLanguage(literal("a*"), "ab"), false);
    });

    it("finds a member of a region that every value up to some length avoids, and none of an empty one", () => {
        const short = Array.from({ length: 14 }, (_, i) => glob("?".repeat(i + 1), false));
        assert.equal(solve([{ language: short, want: false }])?.length, 15);
        assert.equal(solve([{ language: [glob("*", false)], want: false }]), undefined);
        const both = solve([
            { language: [glob("*ab*", false)], want: true },
            { language: [glob("*ba*", false)], want: true },
            { language: [glob("aba", false), glob("bab", false)], want: false },
        ]);
        assert.ok(both !== undefined && both.includes("ab") && both.includes("ba") && !/^(aba|bab)$/.test(both), both);
    });
});

describe("judge: open grants decided over every caller of another account", () => {
    const OWNER = "111122223333";
    /** Accounts that stand for every account under the generated Denies: each two-digit prefix, two tails. */
    const TAILS = ["0000000000", "5555555555"];
    const callers: string[] = [];
    for (let p = 0; p < 100; p++) {
        for (const tail of TAILS) {
            const account = String(p).padStart(2, "0") + tail;
            if (account !== OWNER) {
                for (const form of [":root", ":user/x", ":role/x", ":role/y"]) {
                    callers.push(`arn:aws:iam::${account}${form}`);
                }
                callers.push(`arn:aws:sts::${account}:federated-user/x`);
            }
        }
    }
    const TYPES: Record<string, string> = {
        root: "Account",
        user: "User",
        role: "AssumedRole",
        federated: "FederatedUser",
    };
    const typeOf = (arn: string): string =>
        TYPES[
            arn.endsWith(":root")
                ? "root"
                : arn.includes(":user/")
                  ? "user"
                  : arn.includes(":sts:")
                    ? "federated"
                    : "role"
        ];

    function openGrantOracle(doc: unknown): boolean {
        const p = parsed(doc);
        return callers.some((arn) => {
            const account = arn.split(":")[4];
            const context = {
                "aws:PrincipalArn": arn,
                "aws:PrincipalAccount": account,
                "kms:CallerAccount": account,
                "aws:PrincipalType": typeOf(arn),
                "aws:PrincipalIsAWSService": "false",
                "aws:ResourceAccount": OWNER,
            };
            return (
                evaluateRequest(p, {
                    principal: { type: "AWS", id: arn },
                    action: ACTION,
                    resource: KEY_ARN,
                    context,
                }) === "Allow"
            );
        });
    }

    function documents(seed: number, n: number): unknown[] {
        const r = random(seed);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
        const prefixes = (): string[] =>
            Array.from({ length: 1 + Math.floor(r() * 16) }, () =>
                r() < 0.75 ? `${Math.floor(r() * 10)}*` : `${String(Math.floor(r() * 100)).padStart(2, "0")}*`,
            );
        const accounts = (): string[] =>
            Array.from(
                { length: 1 + Math.floor(r() * 4) },
                () => String(Math.floor(r() * 100)).padStart(2, "0") + pick(TAILS),
            );
        const denial = (): Record<string, unknown> =>
            pick<() => Record<string, unknown>>([
                () => ({ Condition: { StringLike: { "aws:PrincipalAccount": prefixes() } } }),
                () => ({ Condition: { StringNotLike: { "kms:CallerAccount": prefixes() } } }),
                () => ({
                    Condition: {
                        ArnLike: {
                            "aws:PrincipalArn": pick([
                                "arn:aws:iam::*:role/*",
                                "arn:aws:iam::*:user/*",
                                "arn:aws:iam::*:root",
                                "arn:aws:sts::*:*",
                                "*:role/x",
                            ]),
                        },
                    },
                }),
                () => ({
                    Condition: {
                        StringNotEquals: {
                            "aws:PrincipalType": [
                                pick(Object.values(TYPES)),
                                ...Object.values(TYPES).filter(() => r() < 0.4),
                            ],
                        },
                    },
                }),
                () => ({ Condition: { StringEquals: { "aws:PrincipalType": pick(Object.values(TYPES)) } } }),
                () => ({ Principal: { AWS: accounts() }, Condition: undefined }),
                () => ({ NotPrincipal: { AWS: accounts() }, Principal: undefined, Condition: undefined }),
                () => ({
                    Condition: {
                        StringLike: { "aws:PrincipalArn": [`arn:aws:iam::${pick(["0", "1", "5", "9"])}*`, "*:role/y"] },
                    },
                }),
            ])();
        return Array.from({ length: n }, () => {
            const statements: unknown[] = [
                { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: "kms:*", Resource: "*" },
                { Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" },
            ];
            for (let i = 0, k = Math.floor(r() * 6); i < k; i++) {
                const d = { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*", ...denial() };
                statements.push(JSON.parse(JSON.stringify(d)));
            }
            return { Version: "2012-10-17", Statement: statements };
        });
    }

    it("reports an open grant exactly when some caller of another account is allowed (600 documents)", function () {
        this.timeout(120_000);
        let open = 0;
        let closed = 0;
        documents(0x0a11, 600).forEach((doc, i) => {
            const expected = openGrantOracle(doc);
            const reported = analyzeKeyPolicy(doc, { keyArn: KEY_ARN }).findings.some((f) => f.kind === "open-grant");
            assert.equal(reported, expected, `document ${i}: ${JSON.stringify(doc)}`);
            if (expected) {
                open++;
            } else {
                closed++;
            }
        });
        if (process.env.EXACT_STATS) {
            console.log({ open, closed });
        }
        assert.ok(open > 150 && closed > 60, `open ${open}, closed ${closed}`);
    });
});
