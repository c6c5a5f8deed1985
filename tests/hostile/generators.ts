/**
 * fast-check generators for hostile and structured KMS key policies, requests and resource props.
 * Test-only. Every property in tests/hostile uses a fixed seed and numRuns (see {@link runs}).
 */
import * as fc from "fast-check";
import {
    APPLICATION_ID_CONTEXT_KEY,
    EMR_SERVERLESS_PRINCIPAL,
    SOURCE_ACCOUNT_KEY,
    SOURCE_ARN_KEY,
    UNKNOWN_STRING,
    VIA_SERVICE_KEY,
} from "../../policypack/judge/constants";
import { ACCOUNT, APP_ARN, APP_ID, KEY_ARN, REGION } from "../../harness/fixtures";

/**
 * fast-check parameters for one property: a fixed seed (reproducible CI) and a run count. For a
 * longer local hunt: HOSTILE_SCALE=20 multiplies every numRuns, HOSTILE_SEED=<n> replaces the seeds
 * (fast-check prints the seed and the shrunk counterexample of a failure either way).
 */
export function runs(seed: number, numRuns: number): fc.Parameters<unknown> {
    const scale = Number(process.env.HOSTILE_SCALE ?? "1");
    const override = process.env.HOSTILE_SEED;
    return {
        seed: override !== undefined ? Number(override) ^ seed : seed,
        numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(scale) && scale > 0 ? scale : 1))),
        verbose: 1,
    };
}

// ---------------------------------------------------------------------------------------------
// Fixed identities of the scenario.

/** The key owner's account. */
export const OWNER = ACCOUNT;
/** Another account (cross-account principals). */
export const OTHER = "444455556666";
/** The region of the scenario, the application the service must be bound to (and its ARN, as the AWS guide writes
 * it), the key the policy is attached to. */
export { APP_ARN, APP_ID, KEY_ARN, REGION };
/** Another key of the owner (a Resource that is not this key). */
export const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${OWNER}:key/ffffffff-ffff-ffff-ffff-ffffffffffff`;
/** A job role in the owner account. */
export const OWNER_ROLE = `arn:aws:iam::${OWNER}:role/job-role`;
/** A role in the other account. */
export const OTHER_ROLE = `arn:aws:iam::${OTHER}:role/intruder`;

/** A JSON-like value (what a parsed document is made of). */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** A statement as written in a document. */
export type Statement = Record<string, Json>;
/** A key policy document as written. */
export interface PolicyDoc {
    Version?: Json;
    Id?: Json;
    Statement: Json;
    [k: string]: Json | undefined;
}

/** The root-account statement every KMS default key policy has. */
export function rootStatement(): Statement {
    return {
        Sid: "EnableRootAccess",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${OWNER}:root` },
        Action: "kms:*",
        Resource: "*",
    };
}

/** The guide's service statement, bound to one application, one account, one application id. */
export function goodServiceStatement(): Statement {
    return {
        Sid: "AllowEmrServerlessDiskEncryption",
        Effect: "Allow",
        Principal: { Service: EMR_SERVERLESS_PRINCIPAL },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        Condition: {
            StringLike: { [SOURCE_ARN_KEY]: APP_ARN },
            StringEquals: { [APPLICATION_ID_CONTEXT_KEY]: APP_ID, [SOURCE_ACCOUNT_KEY]: OWNER },
        },
    };
}

/** A submitter statement gated on kms:ViaService (the guide's second example). */
export function goodSubmitterStatement(): Statement {
    return {
        Sid: "AllowSubmitterViaEmrServerless",
        Effect: "Allow",
        Principal: { AWS: OWNER_ROLE },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { [VIA_SERVICE_KEY]: `emr-serverless.${REGION}.amazonaws.com` } },
    };
}

/** A policy that should pass every mandatory check: root statement and the bound service statement. */
export function goodPolicy(): PolicyDoc {
    return { Version: "2012-10-17", Statement: [rootStatement(), goodServiceStatement()] };
}

/** A deep copy of a JSON value. */
export function clone<T extends Json | PolicyDoc>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
}

// ---------------------------------------------------------------------------------------------
// Structured (valid-shaped) policies and requests.

