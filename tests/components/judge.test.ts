/**
 * The component's builders meet the policy pack's judge: what the component builds passes it, and
 * each single removal of a binding condition fails it with the right finding.
 */
import * as assert from "node:assert/strict";
import { analyzeKeyPolicy, FindingKind } from "../../policypack/judge";
import { keyPolicyDocument, requiredKeyPolicyStatements } from "../../components/keyPolicy";
import { ACCOUNT, APP_ARN, APP_ID, REGION, conditionRemovals } from "./support/predicates";

const params = {
    partition: "aws",
    accountId: ACCOUNT,
    administratorArns: ["arn:aws:iam::111122223333:role/security-admins"],
    applicationArn: APP_ARN,
    applicationId: APP_ID,
    region: REGION,
    submitterArns: ["arn:aws:iam::111122223333:role/data-engineers"],
    encryptionContext: { team: "analytics" },
};
const options = { region: REGION, expectedApplication: { arn: APP_ARN, id: APP_ID, account: ACCOUNT } };

describe("components: builders against the policy pack's judge", () => {
    it("the full key policy has no findings and binds the service to this application", () => {
        const analysis = analyzeKeyPolicy(JSON.stringify(keyPolicyDocument(params)), options);
        assert.deepEqual(analysis.findings, []);
        assert.equal(analysis.grantsService, true);
        assert.deepEqual(analysis.binding, {
            sourceArns: [APP_ARN],
            sourceAccounts: [ACCOUNT],
            applicationIds: [APP_ID],
        });
    });

    it("an existing key's policy with the required statements added has no findings", () => {
        const ownersPolicy = {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Root",
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                ...requiredKeyPolicyStatements(params),
            ],
        };
        assert.deepEqual(analyzeKeyPolicy(JSON.stringify(ownersPolicy), options).findings, []);
    });

    it("removing any one binding condition is a finding of the right kind", () => {
        const expected: Record<string, FindingKind> = {
            "AllowEmrServerlessDiskEncryption: StringLike aws:SourceArn": "service-unbound",
            "AllowEmrServerlessDiskEncryption: StringEquals kms:EncryptionContext:applicationId": "service-unbound",
            "AllowEmrServerlessDiskEncryption: StringEquals aws:SourceAccount": "service-unbound",
            "AllowSubmittersUseKeyViaEmrServerless: StringEquals kms:ViaService": "submitter-not-via-service",
        };
        const seen: string[] = [];
        for (const { what, doc } of conditionRemovals(keyPolicyDocument(params))) {
            if (!(what in expected)) {
                continue; // context entries: the component's own predicate covers them (builders.test.ts)
            }
            seen.push(what);
            const kinds = analyzeKeyPolicy(JSON.stringify(doc), options).findings.map((f) => f.kind);
            assert.ok(kinds.includes(expected[what]), `${what}: ${kinds.join(", ")}`);
        }
        assert.deepEqual(seen.sort(), Object.keys(expected).sort());
    });
});
