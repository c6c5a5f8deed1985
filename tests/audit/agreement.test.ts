/**
 * One judgment behind both front ends: every key-policy document of the corpus (harness/corpus) and
 * every held policy file (tests/fixtures/keyPolicies) goes through the policy pack's path (its resource
 * policies, in-process, on the resource carrying the document) and through the audit's path (the file
 * written to disk, read by the audit's reader, judged by `auditKeyPolicyText` with `--key-arn` or `--key-id`
 * wherever the pack knows the key's ARN or id), and both must give the same verdict: the same validity, and for each finding kind the same findings (by message).
 *
 * Documents left out, each for a reason the pack documents: parts unknown at preview (the audit reads
 * deployed policies, never unknowns), and an empty `policy` on an aws:kms key (the provider leaves it unset:
 * no document at all).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { auditKeyPolicyText, readKeyPolicyFile } from "../../audit/keyPolicyFile";
import type { AuditReport } from "../../audit/report";
import type { FindingKind } from "../../policypack/judge";
import { holdsUnknown } from "../../policypack/judge";
import { policies } from "../../policypack/policies";
import {
    documentKey,
    documentProperty,
    isAbsentDocument,
    isKeyPolicyDocumentType,
} from "../../policypack/policies/support/keys";
import { COND, LOOK, MALF, OPEN, OVER, SUBM, loadCorpus } from "../../harness/corpus";
import { KEY_POLICY } from "../../harness/corpus/build";
import type { CorpusResource } from "../../harness/corpus";
import { analyzeResource } from "../../harness/policyPack";
import { FIXTURES } from "./support";

/** The pack policy that reports each finding kind on a document. */
const POLICY_OF: Record<FindingKind, string> = {
    malformed: MALF,
    "service-unbound": COND,
    "open-grant": OPEN,
    "not-principal-allow": OPEN,
    "submitter-not-via-service": SUBM,
    "service-overgrant": OVER,
    "service-principal-lookalike": LOOK,
};
const DOCUMENT_POLICIES: ReadonlySet<string> = new Set(Object.values(POLICY_OF));

/** One document, and the resource that carries it for the pack. */
interface Held {
    label: string;
    resource: CorpusResource;
    /** The document as a file holds it (an object document is written as its JSON text). */
    text: string;
}

/** The `Policy` of a `{"Policy": "...", "PolicyName": "default"}` file, else undefined. */
function wrapped(raw: string): string | undefined {
    try {
        const o = JSON.parse(raw) as { Policy?: unknown; Statement?: unknown };
        return typeof o.Policy === "string" && o.Statement === undefined ? o.Policy : undefined;
    } catch {
        return undefined;
    }
}

function holdsAnyUnknown(value: unknown): boolean {
    return holdsUnknown(JSON.stringify(value) ?? "");
}

/** Every key-policy document of the corpus and of the held files, once each (by resource type and text). */
function documents(): { held: Held[]; skipped: string[] } {
    const held: Held[] = [];
    const skipped: string[] = [];
    const seen = new Set<string>();
    const add = (label: string, resource: CorpusResource, value: unknown): void => {
        const text = typeof value === "string" ? value : JSON.stringify(value);
        const id = `${resource.type}\u0000${text}`;
        if (!seen.has(id)) {
            seen.add(id);
            held.push({ label, resource, text });
        }
    };
    for (const c of loadCorpus()) {
        for (const r of c.resources) {
            if (!isKeyPolicyDocumentType(r.type)) {
                continue;
            }
            const value = r.props[documentProperty(r.type)];
            if (isAbsentDocument(r.type, value)) {
                skipped.push(`${c.name} / ${r.name}: no document`);
            } else if (holdsAnyUnknown(value)) {
                skipped.push(`${c.name} / ${r.name}: unknown at preview`);
            } else {
                add(`corpus "${c.name}" / ${r.name}`, r, value);
            }
        }
    }
    for (const file of fs.readdirSync(FIXTURES).sort()) {
        if (file === "expected.json") {
            continue;
        }
        // A file of `get-key-policy --output json` wraps the document; the pack is given the document itself.
        const raw = fs.readFileSync(path.join(FIXTURES, file), "utf8");
        const resource: CorpusResource = {
            type: KEY_POLICY,
            name: file,
            props: { keyId: "k", policy: wrapped(raw) ?? raw },
        };
        held.push({ label: `file ${file}`, resource, text: raw });
    }
    return { held, skipped };
}

