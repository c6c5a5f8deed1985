import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import {
    baseKeyPolicyStatements,
    encryptionContextConditions,
    keyPolicyDocument,
    PolicyDocument,
    requiredKeyPolicyStatements,
    serviceKeyPolicyStatement,
    submitterKeyPolicyStatements,
} from "../../components/keyPolicy";
import {
    jobRoleKeyGrantPolicy,
    jobRoleTrustPolicy,
    roleNameFromArnOrName,
    submitterIamPolicy,
} from "../../components/jobRole";
import {
    ACCOUNT,
    APP_ARN,
    APP_ID,
    KEY_ARN,
    REGION,
    assertBaseStatements,
    assertJobRoleGrant,
    assertJobRoleTrust,
    assertOnlyKnownStatements,
    assertServiceStatement,
    assertSubmitterIamPolicy,
    assertSubmitterStatements,
    conditionRemovals,
} from "./support/predicates";
import { ADMIN_ARN } from "../../harness/fixtures";

const SUBMITTERS = ["arn:aws:iam::111122223333:role/b-engineers", "arn:aws:iam::111122223333:user/alice"];
const ADMINS = [ADMIN_ARN];
const CONTEXT = { team: "analytics", environment: "dev" };

const params = {
    partition: "aws",
    accountId: ACCOUNT,
    administratorArns: ADMINS,
    applicationArn: APP_ARN,
    applicationId: APP_ID,
    region: REGION,
    submitterArns: SUBMITTERS,
    encryptionContext: CONTEXT,
};

/** The full key-policy predicate used by the mutation tests. */
function assertFullKeyPolicy(doc: PolicyDocument): void {
    assertOnlyKnownStatements(doc);
    assertBaseStatements(doc.Statement, { partition: "aws", accountId: ACCOUNT, administratorArns: ADMINS });
    assertServiceStatement(doc.Statement, { applicationArn: APP_ARN, applicationId: APP_ID, accountId: ACCOUNT });
    assertSubmitterStatements(doc.Statement, { submitterArns: SUBMITTERS, region: REGION, encryptionContext: CONTEXT });
}

describe("components: key-policy builders", () => {
    it("builds the full key policy: base, service and submitter statements, each exactly", () => {
        const doc = keyPolicyDocument(params);
        assertFullKeyPolicy(doc);
        assert.equal(doc.Statement.length, 5);
    });

    it("the service statement allows only GenerateDataKey/Decrypt, bound to SourceArn, SourceAccount and applicationId", () => {
        const s = serviceKeyPolicyStatement(params);
        assert.deepEqual(s.Condition, {
            StringLike: { "aws:SourceArn": APP_ARN },
            StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
        });
        assert.deepEqual(s.Action, ["kms:GenerateDataKey", "kms:Decrypt"]);
    });

    it("submitter statements: DescribeKey, then GDK/Decrypt via emr-serverless.<region> and each context entry", () => {
        const [describe, use] = submitterKeyPolicyStatements(params);
        assert.equal(describe.Action, "kms:DescribeKey");
        assert.deepEqual(use.Condition, {
            StringEquals: {
                "kms:ViaService": "emr-serverless.us-east-1.amazonaws.com",
                "kms:EncryptionContext:environment": "dev",
                "kms:EncryptionContext:team": "analytics",
            },
        });
    });

    it("no submitters: no submitter statements; no context: only kms:ViaService binds the use", () => {
        assert.deepEqual(submitterKeyPolicyStatements({ submitterArns: [], region: REGION }), []);
        const [, use] = submitterKeyPolicyStatements({ submitterArns: SUBMITTERS, region: "eu-west-1" });
        assert.deepEqual(use.Condition, {
            StringEquals: { "kms:ViaService": "emr-serverless.eu-west-1.amazonaws.com" },
        });
    });

    it("base statements keep the account root in control (partition-aware) and admins without cryptography", () => {
        const statements = baseKeyPolicyStatements({
            partition: "aws-cn",
            accountId: ACCOUNT,
            administratorArns: ADMINS,
        });
        assertBaseStatements(statements, { partition: "aws-cn", accountId: ACCOUNT, administratorArns: ADMINS });
        assert.deepEqual(baseKeyPolicyStatements({ partition: "aws", accountId: ACCOUNT }).length, 1);
    });

    it("deduplicates and sorts principals", () => {
        const [describe] = submitterKeyPolicyStatements({
            submitterArns: [SUBMITTERS[1], SUBMITTERS[0], SUBMITTERS[1]],
            region: REGION,
        });
        assert.deepEqual(describe.Principal, { AWS: [...SUBMITTERS].sort() });
    });

    it("requiredKeyPolicyStatements = service + submitter statements (what an existing key's owner must add)", () => {
        const required = requiredKeyPolicyStatements(params);
        assert.deepEqual(
            required.map((s) => s.Sid),
            ["AllowEmrServerlessDiskEncryption", "AllowSubmittersDescribeKey", "AllowSubmittersUseKeyViaEmrServerless"],
        );
        assert.deepEqual(required, keyPolicyDocument(params).Statement.slice(2));
    });

    it("encryptionContextConditions maps each entry to kms:EncryptionContext:<key>", () => {
        assert.deepEqual(encryptionContextConditions({ b: "2", a: "1" }), {
            "kms:EncryptionContext:a": "1",
            "kms:EncryptionContext:b": "2",
        });
        assert.deepEqual(encryptionContextConditions(undefined), {});
    });
});

