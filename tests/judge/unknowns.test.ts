/**
 * Parts of a key policy unknown at preview: where the parser finds them, how each position is bounded, and
 * the two promises of the judgment (policypack/judge/unknowns.ts):
 * - no false pass: whatever the unknown parts turn out to be, what that document would be reported for is
 *   already reported or listed as undecided;
 * - no false violation: what is reported still holds once the unknown parts are known (for unknown condition
 *   values, when each is one value nothing else in the document names, as an application's ARN or id is).
 */
import assert from "node:assert/strict";
import * as fc from "fast-check";
import {
    EMR_SERVERLESS_PRINCIPAL,
    FindingKind,
    KeyPolicyAnalysis,
    UNKNOWN_SENTINELS,
    UNKNOWN_STRING,
    analyzeKeyPolicy,
    boundPolicy,
    parsePolicyDocument,
} from "../../policypack/judge";
import type { ParsedPolicy, ParsedStatement } from "../../policypack/judge";
import {
    Json,
    PolicyDoc,
    clone,
    goodServiceStatement,
    paths,
    policy,
    rootStatement,
    runs,
    setAt,
} from "../hostile/generators";
import { ACCOUNT, APP_ARN, APP_ID, guideStatement } from "./fixtures";

const doc = (...statements: unknown[]): Record<string, unknown> => ({ Version: "2012-10-17", Statement: statements });
const root = {
    Sid: "Root",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: "kms:*",
    Resource: "*",
};
const open = { Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" };

function kinds(a: KeyPolicyAnalysis): FindingKind[] {
    return [...new Set(a.findings.map((f) => f.kind))].sort();
}

function parts(d: unknown): string[] {
    return (parsePolicyDocument(d).policy?.unknowns ?? []).map((u) => `${u.where ?? "-"} | ${u.path.join(".")}`);
}

describe("judge: unknown parts are found where they are", () => {
    it("records each position with its statement and path, and none is a problem", () => {
        const d = doc(
            { ...root, Sid: UNKNOWN_STRING },
            {
                ...guideStatement(),
                Effect: UNKNOWN_STRING,
                Principal: { Service: [EMR_SERVERLESS_PRINCIPAL, UNKNOWN_STRING] },
                Action: ["kms:Decrypt", UNKNOWN_STRING],
                Resource: UNKNOWN_STRING,
                Condition: { StringLike: { "aws:SourceArn": UNKNOWN_STRING }, StringEquals: UNKNOWN_STRING },
            },
            { ...root, Sid: "P", Principal: UNKNOWN_STRING },
            UNKNOWN_STRING,
        );
        const r = parsePolicyDocument({ ...d, Version: UNKNOWN_STRING, Id: UNKNOWN_STRING });
        assert.deepEqual(r.problems, []);
        assert.deepEqual(parts({ ...d, Version: UNKNOWN_STRING, Id: UNKNOWN_STRING }), [
            "- | Version",
            "- | Id",
            "statement #1 | Statement.0.Sid",
            'Sid "AllowEmrServerless" | Statement.1.Effect',
            'Sid "AllowEmrServerless" | Statement.1.Action.1',
            'Sid "AllowEmrServerless" | Statement.1.Resource',
            'Sid "AllowEmrServerless" | Statement.1.Principal.Service.1',
            'Sid "AllowEmrServerless" | Statement.1.Condition.StringLike.aws:SourceArn',
            'Sid "AllowEmrServerless" | Statement.1.Condition.StringEquals',
            'Sid "P" | Statement.2.Principal',
            "statement #4 | Statement.3",
        ]);
        // A statement with an unknown Effect, or unknown as a whole, waits for the bounds; the others are read.
        assert.deepEqual(
            r.policy?.statements.map((s) => s.where),
            ["statement #1", 'Sid "P"'],
        );
        assert.deepEqual(
            r.policy?.pending?.map((p) => [p.where, p.statement !== undefined]),
            [
                ['Sid "AllowEmrServerless"', true],
                ["statement #4", false],
            ],
        );
    });
    it("knows every sentinel type, and a Statement that is unknown as a whole", () => {
        for (const sentinel of UNKNOWN_SENTINELS) {
            assert.deepEqual(parts(doc(root, { ...root, Sid: "X", Action: sentinel })), [
                `Sid "X" | Statement.1.Action`,
            ]);
            assert.equal(
                parsePolicyDocument({ Version: "2012-10-17", Statement: sentinel }).policy?.pending?.length,
                1,
            );
        }
    });
    it("an unknown Version is not a problem (it was reported as malformed before)", () => {
        assert.deepEqual(parsePolicyDocument({ ...doc(root), Version: UNKNOWN_STRING }).problems, []);
        assert.equal(parsePolicyDocument({ ...doc(root), Version: "2013-01-01" }).ok, false);
    });
});

describe("judge: the two bounds of a partly unknown policy", () => {
    const bounds = (st: Record<string, unknown>): { upper: ParsedStatement; lower: ParsedStatement } => {
        const p = parsePolicyDocument(doc(st)).policy as ParsedPolicy;
        return { upper: boundPolicy(p, "upper").statements[0], lower: boundPolicy(p, "lower").statements[0] };
    };
    const applies = (st: ParsedStatement): boolean => (st.actions?.length ?? 1) > 0;

    it("an Allow's unknown principal is everyone above and no one below; a Deny's the reverse", () => {
        const allow = bounds({ ...root, Principal: { AWS: UNKNOWN_STRING } });
        assert.ok(allow.upper.principal?.values.AWS?.includes("*"));
        assert.equal(applies(allow.lower), false);
        const deny = bounds({ ...root, Effect: "Deny", Principal: UNKNOWN_STRING });
        assert.equal(applies(deny.upper), false);
        assert.ok(deny.lower.principal?.values.AWS?.includes("*"));
    });
    it("an Allow's unknown service principal is EMR Serverless above and left out below", () => {
        const b = bounds({ ...root, Principal: { Service: ["s3.amazonaws.com", UNKNOWN_STRING] } });
        assert.deepEqual(b.upper.principal?.values.Service, ["s3.amazonaws.com", EMR_SERVERLESS_PRINCIPAL]);
        assert.deepEqual(b.lower.principal?.values.Service, ["s3.amazonaws.com"]);
    });
    it("an Allow's unknown action or resource is '*' above and left out below", () => {
        const b = bounds({ ...root, Action: ["kms:Decrypt", UNKNOWN_STRING], Resource: [UNKNOWN_STRING] });
        assert.deepEqual(b.upper.actions, ["*"]);
        assert.deepEqual(b.upper.resources, ["*"]);
        assert.equal(applies(b.lower), false, "no known resource left: inert");
    });
    it("an unknown value of a positive condition is dropped above and one opaque value below", () => {
        const b = bounds(guideStatement({ StringLike: { "aws:SourceArn": UNKNOWN_STRING } }));
        assert.deepEqual(b.upper.conditions, []);
        assert.deepEqual(b.lower.conditions[0].values, [`${UNKNOWN_STRING}#0`]);
        // For the ARN operators the opaque value is an ARN, matching only itself (and no account).
        const arn = bounds(guideStatement({ ArnLike: { "aws:SourceArn": UNKNOWN_STRING } }));
        assert.match(arn.lower.conditions[0].values[0], /^arn:aws:unknown-at-preview:unknown:unknown:04da6b54/);
    });
    it("an unknown value of a negated or Null condition makes an Allow inert below", () => {
        for (const op of ["StringNotEquals", "ArnNotLike", "Null"]) {
            const b = bounds(guideStatement({ [op]: { "aws:SourceArn": UNKNOWN_STRING } }));
            assert.equal(applies(b.lower), false, op);
            assert.deepEqual(b.upper.conditions, [], op);
        }
    });
    it("an unknown Effect is an Allow above and a Deny below, its other unknowns widened in both", () => {
        const b = bounds({ ...root, Effect: UNKNOWN_STRING, Principal: { AWS: UNKNOWN_STRING } });
        assert.equal(b.upper.effect, "Allow");
        assert.equal(b.lower.effect, "Deny");
        assert.ok(b.upper.principal?.values.AWS?.includes("*"));
        assert.ok(b.lower.principal?.values.AWS?.includes("*"));
    });
    it("a whole unknown statement is an Allow of everything above and a Deny of everything below, at its place", () => {
        const p = parsePolicyDocument(doc(root, UNKNOWN_STRING, open)).policy as ParsedPolicy;
        for (const [bound, effect] of [
            ["upper", "Allow"],
            ["lower", "Deny"],
        ] as const) {
            const sts = boundPolicy(p, bound).statements.slice(0, 3);
            assert.deepEqual(
                sts.map((s) => [s.index, s.where]),
                [
                    [0, 'Sid "Root"'],
                    [1, "statement #2"],
                    [2, 'Sid "Open"'],
                ],
            );
            assert.equal(sts[1].effect, effect);
            assert.ok(sts[1].principal?.values.AWS?.includes("*"));
        }
    });
});

describe("judge: what a partly unknown policy is reported for", () => {
    it("a wildcard aws:SourceArn next to an unknown Sid is a violation, validity alone undecided", () => {
        const a = analyzeKeyPolicy(
            doc(root, {
                ...guideStatement({
                    StringLike: { "aws:SourceArn": "arn:aws:emr-serverless:*" },
                    StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
                }),
                Sid: UNKNOWN_STRING,
            }),
        );
        assert.deepEqual(kinds(a), ["service-unbound"]);
        assert.deepEqual(a.undecided, ["malformed"]);
        assert.equal(a.findings[0].where, "statement #2");
    });
    it("an unknown aws:SourceArn is neither a pass nor a violation of the binding", () => {
        const a = analyzeKeyPolicy(
            doc(
                root,
                guideStatement({
                    StringLike: { "aws:SourceArn": UNKNOWN_STRING },
                    StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
                }),
            ),
        );
        assert.deepEqual(a.findings, []);
        assert.equal(a.grantsService, true);
        assert.deepEqual(a.undecided, ["malformed", "service-unbound"]);
    });
    it("an unknown Effect on the service statement leaves whether the service is granted undecided", () => {
        const a = analyzeKeyPolicy(doc(root, { ...guideStatement(), Effect: UNKNOWN_STRING }));
        assert.equal(a.grantsService, false);
        assert.deepEqual(a.undecided, ["malformed", "grants-service", "service-actions"]);
    });
    it("a Deny of one action on an unknown value leaves which actions the service gets undecided", () => {
        const deny = {
            Effect: "Deny",
            Principal: { Service: "emr-serverless.amazonaws.com" },
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": UNKNOWN_STRING } },
        };
        const a = analyzeKeyPolicy(doc(root, guideStatement(), deny));
        assert.equal(a.grantsService, true);
        assert.deepEqual(a.serviceActions, ["kms:GenerateDataKey"]);
        assert.deepEqual(a.undecided, ["malformed", "service-actions"]);
    });
    it("a Deny with an unknown value does not hide an open grant as a pass, nor report it as certain", () => {
        const deny = {
            Effect: "Deny",
            Principal: "*",
            Action: "kms:*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:PrincipalOrgID": UNKNOWN_STRING } },
        };
        const a = analyzeKeyPolicy(doc(root, guideStatement(), open, deny));
        assert.equal(kinds(a).includes("open-grant"), false);
        assert.ok(a.undecided?.includes("open-grant"));
        // The same Deny with a known organization closes the grant for good.
        const known = analyzeKeyPolicy(
            doc(root, guideStatement(), open, {
                ...deny,
                Condition: { StringNotEquals: { "aws:PrincipalOrgID": "o-abc" } },
            }),
        );
        assert.equal(kinds(known).includes("open-grant"), false);
        assert.equal(known.undecided, undefined);
    });
    it("with an unknown Version, policy variables cannot be read: only the document's form is judged", () => {
        const st = guideStatement({
            StringLike: { "aws:SourceArn": "arn:aws:emr-serverless:*:${aws:SourceAccount}:/applications/*" },
        });
        const a = analyzeKeyPolicy({ ...doc(root, st), Version: UNKNOWN_STRING });
        assert.deepEqual(a.findings, []);
        assert.ok(a.undecided?.includes("service-unbound") && a.undecided.includes("grants-service"));
    });
});