/** Per document policy: the finding messages it reported (violations only, not preview notes). */
type Verdict = Record<string, string[]>;

function emptyVerdict(): Verdict {
    return Object.fromEntries([...DOCUMENT_POLICIES].sort().map((p) => [p, [] as string[]]));
}

/** The audit's verdict: its finding checks, by the pack policy that reports their kind. */
function auditVerdict(report: AuditReport): Verdict {
    const out = emptyVerdict();
    const grants = report.analysis?.grantsService === true;
    for (const f of report.analysis?.findings ?? []) {
        // The pack judges submitters only on documents that grant the service (enforce-submitter-kms-via-service).
        if (f.kind === "submitter-not-via-service" && !grants) {
            continue;
        }
        assert.ok(
            report.checks.some((c) => c.id === `finding:${f.kind}` && c.message === f.message),
            `the audit's report lacks its finding ${f.kind}`,
        );
        out[POLICY_OF[f.kind]].push(f.message);
    }
    for (const list of Object.values(out)) {
        list.sort();
    }
    return out;
}

/** The pack's verdict, with each violation reduced to the finding message it carries. */
function packVerdict(messages: Array<{ policyName: string; message: string }>, known: readonly string[]): Verdict {
    const out = emptyVerdict();
    for (const d of messages) {
        if (!DOCUMENT_POLICIES.has(d.policyName)) {
            continue;
        }
        const finding = known.find((m) => d.message.includes(m));
        out[d.policyName].push(finding ?? d.message);
    }
    for (const list of Object.values(out)) {
        list.sort();
    }
    return out;
}

describe("one judgment: the pack and the audit agree on every corpus document", () => {
    const { held, skipped } = documents();
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "agreement-"));
    });
    after(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("covers the whole corpus: every document is judged or left out for a stated reason", () => {
        const corpusDocuments = loadCorpus()
            .flatMap((c) => c.resources)
            .filter((r) => isKeyPolicyDocumentType(r.type)).length;
        const judged = held.filter((h) => h.label.startsWith("corpus")).length;
        assert.ok(judged >= 100, `only ${judged} distinct corpus documents`);
        assert.ok(skipped.length < corpusDocuments / 4, `${skipped.length} of ${corpusDocuments} left out`);
        assert.ok(skipped.every((s) => /: (no document|unknown at preview)$/.test(s)));
        assert.ok(held.some((h) => h.label.startsWith("file ")));
    });

    for (const [i, h] of held.entries()) {
        it(`${h.resource.type}: ${h.label}`, async () => {
            const file = path.join(dir, `policy-${i}.json`);
            fs.writeFileSync(file, h.text, "utf8");
            const text = await readKeyPolicyFile(file, dir);
            // The audit is told the key's ARN (--key-arn) or id (--key-id) wherever the pack knows it from the resource.
            const key = documentKey(h.resource.type, h.resource.props);
            const report = auditKeyPolicyText(text, {
                mode: "key-policy",
                file,
                json: true,
                strict: false,
                jobRoleArns: [],
                submitterArns: [],
                ...key,
            });
            const ds = await analyzeResource(policies, h.resource);
            const notes = ds.filter((d) => d.note);
            assert.deepEqual(notes, [], "a document without unknowns gave a preview note");
            const audit = auditVerdict(report);
            const pack = packVerdict(ds, Object.values(audit).flat());
            assert.deepEqual(pack, audit, `verdicts differ for ${h.label}`);
            assert.equal(
                pack[MALF].length > 0,
                report.checks.some((c) => c.id === "finding:malformed"),
                "validity differs",
            );
        });
    }
});