const ACTIONS = [
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "kms:Encrypt",
    "kms:DescribeKey",
    "kms:PutKeyPolicy",
    "kms:CreateGrant",
] as const;

const ACTION_PATTERNS = [
    ...ACTIONS,
    "kms:*",
    "*",
    "kms:Gen*",
    "kms:?ecrypt",
    "kms:De*",
    "KMS:DECRYPT",
    "kms:Describe*",
];

/** An action a request may carry. */
export const requestAction = (): fc.Arbitrary<string> => fc.constantFrom(...ACTIONS);

/** A condition key of the scenario (and one unrelated key). */
export const CONDITION_KEYS = [
    SOURCE_ARN_KEY,
    SOURCE_ACCOUNT_KEY,
    APPLICATION_ID_CONTEXT_KEY,
    VIA_SERVICE_KEY,
    "aws:PrincipalOrgID",
] as const;

/** Literal values per key: the right one, a wrong one. */
const GOOD_VALUES: Record<string, readonly string[]> = {
    [SOURCE_ARN_KEY]: [APP_ARN, `arn:aws:emr-serverless:${REGION}:${OTHER}:/applications/other`],
    [SOURCE_ACCOUNT_KEY]: [OWNER, OTHER],
    [APPLICATION_ID_CONTEXT_KEY]: [APP_ID, "otherapp"],
    [VIA_SERVICE_KEY]: [`emr-serverless.${REGION}.amazonaws.com`, `s3.${REGION}.amazonaws.com`],
    "aws:PrincipalOrgID": ["o-abc123", "o-zzz999"],
};

/** Wildcard patterns per key (meaningful under *Like operators, literal under *Equals). */
const PATTERN_VALUES: Record<string, readonly string[]> = {
    [SOURCE_ARN_KEY]: ["*", `arn:aws:emr-serverless:*:${OWNER}:/applications/*`, "arn:aws:emr-serverless:*", "arn:*"],
    [SOURCE_ACCOUNT_KEY]: ["*", "1111*", "????????????"],
    [APPLICATION_ID_CONTEXT_KEY]: ["*", "00f*", "?", "*b", "zz9*"],
    [VIA_SERVICE_KEY]: ["*", "emr-serverless.*.amazonaws.com"],
    "aws:PrincipalOrgID": ["o-*", "*"],
};

/** A policy value for a condition key: a literal or a wildcard pattern. */
export function conditionValue(key: string): fc.Arbitrary<string> {
    return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...GOOD_VALUES[key]) },
        { weight: 1, arbitrary: fc.constantFrom(...PATTERN_VALUES[key]) },
    );
}

/** The operators the structured generators use, by family. */
export const STRING_OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
] as const;
/** ARN operators (used only on aws:SourceArn). */
export const ARN_OPERATORS = ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"] as const;

/** A condition operator name (optionally IfExists, optionally a set prefix) for a key. */
export function operatorFor(key: string, opts: { sets: boolean } = { sets: true }): fc.Arbitrary<string> {
    const bases: string[] = key === SOURCE_ARN_KEY ? [...STRING_OPERATORS, ...ARN_OPERATORS] : [...STRING_OPERATORS];
    const plain = fc
        .tuple(
            fc.constantFrom(...bases),
            fc.boolean(),
            opts.sets ? fc.constantFrom("", "", "", "ForAnyValue:", "ForAllValues:") : fc.constant(""),
        )
        .map(([b, ifExists, set]) => `${set}${b}${ifExists ? "IfExists" : ""}`);
    return fc.oneof({ weight: 6, arbitrary: plain }, { weight: 1, arbitrary: fc.constant("Null") });
}

/** One condition block: operator -> key -> value(s). Null takes "true"/"false". */
export function conditionBlock(
    opts: { sets: boolean } = { sets: true },
): fc.Arbitrary<Record<string, Record<string, Json>>> {
    const entry = fc
        .constantFrom(...CONDITION_KEYS)
        .chain((key) =>
            operatorFor(key, opts).chain((op) =>
                (op === "Null"
                    ? fc.constantFrom<Json>("true", "false")
                    : fc.oneof(
                          conditionValue(key) as fc.Arbitrary<Json>,
                          fc.array(conditionValue(key), { minLength: 1, maxLength: 3 }) as fc.Arbitrary<Json>,
                      )
                ).map((v) => ({ op, key, v })),
            ),
        );
    return fc.array(entry, { minLength: 0, maxLength: 4 }).map((entries) => {
        const out: Record<string, Record<string, Json>> = {};
        for (const { op, key, v } of entries) {
            (out[op] ??= {})[key] = v;
        }
        return out;
    });
}