describe("components: job-role builders", () => {
    it("trust: EMR Serverless assumes the role only for this account and this application", () => {
        assertJobRoleTrust(jobRoleTrustPolicy({ accountId: ACCOUNT, applicationArn: APP_ARN }), {
            accountId: ACCOUNT,
            applicationArn: APP_ARN,
        });
    });

    it("grant: GenerateDataKey and Decrypt on the key ARN alone", () => {
        const doc = jobRoleKeyGrantPolicy(KEY_ARN);
        assertJobRoleGrant(doc, KEY_ARN);
        assert.ok(!JSON.stringify(doc).includes('"*"'));
    });

    it("submitter IAM policy: DescribeKey on the key; GDK/Decrypt on the key via EMR Serverless", () => {
        assertSubmitterIamPolicy(submitterIamPolicy({ keyArn: KEY_ARN, region: REGION }), {
            keyArn: KEY_ARN,
            region: REGION,
        });
    });

    it("submitter IAM policy: bound by the custom encryption context, like the key policy's statement", () => {
        const ctx = { team: "analytics", environment: "dev" };
        assertSubmitterIamPolicy(submitterIamPolicy({ keyArn: KEY_ARN, region: REGION, encryptionContext: ctx }), {
            keyArn: KEY_ARN,
            region: REGION,
            encryptionContext: ctx,
        });
    });

    it("roleNameFromArnOrName: names, ARNs with paths; refuses other ARNs", () => {
        assert.equal(roleNameFromArnOrName("emr-jobs"), "emr-jobs");
        assert.equal(roleNameFromArnOrName("arn:aws:iam::111122223333:role/emr-jobs"), "emr-jobs");
        assert.equal(roleNameFromArnOrName("arn:aws:iam::111122223333:role/service/emr-jobs"), "emr-jobs");
        assert.equal(roleNameFromArnOrName("arn:aws:iam::111122223333:user/alice"), undefined);
        assert.equal(roleNameFromArnOrName("has space"), undefined);
    });
});

