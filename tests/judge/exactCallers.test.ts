/**
 * The open-grant question when conditions compare the caller's identity keys with non-string operators: numeric and
 * date comparisons of aws:PrincipalAccount / kms:CallerAccount (the 12 digits as a number), Bool, IpAddress,
 * BinaryEquals and Null on the caller's keys, ARN operators on the account, numeric operators on aws:PrincipalArn.
 * The exact search (witness.ts with the caller variable) is compared with an oracle that puts every caller of a
 * finite set to the IAM evaluator: each principal form, over accounts chosen so that every account the generated
 * documents can tell apart (by prefix, by equality, by order against their numbers) has one of them.
 */
import * as assert from "node:assert/strict";
import { analyzeKeyPolicy, evaluateRequest } from "../../policypack/judge";
import type { ParsedPolicy } from "../../policypack/judge";
import { digitInterval, inLanguage } from "../../policypack/judge/languages";
import { KeyDomain, findAllowedRequestExactly, foreignCaller } from "../../policypack/judge/witness";
import { KEY_ARN } from "../../harness/fixtures";
import { ACTION, parsed, random } from "./oracle";

const OWNER = "111122223333";
const OTHER = "444455556666";
const LAST = 999_999_999_999;

/** Numbers the documents compare accounts with, as written (some only as a number reads them). */
const NUMBERS = [
    "500000000000",
    "600000000000",
    "5e11",
    " 600000000000 ",
    OWNER,
    OTHER,
    "000000000100",
    "100",
    "99.5",
    "0",
    "999999999999",
    "1e12",
    "-1",
    "0x10",
    "x",
];
/** Dates the documents compare accounts with (an account is that many seconds after 1970 to the evaluator). */
const DATES = ["500000000000", "2020-01-01T00:00:00Z", "1577836800", "0", "not a date"];

const account = (n: number): string => String(n).padStart(12, "0");

/**
 * Accounts standing for every account: per first digit, its first, last and middle account; each number the
 * documents name (and what a number reads as: 5e11, 0x10, 1577836800 seconds) with its neighbours; the key's own
 * account excluded.
 */
function oracleAccounts(): string[] {
    const points = new Set<number>();
    const named = [
        500000000000,
        600000000000,
        111122223333,
        444455556666,
        100,
        99,
        0,
        LAST,
        16,
        1577836800,
        555555555555,
    ];
    for (let d = 0; d < 10; d++) {
        named.push(d * 1e11, d * 1e11 + 1e11 - 1, d * 1e11 + 5e10);
    }
    for (const n of named) {
        for (const m of [n - 1, n, n + 1]) {
            if (m >= 0 && m <= LAST) {
                points.add(m);
            }
        }
    }
    return [...points].map(account).filter((a) => a !== OWNER);
}
const FORMS = [":root", ":user/x", ":role/x", ":role/y"];
const CALLERS: string[] = oracleAccounts().flatMap((a) => [
    ...FORMS.map((f) => `arn:aws:iam::${a}${f}`),
    `arn:aws:sts::${a}:federated-user/x`,
]);
const TYPES = ["Account", "User", "AssumedRole", "FederatedUser"];
function typeOf(arn: string): string {
    return arn.endsWith(":root")
        ? "Account"
        : arn.includes(":user/")
          ? "User"
          : arn.includes(":sts:")
            ? "FederatedUser"
            : "AssumedRole";
}

/** The context AWS derives from a caller's ARN, as the open-grant question fixes the rest. */
function callerContext(arn: string): Record<string, string> {
    const a = arn.split(":")[4];
    return {
        "aws:PrincipalArn": arn,
        "aws:PrincipalAccount": a,
        "kms:CallerAccount": a,
        "aws:PrincipalType": typeOf(arn),
        "aws:PrincipalIsAWSService": "false",
        "aws:ResourceAccount": OWNER,
    };
}

function allowed(p: ParsedPolicy, arn: string): boolean {
    return (
        evaluateRequest(p, {
            principal: { type: "AWS", id: arn },
            action: ACTION,
            resource: KEY_ARN,
            context: callerContext(arn),
        }) === "Allow"
    );
}

