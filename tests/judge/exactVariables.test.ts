/**
 * The exact search (policypack/judge/witness.ts) on documents with policy variables, against an exhaustive oracle:
 * every request over a small alphabet, put to the IAM evaluator. Variables appear in Resource and NotResource (read
 * against the question's key ARN), in conditions on a fixed key (reading a varied key), in conditions on a varied key
 * (reading another varied key: a coupling), and reading a fixed key with no value (with and without a default), in
 * the Allow and in Denies written against bounded searches. The search must find a request exactly when one exists
 * within the oracle's bounds, every request it returns must be allowed by the evaluator, and it may say it could not
 * decide only rarely.
 */
import * as assert from "node:assert/strict";
import { analyzeKeyPolicy, evaluateRequest } from "../../policypack/judge";
import type { ParsedPolicy } from "../../policypack/judge";
import type { ParsedStatement } from "../../policypack/judge/parsedPolicy";
import { analyzeKeyPolicyAfresh } from "../../policypack/judge/keyPolicy";
import { ACCOUNT, APP_ID, KEY_ARN } from "../../harness/fixtures";
import { DocumentIndex } from "../../policypack/judge/documentIndex";
import { guideStatement, keyPolicy } from "./fixtures";
import {
    KeyDomain,
    TooHard,
    Unsupported,
    UnsettledCoupling,
    findAllowedRequestExactly,
} from "../../policypack/judge/witness";
import { Condition, ACTION, CALLER, craftedDeny, LETTERS, parsed, random, strings } from "./oracle";

/** A key ARN whose fields are strings over the oracle's letters, so that variables can match its parts. */
const ARN = "arn:aws:kms:a:ab:key/ba";

/** The oracle's bounds: strings over {a, b, x} ("x" stands for every other character) of 1 to 3 characters. */
const MAX_LENGTH = 3;
const K1 = "kms:EncryptionContext:k1";
const K2 = "kms:EncryptionContext:k2";
const VARIED = [K1, K2];
/** A key of fixed value, and one fixed absent. */
const FIXED = "aws:ResourceTag/t";
const FIXED_VALUE = "ab";
const MISSING = "aws:username";

const VALUES: Array<string | undefined> = [undefined, ...strings(MAX_LENGTH)];

