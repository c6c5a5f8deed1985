import * as assert from "node:assert/strict";
import { dataOperations, grantReach, pinnedApplicationIds } from "../../policypack/judge";
import { APP_ID as APP } from "../../harness/fixtures";

/** A second application. */
const OTHER = "00fothercafe0000";

describe("judge: KMS grants", () => {
    it("data operations are the ones that take an encryption context (and CreateGrant), matched ignoring case", () => {
        assert.deepEqual(dataOperations(["Decrypt", "generatedatakey", "DescribeKey", "RetireGrant", "CreateGrant"]), [
            "Decrypt",
            "GenerateDataKey",
            "CreateGrant",
        ]);
        assert.deepEqual(dataOperations("ReEncryptFrom"), ["ReEncryptFrom"]);
        assert.deepEqual(dataOperations(["Sign", "Verify", "GetPublicKey", 7, null]), []);
    });

    it("a grant without data operations reaches no data, constrained or not", () => {
        assert.deepEqual(grantReach({ operations: ["DescribeKey", "RetireGrant"], constraints: undefined }), {
            kind: "no-data",
        });
        // CreateGrant alone: the grantee can only create grants with the operations it has.
        assert.deepEqual(grantReach({ operations: ["CreateGrant", "DescribeKey"], constraints: [] }), {
            kind: "no-data",
        });
    });

    it("no constraint, an empty one, or one without applicationId leaves the grant unpinned", () => {
        for (const constraints of [undefined, null, [], [{}], [{ encryptionContextSubset: {} }]]) {
            assert.deepEqual(grantReach({ operations: ["Decrypt"], constraints }), {
                kind: "unpinned",
                operations: ["Decrypt"],
                constrained: false,
            });
        }
        for (const constraints of [
            [{ encryptionContextSubset: { team: "analytics" } }],
            // One key written twice in other cases with two values: not one application.
            [{ encryptionContextEquals: { applicationId: APP, APPLICATIONID: "00other" } }],
            [{ encryptionContextEquals: { applicationId: "" } }],
            [{ encryptionContextEquals: { applicationId: [APP] } }],
        ]) {
            assert.equal(
                grantReach({ operations: ["Decrypt"], constraints }).kind,
                "unpinned",
                JSON.stringify(constraints),
            );
        }
    });

    it("a constraint on applicationId pins the grant to that application, with Equals or Subset", () => {
        assert.deepEqual(pinnedApplicationIds([{ encryptionContextSubset: { applicationId: APP } }]), [APP]);
        assert.deepEqual(pinnedApplicationIds({ encryptionContextEquals: { applicationId: APP, team: "x" } }), [APP]);
        // A constraint's keys are matched ignoring case (GrantConstraints reference); its values are not.
        assert.deepEqual(pinnedApplicationIds([{ encryptionContextEquals: { ApplicationId: APP } }]), [APP]);
        assert.deepEqual(pinnedApplicationIds([{ encryptionContextSubset: { APPLICATIONID: APP.toUpperCase() } }]), [
            APP.toUpperCase(),
        ]);
        assert.deepEqual(
            grantReach({
                operations: ["GenerateDataKey", "Decrypt", "CreateGrant"],
                constraints: [{ encryptionContextSubset: { applicationId: APP } }],
            }),
            { kind: "pinned", operations: ["GenerateDataKey", "Decrypt", "CreateGrant"], applicationIds: [APP] },
        );
    });

    it("several blocks: a kind pins only when each of its maps pins; both kinds hold together", () => {
        // One of two Subset maps lacks applicationId: a provider keeping only that one leaves it unpinned.
        assert.equal(
            pinnedApplicationIds([
                { encryptionContextSubset: { applicationId: APP } },
                { encryptionContextSubset: { team: "x" } },
            ]),
            undefined,
        );
        // Equals pins even though Subset does not: both constraints apply.
        assert.deepEqual(
            pinnedApplicationIds([
                { encryptionContextEquals: { applicationId: APP } },
                { encryptionContextSubset: { team: "x" } },
            ]),
            [APP],
        );
        // Two Subset maps pinning two applications: either may be the one kept.
        assert.deepEqual(
            pinnedApplicationIds([
                { encryptionContextSubset: { applicationId: APP } },
                { encryptionContextSubset: { applicationId: OTHER } },
            ]),
            [APP, OTHER],
        );
        // Equals and Subset pinning different applications: no request satisfies both.
        assert.deepEqual(
            pinnedApplicationIds([
                { encryptionContextEquals: { applicationId: APP }, encryptionContextSubset: { applicationId: OTHER } },
            ]),
            [],
        );
    });
});