/** How the open-grant question lets the keys these documents name vary (the caller's own keys vary with it). */
function domain(lower: string): KeyDomain {
    if (lower === "aws:resourceaccount") {
        return { kind: "fixed", value: [OWNER] };
    }
    if (lower === "aws:principalisawsservice") {
        return { kind: "fixed", value: ["false"] };
    }
    return { kind: "free", absent: true, multi: false, shape: [] };
}

/** The open statement's answer by the exact search alone (an Unsupported document fails the test). */
function exactAnswer(p: ParsedPolicy) {
    return findAllowedRequestExactly({
        policy: p,
        statement: p.statements[1],
        action: ACTION,
        resource: KEY_ARN,
        principal: foreignCaller("aws", OWNER),
        domain,
    });
}

type Condition = Record<string, Record<string, string | string[]>>;

function generator(seed: number) {
    const r = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const some = <T>(xs: readonly T[]): T[] => [pick(xs), ...xs.filter(() => r() < 0.15)];
    const accountKey = (): string => pick(["aws:PrincipalAccount", "kms:CallerAccount"]);
    const variant = (op: string): string => {
        const x = r();
        return x < 0.1 ? `${op}IfExists` : x < 0.2 ? `ForAnyValue:${op}` : x < 0.3 ? `ForAllValues:${op}` : op;
    };
    const comparison = (): string =>
        pick(["Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals"]);
    const condition = (): Condition =>
        pick<() => Condition>([
            () => ({ [variant(`Numeric${comparison()}`)]: { [accountKey()]: some(NUMBERS) } }),
            () => ({ [variant(`Numeric${comparison()}`)]: { [accountKey()]: some(NUMBERS) } }),
            () => ({ [variant(`Date${comparison()}`)]: { [accountKey()]: some(DATES) } }),
            () => ({
                [variant(pick(["Bool", "IpAddress", "NotIpAddress", "BinaryEquals"]))]: {
                    [pick(["aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalIsAWSService"])]: some([
                        OTHER,
                        "false",
                        "true",
                        `arn:aws:iam::${OTHER}:ROOT`,
                        "000000000100",
                    ]),
                },
            }),
            () => ({
                Null: {
                    [pick(["aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalType"])]: [
                        pick(["true", "false"]),
                    ],
                },
            }),
            () => ({
                [variant(pick(["ArnLike", "ArnNotLike", "ArnEquals"]))]: {
                    [pick(["aws:PrincipalAccount", "kms:CallerAccount", "aws:PrincipalArn"])]: some([
                        "*",
                        "*:role/x",
                        "arn:aws:iam::*:root",
                        "arn:aws:iam::5*:*",
                        "arn:aws:sts::*:*",
                        OTHER,
                    ]),
                },
            }),
            () => ({ [variant(`Numeric${comparison()}`)]: { "aws:PrincipalArn": some(["1", "0", "-1"]) } }),
            () => ({
                [variant(pick(["StringEquals", "StringNotEquals", "NumericEquals", "DateEquals"]))]: {
                    "aws:PrincipalType": some([...TYPES, "0"]),
                },
            }),
            () => ({
                [variant(pick(["StringLike", "StringNotLike"]))]: { [accountKey()]: some(["5*", "4*", "1*", "0000*"]) },
            }),
        ])();
    const statementConditions = (n: number): Condition => {
        const out: Condition = {};
        for (let i = 0; i < n; i++) {
            for (const [op, body] of Object.entries(condition())) {
                out[op] = { ...(out[op] ?? {}), ...body };
            }
        }
        return out;
    };
    return (): unknown => {
        const open: Record<string, unknown> = { Effect: "Allow", Principal: "*", Action: ACTION, Resource: "*" };
        if (r() < 0.3) {
            open.Condition = statementConditions(1);
        }
        const statements: unknown[] = [
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: "kms:*", Resource: "*" },
            open,
        ];
        for (let i = 0, k = Math.floor(r() * 5); i < k; i++) {
            const deny: Record<string, unknown> = { Effect: "Deny", Action: "kms:*", Resource: "*" };
            const x = r();
            if (x < 0.1) {
                deny.Principal = { AWS: some([OTHER, `arn:aws:iam::${account(500000000000)}:root`]) };
            } else if (x < 0.15) {
                deny.NotPrincipal = { AWS: some([OTHER, `arn:aws:iam::${OTHER}:role/x`]) };
            } else {
                deny.Principal = "*";
            }
            deny.Condition = statementConditions(1 + Math.floor(r() * 2));
            statements.push(deny);
        }
        return { Version: "2012-10-17", Statement: statements };
    };
}

