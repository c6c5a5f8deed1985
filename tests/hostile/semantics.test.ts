/**
 * Semantic properties of the judge over generated key policies.
 *
 * Adding a Deny. IAM evaluation: a Deny can only remove requests from the allowed set. So
 * - evaluator: eval(P + Deny, R) is eval(P, R) or "ExplicitDeny"; a request not allowed stays not
 *   allowed;
 * - analysis: the findings about what is ALLOWED (service-unbound, open-grant, not-principal-allow,
 *   submitter-not-via-service, service-overgrant) cannot gain members: every witness request
 *   allowed by P + Deny is allowed by P, so a new finding would mean the verdict on P missed it.
 *   The other direction does NOT hold and is not asserted: a Deny may legitimately remove a finding
 *   (e.g. "Deny unless aws:SourceAccount = X" binds the service). What must hold instead is
 *   soundness against the evaluator (below): a Deny may remove a finding only if the evaluator can
 *   no longer exhibit a witness request.
 *
 * Soundness against the evaluator (the strongest property here). For the service principal, with
 * resource = this key's ARN and context values from a pool larger than the document's own values:
 * - if some GenerateDataKey/Decrypt request is allowed, grantsService must be true;
 * - if one Allow statement (with every Deny of the document) allows two requests that differ only in
 *   the value of aws:SourceArn, aws:SourceAccount or kms:EncryptionContext:applicationId (or one of
 *   them without the key), the analysis must report service-unbound;
 * - if a principal of an account the document never names is allowed anything, the analysis must
 *   report open-grant (or not-principal-allow).
 *
 * Weakening a condition of the bound service statement turns a pass into a violation; equivalent
 * spellings keep the verdict. See rewrite.ts for the lists.
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { analyzeKeyPolicy, evaluateRequest, parsePolicyDocument } from "../../policypack/judge";
import type { KeyPolicyAnalysis } from "../../policypack/judge/types";
import {
    APP_ARN,
    APP_ID,
    Json,
    KEY_ARN,
    OTHER,
    OTHER_KEY_ARN,
    OWNER,
    PolicyDoc,
    REGION,
    Statement,
    goodPolicy,
    goodServiceStatement,
    goodSubmitterStatement,
    policy,
    request,
    rootStatement,
    runs,
    statement,
} from "./generators";
import { BINDING_KEYS, EQUIVALENCES, WEAKENINGS, rewrite, weaken } from "./rewrite";
import { MANDATORY_KINDS, assertVerdict, blocks, kindCounts, verdictSummary } from "./support";

const SERVICE = { type: "Service" as const, id: "emr-serverless.amazonaws.com" };

/** An account that no generated document names except in the Denies written to exclude exactly it. */
const STRANGER_ACCOUNT = "999999999999";

/**
 * A Deny statement. With `crafted`, also shapes crafted against a judge that tries a bounded set of requests
 * (one account, a few application ids) and Resource / NotResource values that do not cover this key (each
 * pinned by its own minimal test below); without, only Denies whose Resource covers this key.
 */
function denyStatement(crafted = true): fc.Arbitrary<Statement> {
    if (!crafted) {
        return statement({ effect: "Deny", notPrincipal: true, notAction: true, resources: ["*", KEY_ARN] });
    }
    return fc.oneof(
        {
            weight: 4,
            arbitrary: statement({
                effect: "Deny",
                notPrincipal: true,
                notAction: true,
                notResource: true,
                resources: ["*", KEY_ARN, OTHER_KEY_ARN, "arn:aws:kms:*"],
            }),
        },
        {
            weight: 1,
            arbitrary: fc.constantFrom<Statement>(
                { Effect: "Deny", Principal: { AWS: STRANGER_ACCOUNT }, Action: "kms:*", Resource: "*" },
                { Effect: "Deny", Principal: { AWS: "222233334444" }, Action: "kms:*", Resource: "*" },
                { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: OTHER_KEY_ARN },
                { Effect: "Deny", Principal: "*", Action: "kms:*", NotResource: KEY_ARN },
                {
                    Effect: "Deny",
                    Principal: "*",
                    Action: "kms:*",
                    Resource: "*",
                    Condition: { StringLike: { "kms:EncryptionContext:applicationId": ["b", "zz9*"] } },
                },
            ),
        },
    );
}