function generator(seed: number) {
    const r = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const v = (k: string): string => "${" + k + "}";
    const pattern = (): string => {
        const n = Math.floor(r() * 4);
        let s = "";
        for (let i = 0; i < n; i++) {
            s += pick(["a", "b", "a", "b", "*", "?"]);
        }
        return s === "" ? pick(["*", "a", "?"]) : s;
    };
    /** A value: a literal or pattern, or one with a policy variable reading a varied, fixed or missing key. */
    const value = (op: string, self: string): string => {
        const other = pick(VARIED.filter((k) => k !== self));
        const like = op.includes("Like");
        return pick<() => string>([
            () => {
                const p = pattern();
                return like ? p : p.replace(/[*?]/g, op.includes("IgnoreCase") ? "A" : "b");
            },
            () => v(other),
            () => v(other),
            () => (like ? `${pick(["a", "*", "?"])}${v(other)}` : `a${v(other)}`),
            () => (like ? `${v(other)}*` : `${v(other)}b`),
            () => v(FIXED),
            () => (like ? `*${v(FIXED)}` : `${v(FIXED)}a`),
            () => v(MISSING),
            () => `${"${"}${MISSING}, '${pick(["a", "ab", "b"])}'}`,
        ])();
    };
    const ops = [
        "StringEquals",
        "StringNotEquals",
        "StringLike",
        "StringNotLike",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringEqualsIfExists",
        "StringNotLikeIfExists",
    ];
    /** A condition on a varied key, or (reading a varied key) on the fixed key. */
    const condition = (): Condition => {
        const op = pick(ops);
        if (r() < 0.2) {
            const other = pick(VARIED);
            const values = pick([[v(other)], [`${v(other)}b`], [`a${v(other)}`], [v(other), "b"], [`*${v(other)}`]]);
            return { [op]: { [FIXED]: values } };
        }
        if (r() < 0.1) {
            return { Null: { [pick(VARIED)]: pick(["true", "false"]) } };
        }
        const key = pick(VARIED);
        const n = 1 + Math.floor(r() * 2);
        const values = Array.from({ length: n }, () => value(op, key));
        return { [op]: { [key]: values.length === 1 ? values[0] : values } };
    };
    /** Deny conditions written against bounded searches. */
    const crafted = (): Condition => craftedDeny(pick(VARIED), r, pattern);
    /** A Resource or NotResource with policy variables reading one key, or none. */
    const resource = (): Record<string, string | string[]> => {
        if (r() < 0.55) {
            return { Resource: "*" };
        }
        const key = pick([...VARIED, FIXED, MISSING]);
        const one = (): string =>
            pick([
                `arn:aws:kms:*:${v(key)}:key/*`,
                `arn:aws:kms:${v(key)}:*`,
                `*${v(key)}*`,
                `arn:aws:kms:a:ab:key/${v(key)}`,
                `arn:aws:kms:*:*:key/${"${"}${key}, '${pick(["ba", "b"])}'}`,
                `*:${v(key)}`,
                `arn:aws:kms:${v(key)}:${v(key)}:key/*`,
                `arn:aws:kms:*:*:key/b${v(key)}`,
                "arn:aws:kms:*:*:key/x",
            ]);
        const list = Array.from({ length: 1 + Math.floor(r() * 2) }, one);
        return { [r() < 0.7 ? "Resource" : "NotResource"]: list.length === 1 ? list[0] : list };
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
    return (): unknown => {
        const statements: unknown[] = [
            {
                Effect: "Allow",
                Principal: "*",
                Action: "kms:*",
                ...(r() < 0.8 ? { Resource: "*" } : resource()),
                Condition: merge(Array.from({ length: Math.floor(r() * 3) }, condition)),
            },
        ];
        for (let i = 0, n = Math.floor(r() * 5); i < n; i++) {
            const parts = Array.from({ length: Math.floor(r() * 3) }, () => (r() < 0.35 ? crafted() : condition()));
            statements.push({
                Effect: "Deny",
                Principal: "*",
                Action: "kms:*",
                ...resource(),
                Condition: merge(parts),
            });
        }
        return { Version: "2012-10-17", Statement: statements };
    };
}

/** Every request within the bounds, put to the evaluator: whether one is allowed. */
function oracle(p: ParsedPolicy): boolean {
    for (const a of VALUES) {
        for (const b of VALUES) {
            const context = { [K1]: a, [K2]: b, [FIXED]: FIXED_VALUE };
            if (evaluateRequest(p, { principal: CALLER, action: ACTION, resource: ARN, context }) === "Allow") {
                return true;
            }
        }
    }
    return false;
}

const DOMAIN = (lower: string): KeyDomain =>
    lower === FIXED.toLowerCase()
        ? { kind: "fixed", value: [FIXED_VALUE] }
        : lower === MISSING
          ? { kind: "fixed", value: undefined }
          : { kind: "free", absent: true, multi: false, shape: [] };

function judged(p: ParsedPolicy) {
    return findAllowedRequestExactly({
        policy: p,
        statement: p.statements[0],
        action: ACTION,
        resource: ARN,
        principal: CALLER,
        domain: DOMAIN,
    });
}

/** Whether a witness lies within the oracle's bounds. */
function withinBounds(context: Map<string, string[]>): boolean {
    return VARIED.every((k) => {
        const v = context.get(k.toLowerCase());
        return v === undefined || v.every((e) => e.length <= MAX_LENGTH && [...e].every((c) => LETTERS.includes(c)));
    });
}

describe("judge: the exact search on documents with policy variables, against an exhaustive oracle", () => {
    it("finds an allowed request exactly when the oracle does, on 2,000 generated documents", function () {
        this.timeout(300_000);
        const next = generator(0x7a21);
        let allowed = 0;
        let none = 0;
        let beyond = 0;
        let undecided = 0;
        for (let i = 0; i < 2_000; i++) {
            const doc = next();
            const p = parsed(doc);
            const where = `document ${i}: ${JSON.stringify(doc)}`;
            let found;
            try {
                found = judged(p);
            } catch (e) {
                assert.ok(!(e instanceof Unsupported) || e instanceof UnsettledCoupling, `${where}: ${String(e)}`);
                if (e instanceof TooHard || e instanceof UnsettledCoupling) {
                    undecided++;
                    continue;
                }
                throw e;
            }
            const expected = oracle(p);
            if (found) {
                assert.equal(
                    evaluateRequest(p, { ...found, context: Object.fromEntries(found.context) }),
                    "Allow",
                    where,
                );
                if (expected) {
                    allowed++;
                } else {
                    assert.ok(
                        !withinBounds(found.context),
                        `${where}: the oracle finds none, the search ${[...found.context]}`,
                    );
                    beyond++;
                }
            } else {
                assert.equal(expected, false, `${where}: the oracle finds an allowed request`);
                none++;
            }
        }
        if (process.env.EXACT_STATS) {
            console.log({ allowed, none, beyond, undecided });
        }
        assert.ok(allowed > 600 && none > 600, `allowed ${allowed}, none ${none}, beyond ${beyond}`);
        assert.ok(beyond < 100, `beyond the bounds: ${beyond}`);
        assert.ok(undecided <= 40, `could not decide: ${undecided} of 2,000`);
    });
});

describe("judge: open grants with policy variables, over every caller of another account", () => {
    const OWNER = ACCOUNT;
    const KEY = KEY_ARN;
    const TAILS = ["0000000000", "5555555555"];
    const callers: string[] = [];
    for (let p = 0; p < 100; p += 7) {
        for (const tail of TAILS) {
            const account = String(p).padStart(2, "0") + tail;
            for (const form of [":root", ":user/x", ":role/x"]) {
                callers.push(`arn:aws:iam::${account}${form}`);
            }
            callers.push(`arn:aws:sts::${account}:federated-user/x`);
        }
    }
    const typeOf = (arn: string): string =>
        arn.endsWith(":root")
            ? "Account"
            : arn.includes(":user/")
              ? "User"
              : arn.includes(":sts:")
                ? "FederatedUser"
                : "AssumedRole";

    function openGrantOracle(p: ParsedPolicy): boolean {
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
            const principal = { type: "AWS" as const, id: arn };
            return evaluateRequest(p, { principal, action: ACTION, resource: KEY, context }) === "Allow";
        });
    }

    function documents(seed: number, n: number): unknown[] {
        const r = random(seed);
        const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
        const prefix = (): string => `${Math.floor(r() * 10)}*`;
        const part = (): Record<string, unknown> =>
            pick<() => Record<string, unknown>>([
                () => ({ Resource: "arn:aws:kms:*:${aws:PrincipalAccount}:key/*" }),
                () => ({ Resource: undefined, NotResource: "arn:aws:kms:*:${kms:CallerAccount}:key/*" }),
                () => ({ Resource: `arn:aws:kms:*:*:key/\${aws:PrincipalType, 'k'}` }),
                () => ({ Condition: { StringEquals: { "aws:PrincipalAccount": "${aws:ResourceAccount}" } } }),
                () => ({ Condition: { StringNotEquals: { "kms:CallerAccount": "${aws:ResourceAccount}" } } }),
                () => ({ Condition: { StringNotEquals: { "kms:CallerAccount": "${aws:PrincipalAccount}" } } }),
                () => ({
                    Condition: { StringLike: { "aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:r*" } },
                }),
                () => ({ Condition: { StringNotLike: { "aws:PrincipalArn": "*:${kms:CallerAccount}:root" } } }),
                () => ({ Condition: { StringLike: { "aws:PrincipalAccount": [prefix(), prefix()] } } }),
                () => ({
                    Condition: { StringEquals: { "aws:PrincipalType": pick(["User", "AssumedRole", "Account"]) } },
                }),
                () => ({ Condition: { StringEquals: { "aws:PrincipalAccount": "${aws:PrincipalServiceName}" } } }),
                () => ({ Condition: { StringNotEquals: { "aws:ResourceAccount": "${aws:PrincipalAccount}" } } }),
            ])();
        return Array.from({ length: n }, () => {
            const allow = { Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" };
            const statements: unknown[] = [r() < 0.3 ? { ...allow, ...part() } : allow];
            for (let i = 0, k = Math.floor(r() * 4); i < k; i++) {
                const d = { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*", ...part() };
                statements.push(JSON.parse(JSON.stringify(d)));
            }
            return { Version: "2012-10-17", Statement: statements };
        });
    }

    it("reports an open grant exactly when some caller of another account is allowed (500 documents)", function () {
        this.timeout(120_000);
        let open = 0;
        let closed = 0;
        let undecided = 0;
        documents(0x0b0b, 500).forEach((doc, i) => {
            const findings = analyzeKeyPolicy(doc, { keyArn: KEY }).findings;
            if (findings.some((f) => f.kind === "malformed")) {
                undecided++;
                return;
            }
            const expected = openGrantOracle(parsed(doc));
            const reported = findings.some((f) => f.kind === "open-grant");
            assert.equal(reported, expected, `document ${i}: ${JSON.stringify(doc)}`);
            if (expected) {
                open++;
            } else {
                closed++;
            }
        });
        if (process.env.EXACT_STATS) {
            console.log({ open, closed, undecided });
        }
        assert.ok(open > 100 && closed > 60, `open ${open}, closed ${closed}`);
        assert.ok(undecided <= 10, `could not decide: ${undecided} of 500`);
    });
});

describe("judge: documents with policy variables are decided exactly", () => {
    const open = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
        Sid: "Open",
        Effect: "Allow",
        Principal: "*",
        Action: "kms:Decrypt",
        Resource: "*",
        ...extra,
    });
    const deny = (extra: Record<string, unknown>): Record<string, unknown> => ({
        Sid: "Guard",
        Effect: "Deny",
        Principal: "*",
        Action: "kms:*",
        Resource: "*",
        ...extra,
    });
    const submitter = (condition: Record<string, unknown>): Record<string, unknown> => ({
        Sid: "Submitter",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/job-submitter` },
        Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: "*",
        Condition: condition,
    });
    const sourceArnOfVariables = `arn:aws:emr-serverless:us-east-1:\${aws:SourceAccount}:/applications/\${kms:EncryptionContext:applicationId}`;

    /** The analysis of `doc`, and how many of its exact questions fell outside the search's model. */
    function analyzed(doc: string): { kinds: string[]; grantsService: boolean; outside: number } {
        let outside = 0;
        const decide = DocumentIndex.prototype.decide;
        DocumentIndex.prototype.decide = function <T>(
            this: DocumentIndex,
            question: string,
            st: ParsedStatement,
            search: () => T,
            undecided: T,
        ) {
            const before = this.undecided.length;
            const answer = decide.call(this, question, st, search, undecided) as T;
            outside += this.undecided.length - before;
            return answer;
        } as typeof decide;
        try {
            const a = analyzeKeyPolicyAfresh(doc, { keyArn: KEY_ARN, region: "us-east-1" });
            return { kinds: a.findings.map((f) => f.kind), grantsService: a.grantsService, outside };
        } finally {
            DocumentIndex.prototype.decide = decide;
        }
    }

    const cases: Array<{ name: string; doc: string; reported: string[]; absent: string[] }> = [
        {
            name: "a Deny whose Resource names the caller's account leaves everyone of other accounts open",
            doc: keyPolicy(open(), deny({ Resource: "arn:aws:kms:*:${aws:PrincipalAccount}:key/*" })),
            reported: ["open-grant"],
            absent: ["malformed"],
        },
        {
            name: "a Deny whose NotResource names the caller's account closes the key to other accounts",
            doc: keyPolicy(
                open(),
                deny({ Resource: undefined, NotResource: "arn:aws:kms:*:${kms:CallerAccount}:key/*" }),
            ),
            reported: [],
            absent: ["open-grant", "malformed"],
        },
        {
            name: "the caller's account equal to aws:SourceAccount, which the caller sets, is no pin",
            doc: keyPolicy(open({ Condition: { StringEquals: { "aws:PrincipalAccount": "${aws:SourceAccount}" } } })),
            reported: ["open-grant"],
            absent: ["malformed"],
        },
        {
            name: "the caller's account equal to the key's account pins it",
            doc: keyPolicy(open({ Condition: { StringEquals: { "aws:PrincipalAccount": "${aws:ResourceAccount}" } } })),
            reported: [],
            absent: ["open-grant", "malformed"],
        },
        {
            name: "a Deny reading a key without a value does not apply",
            doc: keyPolicy(
                open(),
                deny({ Condition: { StringNotEquals: { "aws:PrincipalAccount": "${aws:PrincipalServiceName}" } } }),
            ),
            reported: ["open-grant"],
            absent: ["malformed"],
        },
        {
            name: "an Allow reading a key without a value grants nothing",
            doc: keyPolicy(
                open({ Condition: { StringEquals: { "aws:PrincipalAccount": "${aws:PrincipalServiceName}" } } }),
            ),
            reported: [],
            absent: ["open-grant", "malformed"],
        },
        {
            name: "a service aws:SourceArn built from the bound account and application id binds all three",
            doc: keyPolicy(
                guideStatement({
                    StringLike: { "aws:SourceArn": sourceArnOfVariables },
                    StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
                }),
            ),
            reported: [],
            absent: ["service-unbound", "malformed"],
        },
        {
            name: "a service aws:SourceArn built from an unbound application id binds nothing",
            doc: keyPolicy(
                guideStatement({
                    StringLike: { "aws:SourceArn": sourceArnOfVariables },
                    StringEquals: { "aws:SourceAccount": ACCOUNT },
                }),
            ),
            reported: ["service-unbound"],
            absent: ["malformed"],
        },
        {
            name: "kms:ViaService built from the requested region is any region's service",
            doc: keyPolicy(
                guideStatement(),
                submitter({
                    StringEquals: { "kms:ViaService": "emr-serverless.${aws:RequestedRegion}.amazonaws.com" },
                }),
            ),
            reported: ["submitter-not-via-service"],
            absent: ["malformed"],
        },
        {
            name: "kms:ViaService built from a requested region pinned to the setting's",
            doc: keyPolicy(
                guideStatement(),
                submitter({
                    StringEquals: {
                        "kms:ViaService": "emr-serverless.${aws:RequestedRegion}.amazonaws.com",
                        "aws:RequestedRegion": "us-east-1",
                    },
                }),
            ),
            reported: [],
            absent: ["submitter-not-via-service", "malformed"],
        },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const a = analyzed(c.doc);
            assert.equal(a.outside, 0, "every question is answered by the exact search");
            for (const kind of c.reported) {
                assert.ok(a.kinds.includes(kind), `${kind} expected, got ${a.kinds.join(", ")}`);
            }
            for (const kind of c.absent) {
                assert.ok(!a.kinds.includes(kind), `${kind} not expected, got ${a.kinds.join(", ")}`);
            }
        });
    }
});

describe("judge: how the evaluator reads policy variables", () => {
    const request = (context: Record<string, string>, resourceId?: string) => ({
        principal: { type: "AWS" as const, id: `arn:aws:iam::${ACCOUNT}:user/u` },
        action: ACTION,
        resource: resourceId === undefined ? KEY_ARN : undefined,
        resourceId,
        context,
    });
    const allowIf = (extra: Record<string, unknown>): ParsedPolicy =>
        parsed({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*", ...extra }],
        });

    it("a substituted value is literal text in a pattern: its * and ? match only themselves", () => {
        const resource = allowIf({ Resource: "arn:aws:kms:*:${aws:username}:key/*" });
        assert.equal(evaluateRequest(resource, request({ "aws:username": ACCOUNT })), "Allow");
        assert.equal(evaluateRequest(resource, request({ "aws:username": "*" })), "ImplicitDeny");
        assert.equal(evaluateRequest(resource, request({ "aws:username": "1111????3333" })), "ImplicitDeny");
        const like = allowIf({ Condition: { StringLike: { [K1]: "${aws:username}" } } });
        assert.equal(evaluateRequest(like, request({ "aws:username": "a*", [K1]: "abc" })), "ImplicitDeny");
        assert.equal(evaluateRequest(like, request({ "aws:username": "a*", [K1]: "a*" })), "Allow");
    });

    it("a variable without a value fails its condition, negated or not, unless it has a default", () => {
        for (const op of ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike"]) {
            const p = allowIf({ Condition: { [op]: { [K1]: "${aws:username}" } } });
            assert.equal(evaluateRequest(p, request({ [K1]: "a" })), "ImplicitDeny", op);
        }
        const withDefault = allowIf({ Condition: { StringEquals: { [K1]: "${aws:username, 'a'}" } } });
        assert.equal(evaluateRequest(withDefault, request({ [K1]: "a" })), "Allow");
    });

    it("without the key's ARN, a Resource with variables may apply to an Allow and never to a Deny", () => {
        const id = "1234abcd-12ab-34cd-56ef-1234567890ab";
        const doc = (effect: string, resource: string): ParsedPolicy =>
            parsed({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" },
                    { Effect: effect, Principal: "*", Action: "kms:*", Resource: resource },
                ],
            });
        const byAccount = "arn:aws:kms:*:${aws:username}:key/*";
        // A Deny that would apply with the right value is not assumed to: the reading that can only report more.
        assert.equal(evaluateRequest(doc("Deny", byAccount), request({ "aws:username": ACCOUNT }, id)), "Allow");
        const allowOnly = (resource: string): ParsedPolicy =>
            parsed({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: resource }],
            });
        assert.equal(evaluateRequest(allowOnly(byAccount), request({}, id)), "Allow");
        // No value makes an alias pattern cover a key.
        const alias = "arn:aws:kms:*:${aws:username}:alias/*";
        assert.equal(evaluateRequest(allowOnly(alias), request({ "aws:username": ACCOUNT }, id)), "ImplicitDeny");
    });
});
