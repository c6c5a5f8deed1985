/**
 * Prints the size of the policy corpus (harness/corpus) the pack is replayed over, in-process and over
 * gRPC: cases in all, by kind and verdict, the adversarial batch by class, and the distinct key-policy documents
 * the pack/audit agreement test compares. The README's corpus figures come from this output.
 *
 *   npm run corpus:size            (add -- --json for one JSON object)
 */
import { ADVERSARIAL_CLASSES, loadCorpus } from "../harness/corpus";

const KEY_POLICY_DOCUMENT_TYPES: ReadonlyMap<string, string> = new Map([
    ["aws:kms/key:Key", "policy"],
    ["aws:kms/externalKey:ExternalKey", "policy"],
    ["aws:kms/replicaKey:ReplicaKey", "policy"],
    ["aws:kms/replicaExternalKey:ReplicaExternalKey", "policy"],
    ["aws:kms/keyPolicy:KeyPolicy", "policy"],
    ["aws-native:kms:Key", "keyPolicy"],
    ["aws-native:kms:ReplicaKey", "keyPolicy"],
]);

const corpus = loadCorpus();
const documents = new Set<string>();
for (const c of corpus) {
    for (const r of c.resources) {
        const property = KEY_POLICY_DOCUMENT_TYPES.get(r.type);
        const value = property === undefined ? undefined : r.props[property];
        if (value !== undefined && value !== null) {
            documents.add(`${r.type}\u0000${typeof value === "string" ? value : JSON.stringify(value)}`);
        }
    }
}
const adversarial = Object.fromEntries(Object.entries(ADVERSARIAL_CLASSES).map(([k, v]) => [k, v.length]));
const figures = {
    cases: corpus.length,
    resourceCases: corpus.filter((c) => c.kind === "resource").length,
    stackCases: corpus.filter((c) => c.kind === "stack").length,
    blocking: corpus.filter((c) => c.expect.mandatory.length > 0).length,
    clean: corpus.filter((c) => c.expect.none === true).length,
    keyPolicyDocuments: documents.size,
    adversarial: { total: Object.values(adversarial).reduce((a, b) => a + b, 0), byClass: adversarial },
};

if (process.argv.includes("--json")) {
    console.log(JSON.stringify(figures));
} else {
    console.log(`corpus cases: ${figures.cases} (${figures.resourceCases} resource, ${figures.stackCases} stack)`);
    console.log(`  with a mandatory violation: ${figures.blocking}; with nothing reported: ${figures.clean}`);
    console.log(`  distinct key-policy documents: ${figures.keyPolicyDocuments}`);
    console.log(`adversarial batch: ${figures.adversarial.total}`);
    for (const [name, n] of Object.entries(adversarial)) {
        console.log(`  ${name}: ${n}`);
    }
}