/** The caller a finding's message shows as its witness. */
function witnessOf(message: string): string {
    const m = /\(as (arn:[^,)\s]+)/.exec(message);
    assert.ok(m, `no witness in: ${message}`);
    return m[1];
}

describe("judge: open grants under non-string conditions on the caller's keys", () => {
    it("digit intervals hold exactly the fixed-length numbers between their bounds", () => {
        const all = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
        const r = random(0xd1617);
        for (let k = 0; k < 300; k++) {
            const a = Math.floor(r() * 1000);
            const b = k % 5 === 0 ? a : Math.floor(r() * 1000);
            const [lo, hi] = a <= b ? [a, b] : [b, a];
            const language = digitInterval(all[lo], all[hi]);
            assert.ok(language.length <= 2 * 3, `${all[lo]}..${all[hi]}: ${language.length} patterns`);
            for (const s of all) {
                const n = Number(s);
                assert.equal(inLanguage(language, s), n >= lo && n <= hi, `${s} in ${all[lo]}..${all[hi]}`);
            }
            assert.equal(inLanguage(language, `${all[lo]}0`), false);
            assert.equal(inLanguage(language, all[lo].slice(1)), false);
        }
        assert.deepEqual(digitInterval("5", "3"), []);
    });

    it("decides as the oracle does on 2,000 generated documents, every witness allowed by the evaluator", function () {
        this.timeout(300_000);
        const next = generator(0xca11e5);
        let open = 0;
        let closed = 0;
        for (let i = 0; i < 2000; i++) {
            const doc = next();
            const p = parsed(doc);
            const expected = CALLERS.some((arn) => allowed(p, arn));
            const found = exactAnswer(p);
            assert.equal(found !== undefined, expected, `document ${i}: ${JSON.stringify(doc)}`);
            if (found) {
                assert.ok(allowed(p, found.principal.id), `document ${i}: witness ${found.principal.id} refused`);
                open++;
            } else {
                closed++;
            }
            if (i % 4 === 0) {
                const finding = analyzeKeyPolicy(doc, { keyArn: KEY_ARN }).findings.find(
                    (f) => f.kind === "open-grant" && f.where === p.statements[1].where,
                );
                assert.equal(finding !== undefined, expected, `document ${i} (analysis): ${JSON.stringify(doc)}`);
                if (finding) {
                    const witness = witnessOf(finding.message);
                    assert.ok(allowed(p, witness), `document ${i}: ${witness} refused`);
                }
            }
        }
        if (process.env.EXACT_STATS) {
            console.log({ open, closed });
        }
        assert.ok(open > 400 && closed > 400, `open ${open}, closed ${closed}`);
    });

    const openToAll = { Effect: "Allow", Principal: "*", Action: ACTION, Resource: "*" };
    const owner = { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: "kms:*", Resource: "*" };
    const deny = (condition: Condition) => ({
        Effect: "Deny",
        Principal: "*",
        Action: "kms:*",
        Resource: "*",
        Condition: condition,
    });
    const openGrants = (doc: unknown) =>
        analyzeKeyPolicy(doc, { keyArn: KEY_ARN }).findings.filter((f) => f.kind === "open-grant");

    it("reports the accounts a pair of numeric Denies leaves between them, with a witness among them", () => {
        const doc = {
            Version: "2012-10-17",
            Statement: [
                owner,
                openToAll,
                deny({ NumericLessThan: { "aws:PrincipalAccount": ["500000000000"] } }),
                deny({ NumericGreaterThan: { "aws:PrincipalAccount": ["600000000000"] } }),
            ],
        };
        const findings = openGrants(doc);
        assert.equal(findings.length, 1);
        const n = Number(witnessOf(findings[0].message).split(":")[4]);
        assert.ok(n >= 500000000000 && n <= 600000000000, `witness account ${n}`);
        assert.ok(allowed(parsed(doc), witnessOf(findings[0].message)));
    });

    it("reports no open grant when numeric Denies cover every account, however the bounds are written", () => {
        for (const [below, above] of [
            ["500000000000", "499999999999"],
            ["5e11", "499999999999.5"],
            [" 500000000000", "0x746a5287ff"], // 0x746a5287ff = 499999999999
        ]) {
            const doc = {
                Version: "2012-10-17",
                Statement: [
                    owner,
                    openToAll,
                    deny({ NumericLessThan: { "kms:CallerAccount": [below] } }),
                    deny({ NumericGreaterThan: { "aws:PrincipalAccount": [above] } }),
                ],
            };
            assert.deepEqual(openGrants(doc), [], JSON.stringify(doc));
        }
    });

    it("reads an account with leading zeros as its number, and a Date condition as that many seconds", () => {
        const numeric = {
            Version: "2012-10-17",
            Statement: [owner, openToAll, deny({ NumericGreaterThanEquals: { "aws:PrincipalAccount": "100" } })],
        };
        const w = witnessOf(openGrants(numeric)[0].message);
        assert.ok(Number(w.split(":")[4]) < 100, w);
        const closedByDate = {
            Version: "2012-10-17",
            Statement: [
                owner,
                openToAll,
                deny({ DateGreaterThan: { "kms:CallerAccount": "1970-01-01T00:00:00Z" } }),
                deny({ NumericEquals: { "kms:CallerAccount": "0" } }),
            ],
        };
        assert.deepEqual(openGrants(closedByDate), []);
    });

    it("keeps apart the accounts left on both sides of two excluded neighbours", () => {
        const doc = (blocked: string[]) =>
            parsed({
                Version: "2012-10-17",
                Statement: [
                    owner,
                    {
                        ...openToAll,
                        Condition: {
                            NumericGreaterThanEquals: { "aws:PrincipalAccount": "99" },
                            NumericLessThanEquals: { "kms:CallerAccount": "102" },
                        },
                    },
                    deny({ NumericEquals: { "aws:PrincipalAccount": ["100", "101"] } }),
                    deny({ ArnLike: { "aws:PrincipalArn": blocked } }),
                ],
            });
        const closed = doc(["arn:*:*::000000000099:*", "arn:*:*::000000000102:*"]);
        assert.equal(exactAnswer(closed), undefined);
        const open = doc(["arn:*:*::000000000099:*"]);
        assert.equal(exactAnswer(open)?.principal.id.split(":")[4], "000000000102");
    });

    it("picks the forms a type condition keeps in the caller's own partition", () => {
        const p = parsed({
            Version: "2012-10-17",
            Statement: [owner, { ...openToAll, Condition: { StringEquals: { "aws:PrincipalType": "User" } } }],
        });
        const found = findAllowedRequestExactly({
            policy: p,
            statement: p.statements[1],
            action: ACTION,
            resource: KEY_ARN,
            principal: foreignCaller("aws-cn", OWNER),
            domain,
        });
        assert.match(found?.principal.id ?? "", /^arn:aws-cn:iam::\d{12}:user\//);
    });

    it("treats an ARN as no number, and Bool on the caller's service flag as the fixed false", () => {
        const numericArn = {
            Version: "2012-10-17",
            Statement: [owner, openToAll, deny({ NumericNotEquals: { "aws:PrincipalArn": "0" } })],
        };
        assert.deepEqual(openGrants(numericArn), []);
        const serviceOnly = {
            Version: "2012-10-17",
            Statement: [owner, openToAll, deny({ Bool: { "aws:PrincipalIsAWSService": "false" } })],
        };
        assert.deepEqual(openGrants(serviceOnly), []);
        const roles = {
            Version: "2012-10-17",
            Statement: [
                owner,
                { ...openToAll, Condition: { NumericLessThan: { "aws:PrincipalAccount": "200000000000" } } },
                deny({ StringNotEquals: { "aws:PrincipalType": "AssumedRole" } }),
                deny({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::0*:role/*" } }),
            ],
        };
        const w = witnessOf(openGrants(roles)[0].message);
        assert.match(w, /^arn:aws:iam::1\d{11}:role\//);
    });
});