/** A policy with Allows and Denies, the good statements sometimes mixed in. */
function mixedPolicy(crafted = true): fc.Arbitrary<PolicyDoc> {
    return fc
        .tuple(policy({ notPrincipal: true, notAction: true }), fc.array(denyStatement(crafted), { maxLength: 2 }))
        .map(([p, denies]) => ({ ...p, Statement: [...(p.Statement as Statement[]), ...denies] }));
}

function parsed(doc: PolicyDoc): NonNullable<ReturnType<typeof parsePolicyDocument>["policy"]> {
    const r = parsePolicyDocument(doc);
    assert.ok(r.policy, "generated policy did not parse");
    return r.policy;
}

// ---------------------------------------------------------------------------------------------
// Witness search with the evaluator.

/**
 * Values the service's requests can carry: EMR Serverless sends its application's ARN and id, which are
 * lower-case (ids are [0-9a-z]+), so no pool holds an upper-case variant (a case variant of an application's
 * ARN is that application, not a second one).
 */
const POOLS: Record<string, (string | undefined)[]> = {
    "aws:SourceArn": [
        undefined,
        APP_ARN,
        `arn:aws:emr-serverless:${REGION}:${OWNER}:/applications/yb`,
        `arn:aws:emr-serverless:${REGION}:${OTHER}:/applications/other`,
        `${APP_ARN}x`,
    ],
    "aws:SourceAccount": [undefined, OWNER, OTHER, "999999999999"],
    "kms:EncryptionContext:applicationId": [undefined, APP_ID, "otherapp", "yb", "qqb", "zz9b", `${APP_ID}0`],
};

function* serviceContexts(): Generator<Record<string, string | undefined>> {
    for (const arn of POOLS["aws:SourceArn"]) {
        for (const acct of POOLS["aws:SourceAccount"]) {
            for (const app of POOLS["kms:EncryptionContext:applicationId"]) {
                yield { "aws:SourceArn": arn, "aws:SourceAccount": acct, "kms:EncryptionContext:applicationId": app };
            }
        }
    }
}

/** A witness that the service gets the key: an allowed request, or undefined. */
function serviceWitness(doc: PolicyDoc): string | undefined {
    const p = parsed(doc);
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
        for (const context of serviceContexts()) {
            if (evaluateRequest(p, { principal: SERVICE, action, resource: KEY_ARN, context }) === "Allow") {
                return `${action} ${JSON.stringify(context)}`;
            }
        }
    }
    return undefined;
}

/** A witness that one Allow statement (with all Denies) does not bind a key to one value. */
function unboundWitness(doc: PolicyDoc): string | undefined {
    const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Statement[];
    const denies = statements.filter((s) => s.Effect === "Deny");
    for (const allow of statements.filter((s) => s.Effect === "Allow")) {
        const p = parsed({ Version: "2012-10-17", Statement: [allow, ...denies] });
        for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
            const allowed: Record<string, string | undefined>[] = [];
            for (const context of serviceContexts()) {
                if (evaluateRequest(p, { principal: SERVICE, action, resource: KEY_ARN, context }) === "Allow") {
                    allowed.push(context);
                }
            }
            for (const key of BINDING_KEYS) {
                const others = BINDING_KEYS.filter((k) => k !== key);
                const groups = new Map<string, Set<string>>();
                for (const c of allowed) {
                    const g = JSON.stringify(others.map((k) => c[k] ?? null));
                    const set = groups.get(g) ?? new Set<string>();
                    set.add(c[key] ?? "(absent)");
                    groups.set(g, set);
                    if (set.size > 1) {
                        return `${JSON.stringify(allow)}: ${action} allowed with ${key} = ${[...set].join(" and ")}`;
                    }
                }
            }
        }
    }
    return undefined;
}

