/**
 * Denies written to cover every request a judge could try from a finite list, leaving one gap: every principal
 * type but one, every account prefix but one, role names of one suffix, application ids of every length up to
 * some bound. The allowed requests left are real, so the judge must report the grant, and its message must show a
 * witness: a request that the evaluator allows and that lies in the gap. Asked of the judge in-process and of the
 * pack's policies the way the policy server calls them (harness/policyPack.ts).
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { analyzeKeyPolicy, evaluateRequest, parsePolicyDocument } from "../../policypack/judge";
import { KMS_KEY_POLICY_TYPE, UNKNOWN_STRING } from "../../policypack/judge/constants";
import type { Finding, KeyPolicyAnalysis } from "../../policypack/judge/types";
import { policies } from "../../policypack/policies";
import { type Diagnostic, analyzeResource, verdict } from "../../harness/policyPack";
import { APP_ARN, APP_ID, KEY_ARN, OWNER, PolicyDoc, Statement, rootStatement, runs } from "./generators";

const SERVICE = { type: "Service" as const, id: "emr-serverless.amazonaws.com" };

/** The four kinds of IAM caller of another account, as aws:PrincipalType names them, and an ARN of each. */
const CALLER_FORMS: ReadonlyArray<{ type: string; arn: (account: string) => string; pattern: string }> = [
    { type: "Account", arn: (a) => `arn:aws:iam::${a}:root`, pattern: "arn:aws:iam::*:root" },
    { type: "User", arn: (a) => `arn:aws:iam::${a}:user/u`, pattern: "arn:aws:iam::*:user/*" },
    { type: "AssumedRole", arn: (a) => `arn:aws:iam::${a}:role/r`, pattern: "arn:aws:iam::*:role/*" },
    {
        type: "FederatedUser",
        arn: (a) => `arn:aws:sts::${a}:federated-user/f`,
        pattern: "arn:aws:sts::*:federated-user/*",
    },
];

/** aws:PrincipalType as AWS sets it for a caller's ARN (independent of the judge's own model). */
function principalTypeOf(arn: string): string {
    if (/:root$/.test(arn)) return "Account";
    if (/:iam::\d{12}:user\//.test(arn)) return "User";
    if (/:iam::\d{12}:role\//.test(arn)) return "AssumedRole";
    if (/:sts::\d{12}:federated-user\//.test(arn)) return "FederatedUser";
    throw new Error(`not a caller ARN: ${arn}`);
}

/** The keys a message shows after "with": `k = "v"` or `k = ["a","b"]`. */
function shownContext(text: string): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const m of text.matchAll(/([\w:/-]+) = ("(?:[^"\\]|\\.)*"|\[[^\]]*\])/g)) {
        out[m[1] as string] = JSON.parse(m[2] as string) as string | string[];
    }
    return out;
}

/**
 * The witness an open-grant finding shows, as a request (its identity keys derived from the caller's ARN as AWS
 * derives them): the finding must name one.
 */
function openGrantWitness(f: Finding): {
    principal: { type: "AWS"; id: string };
    action: string;
    context: Record<string, string | string[]>;
} {
    const m = /is allowed (kms:\w+) \(as (arn:[^,)\s]+)(.*?)\), because/.exec(f.message);
    assert.ok(m, `the open-grant finding shows no witness request: ${f.message}`);
    const [, action, arn, rest] = m as unknown as [string, string, string, string];
    const account = /::(\d{12}):/.exec(arn)?.[1] ?? "";
    return {
        principal: { type: "AWS", id: arn },
        action,
        context: {
            "aws:PrincipalArn": arn,
            "aws:PrincipalAccount": account,
            "kms:CallerAccount": account,
            "aws:PrincipalType": principalTypeOf(arn),
            "aws:PrincipalIsAWSService": "false",
            ...shownContext(rest),
        },
    };
}

/**
 * Asserts an open grant whose witness the evaluator allows and `inGap` accepts (and, with `decided`, that nothing was
 * left undecided); returns the witness's caller ARN.
 */
function assertOpenGrant(doc: PolicyDoc, inGap: (arn: string) => boolean, decided = true): string {
    const a = analyzeKeyPolicy(doc, { keyArn: KEY_ARN });
    const f = a.findings.find((x) => x.kind === "open-grant");
    assert.ok(f, `no open grant reported: ${JSON.stringify(a.findings)}`);
    if (decided) {
        assertDecided(a);
    }
    const w = openGrantWitness(f);
    const policy = parsePolicyDocument(doc).policy;
    assert.ok(policy);
    assert.equal(
        evaluateRequest(policy, { ...w, resource: KEY_ARN }),
        "Allow",
        `the witness is not allowed: ${f.message}`,
    );
    assert.ok(inGap(w.principal.id), `the witness ${w.principal.id} is not in the gap the Denies leave`);
    return w.principal.id;
}

