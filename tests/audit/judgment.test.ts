/**
 * The audit's principal checks (job roles and submitters), judged directly with {@link judgeKeyPolicy}:
 * cross-account principals, the job role's requests (no kms:ViaService), and the statements printed as fixes.
 */
import * as assert from "node:assert/strict";
import {
    PolicyDocument,
    PolicyStatement,
    encryptionContextConditions,
    serviceKeyPolicyStatement,
    submitterKeyPolicyStatements,
} from "../../components/keyPolicy";
import { jobRoleKeyGrantPolicy, submitterIamPolicy } from "../../components/jobRole";
import { APPLICATION_ID_CONTEXT_KEY, VIA_SERVICE_KEY, emrServerlessViaService } from "../../policypack/judge";
import { judgeKeyPolicy, parseApplicationArn, principalRequest, serviceRequest } from "../../audit/judgment";
import type { ApplicationRef } from "../../audit/judgment";
import type { AuditCheck } from "../../audit/report";
import { ACCOUNT, APP_ARN, APP_ID, KEY_ARN, REGION } from "./support";

const APP = parseApplicationArn(APP_ARN) as ApplicationRef;
const OTHER_ACCOUNT = "444455556666";
const FOREIGN_ROLE = `arn:aws:iam::${OTHER_ACCOUNT}:role/dev`;
const LOCAL_ROLE = `arn:aws:iam::${ACCOUNT}:role/emr-job-role`;
const LOCAL_SUBMITTER = `arn:aws:iam::${ACCOUNT}:role/job-submitter`;
const CONTEXT = { team: "analytics" };

/** A key policy with the service statement and `extra`, without an account-root statement. */
function policy(...extra: PolicyStatement[]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            serviceKeyPolicyStatement({ applicationArn: APP_ARN, applicationId: APP_ID, accountId: ACCOUNT }),
            ...extra,
        ],
    };
}

/** The AWS guide's job-role grant, written as a key policy statement: no conditions. */
function jobRoleStatement(role: string, condition?: PolicyStatement["Condition"]): PolicyStatement {
    return {
        Sid: "JobRole",
        Effect: "Allow",
        Principal: { AWS: role },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        ...(condition ? { Condition: condition } : {}),
    };
}

function principalCheck(
    doc: PolicyDocument,
    who: { jobRole?: string; submitter?: string },
    keyArn: string | null = KEY_ARN,
): AuditCheck {
    const { checks } = judgeKeyPolicy({
        policy: JSON.stringify(doc),
        application: APP,
        keyArn: keyArn ?? undefined,
        encryptionContext: CONTEXT,
        jobRoleArns: who.jobRole ? [who.jobRole] : [],
        submitterArns: who.submitter ? [who.submitter] : [],
    });
    const principal = who.jobRole ?? who.submitter;
    const found = checks.filter((c) => c.id === "principal" && c.principal === principal);
    assert.equal(found.length, 1, JSON.stringify(checks, null, 2));
    return found[0];
}

describe("audit judgment: cross-account principals", () => {
    it("a job role of another account granted directly by the key policy depends on its own IAM policy", () => {
        const c = principalCheck(policy(jobRoleStatement(FOREIGN_ROLE)), { jobRole: FOREIGN_ROLE });
        assert.equal(c.status, "depends", JSON.stringify(c));
        assert.match(c.message, /444455556666/);
        assert.match(c.message, /111122223333/);
        assert.match(c.message, /IAM polic/);
        assert.deepEqual(c.iamPolicyToAttach, jobRoleKeyGrantPolicy(KEY_ARN));
        assert.match(c.fix ?? "", /444455556666/);
    });

    it("a submitter of another account granted by the guide's statements depends on its own IAM policy", () => {
        const statements = submitterKeyPolicyStatements({
            submitterArns: [FOREIGN_ROLE],
            region: REGION,
            encryptionContext: CONTEXT,
        });
        const c = principalCheck(policy(...statements), { submitter: FOREIGN_ROLE });
        assert.equal(c.status, "depends", JSON.stringify(c));
        assert.match(c.message, /444455556666/);
        assert.deepEqual(c.iamPolicyToAttach, submitterIamPolicy({ keyArn: KEY_ARN, region: REGION }));
    });

    it("the same grants for principals of the key's own account pass", () => {
        assert.equal(principalCheck(policy(jobRoleStatement(LOCAL_ROLE)), { jobRole: LOCAL_ROLE }).status, "pass");
        const statements = submitterKeyPolicyStatements({
            submitterArns: [LOCAL_SUBMITTER],
            region: REGION,
            encryptionContext: CONTEXT,
        });
        assert.equal(principalCheck(policy(...statements), { submitter: LOCAL_SUBMITTER }).status, "pass");
    });

    it("the key's account comes from the key ARN, not the application's", () => {
        // Key in 444455556666 (shared with the application's account): the local role is the foreign one now.
        const foreignKey = KEY_ARN.replace(ACCOUNT, OTHER_ACCOUNT);
        const local = principalCheck(policy(jobRoleStatement(LOCAL_ROLE)), { jobRole: LOCAL_ROLE }, foreignKey);
        assert.equal(local.status, "depends");
        assert.deepEqual(local.iamPolicyToAttach, jobRoleKeyGrantPolicy(foreignKey));
        const foreign = principalCheck(policy(jobRoleStatement(FOREIGN_ROLE)), { jobRole: FOREIGN_ROLE }, foreignKey);
        assert.equal(foreign.status, "pass");
    });

    it("without a key ARN, a principal outside the application's account never passes", () => {
        const c = principalCheck(policy(jobRoleStatement(FOREIGN_ROLE)), { jobRole: FOREIGN_ROLE }, null);
        assert.equal(c.status, "depends");
        assert.match(c.fix ?? "", /--key-arn/);
        const local = principalCheck(policy(jobRoleStatement(LOCAL_ROLE)), { jobRole: LOCAL_ROLE }, null);
        assert.equal(local.status, "pass");
        assert.match(local.message, /--key-arn/);
    });

    it("a principal of another account without any grant fails, with the statement and the IAM policy to add", () => {
        const c = principalCheck(policy(), { jobRole: FOREIGN_ROLE });
        assert.equal(c.status, "fail");
        assert.ok(c.statementToAdd);
        assert.deepEqual(c.iamPolicyToAttach, jobRoleKeyGrantPolicy(KEY_ARN));
        assert.match(c.fix ?? "", /444455556666/);
    });

    it("an explicit Deny on a principal of another account still fails", () => {
        const deny: PolicyStatement = {
            Sid: "Deny",
            Effect: "Deny",
            Principal: { AWS: FOREIGN_ROLE },
            Action: "kms:Decrypt",
            Resource: "*",
        };
        const c = principalCheck(policy(jobRoleStatement(FOREIGN_ROLE), deny), { jobRole: FOREIGN_ROLE });
        assert.equal(c.status, "fail");
        assert.match(c.message, /explicitly denies/);
    });
});