/** A witness that an account the document never names is allowed something. */
function openWitness(doc: PolicyDoc): string | undefined {
    const text = JSON.stringify(doc);
    const p = parsed(doc);
    for (const account of [STRANGER_ACCOUNT, "222233334444", "555566667777"]) {
        if (text.includes(account)) {
            continue;
        }
        const principal = { type: "AWS" as const, id: `arn:aws:iam::${account}:role/stranger` };
        for (const action of [
            "kms:Decrypt",
            "kms:GenerateDataKey",
            "kms:Encrypt",
            "kms:DescribeKey",
            "kms:CreateGrant",
            "kms:PutKeyPolicy",
        ]) {
            for (const app of POOLS["kms:EncryptionContext:applicationId"]) {
                for (const via of [undefined, `emr-serverless.${REGION}.amazonaws.com`, `s3.${REGION}.amazonaws.com`]) {
                    for (const org of [undefined, "o-strangers1"]) {
                        const context = {
                            "kms:EncryptionContext:applicationId": app,
                            "kms:ViaService": via,
                            "aws:PrincipalOrgID": org,
                        };
                        if (evaluateRequest(p, { principal, action, resource: KEY_ARN, context }) === "Allow") {
                            return `${principal.id} ${action} ${JSON.stringify(context)}`;
                        }
                    }
                }
            }
        }
    }
    return undefined;
}

function has(a: KeyPolicyAnalysis, ...kinds: string[]): boolean {
    return a.findings.some((f) => kinds.includes(f.kind));
}

/** The soundness assertions for one document. */
function assertSound(doc: PolicyDoc): void {
    const a = analyzeKeyPolicy(doc);
    assertVerdict(a, true);
    const w1 = serviceWitness(doc);
    if (w1 !== undefined) {
        assert.ok(a.grantsService, `the service is allowed (${w1}) but grantsService is false`);
    }
    const w2 = unboundWitness(doc);
    if (w2 !== undefined) {
        assert.ok(
            has(a, "service-unbound"),
            `not bound: ${w2}; findings: ${JSON.stringify(a.findings.map((f) => f.kind))}`,
        );
    }
    const w3 = openWitness(doc);
    if (w3 !== undefined) {
        assert.ok(
            has(a, "open-grant", "not-principal-allow"),
            `open: ${w3} is allowed; findings: ${JSON.stringify(a.findings.map((f) => f.kind))}`,
        );
    }
}

