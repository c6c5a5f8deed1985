/**
 * The exact search on keys that string conditions and numeric, date, IP or Bool conditions name together, against an
 * independent oracle: every value of a rich alphabet (digits, ".", "-", "+", "e", leading zeros, a space, "0x",
 * spellings of dates, addresses and booleans) and every short list of them, each put to the IAM evaluator.
 * Documents are generated with an Allow and Denies on one single-valued key and one multi-valued key, mixing the
 * operator kinds, and Denies that list the canonical spellings of the numbers the document names. The search must
 * never answer "none" when the oracle finds an allowed request; it may say it cannot decide (Unsupported), and
 * every request it returns must be allowed by the evaluator.
 */
import * as assert from "node:assert/strict";
import { evaluateRequest } from "../../policypack/judge";
import type { ParsedPolicy } from "../../policypack/judge";
import {
    KeyDomain,
    MULTI_VALUED_KEYS,
    TooHard,
    Unsupported,
    findAllowedRequestExactly,
    foreignCaller,
} from "../../policypack/judge/witness";
import { KEY_ARN } from "../../harness/fixtures";
import { ACTION, CALLER, parsed } from "./oracle";

const KEY = "kms:EncryptionContext:k";
const LIST_KEY = "aws:TagKeys";

/** Every string of one to three characters over these, and spellings no short string reaches. */
const LETTERS = ["0", "1", "2", ".", "-", "e", "+", " "];
const EXTRA = [
    "x",
    "0x1",
    "0x2",
    "1e0",
    "true",
    "TRUE",
    "True",
    "false",
    "FALSE",
    "10.0.0.1",
    "010.0.0.1",
    "10.0.0.01",
    "11.0.0.1",
    "10.0.0.0/8",
    "1970-01-01T00:00:01Z",
    "1970-01-01T00:00:02Z",
    "1970-01-01T00:00:01.000Z",
    "1.50",
    "01.5",
    "001",
    "0.50",
    "1.25",
];
function values(): string[] {
    const out: string[] = [];
    let level = [""];
    for (let n = 1; n <= 3; n++) {
        level = level.flatMap((s) => LETTERS.map((c) => s + c));
        out.push(...level);
    }
    return [...out, ...EXTRA];
}
const VALUES = values();
const ELEMENTS = ["0", "1", "2", "1.5", "01", "1.0", "-1", "x", "true", "TRUE", "10.0.0.1", "010.0.0.1", "1e0"];
const LISTS: string[][] = [
    ...ELEMENTS.map((e) => [e]),
    ...ELEMENTS.flatMap((a, i) => ELEMENTS.slice(i + 1).map((b) => [a, b])),
];

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

type Condition = Record<string, Record<string, string | string[]>>;