describe("audit judgment: job role requests carry no kms:ViaService", () => {
    it("the job role's request has no kms:ViaService and carries the applicationId encryption context", () => {
        for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
            const req = principalRequest("job role", action, LOCAL_ROLE, APP, REGION, KEY_ARN, CONTEXT);
            const ctx = req.context ?? {};
            assert.ok(!(VIA_SERVICE_KEY in ctx), JSON.stringify(ctx));
            assert.equal(ctx[APPLICATION_ID_CONTEXT_KEY], APP_ID);
            assert.deepEqual(ctx["kms:EncryptionContextKeys"], ["applicationId"]);
            assert.equal(req.resource, KEY_ARN);
        }
    });

    it("the submitter's request keeps kms:ViaService and the custom encryption context", () => {
        const req = principalRequest("submitter", "kms:Decrypt", LOCAL_SUBMITTER, APP, REGION, KEY_ARN, CONTEXT);
        const ctx = req.context ?? {};
        assert.equal(ctx[VIA_SERVICE_KEY], emrServerlessViaService(REGION));
        assert.equal(ctx["kms:EncryptionContext:team"], "analytics");
        const describe = principalRequest("submitter", "kms:DescribeKey", LOCAL_SUBMITTER, APP, REGION, KEY_ARN);
        assert.ok(!("kms:EncryptionContextKeys" in (describe.context ?? {})));
    });

    it("a job-role grant that holds only via kms:ViaService does not pass", () => {
        const viaOnly = jobRoleStatement(LOCAL_ROLE, {
            StringEquals: { [VIA_SERVICE_KEY]: emrServerlessViaService(REGION) },
        });
        const c = principalCheck(policy(viaOnly), { jobRole: LOCAL_ROLE });
        assert.equal(c.status, "fail", JSON.stringify(c));
        assert.match(c.message, /without kms:ViaService/);
    });

    it("a job-role grant bound to the applicationId context passes; bound to another application it fails", () => {
        const bound = (id: string): PolicyStatement =>
            jobRoleStatement(LOCAL_ROLE, { StringEquals: { [APPLICATION_ID_CONTEXT_KEY]: id } });
        assert.equal(principalCheck(policy(bound(APP_ID)), { jobRole: LOCAL_ROLE }).status, "pass");
        assert.equal(principalCheck(policy(bound("00otherapp")), { jobRole: LOCAL_ROLE }).status, "fail");
    });

    it("prints an unconditioned job-role statement (no kms:ViaService), and with it added the role passes", () => {
        const doc = policy();
        const c = principalCheck(doc, { jobRole: LOCAL_ROLE });
        assert.equal(c.status, "fail");
        const st = c.statementToAdd as PolicyStatement;
        assert.ok(!Array.isArray(st));
        assert.deepEqual(st.Principal, { AWS: [LOCAL_ROLE] });
        assert.deepEqual(st.Action, ["kms:GenerateDataKey", "kms:Decrypt"]);
        assert.equal(st.Resource, "*");
        assert.equal(st.Effect, "Allow");
        assert.equal(st.Condition, undefined);
        assert.doesNotMatch(JSON.stringify(st), /kms:ViaService|ViaEmrServerless/);
        assert.equal(c.iamPolicyToAttach, undefined, "same account: the key policy grant suffices");
        doc.Statement.push(st);
        assert.equal(principalCheck(doc, { jobRole: LOCAL_ROLE }).status, "pass");
    });

    it("still prints the guide's kms:ViaService statements for a submitter", () => {
        const c = principalCheck(policy(), { submitter: LOCAL_SUBMITTER });
        assert.equal(c.status, "fail");
        assert.deepEqual(
            c.statementToAdd,
            submitterKeyPolicyStatements({
                submitterArns: [LOCAL_SUBMITTER],
                region: REGION,
                encryptionContext: CONTEXT,
            }),
        );
    });
});

describe("audit judgment: encryption context conditions", () => {
    it("the service's request carries exactly the component's encryption-context condition keys", () => {
        const req = serviceRequest("kms:Decrypt", APP, KEY_ARN, CONTEXT);
        const entries = Object.fromEntries(
            Object.entries(req.context ?? {}).filter(([k]) => k.startsWith("kms:EncryptionContext:")),
        );
        assert.deepEqual(entries, encryptionContextConditions({ ...CONTEXT, applicationId: APP_ID }));
    });
});