// ---------------------------------------------------------------------------------------------
// The two promises, over generated policies with unknowns put anywhere.

/** Values an unknown may turn out to be, for any position (some make the document malformed: that is judged too). */
const POOL: readonly Json[] = [
    "*",
    "Allow",
    "Deny",
    "kms:*",
    "kms:Decrypt",
    EMR_SERVERLESS_PRINCIPAL,
    APP_ARN,
    APP_ID,
    ACCOUNT,
    "444455556666",
    `arn:aws:iam::${ACCOUNT}:root`,
    "o-*",
    "true",
    "arn:aws:emr-serverless:*",
];

/** A policy with 1-3 of its values (leaves or whole elements) unknown, and the paths chosen. */
function withUnknowns(): fc.Arbitrary<{ original: PolicyDoc; unknown: Json; chosen: (string | number)[][] }> {
    return policy({ notPrincipal: true, notAction: true })
        .map((p) => ({
            Version: "2012-10-17",
            Statement: [rootStatement(), goodServiceStatement(), ...(p.Statement as Json[])],
        }))
        .chain((original) => {
            const all = paths(original).filter(
                (p) => p.length >= 2 && p[0] === "Statement" && typeof p[p.length - 1] !== "undefined",
            );
            return fc.subarray(all, { minLength: 1, maxLength: 3 }).map((picked) => {
                // Keep only paths not inside another chosen one, deepest replaced first.
                const chosen = picked.filter(
                    (p) => !picked.some((q) => q !== p && q.length < p.length && q.every((x, i) => x === p[i])),
                );
                let unknown = clone(original as unknown as Json);
                for (const p of [...chosen].sort((a, b) => b.length - a.length)) {
                    unknown = setAt(unknown, p, UNKNOWN_STRING);
                }
                return { original: original as PolicyDoc, unknown, chosen };
            });
        });
}