describe("components: builders, mutation-style (each single weakening is noticed)", () => {
    it("removing any one condition from the key policy fails the key-policy predicate", () => {
        const removals = conditionRemovals(keyPolicyDocument(params));
        // SourceArn, SourceAccount, applicationId, ViaService, two context entries.
        assert.equal(removals.length, 6);
        for (const { what, doc } of removals) {
            assert.throws(() => assertFullKeyPolicy(doc), assert.AssertionError, `not noticed: removed ${what}`);
        }
    });

    it("removing any one condition from the trust policy fails the trust predicate", () => {
        const removals = conditionRemovals(jobRoleTrustPolicy({ accountId: ACCOUNT, applicationArn: APP_ARN }));
        assert.equal(removals.length, 2);
        for (const { what, doc } of removals) {
            assert.throws(
                () => assertJobRoleTrust(doc, { accountId: ACCOUNT, applicationArn: APP_ARN }),
                assert.AssertionError,
                `not noticed: removed ${what}`,
            );
        }
    });

    it("removing the kms:ViaService condition from the submitter IAM policy fails its predicate", () => {
        const removals = conditionRemovals(submitterIamPolicy({ keyArn: KEY_ARN, region: REGION }));
        assert.equal(removals.length, 1);
        for (const { doc } of removals) {
            assert.throws(
                () => assertSubmitterIamPolicy(doc, { keyArn: KEY_ARN, region: REGION }),
                assert.AssertionError,
            );
        }
    });

    it("widening the service actions, the principal, a value, or the grant's Resource is noticed", () => {
        const mutate = (f: (d: PolicyDocument) => void): PolicyDocument => {
            const d = keyPolicyDocument(params);
            f(d);
            return d;
        };
        const widened: Array<[string, PolicyDocument]> = [
            ["service kms:*", mutate((d) => (d.Statement[2].Action = "kms:*"))],
            [
                "service + Encrypt",
                mutate((d) => (d.Statement[2].Action = ["kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"])),
            ],
            [
                "service wildcard SourceArn",
                mutate((d) => (d.Statement[2].Condition!.StringLike["aws:SourceArn"] = "arn:aws:emr-serverless:*")),
            ],
            ["submitter * principal", mutate((d) => (d.Statement[4].Principal = { AWS: "*" }))],
            [
                "submitter via other service",
                mutate(
                    (d) => (d.Statement[4].Condition!.StringEquals["kms:ViaService"] = "s3.us-east-1.amazonaws.com"),
                ),
            ],
            ["admins get kms:*", mutate((d) => (d.Statement[1].Action = "kms:*"))],
            [
                "extra statement",
                mutate((d) => d.Statement.push({ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" })),
            ],
        ];
        for (const [what, doc] of widened) {
            assert.throws(() => assertFullKeyPolicy(doc), assert.AssertionError, `not noticed: ${what}`);
        }
        const grant = jobRoleKeyGrantPolicy(KEY_ARN);
        grant.Statement[0].Resource = "*";
        assert.throws(() => assertJobRoleGrant(grant, KEY_ARN), assert.AssertionError);
    });
});

describe("components: builders, property-based", () => {
    it("for any valid context and submitters, the key policy binds each entry exactly once and passes the predicate", () => {
        const context = fc.dictionary(
            fc.stringMatching(/^[a-z][a-z0-9_-]{0,19}$/),
            fc.stringMatching(/^[a-z0-9]{1,30}$/),
            {
                minKeys: 0,
                maxKeys: 8,
            },
        );
        const submitters = fc
            .uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), { minLength: 1, maxLength: 4 })
            .map((names) => names.map((n) => `arn:aws:iam::${ACCOUNT}:role/${n}`));
        fc.assert(
            fc.property(context, submitters, (ctx, subs) => {
                const doc = keyPolicyDocument({ ...params, encryptionContext: ctx, submitterArns: subs });
                assertOnlyKnownStatements(doc);
                assertServiceStatement(doc.Statement, {
                    applicationArn: APP_ARN,
                    applicationId: APP_ID,
                    accountId: ACCOUNT,
                });
                assertSubmitterStatements(doc.Statement, {
                    submitterArns: subs,
                    region: REGION,
                    encryptionContext: ctx,
                });
            }),
            { numRuns: 200 },
        );
    });
});
