/**
 * What the pack says about keys joined by reference, partial service grants and KMS grants: each message
 * names what is wrong, where, and the fix a user can act on.
 */
import * as assert from "node:assert/strict";
import { policies } from "../../policypack/policies";
import { buildStackIndex } from "../../policypack/policies/support/stack";
import { COND, GRANTS, loadCorpus } from "../../harness/corpus";
import { EXT_KEY_ARN, EXT_KEY_ID } from "../../harness/corpus/parts";
import { policyResources, runCase } from "../../harness/policyPack";

const corpus = new Map(loadCorpus().map((c) => [c.name, c]));

async function messages(name: string, policy: string): Promise<string[]> {
    const c = corpus.get(name);
    assert.ok(c, `no corpus case "${name}"`);
    return (await runCase(policies, c)).filter((d) => d.policyName === policy && !d.note).map((d) => d.message);
}

describe("policy pack: keys joined by reference", () => {
    it("a key outside the stack is named by its ARN, with the setting and the KeyPolicy", async () => {
        const [m, ...rest] = await messages(
            "key outside the stack: KeyPolicy by literal ARN never grants the service",
            COND,
        );
        assert.equal(rest.length, 0);
        assert.match(m, /ApplicationDiskEncryption "disk-encryption"/);
        assert.ok(m.includes(`the key ${EXT_KEY_ARN} (managed outside this stack)`), m);
        assert.match(m, /aws:kms\/keyPolicy:KeyPolicy "ext-key-policy"/);
        assert.match(m, /Fix: Add the service statement/);
    });

    it("a KeyPolicy by bare id and a setting by ARN name one key outside the stack", () => {
        const c = corpus.get("key outside the stack: KeyPolicy by bare key id, no region, never grants the service");
        assert.ok(c);
        const index = buildStackIndex(policyResources(c.resources));
        assert.equal(index.externalKeys.length, 1);
        const [k] = index.externalKeys;
        assert.equal(k.external?.ref, EXT_KEY_ID);
        assert.equal(k.arn, EXT_KEY_ARN, "the setting's ARN completes the entry");
        assert.equal(k.keyPolicies.length, 1);
        assert.equal(k.settings.length, 1);
    });

    it("a partial service grant names the action that is missing and the application", async () => {
        const [m] = await messages("service granted kms:GenerateDataKey without kms:Decrypt", COND);
        assert.match(
            m,
            /lets emr-serverless\.amazonaws\.com use kms:GenerateDataKey but not kms:Decrypt for application 00fabcdexample09/,
        );
        assert.match(m, /Fix: Allow kms:Decrypt in the statement/);
        const [split] = await messages("GenerateDataKey bound to the setting's application, Decrypt to another", COND);
        assert.match(split, /but not kms:Decrypt for application 00fabcdexample09/);
    });

    it("a key whose service statement names another key says the key's policy never grants the service", async () => {
        const [m] = await messages("key ARN known: the only service statement names another key", COND);
        assert.match(m, /never allows emr-serverless\.amazonaws\.com kms:GenerateDataKey and kms:Decrypt/);
    });
});

describe("policy pack: KMS grants", () => {
    it("an unconstrained grant names the grantee, the operations, the key, why it is a disk key, and the fix", async () => {
        const [m, ...rest] = await messages("grant to the job role without constraints", GRANTS);
        assert.equal(rest.length, 0);
        assert.match(m, /aws:kms\/grant:Grant "job-role-grant"/);
        assert.match(m, /on aws:kms\/key:Key "disk-key", which EMR Serverless uses for disk encryption/);
        assert.match(m, /the disk-encryption setting .* uses it/);
        assert.match(
            m,
            /gives "arn:aws:iam::111122223333:role\/emr-job-role" Decrypt, GenerateDataKey without an encryption-context constraint/,
        );
        assert.match(m, /no retiring principal/);
        assert.match(
            m,
            /Fix: Add "constraints": \[\{ "encryptionContextSubset": \{ "applicationId": "<application id>" \} \}\]/,
        );
        assert.match(m, /Applications using this key: 00fabcdexample09\./);
    });

    it("a grant pinned to another application names that id and the key's applications", async () => {
        const [m] = await messages("grant constrained to another application's id", GRANTS);
        assert.match(
            m,
            /for applicationId "00fkq8mtb3cm2zzz", which is not an application that uses the key \(00fabcdexample09\)/,
        );
    });

    it("a constraint without applicationId is told apart from no constraint, and the retiring principal is named", async () => {
        const [m] = await messages("grant constrained by a custom context entry, not the application id", GRANTS);
        assert.match(m, /with an encryption-context constraint that does not pin "applicationId"/);
        const [s] = await messages("grant by the key's literal ARN to a submitter, Decrypt only", GRANTS);
        assert.match(s, /It can be retired by arn:aws:iam::111122223333:role\/job-submitter/);
    });

    it("a grant to the service principal is judged on its own, before it is created", async () => {
        const [m] = await messages("grant to the service principal without constraints, judged on its own", GRANTS);
        assert.match(
            m,
            /gives the service principal emr-serverless\.amazonaws\.com GenerateDataKey without an encryption-context constraint/,
        );
    });
});
