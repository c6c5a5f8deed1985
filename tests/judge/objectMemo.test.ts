/**
 * The judge memoizes the expensive part of a judgment for object documents too, keyed by the document's content:
 * a memoized answer must equal a fresh judgment of the same object for every option set, a partly unknown or
 * exotic object must be judged afresh, and changing an object after it was judged must change the answer.
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { analyzeKeyPolicy, AnalyzeOptions, UNKNOWN_STRING } from "../../policypack/judge";
import { objectMemoKey } from "../../policypack/judge/coreCache";
import { analyzeKeyPolicyAfresh } from "../../policypack/judge/keyPolicy";
import { loadCorpus } from "../../harness/corpus";
import { ACCOUNT, APP_ARN as APP, APP_ID } from "../../harness/fixtures";
import { anyJson, goodPolicy, policy, runs } from "../hostile/generators";

/** The option sets the policy pack's policies ask with: plain, bound to no application, bound to one. */
const OPTION_SETS: AnalyzeOptions[] = [
    {},
    { expectedApplication: { arn: "\u0000", id: "\u0000" } },
    { expectedApplication: { arn: APP, id: APP_ID, account: ACCOUNT } },
    { expectedApplication: { arn: APP, id: APP_ID, account: ACCOUNT }, region: "us-east-1" },
    { keyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
    {
        keyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        expectedApplication: { arn: "\u0000", id: "\u0000" },
    },
    { sourceAccountKeys: ["aws:SourceAccount", "aws:SourceOrgID"], requireEncryptionContextBinding: false },
];

/** Every key-policy document of the corpus, as the object the pack receives (string documents parsed). */
function corpusObjects(): unknown[] {
    const docs = new Map<string, unknown>();
    const add = (doc: unknown): void => {
        docs.set(JSON.stringify(doc) ?? String(doc), doc);
    };
    for (const c of loadCorpus()) {
        for (const r of c.resources) {
            for (const field of ["policy", "keyPolicy"]) {
                const v = (r.props as Record<string, unknown>)[field];
                if (typeof v === "string") {
                    try {
                        add(JSON.parse(v));
                    } catch {
                        // malformed text: never an object document
                    }
                } else if (v !== undefined) {
                    add(v);
                }
            }
        }
    }
    return [...docs.values()];
}

/** Asks every option set twice (the second time from the memo) and compares with fresh judgments. */
function assertSameAsFresh(doc: unknown, label: string): void {
    const fresh = OPTION_SETS.map((options) => analyzeKeyPolicyAfresh(structuredClone(doc), options));
    for (const round of [1, 2]) {
        OPTION_SETS.forEach((options, i) => {
            const memoized = analyzeKeyPolicy(structuredClone(doc), options);
            assert.deepEqual(memoized, fresh[i], `round ${round}, ${JSON.stringify(options)} on ${label}`);
        });
    }
}

describe("judge: memoized judgments of object documents", () => {
    const docs = corpusObjects();

    it("equal fresh judgments for every corpus document and option set, asked twice", () => {
        assert.ok(docs.length >= 100, `only ${docs.length} documents`);
        let memoizable = 0;
        for (const doc of docs) {
            if (typeof doc === "object" && doc !== null && objectMemoKey(doc) !== undefined) {
                memoizable++;
            }
            assertSameAsFresh(doc, JSON.stringify(doc)?.slice(0, 160) ?? String(doc));
        }
        // The comparison must exercise the memo, not only the documents it passes by.
        assert.ok(memoizable >= docs.length / 2, `only ${memoizable} of ${docs.length} memoizable`);
    });

    it("equal fresh judgments for generated hostile policies", () => {
        fc.assert(
            fc.property(policy(), (doc) => assertSameAsFresh(doc, JSON.stringify(doc))),
            runs(0x0b1ec7, 150),
        );
    });

    it("equal fresh judgments for arbitrary JSON in every position of a policy", () => {
        fc.assert(
            fc.property(anyJson(), fc.constantFrom("Version", "Statement", "Principal", "Condition"), (v, at) => {
                const doc = goodPolicy() as unknown as Record<string, unknown>;
                const st = (doc.Statement as Record<string, unknown>[])[1];
                if (at === "Version" || at === "Statement") {
                    doc[at] = v;
                } else {
                    st[at] = v;
                }
                assertSameAsFresh(doc, JSON.stringify(doc));
            }),
            runs(0x0b1ec8, 150),
        );
    });

    it("keys a document only by what the judge reads: content, order, types and prototypes", () => {
        const a = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*" }] };
        assert.equal(objectMemoKey(a), objectMemoKey(structuredClone(a)));
        const distinct = [
            a,
            { Statement: a.Statement, Version: a.Version },
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["kms:*"] }] },
            { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "kms:*" } },
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Sid: 1 }] },
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Sid: "1" }] },
            { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Sid: null }] },
            Object.assign(Object.create(null) as object, a),
        ].map((d) => objectMemoKey(d));
        assert.equal(new Set(distinct).size, distinct.length, distinct.join("\n"));
    });

    it("judges afresh an object holding an unknown value, or anything but plain data", () => {
        const statement = { Effect: "Allow", Principal: { AWS: UNKNOWN_STRING }, Action: "kms:*", Resource: "*" };
        const withGetter = { Version: "2012-10-17" };
        Object.defineProperty(withGetter, "Statement", { enumerable: true, get: () => [] });
        const hidden = { Version: "2012-10-17" };
        Object.defineProperty(hidden, "Statement", { enumerable: false, value: [] });
        const holes: unknown[] = [];
        holes[1] = { Effect: "Allow" };
        const cyclic: Record<string, unknown> = { Version: "2012-10-17" };
        cyclic.Statement = [cyclic];
        const exotic: unknown[] = [
            { Version: "2012-10-17", Statement: [statement] },
            { Version: "2012-10-17", Statement: [{ ...statement, Principal: { AWS: `x${UNKNOWN_STRING}` } }] },
            { Version: UNKNOWN_STRING, Statement: [] },
            { Version: "2012-10-17", Statement: [{ ...statement, Principal: "*", Sid: undefined }] },
            { Version: "2012-10-17", Statement: [{ ...statement, Principal: "*", Sid: NaN }] },
            { Version: "2012-10-17", Statement: [{ ...statement, Principal: "*", Sid: -0 }] },
            { Version: "2012-10-17", Statement: new Proxy([], {}) },
            { Version: "2012-10-17", Statement: [new Date(0)] },
            { Version: "2012-10-17", Statement: holes },
            withGetter,
            hidden,
            cyclic,
        ];
        exotic.forEach((doc, i) => assert.equal(objectMemoKey(doc as object), undefined, `exotic document ${i}`));
        // A partly unknown document is judged as its two bounds, exactly as a fresh judgment does.
        const partly = exotic[0];
        const first = analyzeKeyPolicy(partly);
        assert.equal(first.hasUnknowns, true);
        assert.deepEqual(analyzeKeyPolicy(partly), analyzeKeyPolicyAfresh(partly));
    });

    it("never answers for an object as it was before it changed", () => {
        const doc = goodPolicy() as unknown as { Statement: Array<Record<string, unknown>> };
        const expected = { arn: APP, id: APP_ID, account: ACCOUNT };
        const before = analyzeKeyPolicy(doc, { expectedApplication: expected });
        assert.equal(
            before.findings.some((f) => f.kind === "open-grant"),
            false,
        );
        doc.Statement.push({ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" });
        const after = analyzeKeyPolicy(doc, { expectedApplication: expected });
        assert.ok(
            after.findings.some((f) => f.kind === "open-grant"),
            JSON.stringify(after.findings),
        );
        assert.deepEqual(after, analyzeKeyPolicyAfresh(doc, { expectedApplication: expected }));
        doc.Statement.pop();
        assert.deepEqual(analyzeKeyPolicy(doc, { expectedApplication: expected }), before);
    });
});