/** A Principal / NotPrincipal value. */
export function principalValue(): fc.Arbitrary<Json> {
    return fc.constantFrom<Json>(
        "*",
        { AWS: "*" },
        { AWS: OWNER },
        { AWS: `arn:aws:iam::${OWNER}:root` },
        { AWS: OTHER },
        { AWS: `arn:aws:iam::${OTHER}:root` },
        { AWS: OWNER_ROLE },
        { AWS: [OWNER_ROLE, OTHER_ROLE] },
        { Service: EMR_SERVERLESS_PRINCIPAL },
        { Service: [EMR_SERVERLESS_PRINCIPAL, "s3.amazonaws.com"] },
        { Service: "s3.amazonaws.com" },
    );
}

/** Options for {@link statement}. */
export interface StatementOptions {
    effect?: "Allow" | "Deny";
    notPrincipal?: boolean;
    notAction?: boolean;
    sets?: boolean;
    /** Resource values to draw from. */
    resources?: readonly Json[];
    /** Also use NotResource. */
    notResource?: boolean;
}

/** A well-formed statement. */
export function statement(opts: StatementOptions = {}): fc.Arbitrary<Statement> {
    return fc
        .record({
            effect: opts.effect ? fc.constant(opts.effect) : fc.constantFrom("Allow", "Deny"),
            principalField: opts.notPrincipal
                ? fc.constantFrom("Principal", "Principal", "Principal", "NotPrincipal")
                : fc.constant("Principal"),
            principal: principalValue(),
            actionField: opts.notAction ? fc.constantFrom("Action", "Action", "NotAction") : fc.constant("Action"),
            actions: fc.oneof(
                fc.constantFrom<Json>(...ACTION_PATTERNS),
                fc.uniqueArray(fc.constantFrom(...ACTION_PATTERNS), {
                    minLength: 1,
                    maxLength: 3,
                }) as fc.Arbitrary<Json>,
            ),
            resourceField: opts.notResource
                ? fc.constantFrom("Resource", "Resource", "NotResource")
                : fc.constant("Resource"),
            resource: fc.constantFrom<Json>(...(opts.resources ?? ["*"])),
            condition: fc.option(conditionBlock({ sets: opts.sets ?? true }), { freq: 3 }),
        })
        .map((r) => {
            const st: Statement = {
                Effect: r.effect,
                [r.principalField]: r.principal,
                [r.actionField]: r.actions,
                [r.resourceField]: r.resource,
            };
            if (r.condition && Object.keys(r.condition).length > 0) {
                st.Condition = r.condition;
            }
            return st;
        });
}

/** A well-formed policy: some generated statements, optionally the good ones mixed in. */
export function policy(opts: StatementOptions = {}): fc.Arbitrary<PolicyDoc> {
    return fc
        .tuple(fc.array(statement(opts), { minLength: 0, maxLength: 5 }), fc.boolean(), fc.boolean())
        .chain(([generated, withRoot, withService]) => {
            const all: Statement[] = [...generated];
            if (withRoot) {
                all.push(rootStatement());
            }
            if (withService) {
                all.push(goodServiceStatement());
            }
            if (all.length === 0) {
                all.push(rootStatement());
            }
            return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
        })
        .map((statements) => ({ Version: "2012-10-17", Statement: statements }));
}

/** A request context value for a key: absent, right, wrong, a look-alike, a list. */
function contextValue(key: string): fc.Arbitrary<string | string[] | undefined> {
    const good = GOOD_VALUES[key];
    return fc.oneof(
        fc.constant(undefined),
        fc.constantFrom(...good),
        fc.constantFrom(good[0].toUpperCase(), `${good[0]}x`, good[0].slice(0, -1)),
        fc.array(fc.constantFrom(...good), { minLength: 1, maxLength: 2 }),
    );
}

