/**
 * Below the corpus: config that would weaken the account binding,
 * key shapes of the added key types, and key lookup by full ARN.
 */
import assert from "node:assert/strict";
import { validateJson } from "../../engine/policyConfig";
import type { JsonSchema } from "../../engine/policyConfig";
import { policies } from "../../policypack/policies";
import { accountBindingKeys, analyzeOptions, sourceAccountKeysSchema } from "../../policypack/policies/support/config";
import {
    isKeyType,
    KMS_EXTERNAL_KEY_TYPE,
    KMS_REPLICA_EXTERNAL_KEY_TYPE,
    KMS_REPLICA_KEY_TYPE,
    NATIVE_KMS_REPLICA_KEY_TYPE,
    readKeyShape,
    readRotation,
} from "../../policypack/policies/support/keys";
import { buildStackIndex } from "../../policypack/policies/support/stack";
import { COND } from "../../harness/corpus";
import type { CorpusCase, CorpusResource } from "../../harness/corpus";
import { policyResources, runCase, verdict } from "../../harness/policyPack";
import { ACCOUNT, APP_ARN, APP_ID } from "../../harness/fixtures";

const WEAK_KEY_LISTS = [
    ["aws:PrincipalServiceName"],
    ["aws:SourceArn"],
    ["aws:ResourceAccount"],
    [""],
    ["aws:sourcearn "],
];

/** A service statement binding everything the weak keys name, but no account or organization key. */
function unboundAccountPolicy(): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ServiceWithoutAccount",
                Effect: "Allow",
                Principal: { Service: "emr-serverless.amazonaws.com" },
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: "*",
                Condition: {
                    StringLike: { "aws:SourceArn": APP_ARN },
                    StringEquals: {
                        "kms:EncryptionContext:applicationId": APP_ID,
                        "aws:PrincipalServiceName": "emr-serverless.amazonaws.com",
                        "aws:ResourceAccount": ACCOUNT,
                    },
                },
            },
        ],
    });
}

describe("policy pack: sourceAccountKeys cannot weaken the account binding", () => {
    it("the schema refuses condition keys that are not account bindings", () => {
        const schema = sourceAccountKeysSchema as unknown as JsonSchema;
        for (const weak of WEAK_KEY_LISTS) {
            const problems = validateJson(weak, schema, "p.sourceAccountKeys");
            assert.ok(problems.length > 0, `schema accepted ${JSON.stringify(weak)}`);
            assert.match(problems.join("\n"), /sourceAccountKeys\[0\]/);
        }
        for (const good of [["aws:SourceAccount"], ["aws:SourceAccount", "aws:SourceOrgID"], ["aws:SourceOrgPaths"]]) {
            assert.deepEqual(validateJson(good, schema, "p.sourceAccountKeys"), [], JSON.stringify(good));
        }
    });

    it("analyzeOptions ignores entries that are not account bindings", () => {
        for (const weak of WEAK_KEY_LISTS) {
            assert.deepEqual(analyzeOptions({ sourceAccountKeys: weak }).sourceAccountKeys, ["aws:SourceAccount"]);
        }
        assert.deepEqual(
            analyzeOptions({ sourceAccountKeys: ["aws:SourceArn", "aws:SourceOrgID"] }).sourceAccountKeys,
            ["aws:SourceOrgID"],
        );
        assert.deepEqual(accountBindingKeys(["aws:sourceorgid", "aws:SourceOrgID"]), ["aws:SourceOrgID"]);
        assert.equal(accountBindingKeys("aws:SourceAccount"), undefined);
    });

    for (const weak of WEAK_KEY_LISTS) {
        it(`config ${JSON.stringify(weak)} does not let a statement without aws:SourceAccount pass`, async () => {
            const c: CorpusCase = {
                name: "weak config",
                why: "",
                kind: "resource",
                resources: [{ type: "aws:kms/key:Key", name: "k", props: { policy: unboundAccountPolicy() } }],
                config: { [COND]: { sourceAccountKeys: weak } },
                expect: { mandatory: [COND] },
            };
            assert.deepEqual(verdict(await runCase(policies, c)).mandatory, [COND]);
        });
    }

    it("the same statement passes when an account binding is added (the test statement is otherwise good)", async () => {
        const p = JSON.parse(unboundAccountPolicy()) as {
            Statement: Array<{ Condition: Record<string, Record<string, string>> }>;
        };
        p.Statement[0].Condition.StringEquals["aws:SourceAccount"] = ACCOUNT;
        const c: CorpusCase = {
            name: "bound",
            why: "",
            kind: "resource",
            resources: [{ type: "aws:kms/key:Key", name: "k", props: { policy: JSON.stringify(p) } }],
            expect: { mandatory: [] },
        };
        assert.deepEqual(verdict(await runCase(policies, c)).mandatory, []);
    });
});