function generator(seed: number) {
    const r = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const some = <T>(xs: readonly T[]): T[] => {
        const out = xs.filter(() => r() < 0.6);
        return out.length > 0 ? out : [pick(xs)];
    };
    const stringCondition = (key: string, prefix: string): Condition => {
        const op = pick(["StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "StringEqualsIgnoreCase"]);
        const like = op.includes("Like");
        const value = like
            ? pick(["1*", "*.5", "0*", "?", "??", "*1", "-*", "1?", "*e*", "+*", " *", "*"])
            : pick(["1", "2", "0", "1.5", "01", "1.0", "true", "TRUE", "10.0.0.1", "x"]);
        return { [prefix + op]: { [key]: r() < 0.3 ? [value, pick(["1", "2", "0*"])] : value } };
    };
    const otherCondition = (key: string, prefix: string): Condition => {
        switch (Math.floor(r() * 4)) {
            case 0:
                return {
                    [prefix +
                    pick([
                        "NumericLessThan",
                        "NumericGreaterThan",
                        "NumericEquals",
                        "NumericNotEquals",
                        "NumericLessThanEquals",
                        "NumericGreaterThanEquals",
                    ])]: { [key]: pick(["0", "1", "2", "1.5"]) },
                };
            case 1:
                return {
                    [prefix + pick(["DateLessThan", "DateGreaterThan", "DateEquals", "DateNotEquals"])]: {
                        [key]: pick(["1970-01-01T00:00:01Z", "1", "2"]),
                    },
                };
            case 2:
                return { [prefix + pick(["IpAddress", "NotIpAddress"])]: { [key]: pick(["10.0.0.0/8", "10.0.0.1"]) } };
            default:
                return { [prefix + "Bool"]: { [key]: pick(["true", "false"]) } };
        }
    };
    /** A Deny listing the canonical spellings of numbers, dates, addresses and booleans. */
    const canonical = (key: string, prefix: string): Condition => ({
        [prefix + pick(["StringEquals", "StringEqualsIgnoreCase"])]: {
            [key]: some(["0", "1", "2", "-1", "0.5", "1.5", "3", "true", "false", "10.0.0.1", "11.0.0.1", "x"]),
        },
    });
    const merge = (parts: Condition[]): Condition => {
        const out: Condition = {};
        for (const p of parts) {
            for (const [op, body] of Object.entries(p)) {
                out[op] = { ...(out[op] ?? {}), ...body };
            }
        }
        return out;
    };
    return (): { doc: unknown; key: string } => {
        const key = r() < 0.75 ? KEY : LIST_KEY;
        const prefix = (): string => (key === LIST_KEY ? pick(["ForAnyValue:", "ForAllValues:"]) : "");
        const allow = [stringCondition(key, prefix()), otherCondition(key, prefix())];
        if (r() < 0.3) {
            allow.push(otherCondition(key, prefix()));
        }
        const statements: unknown[] = [
            { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*", Condition: merge(allow) },
        ];
        const denies = 1 + Math.floor(r() * 3);
        for (let i = 0; i < denies; i++) {
            const shape = r();
            const part =
                shape < 0.45
                    ? canonical(key, prefix())
                    : shape < 0.75
                      ? stringCondition(key, prefix())
                      : otherCondition(key, prefix());
            statements.push({ Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*", Condition: part });
        }
        return { doc: { Version: "2012-10-17", Statement: statements }, key };
    };
}

/** The first value (or list) of the alphabet, or absence, that the evaluator allows. */
function oracle(p: ParsedPolicy, key: string): string | string[] | null | undefined {
    const candidates: Array<string | string[] | undefined> = [undefined, ...(key === LIST_KEY ? LISTS : VALUES)];
    for (const v of candidates) {
        const context = v === undefined ? {} : { [key]: v };
        if (evaluateRequest(p, { principal: CALLER, action: ACTION, resource: KEY_ARN, context }) === "Allow") {
            return v ?? null;
        }
    }
    return undefined;
}

const FREE = (lower: string): KeyDomain => ({
    kind: "free",
    absent: true,
    multi: MULTI_VALUED_KEYS.has(lower),
    shape: [],
});

describe("judge: one key compared both as text and as a number, date, address or boolean", () => {
    it("never answers none where the evaluator allows a spelling, on 2,500 generated documents", function () {
        this.timeout(300_000);
        const next = generator(0x3a11);
        let allowed = 0;
        let none = 0;
        let undecided = 0;
        const misses: string[] = [];
        for (let i = 0; i < 2_500; i++) {
            const { doc, key } = next();
            const p = parsed(doc);
            const where = `document ${i}: ${JSON.stringify(doc)}`;
            let found;
            try {
                found = findAllowedRequestExactly({
                    policy: p,
                    statement: p.statements[0],
                    action: ACTION,
                    resource: KEY_ARN,
                    principal: CALLER,
                    domain: FREE,
                });
            } catch (e) {
                assert.ok(e instanceof Unsupported || e instanceof TooHard, `${where}: ${String(e)}`);
                undecided++;
                continue;
            }
            if (found) {
                assert.equal(
                    evaluateRequest(p, { ...found, context: Object.fromEntries(found.context) }),
                    "Allow",
                    where,
                );
                allowed++;
                continue;
            }
            const expected = oracle(p, key);
            if (expected !== undefined) {
                misses.push(`${where}: the evaluator allows ${JSON.stringify(expected)}`);
            }
            none++;
        }
        if (process.env.EXACT_STATS) {
            console.log({ allowed, none, undecided, misses: misses.length });
        }
        assert.deepEqual(misses.slice(0, 5), [], `${misses.length} misses`);
        // Each answer occurs often enough for the comparison to mean something, and most documents are decided.
        assert.ok(allowed > 500 && none > 200, `allowed ${allowed}, none ${none}, undecided ${undecided}`);
        assert.ok(undecided < 1_000, `undecided ${undecided}`);
    });
});

function ask(statements: unknown[], spend?: (steps: number) => boolean) {
    const p = parsed({ Version: "2012-10-17", Statement: statements });
    const found = findAllowedRequestExactly({
        policy: p,
        statement: p.statements[0],
        action: ACTION,
        resource: KEY_ARN,
        principal: CALLER,
        domain: FREE,
        spend,
    });
    if (found) {
        assert.equal(evaluateRequest(p, { ...found, context: Object.fromEntries(found.context) }), "Allow");
    }
    return found?.context.get(KEY.toLowerCase());
}

const deny = (condition: Condition): unknown => ({
    Effect: "Deny",
    Principal: "*",
    Action: "kms:*",
    Resource: "*",
    Condition: condition,
});
const allow = (condition: Condition): unknown => ({ ...(deny(condition) as object), Effect: "Allow" });

describe("judge: spellings of one number, date or address", () => {
    it("finds another spelling of a number when a Deny lists the canonical ones", () => {
        const found = ask([
            allow({ StringLike: { [KEY]: "1*" }, NumericLessThan: { [KEY]: "2" } }),
            deny({ StringEquals: { [KEY]: ["1", "1.5", "0"] } }),
        ]);
        assert.ok(found !== undefined && found[0].startsWith("1") && Number(found[0]) < 2, String(found));
        const zeros = ask([
            allow({ NumericEquals: { [KEY]: "7" } }),
            deny({ StringEquals: { [KEY]: ["7", "07", "007"] } }),
        ]);
        assert.ok(
            zeros !== undefined && Number(zeros[0]) === 7 && !["7", "07", "007"].includes(zeros[0]),
            String(zeros),
        );
    });

    it("finds an address written with leading zeros, and reads Bool as text in any case", () => {
        assert.deepEqual(
            ask([allow({ IpAddress: { [KEY]: "10.0.0.1" } }), deny({ StringEquals: { [KEY]: "10.0.0.1" } })]),
            ["010.0.0.1"],
        );
        const bool = ask([allow({ Bool: { [KEY]: "true" } }), deny({ StringEquals: { [KEY]: ["true", "True"] } })]);
        assert.ok(bool !== undefined && bool[0].toLowerCase() === "true" && !["true", "True"].includes(bool[0]));
    });

    it("answers none when it can show it, and says it cannot decide otherwise", () => {
        // "true" in any case is no number: none, shown by listing the spellings Bool accepts.
        assert.equal(ask([allow({ Bool: { [KEY]: "true" }, NumericEquals: { [KEY]: "1" } })]), undefined);
        // No class of numbers passes both comparisons.
        assert.equal(
            ask([
                allow({
                    StringLike: { [KEY]: "1*" },
                    NumericLessThan: { [KEY]: "0" },
                    NumericGreaterThan: { [KEY]: "1" },
                }),
            ]),
            undefined,
        );
        // A number below zero never starts with "+" (no spelling exists), but no argument here shows it.
        assert.throws(
            () => ask([allow({ StringLike: { [KEY]: "+*" }, NumericLessThan: { [KEY]: "0" } })]),
            (e: unknown) => e instanceof Unsupported && /compared both as text and as a number/.test(e.message),
        );
    });

    it("charges the accounts' ranges of the caller's numeric conditions to the question's work", () => {
        const values = Array.from({ length: 300 }, (_, i) => String(100_000_000_000 + i * 7_919));
        const p = parsed({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: "*",
                    Action: "kms:*",
                    Resource: "*",
                    Condition: { NumericNotEquals: { "aws:PrincipalAccount": values } },
                },
            ],
        });
        const run = (limit: number): number => {
            let spent = 0;
            findAllowedRequestExactly({
                policy: p,
                statement: p.statements[0],
                action: ACTION,
                resource: KEY_ARN,
                principal: foreignCaller("aws", "111122223333"),
                domain: FREE,
                spend: (steps) => (spent += steps) <= limit,
            });
            return spent;
        };
        const spent = run(Number.POSITIVE_INFINITY);
        // Each value is checked with the evaluator at least four times.
        assert.ok(spent > values.length * 4 * 13, `spent ${spent}`);
        assert.throws(() => run(values.length * 4 * 13), TooHard);
    });
});