/** The request shape of the judge. */
export interface Request {
    principal: { type: "AWS" | "Service"; id: string };
    action: string;
    resource?: string;
    context: Record<string, string | string[] | undefined>;
}

/** A request: service or IAM principal, one action, a context over the scenario's keys. */
export function request(opts: { multiValued?: boolean; resource?: boolean } = {}): fc.Arbitrary<Request> {
    const ctxEntries = CONDITION_KEYS.map((k) => {
        const v = contextValue(k);
        return opts.multiValued === false ? v.map((x) => (Array.isArray(x) ? x[0] : x)) : v;
    });
    return fc
        .record({
            principal: fc.constantFrom<Request["principal"]>(
                { type: "Service", id: EMR_SERVERLESS_PRINCIPAL },
                { type: "Service", id: "s3.amazonaws.com" },
                { type: "AWS", id: OWNER_ROLE },
                { type: "AWS", id: OTHER_ROLE },
            ),
            action: requestAction(),
            resource: opts.resource === false ? fc.constant(undefined) : fc.constantFrom(undefined, KEY_ARN),
            ctx: fc.tuple(...ctxEntries),
        })
        .map((r) => {
            const context: Record<string, string | string[] | undefined> = {};
            CONDITION_KEYS.forEach((k, i) => {
                if (r.ctx[i] !== undefined) {
                    context[k] = r.ctx[i];
                }
            });
            const out: Request = { principal: r.principal, action: r.action, context };
            if (r.resource !== undefined) {
                out.resource = r.resource;
            }
            return out;
        });
}

// ---------------------------------------------------------------------------------------------
// Hostile documents.

/** Strings that tend to break things: odd Unicode, control characters, lone surrogates, huge. */
export function oddString(): fc.Arbitrary<string> {
    return fc.oneof(
        fc.string({ unit: "grapheme", maxLength: 20 }),
        fc.string({ unit: "binary", maxLength: 20 }),
        fc.constantFrom(
            "",
            "\u0000",
            "\uD800",
            "\uDFFF\uD800",
            "\u202Ekms:Decrypt",
            "ｋｍｓ:Decrypt",
            "kms\u200B:Decrypt",
            "emr-serverless.amazonaws.com\u0000",
            "ЕMR-serverless.amazonaws.com",
            "*",
            "?",
            "${aws:SourceAccount}",
            "__proto__",
            "constructor",
            "toString",
            UNKNOWN_STRING,
            `x${UNKNOWN_STRING}y`,
            "1e309",
            "NaN",
        ),
    );
}

/** Any value of any type, including odd strings, big numbers and odd objects. */
export function anyJson(): fc.Arbitrary<Json> {
    return fc.oneof(
        fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
        oddString(),
        fc.constantFrom<Json>(null, true, false, 0, -0, 1e308, -1, 3.5, [], {}, [[]], [{}], [null]),
    );
}

/** Paths of every field of a document (for "wrong type in every field"). */
export function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    const out: (string | number)[][] = [prefix];
    if (Array.isArray(v)) {
        v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
    } else if (v !== null && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
            out.push(...paths(x, [...prefix, k]));
        }
    }
    return out;
}

/** A copy of `doc` with the value at `path` replaced (or the root when the path is empty). */
export function setAt(doc: Json, path: readonly (string | number)[], value: Json): Json {
    if (path.length === 0) {
        return value;
    }
    const copy = clone(doc);
    let cur: Json = copy;
    for (const p of path.slice(0, -1)) {
        cur = (cur as Record<string, Json>)[p as string];
    }
    (cur as Record<string, Json>)[path[path.length - 1] as string] = value;
    return copy;
}

/** A copy of `doc` with the key (not value) at `path` renamed. */
export function renameAt(doc: Json, path: readonly (string | number)[], newKey: string): Json {
    if (path.length === 0 || typeof path[path.length - 1] !== "string") {
        return doc;
    }
    const copy = clone(doc);
    let cur: Json = copy;
    for (const p of path.slice(0, -1)) {
        cur = (cur as Record<string, Json>)[p as string];
    }
    const obj = cur as Record<string, Json>;
    const old = path[path.length - 1] as string;
    const value = obj[old];
    delete obj[old];
    obj[newKey] = value;
    return copy;
}