describe("hostile input: semantic properties of the judge", () => {
    describe("adding a Deny", () => {
        it("evaluator: eval(P + Deny, R) is eval(P, R) or ExplicitDeny (a denied request stays denied)", () => {
            fc.assert(
                fc.property(
                    mixedPolicy(),
                    denyStatement(),
                    fc.nat(),
                    fc.array(request(), { minLength: 1, maxLength: 8 }),
                    (doc, deny, at, requests) => {
                        const before = parsed(doc);
                        const list = [...(doc.Statement as Statement[])];
                        list.splice(at % (list.length + 1), 0, deny);
                        const after = parsed({ ...doc, Statement: list });
                        for (const r of requests) {
                            const d0 = evaluateRequest(before, r);
                            const d1 = evaluateRequest(after, r);
                            assert.ok(d1 === d0 || d1 === "ExplicitDeny", `${d0} became ${d1}`);
                        }
                    },
                ),
                runs(0xde01, 400),
            );
        });

        it("analysis: adding a Deny never creates a finding about what is allowed, nor grantsService", () => {
            fc.assert(
                fc.property(mixedPolicy(), denyStatement(), (doc, deny) => {
                    const before = analyzeKeyPolicy(doc);
                    const after = analyzeKeyPolicy({ ...doc, Statement: [...(doc.Statement as Statement[]), deny] });
                    assertVerdict(after, true);
                    const b = kindCounts(before.findings);
                    const c = kindCounts(after.findings);
                    for (const [kind, n] of c) {
                        assert.ok(n <= (b.get(kind) ?? 0), `adding ${JSON.stringify(deny)} created a ${kind} finding`);
                    }
                    assert.ok(!after.grantsService || before.grantsService);
                }),
                runs(0xde02, 300),
            );
        });
    });

    describe("soundness against the evaluator (a witness request implies the finding)", () => {
        it("generated policies with Allows and Denies (Denies that cover this key)", () => {
            fc.assert(fc.property(mixedPolicy(false), assertSound), runs(0x50d1, 250));
        });

        it("generated policies with Denies shaped against a bounded search and Denies of other resources", () => {
            fc.assert(fc.property(mixedPolicy(true), assertSound), runs(0x50d2, 250));
        });

        // Minimal cases of Deny shapes that hide a grant from a judge that tries a bounded set of requests: the
        // judge must see through each of them because it decides each question over every request, not because
        // it knows the shape.
        it("a Deny naming one account leaves the open grant to every other account reported", () => {
            // Allow "*" kms:* to every non-service caller, Deny only one account (999999999999). Any other
            // account (e.g. 222233334444) is allowed.
            const doc: PolicyDoc = {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: "*",
                        Action: "kms:*",
                        Resource: "*",
                        Condition: { Bool: { "aws:PrincipalIsAWSService": "false" } },
                    },
                    { Effect: "Deny", Principal: { AWS: STRANGER_ACCOUNT }, Action: "kms:*", Resource: "*" },
                ],
            };
            const stranger = { type: "AWS" as const, id: "arn:aws:iam::222233334444:role/x" };
            assert.equal(
                evaluateRequest(parsed(doc), {
                    principal: stranger,
                    action: "kms:Decrypt",
                    resource: KEY_ARN,
                    context: { "aws:PrincipalIsAWSService": "false" },
                }),
                "Allow",
            );
            assert.ok(
                has(analyzeKeyPolicy(doc), "open-grant"),
                "open grant to every account but 999999999999 not reported",
            );
        });

        it("a Deny whose Resource is another key (or NotResource this key's ARN pattern) hides no finding", () => {
            // KMS: in a key policy, Resource "*" means this key; a statement naming another key's ARN
            // never applies to this key. The analysis asks its questions without a resource, and the
            // evaluator then takes any Resource (and any NotResource other than "*") to cover this key,
            // which is conservative for an Allow but not for a Deny.
            const denies: Statement[] = [
                { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: OTHER_KEY_ARN },
                { Effect: "Deny", Principal: "*", Action: "kms:*", NotResource: "arn:aws:kms:*" },
            ];
            for (const deny of denies) {
                const doc: PolicyDoc = {
                    Version: "2012-10-17",
                    Statement: [
                        rootStatement(),
                        {
                            Effect: "Allow",
                            Principal: { Service: "emr-serverless.amazonaws.com" },
                            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                            Resource: "*",
                        },
                        { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" },
                        deny,
                    ],
                };
                const a = analyzeKeyPolicy(doc);
                assert.equal(
                    evaluateRequest(parsed(doc), {
                        principal: SERVICE,
                        action: "kms:Decrypt",
                        resource: KEY_ARN,
                        context: {},
                    }),
                    "Allow",
                );
                assert.ok(
                    a.grantsService && has(a, "service-unbound") && has(a, "open-grant"),
                    `${JSON.stringify(deny)} hid: ${JSON.stringify(a.findings.map((f) => f.kind))}, grantsService ${a.grantsService}`,
                );
            }
        });

        it("a Deny of some instances of a wildcard application id leaves the id unbound", () => {
            // kms:EncryptionContext:applicationId StringLike "*b" allows every id ending in "b". Denying the
            // instances a bounded search would try ("b", "zz9b") leaves "xb", "yb", "qqb", ... allowed.
            const doc: PolicyDoc = {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "emr-serverless.amazonaws.com" },
                        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                        Resource: "*",
                        Condition: {
                            StringEquals: { "aws:SourceArn": APP_ARN, "aws:SourceAccount": OWNER },
                            StringLike: { "kms:EncryptionContext:applicationId": "*b" },
                        },
                    },
                    {
                        Effect: "Deny",
                        Principal: "*",
                        Action: "kms:*",
                        Resource: "*",
                        Condition: { StringLike: { "kms:EncryptionContext:applicationId": ["b", "zz9*"] } },
                    },
                ],
            };
            const p = parsed(doc);
            for (const id of ["xb", "yb"]) {
                const context = {
                    "aws:SourceArn": APP_ARN,
                    "aws:SourceAccount": OWNER,
                    "kms:EncryptionContext:applicationId": id,
                };
                assert.equal(
                    evaluateRequest(p, { principal: SERVICE, action: "kms:Decrypt", resource: KEY_ARN, context }),
                    "Allow",
                );
            }
            assert.ok(has(analyzeKeyPolicy(doc), "service-unbound"), 'applicationId "*b" judged bound');
        });
        it("a Deny of every action but kms:CreateGrant leaves the open grant of kms:CreateGrant reported", () => {
            // Every caller in every account may still call kms:CreateGrant (and so grant itself Decrypt): a
            // judge that tries a few actions only would miss it.
            const doc: PolicyDoc = {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" },
                    { Effect: "Deny", Principal: "*", NotAction: "kms:CreateGrant", Resource: "*" },
                ],
            };
            const stranger = { type: "AWS" as const, id: "arn:aws:iam::222233334444:role/x" };
            assert.equal(
                evaluateRequest(parsed(doc), {
                    principal: stranger,
                    action: "kms:CreateGrant",
                    resource: KEY_ARN,
                    context: {},
                }),
                "Allow",
            );
            assert.ok(has(analyzeKeyPolicy(doc), "open-grant"), "kms:CreateGrant open to every account not reported");
        });

        it("a request without aws:SourceArn stays reported however many ARNs a Deny lists", () => {
            // The service is allowed only WITHOUT aws:SourceArn (every request with one is denied). A search
            // that tries a bounded list of candidate values, the absent one last, would find no allowed request
            // once the Deny lists enough ARNs; the request without aws:SourceArn is still allowed.
            const arns = Array.from(
                { length: 6 },
                (_, i) => `arn:aws:emr-serverless:${REGION}:${OWNER}:/applications/app${i}`,
            );
            const doc: PolicyDoc = {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "emr-serverless.amazonaws.com" },
                        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                        Resource: "*",
                    },
                    {
                        Effect: "Deny",
                        Principal: "*",
                        Action: "kms:*",
                        Resource: "*",
                        Condition: { Null: { "aws:SourceArn": "false" } },
                    },
                    {
                        Effect: "Deny",
                        Principal: "*",
                        Action: "kms:*",
                        Resource: "*",
                        Condition: { StringEquals: { "aws:SourceArn": arns } },
                    },
                ],
            };
            assert.equal(
                evaluateRequest(parsed(doc), {
                    principal: SERVICE,
                    action: "kms:Decrypt",
                    resource: KEY_ARN,
                    context: {},
                }),
                "Allow",
            );
            const a = analyzeKeyPolicy(doc);
            assert.ok(
                a.grantsService && has(a, "service-unbound"),
                `findings ${JSON.stringify(a.findings.map((f) => f.kind))}, grantsService ${a.grantsService}`,
            );
        });
    });

    describe("weakening a condition of the bound service statement", () => {
        it("the good policy passes (baseline)", () => {
            for (const doc of [
                goodPolicy(),
                {
                    Version: "2012-10-17",
                    Statement: [rootStatement(), goodServiceStatement(), goodSubmitterStatement()],
                },
            ]) {
                const a = analyzeKeyPolicy(doc);
                assert.equal(blocks(a), false, JSON.stringify(a.findings));
                assert.equal(a.grantsService, true);
                assert.deepEqual(a.binding, {
                    sourceArns: [APP_ARN],
                    sourceAccounts: [OWNER],
                    applicationIds: [APP_ID],
                });
            }
        });

        it("every weakening of every binding key is a violation (exhaustive)", () => {
            const failures: string[] = [];
            for (const key of BINDING_KEYS) {
                for (const w of WEAKENINGS) {
                    for (const variant of w === "wildcard" ? [0, 1, 2] : [0]) {
                        const doc = weaken(goodPolicy(), 1, key, w, variant);
                        const a = analyzeKeyPolicy(doc);
                        if (!has(a, "service-unbound", "malformed")) {
                            failures.push(
                                `${w}(${variant}) on ${key}: ${JSON.stringify((doc.Statement as Statement[])[1].Condition)}`,
                            );
                        }
                    }
                }
            }
            assert.deepEqual(failures, []);
        });

        it("moving a binding to StringEqualsIgnoreCase keeps the pass: real ARNs, ids and accounts have no upper case", () => {
            for (const key of BINDING_KEYS) {
                for (const upper of [false, true]) {
                    const doc = weaken(goodPolicy(), 1, key, "ignoreCase");
                    if (upper) {
                        const cond = (doc.Statement as Statement[])[1].Condition as Record<
                            string,
                            Record<string, Json>
                        >;
                        const block = cond.StringEqualsIgnoreCase;
                        block[key] = String(block[key]).toUpperCase();
                    }
                    const a = analyzeKeyPolicy(doc);
                    assert.equal(verdictSummary(a), verdictSummary(analyzeKeyPolicy(goodPolicy())), `${key} ${upper}`);
                    assert.deepEqual(a.binding, analyzeKeyPolicy(goodPolicy()).binding, `${key} ${upper}`);
                }
            }
        });

        it("wrapping a binding in ForAnyValue (single-valued keys) keeps the pass: not a weakening", () => {
            // See rewrite.ts: ForAnyValue:StringEquals on a single-valued key is false when the key is
            // missing and equals StringEquals otherwise, so the binding still holds.
            for (const key of BINDING_KEYS) {
                const doc = weaken(goodPolicy(), 1, key, "forAnyValue");
                const p = parsed(doc);
                const ok = {
                    "aws:SourceArn": APP_ARN,
                    "aws:SourceAccount": OWNER,
                    "kms:EncryptionContext:applicationId": APP_ID,
                };
                assert.equal(
                    evaluateRequest(p, { principal: SERVICE, action: "kms:Decrypt", resource: KEY_ARN, context: ok }),
                    "Allow",
                );
                assert.equal(
                    evaluateRequest(p, {
                        principal: SERVICE,
                        action: "kms:Decrypt",
                        resource: KEY_ARN,
                        context: { ...ok, [key]: undefined },
                    }),
                    "ImplicitDeny",
                );
                assert.equal(
                    verdictSummary(analyzeKeyPolicy(doc)),
                    verdictSummary(analyzeKeyPolicy(goodPolicy())),
                    key,
                );
            }
        });

        it("a weakening stays a violation under any equivalent respelling and extra unrelated statements", () => {
            fc.assert(
                fc.property(
                    fc.constantFrom(...BINDING_KEYS),
                    fc.constantFrom(...WEAKENINGS),
                    fc.nat(2),
                    fc.array(fc.tuple(fc.constantFrom(...EQUIVALENCES), fc.nat()), { maxLength: 3 }),
                    fc.boolean(),
                    (key, w, variant, rewrites, submitter) => {
                        let doc = goodPolicy();
                        if (submitter) {
                            (doc.Statement as Statement[]).push(goodSubmitterStatement());
                        }
                        doc = weaken(doc, 1, key, w, variant);
                        for (const [e, seed] of rewrites) {
                            doc = rewrite(doc, e, seed);
                        }
                        const a = analyzeKeyPolicy(doc);
                        assert.ok(
                            has(a, "service-unbound", "malformed"),
                            `${w} on ${key} after ${JSON.stringify(rewrites)} passed`,
                        );
                    },
                ),
                runs(0x3ea1, 300),
            );
        });
    });

    describe("equivalent spellings keep the verdict", () => {
        it("each rewrite alone, on generated policies: same verdict and same decisions", () => {
            fc.assert(
                fc.property(
                    mixedPolicy(),
                    fc.constantFrom(...EQUIVALENCES),
                    fc.nat(),
                    fc.array(request(), { minLength: 1, maxLength: 6 }),
                    (doc, e, seed, requests) => {
                        const other = rewrite(doc, e, seed);
                        const a = analyzeKeyPolicy(doc);
                        const b = analyzeKeyPolicy(other);
                        assertVerdict(b, true);
                        assert.equal(verdictSummary(b), verdictSummary(a), `${e}: ${JSON.stringify(other)}`);
                        const p = parsed(doc);
                        const q = parsed(other);
                        for (const r of requests) {
                            assert.equal(
                                evaluateRequest(q, r),
                                evaluateRequest(p, r),
                                `${e} changed the decision for ${JSON.stringify(r)}`,
                            );
                        }
                    },
                ),
                runs(0xe901, 400),
            );
        });

        it("Statement as an object vs a one-element list; Action string vs list (the good policy's service statement)", () => {
            const one: PolicyDoc = { Version: "2012-10-17", Statement: goodServiceStatement() };
            const list: PolicyDoc = { Version: "2012-10-17", Statement: [goodServiceStatement()] };
            assert.equal(verdictSummary(analyzeKeyPolicy(one)), verdictSummary(analyzeKeyPolicy(list)));
            assert.equal(blocks(analyzeKeyPolicy(one)), false);
        });
    });

    describe("duplicate keys in JSON text (parser differential)", () => {
        // AWS does not document which copy of a repeated member it keeps (see robustness.test.ts).
        // JSON.parse keeps the last. A judge that reads one copy while KMS might read the other can be
        // steered: put a bad value first and a good value last. The safe behaviour is to refuse
        // duplicated member names (malformed) or to judge every reading; the judge refuses them when it
        // is given the text (an object has already lost the first copy).
        it("a repeated Condition operator whose first copy is a wildcard: the text is malformed", () => {
            const good = JSON.stringify(goodPolicy());
            const needle = '"StringLike":{';
            const text = good.replace(needle, `"StringLike":{"aws:SourceArn":"*"},${needle}`);
            assert.notEqual(text, good);
            const a = analyzeKeyPolicy(text);
            assertVerdict(a, true);
            // The last-copy reading alone passes; the text with the repeated member is refused.
            assert.equal(blocks(analyzeKeyPolicy(JSON.parse(text))), false);
            const dup = a.findings.filter(
                (f) => f.kind === "malformed" && /repeats the member name "StringLike"/.test(f.message),
            );
            assert.equal(dup.length, 1, JSON.stringify(a.findings));
            assert.match(dup[0].message, /Statement\[1\]\.Condition/);
            assert.equal(blocks(analyzeKeyPolicy(good)), false);
        });
    });

    describe("condition keys that differ only by case in one block", () => {
        it("a case-variant duplicate of a binding key with a wildcard is refused", () => {
            // IAM Access Analyzer's policy checks list "Error – Duplicate keys with different case"
            // (DUPLICATE_KEYS_WITH_DIFFERENT_CASE): a condition block holding two keys that differ only
            // by case. Condition key names are case-insensitive, so the block has ONE key written twice
            // and which value AWS evaluates is not documented. The judge ANDs both (bound); a reading
            // that keeps the later copy has aws:SourceArn = "*" (unbound). Safe behaviour: report the
            // document as malformed, as Access Analyzer does.
            const doc = goodPolicy();
            const cond = (doc.Statement as Statement[])[1].Condition as Record<string, Record<string, string>>;
            cond.StringLike["AWS:SOURCEARN"] = "*";
            const a = analyzeKeyPolicy(doc);
            assert.ok(has(a, "malformed", "service-unbound"), `passed: ${JSON.stringify(cond)}`);
        });
    });

    it("mandatory kinds are the ones the pack enforces", () => {
        assert.deepEqual([...MANDATORY_KINDS].sort(), [
            "malformed",
            "not-principal-allow",
            "open-grant",
            "service-unbound",
        ]);
    });
});