/** No question was left undecided or beyond the work limit: the verdict is the judge's answer. */
function assertDecided(a: KeyPolicyAnalysis): void {
    const malformed = a.findings.filter((f) => f.kind === "malformed");
    assert.deepEqual(malformed, [], "the judge could not decide");
}

/** A Deny of every KMS action to everyone under one condition block. */
function coverDeny(sid: string, condition: Record<string, Record<string, string | string[]>>): Statement {
    return { Sid: sid, Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*", Condition: condition };
}

/** An Allow to everyone of `actions`, and Denies to everyone under each condition block. */
function openDoc(
    actions: string | string[],
    denies: Array<Record<string, Record<string, string | string[]>>>,
): PolicyDoc {
    return {
        Version: "2012-10-17",
        Statement: [
            rootStatement(),
            { Sid: "Open", Effect: "Allow", Principal: "*", Action: actions, Resource: "*" },
            ...denies.map((condition, i) => coverDeny(`Cover${i}`, condition)),
        ],
    };
}

/** A service statement bound by account only, with wildcard aws:SourceArn and application id, and Denies of ids. */
function wildcardServiceDoc(deniedIds: string[][]): PolicyDoc {
    return {
        Version: "2012-10-17",
        Statement: [
            rootStatement(),
            {
                Sid: "Service",
                Effect: "Allow",
                Principal: { Service: SERVICE.id },
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:SourceAccount": OWNER },
                    StringLike: {
                        "aws:SourceArn": `arn:aws:emr-serverless:*:${OWNER}:/applications/*`,
                        "kms:EncryptionContext:applicationId": "*",
                    },
                },
            },
            ...deniedIds.map((ids, i) =>
                coverDeny(`CoverIds${i}`, { StringLike: { "kms:EncryptionContext:applicationId": ids } }),
            ),
        ],
    };
}

/**
 * Asserts that the service-unbound finding shows another application id that the Denies leave (`inGap`) and that the
 * evaluator allows with the statement's own other values (and, with `decided`, that nothing was left undecided).
 */
function assertUnboundId(doc: PolicyDoc, inGap: (id: string) => boolean, decided = true): string {
    const a = analyzeKeyPolicy(doc, { keyArn: KEY_ARN });
    if (decided) {
        assertDecided(a);
    }
    const f = a.findings.find((x) => x.kind === "service-unbound");
    assert.ok(f, `no service-unbound finding: ${JSON.stringify(a.findings)}`);
    const m = /kms:EncryptionContext:applicationId = "([^"]*)" is also allowed/.exec(f.message);
    assert.ok(m, `the finding shows no other application id: ${f.message}`);
    const id = m[1] as string;
    const policy = parsePolicyDocument(doc).policy;
    assert.ok(policy);
    const context = {
        "aws:SourceAccount": OWNER,
        "aws:SourceArn": `arn:aws:emr-serverless:us-east-1:${OWNER}:/applications/${id}`,
        "kms:EncryptionContext:applicationId": id,
        "kms:EncryptionContextKeys": ["applicationId"],
    };
    assert.equal(
        evaluateRequest(policy, { principal: SERVICE, action: "kms:Decrypt", resource: KEY_ARN, context }),
        "Allow",
        `the witness id ${id} is not allowed`,
    );
    assert.ok(inGap(id), `the witness id ${JSON.stringify(id)} is not in the gap the Denies leave`);
    return id;
}

/** Every resource policy of the pack on a KeyPolicy resource holding `doc`, as the policy server calls them. */
function packDiagnostics(doc: PolicyDoc): Promise<Diagnostic[]> {
    return analyzeResource(policies, {
        type: KMS_KEY_POLICY_TYPE,
        name: "key-policy",
        urn: `urn:pulumi:hostile::p::${KMS_KEY_POLICY_TYPE}::key-policy`,
        props: { keyId: KEY_ARN, policy: JSON.stringify(doc) },
    });
}

/** The `?`-patterns of every length from 1 to n. */
const upToLength = (n: number): string[] => Array.from({ length: n }, (_, i) => "?".repeat(i + 1));

