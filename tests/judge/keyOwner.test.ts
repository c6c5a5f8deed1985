/**
 * The key's owner as the key policy tells it (accountPrincipals, ownerAccount) reads an account principal exactly as
 * the evaluator does: a value that grants the account nothing never makes that account the key's own.
 */
import assert from "node:assert/strict";
import { analyzeKeyPolicy, evaluateRequest, parsePolicyDocument, type ParsedPolicy } from "../../policypack/judge";
import { accountPrincipals, ownerAccount } from "../../policypack/judge/keyOwner";
import { ACCOUNT, APP_ARN, APP_ID, guideStatement, keyPolicy, type Statement } from "./fixtures";

const OTHER = "444455556666";
const OTHER_APP_ID = "00abc123";
const OTHER_APP_ARN = `arn:aws:emr-serverless:us-east-1:${OTHER}:/applications/${OTHER_APP_ID}`;

function allowAws(value: string, effect = "Allow"): Statement {
    return { Effect: effect, Principal: { AWS: value }, Action: "kms:DescribeKey", Resource: "*" };
}

function parsed(...statements: Statement[]): ParsedPolicy {
    const r = parsePolicyDocument({ Version: "2012-10-17", Statement: statements });
    assert.ok(r.policy, JSON.stringify(r.problems));
    return r.policy;
}

/** Whether the evaluator lets a role of `account` call DescribeKey under a policy naming `value` as AWS principal. */
function evaluatorGrantsAccount(value: string, account: string): boolean {
    const request = {
        principal: { type: "AWS" as const, id: `arn:aws:iam::${account}:role/SomeRole` },
        action: "kms:DescribeKey",
        context: {},
    };
    return evaluateRequest(parsed(allowAws(value)), request) === "Allow";
}

/** Values that name the whole account `OTHER` for IAM, in the evaluator's reading. */
const ACCOUNT_PRINCIPALS = [
    OTHER,
    `arn:aws:iam::${OTHER}:root`,
    `arn:aws-cn:iam::${OTHER}:root`,
    `arn:aws-us-gov:iam::${OTHER}:root`,
];

/** Values that mention `OTHER` but do not name the whole account. */
const NOT_ACCOUNT_PRINCIPALS = [
    `arn:aws:iam::${OTHER}`,
    `${OTHER}:root`,
    `arn:aws:iam::${OTHER}:`,
    `arn:aws:iam::${OTHER}:root/`,
    `arn:aws:iam::${OTHER}:ROOT`,
    `arn:aws:sts::${OTHER}:root`,
    `arn:aws:iam::${OTHER}:user/root`,
    `arn:aws:iam::${OTHER}:role/SomeRole/root`,
    `arn::iam::${OTHER}:root`,
    `iam::${OTHER}:root`,
    ` ${OTHER}`,
    `${OTHER} `,
    `${OTHER}0`,
    OTHER.slice(1),
    `\u0664${OTHER.slice(1)}`,
];

describe("judge: the key's owner from its account principals, as the evaluator reads them", () => {
    it("names the account of a bare account id or an account root ARN of any partition", () => {
        for (const value of ACCOUNT_PRINCIPALS) {
            assert.deepEqual(accountPrincipals(parsed(allowAws(value))), [OTHER], value);
            assert.equal(evaluatorGrantsAccount(value, OTHER), true, value);
        }
    });

    it("names no account for a value the evaluator does not take for the whole account", () => {
        for (const value of NOT_ACCOUNT_PRINCIPALS) {
            assert.deepEqual(accountPrincipals(parsed(allowAws(value))), [], value);
            assert.equal(evaluatorGrantsAccount(value, OTHER), false, value);
        }
    });

    it("agrees with the evaluator on every value: an account is the owner's exactly when it is granted whole", () => {
        for (const value of [...ACCOUNT_PRINCIPALS, ...NOT_ACCOUNT_PRINCIPALS]) {
            const named = accountPrincipals(parsed(allowAws(value)));
            assert.equal(named.includes(OTHER), evaluatorGrantsAccount(value, OTHER), value);
        }
    });

    it("reads Allow statements only, in document order, without repeats", () => {
        const policy = parsed(
            allowAws(`arn:aws:iam::${OTHER}:root`, "Deny"),
            allowAws(`arn:aws:iam::${ACCOUNT}:root`),
            allowAws(OTHER),
            allowAws(ACCOUNT),
        );
        assert.deepEqual(accountPrincipals(policy), [ACCOUNT, OTHER]);
    });

    it("does not guess the owner from a value that is not an account principal", () => {
        // The first AWS value mentions OTHER without naming it as the account: the owner is the root's account.
        for (const value of [`arn:aws:iam::${OTHER}`, `${OTHER}:root`]) {
            const policy = parsed(allowAws(value), allowAws(`arn:aws:iam::${ACCOUNT}:root`));
            assert.equal(ownerAccount(policy, {}), ACCOUNT, value);
        }
        assert.equal(ownerAccount(parsed(allowAws(OTHER), allowAws(ACCOUNT)), {}), OTHER);
    });

    it("flags a service grant bound to another account next to a value that only mentions it", () => {
        const foreign = guideStatement({
            ArnEquals: { "aws:SourceArn": OTHER_APP_ARN },
            StringEquals: { "aws:SourceAccount": OTHER, "kms:EncryptionContext:applicationId": OTHER_APP_ID },
        });
        for (const value of [`arn:aws:iam::${OTHER}`, `${OTHER}:root`]) {
            const a = analyzeKeyPolicy(keyPolicy(allowAws(value), foreign));
            const unbound = a.findings.filter((f) => f.kind === "service-unbound");
            assert.equal(unbound.length, 1, `${value}: ${JSON.stringify(a.findings, null, 1)}`);
            assert.match(unbound[0]?.message ?? "", new RegExp(`key's account "${ACCOUNT}"`), value);
        }
        // Named as an account principal, the other account is the key's own too, and the binding is clean.
        const named = analyzeKeyPolicy(keyPolicy(allowAws(`arn:aws:iam::${OTHER}:root`), foreign));
        assert.deepEqual(
            named.findings.filter((f) => f.kind === "service-unbound"),
            [],
        );
        // The key's own application stays clean whatever the other values are.
        const own = guideStatement({
            ArnEquals: { "aws:SourceArn": APP_ARN },
            StringEquals: { "aws:SourceAccount": ACCOUNT, "kms:EncryptionContext:applicationId": APP_ID },
        });
        assert.deepEqual(analyzeKeyPolicy(keyPolicy(allowAws(`arn:aws:iam::${OTHER}`), own)).findings, []);
    });
});
