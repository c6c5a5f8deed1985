/**
 * AnalyzeOptions.serviceOnly: a judgment that asks only what the service binding needs must give every field a
 * whole judgment gives, findings aside, and among the findings exactly the whole judgment's other than the later
 * questions' (all of them for a partly unknown document); a core it memoized with those questions deferred must
 * answer a later whole judgment exactly as a fresh one does.
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { analyzeKeyPolicy, AnalyzeOptions, Finding, KeyPolicyAnalysis, UNKNOWN_STRING } from "../../policypack/judge";
import { analyzeKeyPolicyAfresh } from "../../policypack/judge/keyPolicy";
import { loadCorpus } from "../../harness/corpus";
import { ACCOUNT, APP_ARN, APP_ID, KEY_ARN } from "../../harness/fixtures";
import { policy, runs } from "../hostile/generators";

const OPTION_SETS: AnalyzeOptions[] = [
    {},
    { expectedApplication: { arn: APP_ARN, id: APP_ID, account: ACCOUNT }, region: "us-east-1" },
    { sourceAccountKeys: ["aws:SourceAccount", "aws:SourceOrgID"], requireEncryptionContextBinding: false },
];

/** The finding kinds of the questions after the service binding. */
const LATER = new Set(["service-overgrant", "open-grant", "submitter-not-via-service"]);
const OUT_OF_BUDGET = "too complex for the judge to decide within its work limit";

/** What a service-only judgment keeps of a whole one's findings. */
function serviceFindings(whole: KeyPolicyAnalysis): Finding[] {
    if (whole.hasUnknowns && whole.undecided) {
        return whole.findings; // a partly unknown document is judged whole
    }
    return whole.findings.filter((f) => !LATER.has(f.kind) && !f.message.includes(OUT_OF_BUDGET));
}

let serial = 0;
const seen = { later: 0, bounded: 0 };

/** Compares service-only and whole judgments, fresh and memoized, in both orders, on a document new to the memo. */
function assertServiceOnly(doc: unknown, label: string): void {
    for (const options of OPTION_SETS) {
        const whole = analyzeKeyPolicyAfresh(doc, options);
        const only = analyzeKeyPolicyAfresh(doc, { ...options, serviceOnly: true });
        assert.deepEqual({ ...only, findings: [] }, { ...whole, findings: [] }, `fields: ${label}`);
        assert.deepEqual(only.findings, serviceFindings(whole), `findings: ${label}`);
        if (whole.findings.some((f) => LATER.has(f.kind))) seen.later++;
        if (whole.undecided) seen.bounded++;
        // Memoized: a text the memo has not seen, asked service-only first (the later questions deferred), then
        // whole (they are asked then), then service-only again.
        if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
            const text = JSON.stringify({ ...(doc as Record<string, unknown>), Id: `service-only-${serial++}` });
            const wholeText = analyzeKeyPolicyAfresh(text, options);
            const onlyText = analyzeKeyPolicyAfresh(text, { ...options, serviceOnly: true });
            assert.deepEqual(analyzeKeyPolicy(text, { ...options, serviceOnly: true }), onlyText, `memo 1: ${label}`);
            assert.deepEqual(analyzeKeyPolicy(text, options), wholeText, `memo 2: ${label}`);
            assert.deepEqual(analyzeKeyPolicy(text, { ...options, serviceOnly: true }), onlyText, `memo 3: ${label}`);
        }
    }
}

function corpusDocuments(): unknown[] {
    const docs = new Set<unknown>();
    for (const c of loadCorpus()) {
        for (const r of c.resources) {
            const props = r.props as Record<string, unknown>;
            const v = props.policy ?? props.keyPolicy;
            if (v !== undefined) {
                docs.add(typeof v === "string" ? safeParse(v) : v);
            }
        }
    }
    return [...docs];
}

function safeParse(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

describe("judge: service-only judgments", () => {
    it("equal whole judgments but for the later questions' findings, fresh and memoized, on the corpus", () => {
        const docs = corpusDocuments();
        assert.ok(docs.length >= 50, `only ${docs.length} documents`);
        for (const doc of docs) {
            assertServiceOnly(doc, JSON.stringify(doc)?.slice(0, 160) ?? String(doc));
        }
        assert.ok(seen.later > 0, "no corpus document had a finding of the later questions");
    });

    it("equal whole judgments but for the later questions' findings on generated policies, also partly unknown", () => {
        fc.assert(
            fc.property(policy(), fc.boolean(), (doc, unknown) => {
                const judged = unknown
                    ? {
                          ...doc,
                          Statement: [...(doc.Statement as unknown[]), { Effect: "Allow", Principal: UNKNOWN_STRING }],
                      }
                    : doc;
                assertServiceOnly(judged, JSON.stringify(judged));
            }),
            runs(0x5e1f, 60),
        );
        assert.ok(seen.bounded > 0, "no partly unknown document was compared");
    });
});

describe("judge: service-only judgments of questions the exact search cannot decide", () => {
    const root = {
        Sid: "Root",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Action: "kms:*",
        Resource: "*",
    };
    const service = (resource: string): Record<string, unknown> => ({
        Sid: "Service",
        Effect: "Allow",
        Principal: { Service: "emr-serverless.amazonaws.com" },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: resource,
        Condition: {
            StringEquals: {
                "aws:SourceArn": APP_ARN,
                "aws:SourceAccount": ACCOUNT,
                "kms:EncryptionContext:applicationId": APP_ID,
            },
        },
    });
    const options: AnalyzeOptions = {
        keyArn: KEY_ARN,
        region: "us-east-1",
        expectedApplication: { arn: APP_ARN, id: APP_ID, account: ACCOUNT },
    };
    const undecidedUnder = (a: KeyPolicyAnalysis, sid: string): boolean =>
        a.findings.some(
            (f) => f.kind === "malformed" && f.message.includes("could not decide") && f.message.includes(sid),
        );

    it("still reports a service binding it could not decide, as a whole judgment does", () => {
        // A Resource reading two keys the service question varies is outside the exact model.
        const doc = JSON.stringify({
            Version: "2012-10-17",
            Statement: [root, service("arn:aws:kms:*:${aws:SourceAccount}:key/${kms:EncryptionContext:applicationId}")],
        });
        for (const serviceOnly of [false, true]) {
            const a = analyzeKeyPolicyAfresh(doc, { ...options, serviceOnly });
            assert.ok(undecidedUnder(a, '"Service"'), `serviceOnly=${serviceOnly}: ${JSON.stringify(a.findings)}`);
        }
    });

    it("leaves a later question it could not decide to the whole judgment, whichever is asked first", () => {
        const open = {
            Sid: "Open",
            Effect: "Allow",
            Principal: { AWS: "*" },
            Action: "kms:Decrypt",
            Resource: "arn:aws:kms:${aws:PrincipalTag/region}:${aws:PrincipalAccount}:key/*",
        };
        const doc = JSON.stringify({ Version: "2012-10-17", Statement: [root, service("*"), open] });
        for (const order of [
            [false, true],
            [true, false],
        ]) {
            serial++;
            const fresh = { ...options, region: `us-east-${serial}` };
            for (const serviceOnly of order) {
                const a = analyzeKeyPolicy(doc, { ...fresh, serviceOnly });
                assert.equal(undecidedUnder(a, '"Open"'), !serviceOnly, `serviceOnly=${serviceOnly}, order ${order}`);
                assert.ok(a.grantsService);
            }
        }
    });
});