describe("hostile input: Denies that cover all but one gap leave the grant reported, with a witness in the gap", () => {
    it("kms:Decrypt to everyone with a Deny of every principal type but User: a user of another account", () => {
        const types = CALLER_FORMS.map((f) => f.type).filter((t) => t !== "User");
        const arn = assertOpenGrant(openDoc("kms:Decrypt", [{ StringEquals: { "aws:PrincipalType": types } }]), (a) =>
            /:user\//.test(a),
        );
        assert.notEqual(/::(\d{12}):/.exec(arn)?.[1], OWNER);
    });

    it("a Deny of every role (arn:aws:iam::*:role/*) leaves the other kinds of caller", () => {
        assertOpenGrant(
            openDoc("kms:Decrypt", [{ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } }]),
            (a) => !/:role\//.test(a),
        );
    });

    it("Denies of the accounts starting 0 to 9 but one leave the accounts starting with that digit", () => {
        for (const gap of ["0", "7", "9"]) {
            const prefixes = Array.from({ length: 10 }, (_, d) => `${d}*`).filter((p) => p !== `${gap}*`);
            assertOpenGrant(openDoc("kms:*", [{ StringLike: { "aws:PrincipalAccount": prefixes } }]), (a) =>
                new RegExp(`::${gap}\\d{11}:`).test(a),
            );
        }
    });

    it("a Deny of the principals ending in :role/x leaves every other principal", () => {
        assertOpenGrant(
            openDoc("kms:Decrypt", [{ StringLike: { "aws:PrincipalArn": "*:role/x" } }]),
            (a) => !a.endsWith(":role/x"),
        );
    });

    it("a wildcard service statement with Denies of application ids of 1 to 14 characters: a longer id", () => {
        const id = assertUnboundId(wildcardServiceDoc([upToLength(14)]), (x) => x.length > 14);
        assert.match(id, /^[0-9a-z]+$/);
    });

    it("with aws:SourceArn unknown at preview, ids of 1 to 14 characters denied: a longer id, certain", () => {
        const doc = wildcardServiceDoc([upToLength(14)]);
        const service = (doc.Statement as Statement[])[1] as { Condition: Record<string, Record<string, string>> };
        service.Condition.StringLike = { ...service.Condition.StringLike, "aws:SourceArn": UNKNOWN_STRING };
        const a = analyzeKeyPolicy(doc, { keyArn: KEY_ARN });
        assert.ok(a.hasUnknowns);
        const f = a.findings.find((x) => x.kind === "service-unbound");
        assert.ok(f, `no certain service-unbound finding: ${JSON.stringify(a.findings)}`);
        const id = /kms:EncryptionContext:applicationId = "([0-9a-z]*)" is also allowed/.exec(f.message)?.[1];
        assert.ok(id !== undefined && id.length > 14, f.message);
        assert.ok(!a.findings.some((x) => /could not decide/.test(x.message)), JSON.stringify(a.findings));
    });

    it("the application's own id stays bound when the Denies cover every other id", () => {
        // The control: a Deny of every id but the application's (StringNotEquals) leaves nothing else allowed.
        const doc = wildcardServiceDoc([]);
        (doc.Statement as Statement[]).push(
            coverDeny("OnlyTheApp", { StringNotEquals: { "kms:EncryptionContext:applicationId": APP_ID } }),
        );
        const a = analyzeKeyPolicy(doc, { keyArn: KEY_ARN });
        assertDecided(a);
        assert.ok(a.grantsService);
        assert.deepEqual(a.binding?.applicationIds, [APP_ID]);
        assert.doesNotMatch(
            a.findings.map((f) => f.message).join("\n"),
            /kms:EncryptionContext:applicationId = "[^"]*" is also allowed/,
        );
        // The ARN is still a wildcard: that is reported, with another application's ARN as the witness.
        const unbound = a.findings.find((f) => f.kind === "service-unbound");
        assert.ok(unbound && /aws:SourceArn = "arn:aws:emr-serverless:[^"]+" is also allowed/.test(unbound.message));
        assert.ok(!unbound.message.includes(`aws:SourceArn = "${APP_ARN}" is also`));
    });

    describe("generated covers, each leaving one gap", () => {
        it("account prefixes, two digits deep", () => {
            fc.assert(
                fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), (first, second) => {
                    const top = Array.from({ length: 10 }, (_, d) => `${d}*`).filter((p) => p !== `${first}*`);
                    const inner = Array.from({ length: 10 }, (_, d) => `${first}${d}*`).filter(
                        (p) => p !== `${first}${second}*`,
                    );
                    assertOpenGrant(
                        openDoc("kms:*", [
                            { StringLike: { "aws:PrincipalAccount": top } },
                            { StringLike: { "kms:CallerAccount": inner } },
                        ]),
                        (a) => new RegExp(`::${first}${second}\\d{10}:`).test(a),
                    );
                }),
                runs(0xc0e1, 12),
            );
        });

        it("principal types and ARN forms: one kind of caller left", () => {
            fc.assert(
                fc.property(fc.integer({ min: 0, max: CALLER_FORMS.length - 1 }), fc.boolean(), (gap, byArn) => {
                    const others = CALLER_FORMS.filter((_, i) => i !== gap);
                    const cover: Record<string, Record<string, string[]>> = byArn
                        ? { ArnLike: { "aws:PrincipalArn": others.map((f) => f.pattern) } }
                        : { StringEquals: { "aws:PrincipalType": others.map((f) => f.type) } };
                    const left = CALLER_FORMS[gap] as (typeof CALLER_FORMS)[number];
                    assertOpenGrant(openDoc("kms:Decrypt", [cover]), (a) => principalTypeOf(a) === left.type);
                }),
                runs(0xc0e2, 16),
            );
        });

        it("role names: every name but those of one suffix denied", () => {
            fc.assert(
                fc.property(fc.stringMatching(/^[a-z0-9]{1,6}$/), (suffix) => {
                    const doc = openDoc("kms:Decrypt", [
                        {
                            ArnLike: {
                                "aws:PrincipalArn": CALLER_FORMS.filter((f) => f.type !== "AssumedRole").map(
                                    (f) => f.pattern,
                                ),
                            },
                        },
                        { StringNotLike: { "aws:PrincipalArn": `*:role/*${suffix}` } },
                    ]);
                    assertOpenGrant(doc, (a) => /:role\//.test(a) && a.endsWith(suffix));
                }),
                runs(0xc0e3, 16),
            );
        });

        it("application ids: every length up to n and every first character but one denied", () => {
            fc.assert(
                fc.property(
                    fc.integer({ min: 1, max: 24 }),
                    fc.constantFrom(..."0123456789abcdefghijklmnopqrstuvwxyz"),
                    (n, first) => {
                        const firsts = [..."0123456789abcdefghijklmnopqrstuvwxyz"]
                            .filter((c) => c !== first)
                            .map((c) => `${c}*`);
                        assertUnboundId(
                            wildcardServiceDoc([upToLength(n), firsts]),
                            (id) => id.length > n && id.startsWith(first),
                        );
                    },
                ),
                runs(0xc0e4, 16),
            );
        });
    });

    describe("with a construct the exact search may not model: the grant with its witness, or undecided, never a pass", () => {
        /** A Deny that never applies to a real request but that a judge must read: an operator or a policy variable. */
        const EXTRA_DENIES: ReadonlyArray<{ key: string; Condition: Record<string, Record<string, string>> }> = [
            { key: "kms:calleraccount", Condition: { NumericGreaterThan: { "kms:CallerAccount": "999999999999" } } },
            {
                key: "aws:principalaccount",
                Condition: { StringEquals: { "aws:PrincipalTag/x": "${aws:PrincipalAccount}" } },
            },
            { key: "aws:sourceaccount", Condition: { StringEquals: { "aws:SourceArn": "${aws:SourceAccount}" } } },
        ];
        const withExtra = (doc: PolicyDoc, extra: (typeof EXTRA_DENIES)[number]): PolicyDoc => ({
            ...doc,
            Statement: [...(doc.Statement as Statement[]), coverDeny("Extra", extra.Condition)],
        });
        /** Undecided: the could-not-decide finding, naming the construct's key and the statement that holds it. */
        const undecided = (a: KeyPolicyAnalysis, key: string): boolean =>
            a.findings.some(
                (f) =>
                    f.kind === "malformed" &&
                    /could not decide/.test(f.message) &&
                    f.message.toLowerCase().includes(key) &&
                    f.message.includes('Sid "Extra"') &&
                    f.fix.length > 0,
            );
        const shapes: Array<{ what: string; doc: PolicyDoc; judged: (doc: PolicyDoc) => void }> = [
            {
                what: "every principal type but User denied",
                doc: openDoc("kms:Decrypt", [
                    { StringEquals: { "aws:PrincipalType": ["Account", "AssumedRole", "FederatedUser"] } },
                ]),
                judged: (doc) => void assertOpenGrant(doc, (a) => /:user\//.test(a), false),
            },
            {
                what: "every account prefix but 7 denied",
                doc: openDoc("kms:*", [
                    { StringLike: { "aws:PrincipalAccount": ["0*", "1*", "2*", "3*", "4*", "5*", "6*", "8*", "9*"] } },
                ]),
                judged: (doc) => void assertOpenGrant(doc, (a) => /::7\d{11}:/.test(a), false),
            },
            {
                what: "every role denied",
                doc: openDoc("kms:Decrypt", [{ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/*" } }]),
                judged: (doc) => void assertOpenGrant(doc, (a) => !/:role\//.test(a), false),
            },
            {
                what: "principals ending in :role/x denied",
                doc: openDoc("kms:Decrypt", [{ StringLike: { "aws:PrincipalArn": "*:role/x" } }]),
                judged: (doc) => void assertOpenGrant(doc, (a) => !a.endsWith(":role/x"), false),
            },
            {
                what: "application ids of 1 to 14 characters denied",
                doc: wildcardServiceDoc([upToLength(14)]),
                judged: (doc) => void assertUnboundId(doc, (id) => id.length > 14, false),
            },
        ];
        for (const shape of shapes) {
            for (const extra of EXTRA_DENIES) {
                it(`${shape.what}, and ${JSON.stringify(extra.Condition)}`, () => {
                    const doc = withExtra(shape.doc, extra);
                    const a = analyzeKeyPolicy(doc, { keyArn: KEY_ARN });
                    if (!undecided(a, extra.key)) {
                        shape.judged(doc);
                    }
                });
            }
        }
    });

    describe("the pack's policies, called as the policy server calls them", () => {
        const cases: Array<{ what: string; doc: PolicyDoc; policy: string; witness: RegExp }> = [
            {
                what: "every principal type but User denied",
                doc: openDoc("kms:Decrypt", [
                    { StringEquals: { "aws:PrincipalType": ["Account", "AssumedRole", "FederatedUser"] } },
                ]),
                policy: "disallow-open-key-grants",
                witness: /as arn:aws:iam::\d{12}:user\//,
            },
            {
                what: "every account prefix but 7 denied",
                doc: openDoc("kms:*", [
                    { StringLike: { "aws:PrincipalAccount": ["0*", "1*", "2*", "3*", "4*", "5*", "6*", "8*", "9*"] } },
                ]),
                policy: "disallow-open-key-grants",
                witness: /as arn:aws:(iam|sts)::7\d{11}:/,
            },
            {
                what: "application ids of 1 to 14 characters denied",
                doc: wildcardServiceDoc([upToLength(14)]),
                policy: "enforce-emr-serverless-service-conditions",
                witness: /kms:EncryptionContext:applicationId = "[0-9a-z]{15,}" is also allowed/,
            },
        ];
        it("principals ending in :role/x denied, with a policy variable that reads the caller's account: never a pass", async () => {
            const doc = openDoc("kms:Decrypt", [
                { StringLike: { "aws:PrincipalArn": "*:role/x" } },
                { StringEquals: { "aws:PrincipalTag/x": "${aws:PrincipalAccount}" } },
            ]);
            const out = await packDiagnostics(doc);
            const mandatory = out.filter((d) => !d.note && d.enforcementLevel === "mandatory");
            assert.ok(
                mandatory.some(
                    (d) =>
                        (d.policyName === "disallow-open-key-grants" &&
                            /as arn:aws:(iam|sts)::\d{12}:/.test(d.message)) ||
                        (d.policyName === "disallow-malformed-key-policies" &&
                            /could not decide .*aws:principalaccount/i.test(d.message)),
                ),
                JSON.stringify(mandatory.map((d) => d.message)),
            );
        });

        for (const c of cases) {
            it(`${c.what}: ${c.policy} is violated, and the message shows the witness`, async () => {
                const out = await packDiagnostics(c.doc);
                assert.ok(verdict(out).mandatory.includes(c.policy), JSON.stringify(verdict(out)));
                const messages = out.filter((d) => d.policyName === c.policy).map((d) => d.message);
                assert.ok(
                    messages.some((m) => c.witness.test(m)),
                    `no witness in ${c.policy}: ${messages.join("\n")}`,
                );
            });
        }
    });
});