describe("policy pack: key types beyond aws:kms Key", () => {
    it("judges ExternalKey, ReplicaKey, ReplicaExternalKey and aws-native ReplicaKey", () => {
        for (const t of [
            KMS_EXTERNAL_KEY_TYPE,
            KMS_REPLICA_KEY_TYPE,
            KMS_REPLICA_EXTERNAL_KEY_TYPE,
            NATIVE_KMS_REPLICA_KEY_TYPE,
        ]) {
            assert.ok(isKeyType(t), t);
        }
        assert.ok(!isKeyType("aws:kms/alias:Alias"));
    });

    it("reads an ExternalKey's keySpec/keyUsage, symmetric by default", () => {
        assert.deepEqual(readKeyShape(KMS_EXTERNAL_KEY_TYPE, {}), {
            spec: "SYMMETRIC_DEFAULT",
            usage: "ENCRYPT_DECRYPT",
        });
        assert.deepEqual(readKeyShape(KMS_EXTERNAL_KEY_TYPE, { keySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }), {
            spec: "RSA_2048",
            usage: "SIGN_VERIFY",
        });
    });

    it("never assumes a replica symmetric: its shape is unknown without keySpec, unless keyUsage rules it out", () => {
        for (const t of [KMS_REPLICA_KEY_TYPE, KMS_REPLICA_EXTERNAL_KEY_TYPE, NATIVE_KMS_REPLICA_KEY_TYPE]) {
            assert.equal(
                readKeyShape(t, { primaryKeyArn: "arn:aws:kms:us-east-1:111122223333:key/mrk-1" }),
                undefined,
                t,
            );
            assert.equal(readKeyShape(t, { keyUsage: "ENCRYPT_DECRYPT" }), undefined, t);
            assert.equal(readKeyShape(t, { keyUsage: "SIGN_VERIFY" })?.usage, "SIGN_VERIFY", t);
        }
        assert.deepEqual(readKeyShape(KMS_REPLICA_KEY_TYPE, { keySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" }), {
            spec: "HMAC_256",
            usage: "GENERATE_VERIFY_MAC",
        });
    });

    it("does not judge rotation where the resource has no rotation setting", () => {
        assert.equal(readRotation(KMS_EXTERNAL_KEY_TYPE, { enableKeyRotation: true }), undefined);
        assert.equal(readRotation(KMS_REPLICA_KEY_TYPE, {}), undefined);
        assert.equal(readRotation("aws:kms/key:Key", {}), false);
        assert.equal(readRotation("aws-native:kms:Key", { enableKeyRotation: true }), true);
    });
});

describe("policy pack: keys are looked up by full ARN", () => {
    const MRK = "mrk-1234abcd12ab34cd56ef1234567890ab";
    const arn = (region: string, account = ACCOUNT): string => `arn:aws:kms:${region}:${account}:key/${MRK}`;
    const key = (name: string, type: string, props: Record<string, unknown>): CorpusResource => ({
        type,
        name,
        urn: `urn:pulumi:t::t::${type}::${name}`,
        props,
    });
    const setting = (name: string, keyArn: string, region = "us-east-1"): CorpusResource => ({
        type: "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption",
        name,
        urn: `urn:pulumi:t::t::setting::${name}`,
        props: { applicationId: APP_ID, encryptionKeyArn: keyArn, region },
    });

    it("a setting using the us-west-2 replica ARN joins the replica, never the us-east-1 primary", () => {
        const resources = [
            key("primary", "aws:kms/key:Key", { arn: arn("us-east-1"), keyId: MRK, id: MRK }),
            key("replica", KMS_REPLICA_KEY_TYPE, { arn: arn("us-west-2"), keyId: MRK, id: MRK }),
            setting("west", arn("us-west-2"), "us-west-2"),
            setting("east", arn("us-east-1")),
        ];
        const index = buildStackIndex(policyResources(resources));
        const byName = new Map(index.settings.map((s) => [s.resource.name, s.keys.map((k) => k.resource.name)]));
        assert.deepEqual(byName.get("west"), ["replica"]);
        assert.deepEqual(byName.get("east"), ["primary"]);
    });

    it("a replica ARN, or the same id in another account, joins no key when only the primary is in the stack", () => {
        const resources = [
            key("primary", "aws:kms/key:Key", { arn: arn("us-east-1"), keyId: MRK }),
            setting("west", arn("us-west-2"), "us-west-2"),
            setting("foreign", arn("us-east-1", "444455556666")),
        ];
        const index = buildStackIndex(policyResources(resources));
        for (const s of index.settings) {
            // Each setting's key is a key outside the stack, named by its own ARN.
            assert.deepEqual(
                s.keys.map((k) => k.external?.ref),
                [s.resource.props.encryptionKeyArn],
                s.resource.name,
            );
        }
        assert.deepEqual(index.keys[0].settings, []);
    });

    it("a key whose ARN is unknown is still found by the id in a full ARN of its region", () => {
        const resources = [
            key("primary", "aws:kms/key:Key", { keyId: MRK, region: "us-east-1" }),
            setting("east", arn("us-east-1")),
            setting("west", arn("us-west-2"), "us-west-2"),
        ];
        const index = buildStackIndex(policyResources(resources));
        const byName = new Map(index.settings.map((s) => [s.resource.name, s.keys.filter((k) => !k.external).length]));
        assert.equal(byName.get("east"), 1);
        assert.equal(byName.get("west"), 0);
    });

    it("a bare key id in a KeyPolicy is told apart by the KeyPolicy's region", () => {
        const resources = [
            key("primary", "aws:kms/key:Key", { arn: arn("us-east-1"), keyId: MRK }),
            key("replica", KMS_REPLICA_KEY_TYPE, { arn: arn("us-west-2"), keyId: MRK }),
            key("kp", "aws:kms/keyPolicy:KeyPolicy", { keyId: MRK, region: "us-west-2", policy: "{}" }),
        ];
        const index = buildStackIndex(policyResources(resources));
        const counts = new Map(index.keys.map((k) => [k.resource.name, k.keyPolicies.length]));
        assert.deepEqual(
            [...counts],
            [
                ["primary", 0],
                ["replica", 1],
            ],
        );
    });
});

describe("policy pack: a service statement bound to another account", () => {
    const FOREIGN = "444455556666";
    const foreignPolicy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "root",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "emr",
                Effect: "Allow",
                Principal: { Service: "emr-serverless.amazonaws.com" },
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: "*",
                Condition: {
                    ArnEquals: {
                        "aws:SourceArn": `arn:aws:emr-serverless:us-east-1:${FOREIGN}:/applications/00abc123`,
                    },
                    StringEquals: { "aws:SourceAccount": FOREIGN, "kms:EncryptionContext:applicationId": "00abc123" },
                },
            },
        ],
    });
    const keyCase = (config?: CorpusCase["config"]): CorpusCase => ({
        name: "foreign binding",
        why: "",
        kind: "resource",
        resources: [{ type: "aws:kms/key:Key", name: "k", props: { policy: foreignPolicy } }],
        config,
        expect: { mandatory: [COND] },
    });

    it("is a mandatory violation by default: another account's applications could use the key", async () => {
        assert.deepEqual(verdict(await runCase(policies, keyCase())).mandatory, [COND]);
    });

    it("passes when that account is configured in allowedSourceAccounts (cross-account use, on purpose)", async () => {
        const c = keyCase({ [COND]: { allowedSourceAccounts: [FOREIGN] } });
        assert.deepEqual(verdict(await runCase(policies, c)).mandatory, []);
        assert.deepEqual(analyzeOptions({ allowedSourceAccounts: [FOREIGN, "not-an-account"] }).allowedSourceAccounts, [
            FOREIGN,
        ]);
    });
});
