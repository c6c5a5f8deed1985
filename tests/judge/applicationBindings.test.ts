/**
 * One judgment, several applications: the binding the judge returns for each of AnalyzeOptions.applications must
 * be exactly what a separate judgment with that application as expectedApplication gives (its service-unbound
 * findings, service actions, assumptions, unknowns), and asking for them must not change the rest of the answer.
 * (Memoized and fresh judgments are compared in objectMemo.test.ts; here the separate judgments are memoized.)
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import {
    analyzeKeyPolicy,
    AnalyzeOptions,
    ApplicationBinding,
    ExpectedApplication,
    KeyPolicyAnalysis,
} from "../../policypack/judge";
import { UNKNOWN_STRING } from "../../policypack/judge";
import { analyzeKeyPolicyAfresh } from "../../policypack/judge/keyPolicy";
import { loadCorpus } from "../../harness/corpus";
import { ACCOUNT, APP_ARN, APP_ID } from "../../harness/fixtures";
import { policy, runs } from "../hostile/generators";

const OTHER_ACCOUNT = "444455556666";

/** Applications as the stack policies pass them: none, the fixture's, another account's, by id or region only. */
const APPLICATIONS: ExpectedApplication[] = [
    { arn: "\u0000", id: "\u0000" },
    { arn: APP_ARN, id: APP_ID, account: ACCOUNT },
    {
        arn: APP_ARN.replace(ACCOUNT, OTHER_ACCOUNT).replace(APP_ID, "00fotherapp00001"),
        id: "00fotherapp00001",
        account: OTHER_ACCOUNT,
    },
    { id: APP_ID, region: "eu-west-1" },
    { id: "00fotherapp00002", account: ACCOUNT },
];

const BASES: AnalyzeOptions[] = [
    {},
    { keyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
    { sourceAccountKeys: ["aws:SourceAccount", "aws:SourceOrgID"], requireEncryptionContextBinding: false },
];

/** What a judgment with one expected application says of the binding. */
function bindingOf(a: KeyPolicyAnalysis): ApplicationBinding {
    return {
        findings: a.findings.filter((f) => f.kind === "service-unbound"),
        serviceActions: a.serviceActions,
        assumptions: a.assumptions,
        hasUnknowns: a.hasUnknowns,
    };
}

/** Counts of what the comparisons exercised, so that the test cannot pass on documents that bind nothing. */
const seen = { mismatches: 0, assumptions: 0, unknowns: 0 };

function assertOneCallSuffices(doc: unknown, label: string, bases = BASES): void {
    for (const base of bases) {
        // Memoized (the core shared with the plain analysis), and afresh for the plain options.
        for (const judge of base === BASES[0] ? [analyzeKeyPolicy, analyzeKeyPolicyAfresh] : [analyzeKeyPolicy]) {
            const together = judge(doc, { ...base, applications: APPLICATIONS });
            const bindings = together.applicationBindings;
            assert.ok(bindings, `no applicationBindings for ${label}`);
            assert.equal(bindings.length, APPLICATIONS.length);
            const { applicationBindings: _, ...rest } = together;
            assert.deepEqual(rest, analyzeKeyPolicy(doc, base), `the analysis itself changed: ${label}`);
            APPLICATIONS.forEach((application, i) => {
                const alone = bindingOf(analyzeKeyPolicy(doc, { ...base, expectedApplication: application }));
                assert.deepEqual(
                    bindings[i],
                    alone,
                    `${JSON.stringify(base)} / ${JSON.stringify(application)}: ${label}`,
                );
                if (alone.findings.some((f) => f.message.includes("another application"))) seen.mismatches++;
                if (alone.assumptions.length > 0 && alone.findings.length > 0) seen.assumptions++;
                if (alone.hasUnknowns) seen.unknowns++;
            });
        }
    }
}

/** The document with its `n`-th string value (in JSON order) replaced by the engine's unknown value. */
function withUnknown(doc: unknown, n: number): unknown {
    let i = 0;
    const walk = (v: unknown): unknown => {
        if (typeof v === "string") {
            return i++ === n ? UNKNOWN_STRING : v;
        }
        if (Array.isArray(v)) {
            return v.map(walk);
        }
        if (v && typeof v === "object") {
            return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
        }
        return v;
    };
    return walk(doc);
}

describe("judge: the service binding for several applications in one call", () => {
    it("equals a separate judgment per application for every corpus document", () => {
        const docs = new Set<unknown>();
        for (const c of loadCorpus()) {
            for (const r of c.resources) {
                const v = (r.props as Record<string, unknown>).policy ?? (r.props as Record<string, unknown>).keyPolicy;
                if (v !== undefined) {
                    docs.add(v);
                }
            }
        }
        assert.ok(docs.size >= 50, `only ${docs.size} documents`);
        for (const doc of docs) {
            assertOneCallSuffices(
                doc,
                (typeof doc === "string" ? doc : JSON.stringify(doc)).slice(0, 160),
                BASES.slice(0, 2),
            );
        }
        assert.ok(seen.mismatches > 0, "no document bound the service to another application");
        assert.ok(seen.assumptions > 0, "no binding finding carried an assumption");
    });

    it("equals a separate judgment per application for generated policies, also partly unknown", () => {
        fc.assert(
            fc.property(policy(), fc.nat({ max: 40 }), fc.boolean(), (doc, n, unknown) => {
                const judged = unknown ? withUnknown(doc, n) : doc;
                assertOneCallSuffices(judged, JSON.stringify(judged));
            }),
            runs(0xa991, 60),
        );
        assert.ok(seen.unknowns > 0, "no partly unknown document was compared");
    });

    it("answers nothing extra without the option", () => {
        assert.equal(
            analyzeKeyPolicy(JSON.stringify({ Version: "2012-10-17", Statement: [] })).applicationBindings,
            undefined,
        );
    });
});
