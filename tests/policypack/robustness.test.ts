import assert from "node:assert/strict";
import fc from "fast-check";
import { policies } from "../../policypack/policies";
import type { CorpusCase, CorpusResource } from "../../harness/corpus";
import { UNKNOWN } from "../../harness/corpus";
import { runCase } from "../../harness/policyPack";

const TYPES = [
    "aws:kms/key:Key",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws-native:kms:Key",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
    "aws-native:kms:ReplicaKey",
    "aws:emrserverless/application:Application",
    "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption",
    "aws:kms/grant:Grant",
];

const scalar = fc.oneof(
    fc.constant(UNKNOWN),
    fc.constant("*"),
    fc.constant("emr-serverless.amazonaws.com"),
    fc.constant("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
    fc.constant("RSA_2048"),
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
);
const value = fc.oneof(
    scalar,
    fc.array(scalar, { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }),
);

/** Statements assembled from plausible and implausible pieces. */
const statement = fc.record(
    {
        Sid: value,
        Effect: fc.oneof(fc.constant("Allow"), fc.constant("Deny"), value),
        Principal: fc.oneof(
            fc.constant("*"),
            fc.constant({ Service: "emr-serverless.amazonaws.com" }),
            fc.constant({ AWS: "*" }),
            value,
        ),
        NotPrincipal: value,
        Action: fc.oneof(fc.constant("kms:*"), fc.constant(["kms:Decrypt", "kms:GenerateDataKey"]), value),
        Resource: value,
        Condition: fc.dictionary(
            fc.oneof(
                fc.constant("StringEquals"),
                fc.constant("StringLike"),
                fc.constant("ArnLike"),
                fc.string({ maxLength: 10 }),
            ),
            fc.dictionary(
                fc.oneof(
                    fc.constant("aws:SourceArn"),
                    fc.constant("aws:SourceAccount"),
                    fc.constant("kms:EncryptionContext:applicationId"),
                    fc.string({ maxLength: 10 }),
                ),
                value,
                { maxKeys: 3 },
            ),
            { maxKeys: 3 },
        ),
    },
    { requiredKeys: [] },
);
const document = fc.oneof(
    fc.record(
        {
            Version: fc.oneof(fc.constant("2012-10-17"), value),
            Statement: fc.oneof(statement, fc.array(statement, { maxLength: 4 }), value),
        },
        { requiredKeys: [] },
    ),
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ maxLength: 40 }),
    fc.constant(UNKNOWN),
);
const documentProp = fc.oneof(
    document,
    document.map((d) => JSON.stringify(d) ?? "null"),
);

const resource = fc.record({
    type: fc.constantFrom(...TYPES),
    name: fc.constantFrom("a", "b", "c"),
    props: fc.record(
        {
            policy: documentProp,
            keyPolicy: documentProp,
            keyId: value,
            customerMasterKeySpec: value,
            keySpec: value,
            keyUsage: value,
            enableKeyRotation: value,
            arn: value,
            id: value,
            applicationId: value,
            encryptionKeyArn: value,
            encryptionContext: value,
            region: value,
            diskEncryptionConfiguration: value,
            primaryKeyArn: value,
            granteePrincipal: value,
            retiringPrincipal: value,
            operations: fc.oneof(fc.constant(["Decrypt", "GenerateDataKey"]), value),
            constraints: fc.oneof(
                fc.constant([{ encryptionContextSubset: { applicationId: "00abc" } }]),
                fc.array(fc.dictionary(fc.constantFrom("encryptionContextEquals", "encryptionContextSubset"), value)),
                value,
            ),
        },
        { requiredKeys: [] },
    ),
});

describe("policy pack: never throws on bad data", () => {
    it("random resources and stacks give diagnostics, never exceptions", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(resource, { minLength: 1, maxLength: 5 }), async (rs) => {
                const resources: CorpusResource[] = rs.map((r, i) => ({
                    ...r,
                    name: `${r.name}${i}`,
                    urn: `urn:r${i}`,
                    propertyDependencies:
                        i > 0
                            ? {
                                  encryptionKeyArn: [`urn:r${i - 1}`],
                                  keyId: [`urn:r${i - 1}`],
                                  primaryKeyArn: [`urn:r${i - 1}`, `urn:r${i}`],
                                  applicationId: [`urn:r0`],
                              }
                            : undefined,
                }));
                const c: CorpusCase = { name: "fuzz", why: "", kind: "stack", resources, expect: { mandatory: [] } };
                const ds = await runCase(policies, c);
                for (const d of ds) {
                    assert.ok(d.message.length > 0);
                }
            }),
            { numRuns: 400 },
        );
    });
});