/** A base document for mutation: the good policy or a generated one. */
export function baseDocument(): fc.Arbitrary<Json> {
    return fc.oneof(
        fc.constant(goodPolicy() as unknown as Json),
        policy({ notPrincipal: true, notAction: true }) as unknown as fc.Arbitrary<Json>,
    );
}

/** A document with one field (anywhere) replaced by a value of any type. */
export function mutatedDocument(): fc.Arbitrary<Json> {
    return baseDocument().chain((doc) =>
        fc.tuple(fc.constantFrom(...paths(doc)), anyJson()).map(([p, v]) => setAt(doc, p, v)),
    );
}

/** A document with one key (anywhere) renamed to an odd string or a case variant. */
export function renamedKeyDocument(): fc.Arbitrary<Json> {
    return baseDocument().chain((doc) => {
        const keyed = paths(doc).filter((p) => p.length > 0 && typeof p[p.length - 1] === "string");
        return fc
            .tuple(
                fc.constantFrom(...keyed),
                fc.oneof(
                    oddString(),
                    fc.constantFrom("effect", "ACTION", "principal", "Condition ", "Statement\u0000"),
                ),
            )
            .map(([p, k]) => renameAt(doc, p, k));
    });
}

/** A document with every string leaf (and optionally object key) that the mask selects replaced by the unknown sentinel. */
export function unknownsDocument(): fc.Arbitrary<Json> {
    return baseDocument().chain((doc) => {
        const all = paths(doc).filter((p) => p.length > 0);
        return fc.subarray(all, { minLength: 1, maxLength: Math.min(4, all.length) }).map((chosen) => {
            let out = doc;
            // Deepest first, so that a shallower replacement never strands a deeper path.
            for (const p of [...chosen].sort((a, b) => b.length - a.length)) {
                out = setAt(out, p, UNKNOWN_STRING);
            }
            return out;
        });
    });
}

/** Nested arrays/objects `depth` levels deep around `leaf`. */
export function nest(depth: number, leaf: Json, kind: "array" | "object" | "mixed"): Json {
    let v = leaf;
    for (let i = 0; i < depth; i++) {
        const k = kind === "mixed" ? (i % 2 === 0 ? "array" : "object") : kind;
        v = k === "array" ? [v] : { Statement: v };
    }
    return v;
}

/** JSON text nested `depth` levels deep (built as text: no recursion in the generator). */
export function nestedText(depth: number): string {
    return '{"Version":"2012-10-17","Statement":' + "[".repeat(depth) + "{}" + "]".repeat(depth) + "}";
}

/** A syntactically valid policy padded to about `bytes` bytes with statements. */
export function hugePolicy(bytes: number, filler: Statement = goodSubmitterStatement()): PolicyDoc {
    const statements: Statement[] = [rootStatement(), goodServiceStatement()];
    let size = JSON.stringify({ Version: "2012-10-17", Statement: statements }).length;
    let i = 0;
    while (size < bytes) {
        const st = { ...clone(filler), Sid: `Filler${i++}` };
        statements.push(st);
        size += JSON.stringify(st).length + 1;
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** JSON text of `doc` with a duplicated key inserted at `path` (the first copy has `firstValue`). */
export function withDuplicateKey(doc: Json, path: readonly (string | number)[], firstValue: Json): string | undefined {
    if (path.length === 0 || typeof path[path.length - 1] !== "string") {
        return undefined;
    }
    const key = path[path.length - 1] as string;
    const marker = `__dup_marker_${Math.random().toString(36).slice(2)}__`;
    const withMarker = renameAt(doc, path, marker);
    // Place the first copy just before the marker key: `"key": first, "key": second`.
    const secondText = JSON.stringify(getAt(doc, path));
    const text = JSON.stringify(withMarker);
    const needle = `${JSON.stringify(marker)}:${secondText}`;
    if (!text.includes(needle)) {
        return undefined;
    }
    return text.replace(
        needle,
        `${JSON.stringify(key)}:${JSON.stringify(firstValue)},${JSON.stringify(key)}:${secondText}`,
    );
}

/** The value at `path`. */
export function getAt(doc: Json, path: readonly (string | number)[]): Json {
    let cur: Json = doc;
    for (const p of path) {
        cur = (cur as Record<string, Json>)[p as string];
    }
    return cur;
}
