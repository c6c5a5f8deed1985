/**
 * The service binding reads a key bound by the granting statement's own equality off the statement: whenever it does,
 * the exact search finds no request that statement and the document allow without the key or with another value,
 * and it does not read so any form that lets such a request through (IfExists, negated, set, wildcard, several
 * values, ignoring case).
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { APPLICATION_ID_CONTEXT_KEY, SOURCE_ACCOUNT_KEY, SOURCE_ARN_KEY } from "../../policypack/judge/constants";
import { DocumentIndex } from "../../policypack/judge/documentIndex";
import { literal } from "../../policypack/judge/languages";
import { parsePolicyDocument } from "../../policypack/judge/parse";
import { bindsItself, serviceStatements } from "../../policypack/judge/serviceBinding";
import { anyValueOf, findServiceRequestExactly, serviceDomains } from "../../policypack/judge/serviceRequests";
import { Unsupported } from "../../policypack/judge/witness";
import { ACCOUNT, APP_ARN, APP_ID, KEY_ARN } from "../../harness/fixtures";
import { OTHER, runs } from "../hostile/generators";

const KEYS = [SOURCE_ARN_KEY, SOURCE_ACCOUNT_KEY, APPLICATION_ID_CONTEXT_KEY];
const OPERATORS = [
    "StringEquals",
    "StringLike",
    "StringEqualsIfExists",
    "StringLikeIfExists",
    "StringNotEquals",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringEquals",
    "StringEqualsIgnoreCase",
    "ArnEquals",
    "ArnLike",
    "Null",
];
const VALUES = [
    APP_ARN,
    APP_ARN.replace(APP_ID, "00zzzzzzzzzzzzzz"),
    APP_ARN.replace(APP_ID, "*"),
    APP_ARN.replace(ACCOUNT, OTHER),
    ACCOUNT,
    OTHER,
    "1111222233?3",
    APP_ID,
    APP_ID.toUpperCase(),
    "${aws:SourceAccount}",
    "true",
    "false",
];

type Condition = Record<string, Record<string, string | string[]>>;

/** A condition block: up to three (operator, key, values) triples. */
const conditionBlock: fc.Arbitrary<Condition> = fc
    .array(
        fc.record({
            operator: fc.constantFrom(...OPERATORS),
            key: fc.constantFrom(...KEYS),
            values: fc.array(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }),
        }),
        { minLength: 0, maxLength: 3 },
    )
    .map((triples) => {
        const out: Condition = {};
        for (const t of triples) {
            (out[t.operator] ??= {})[t.key] = t.values.length === 1 ? t.values[0] : t.values;
        }
        return out;
    });

/** `condition` with a StringEquals binding each of `keys` to the application's own value, unless it names the key. */
function withBinding(condition: Condition, keys: readonly string[]): Condition {
    const own: Record<string, string> = {
        [SOURCE_ARN_KEY]: APP_ARN,
        [SOURCE_ACCOUNT_KEY]: ACCOUNT,
        [APPLICATION_ID_CONTEXT_KEY]: APP_ID,
    };
    const equals = { ...(condition.StringEquals ?? {}) };
    for (const k of keys) {
        equals[k] ??= own[k];
    }
    return Object.keys(equals).length > 0 ? { ...condition, StringEquals: equals } : condition;
}

/** A key policy granting the service under one condition block, with a Deny under another, or none. */
const documents = fc
    .record({
        allow: conditionBlock,
        deny: fc.option(conditionBlock, { nil: undefined }),
        // The component's own binding of some keys besides (which the further conditions then narrow).
        bound: fc.subarray(KEYS),
    })
    .map(({ allow, deny, bound }) => ({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Service",
                Effect: "Allow",
                Principal: { Service: "emr-serverless.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: "*",
                Condition: withBinding(allow, bound),
            },
            ...(deny
                ? [{ Sid: "Fence", Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*", Condition: deny }]
                : []),
        ],
    }));

/** For each key the statement binds by itself, whether the exact search finds a request without it or with another. */
function shortcutAndSearch(doc: unknown): Array<{ key: string; reads: boolean; other: boolean }> {
    const policy = parsePolicyDocument(doc).policy;
    assert.ok(policy);
    const index = new DocumentIndex(policy, ACCOUNT, KEY_ARN);
    const domainOf = serviceDomains(index);
    const out: Array<{ key: string; reads: boolean; other: boolean }> = [];
    for (const st of serviceStatements(policy)) {
        try {
            const base = findServiceRequestExactly(index, st, "kms:Decrypt", anyValueOf(KEYS));
            if (!base) {
                continue;
            }
            for (const key of KEYS) {
                const lower = key.toLowerCase();
                const current = base.context.get(lower);
                const reads = bindsItself(st, lower, current, domainOf(lower));
                const other =
                    current?.length !== 1 ||
                    findServiceRequestExactly(
                        index,
                        st,
                        "kms:Decrypt",
                        new Map([
                            [
                                lower,
                                {
                                    absent: true,
                                    present: true,
                                    constraints: [{ language: literal(current[0]), want: false }],
                                },
                            ],
                        ]),
                    ) !== undefined;
                out.push({ key, reads, other });
            }
        } catch (e) {
            if (!(e instanceof Unsupported)) {
                throw e;
            }
        }
    }
    return out;
}

describe("judge: a key the granting statement binds by itself", () => {
    it("is bound for every document in which the statement's own equality binds it (the exact search finds no other)", () => {
        const seen = { read: 0, searched: 0 };
        fc.assert(
            fc.property(documents, (doc) => {
                for (const r of shortcutAndSearch(doc)) {
                    if (r.reads) {
                        seen.read++;
                        assert.equal(r.other, false, `${r.key} read as bound in ${JSON.stringify(doc)}`);
                    } else {
                        seen.searched++;
                    }
                }
            }),
            runs(0x5e41, 300),
        );
        assert.ok(seen.read > 20 && seen.searched > 20, JSON.stringify(seen));
    });

    it("is not read off a form that lets a request without the key or with another value through", () => {
        const grant = (condition: Condition) => ({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Service: "emr-serverless.amazonaws.com" },
                    Action: "kms:Decrypt",
                    Resource: "*",
                    Condition: condition,
                },
            ],
        });
        const arnOf = (condition: Condition) =>
            shortcutAndSearch(grant(condition)).find((r) => r.key === SOURCE_ARN_KEY);
        assert.deepEqual(arnOf({ StringEquals: { [SOURCE_ARN_KEY]: APP_ARN } }), {
            key: SOURCE_ARN_KEY,
            reads: true,
            other: false,
        });
        const unbinding: Condition[] = [
            { StringEqualsIfExists: { [SOURCE_ARN_KEY]: APP_ARN } },
            { StringLike: { [SOURCE_ARN_KEY]: APP_ARN.replace(APP_ID, "*") } },
            { StringEquals: { [SOURCE_ARN_KEY]: [APP_ARN, APP_ARN.replace(APP_ID, "00zzzzzzzzzzzzzz")] } },
            { "ForAllValues:StringEquals": { [SOURCE_ARN_KEY]: APP_ARN } },
            { StringNotEquals: { [SOURCE_ARN_KEY]: APP_ARN.replace(APP_ID, "00zzzzzzzzzzzzzz") } },
        ];
        for (const condition of unbinding) {
            assert.deepEqual(
                arnOf(condition),
                { key: SOURCE_ARN_KEY, reads: false, other: true },
                JSON.stringify(condition),
            );
        }
    });
});