function resolve(unknown: Json, chosen: (string | number)[][], values: readonly Json[]): Json {
    let out = unknown;
    chosen.forEach((p, i) => {
        out = setAt(out, p, values[i % values.length]);
    });
    return out;
}

/** Whether the value at `path` is a condition value (under Condition.<operator>.<key>), and its operator. */
function conditionOperator(path: readonly (string | number)[]): string | undefined {
    const i = path.indexOf("Condition");
    return i >= 0 && path.length >= i + 3 ? String(path[i + 1]) : undefined;
}

describe("judge: unknown parts never make a violation pass, nor invent one", () => {
    it("no false pass: whatever the unknown parts are, what is then reported was reported or left undecided", () => {
        fc.assert(
            fc.property(
                withUnknowns(),
                fc.array(fc.constantFrom(...POOL), { minLength: 3, maxLength: 3 }),
                (g, values) => {
                    const a = analyzeKeyPolicy(g.unknown);
                    const covered = new Set<string>([...kinds(a), ...(a.undecided ?? [])]);
                    for (const resolved of [g.original as unknown as Json, resolve(g.unknown, g.chosen, values)]) {
                        const r = analyzeKeyPolicy(resolved);
                        for (const k of kinds(r)) {
                            assert.ok(
                                covered.has(k),
                                `${k} reported once known, neither reported nor undecided before`,
                            );
                        }
                        if (r.grantsService) {
                            assert.ok(
                                a.grantsService || covered.has("grants-service"),
                                "grants the service once known",
                            );
                        }
                    }
                },
            ),
            runs(0x0dd5, 120),
        );
    });
    it("no false violation: what is reported still holds once the unknown parts are known (and fit their place)", () => {
        fc.assert(
            fc.property(
                withUnknowns(),
                fc.array(fc.constantFrom(...POOL), { minLength: 3, maxLength: 3 }),
                (g, values) => {
                    const a = analyzeKeyPolicy(g.unknown);
                    // Condition values turn out to be values nothing else in the document names, of the form their
                    // key takes (as an application's ARN or id, or an account, resolves to); other parts anything.
                    const resolution = g.chosen.map((p, i) => {
                        const op = conditionOperator(p);
                        if (op === undefined) {
                            return values[i % values.length];
                        }
                        const key = String(p[p.indexOf("Condition") + 2]).toLowerCase();
                        if (op.includes("Arn") || key === "aws:sourcearn") {
                            return `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/fresh${i}`;
                        }
                        if (key === "aws:sourceaccount") {
                            return `50505050505${i}`;
                        }
                        return key === "kms:encryptioncontext:applicationid" ? `fresh${i}` : `fresh-${i}`;
                    });
                    const r = analyzeKeyPolicy(resolve(g.unknown, g.chosen, resolution));
                    const now = new Set(kinds(r));
                    if (now.has("malformed")) {
                        return; // a value that does not fit its place: AWS refuses the document, nothing else to hold
                    }
                    for (const k of kinds(a)) {
                        assert.ok(now.has(k), `${k} reported with unknowns, not once they are known`);
                    }
                    if (a.grantsService) {
                        assert.ok(r.grantsService, "granted the service with unknowns, not once they are known");
                    }
                },
            ),
            runs(0xfa15e, 120),
        );
    });
});
