/**
 * The judge caches the expensive part of a judgment per document string and derives the
 * option-dependent parts on each call. Asking about one document with several option sets, in any
 * order, must give exactly what a judgment of the same document as an object gives (objectMemo.test.ts checks
 * object documents against fresh judgments).
 */
import * as assert from "node:assert/strict";
import { analyzeKeyPolicy, AnalyzeOptions, UNKNOWN_STRING } from "../../policypack/judge";
import { duplicateMemberNames } from "../../policypack/judge/jsonText";
import { loadCorpus } from "../../harness/corpus";
import { ACCOUNT, APP_ARN as APP, APP_ID } from "../../harness/fixtures";

const OPTION_SETS: AnalyzeOptions[] = [
    {},
    { region: "us-east-1" },
    { region: "eu-west-1" },
    { requireEncryptionContextBinding: false },
    { sourceAccountKeys: ["aws:SourceAccount", "aws:SourceOrgID"] },
    { expectedApplication: { arn: APP, id: APP_ID, account: ACCOUNT } },
    { expectedApplication: { id: "other0000000000" }, region: "us-east-1" },
    { expectedApplication: { account: "444455556666" } },
    { allowedSourceAccounts: ["444455556666"] },
    // The key's ARN changes which statements apply: one cache entry per ARN for documents that name resources.
    { keyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
    { keyArn: "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09ab-87cd-65ef-0987654321ba", region: "us-east-1" },
    { keyArn: "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
];

/**
 * Every string key-policy document of the corpus that parses to a JSON object, except those that write a
 * number with a fraction or an exponent: JSON.parse loses how it was written (1.11e11 and 111000000000 are
 * one number), which the judge reads in a text document, so no object equals them.
 */
function corpusDocuments(): string[] {
    const docs = new Set<string>();
    for (const c of loadCorpus()) {
        for (const r of c.resources) {
            for (const field of ["policy", "keyPolicy"]) {
                const v = (r.props as Record<string, unknown>)[field];
                if (typeof v !== "string" || v === UNKNOWN_STRING) {
                    continue;
                }
                if (/\d[.eE]/.test(v.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
                    continue;
                }
                if (duplicateMemberNames(v).length > 0) {
                    continue; // JSON.parse keeps one copy of a repeated name: no object equals the text
                }
                try {
                    const parsed: unknown = JSON.parse(v);
                    if (parsed !== null && typeof parsed === "object") {
                        docs.add(v);
                    }
                } catch {
                    // malformed text: not comparable with an object document
                }
            }
        }
    }
    return [...docs];
}

describe("judge: the analysis cache never changes a verdict", () => {
    const docs = corpusDocuments();

    it("has a corpus to work on", () => {
        assert.ok(docs.length >= 30, `only ${docs.length} documents`);
    });

    for (const order of ["forward", "reverse"] as const) {
        it(`cached answers equal uncached ones for every option set, asked in ${order} order`, () => {
            const sets = order === "forward" ? OPTION_SETS : [...OPTION_SETS].reverse();
            for (const doc of docs) {
                const object: unknown = JSON.parse(doc);
                for (const options of sets) {
                    const cached = analyzeKeyPolicy(doc, options);
                    const uncached = analyzeKeyPolicy(object, options);
                    assert.deepEqual(cached, uncached, `${JSON.stringify(options)} on ${doc.slice(0, 120)}`);
                }
            }
        });
    }

    it("a caller mutating a result does not change the next answer", () => {
        const doc = docs[0];
        const first = analyzeKeyPolicy(doc, {});
        const snapshot = JSON.parse(JSON.stringify(first)) as unknown;
        first.findings.push({ kind: "malformed", message: "mutated", fix: "none" });
        first.grantsService = !first.grantsService;
        assert.deepEqual(analyzeKeyPolicy(doc, {}), snapshot);
    });
});
