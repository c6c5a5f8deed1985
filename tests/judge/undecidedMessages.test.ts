/**
 * The "could not decide" finding (documentIndex.ts, undecidedFinding): for each construct outside the exact
 * search's model it names the question, the statement asked of, the construct and the statements holding it, and a
 * fix that points at the statement to edit and says what to write there.
 */
import * as assert from "node:assert/strict";
import { analyzeKeyPolicy, Finding, parsePolicyDocument } from "../../policypack/judge";
import { DocumentIndex, isUndecidedFinding, undecidedFinding } from "../../policypack/judge/documentIndex";
import { UnsettledCoupling } from "../../policypack/judge/witness";
import { ACCOUNT, APP_ARN, KEY_ARN } from "../../harness/fixtures";
import { guideStatement, rootStatement, Statement } from "./fixtures";

const OPEN: Statement = { Sid: "Open", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" };

function undecided(statements: Statement[]): Finding[] {
    const doc = { Version: "2012-10-17", Statement: [rootStatement, ...statements] };
    const a = analyzeKeyPolicy(doc, { keyArn: KEY_ARN, region: "us-east-1" });
    const out = a.findings.filter(isUndecidedFinding);
    assert.ok(out.length > 0, `no question left undecided: ${JSON.stringify(a.findings)}`);
    for (const f of out) {
        assert.equal(f.kind, "malformed");
        assert.match(f.message, /the key policy is not accepted/);
        assert.doesNotMatch(f.message, /work limit|too complex/);
    }
    return out;
}

describe("judge: a question the exact search could not decide is reported with the construct and a fix", () => {
    it("a Deny's Resource reading two varied keys: the fix names the Deny, not the Allow asked of", () => {
        const guard = {
            Sid: "Guard",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:*",
            Resource: "arn:aws:kms:us-east-1:${aws:PrincipalAccount}:key/${aws:username}",
        };
        const [f] = undecided([guideStatement(), OPEN, guard]);
        assert.match(f.message, /under Sid "Open": Sid "Guard"'s Resource reads aws:principalaccount and aws:username/);
        assert.match(f.fix ?? "", /^In Sid "Guard", write the key's ARN \(or "\*"\) in Resource/);
    });

    it("a condition on aws:ResourceAccount reading two varied keys: the fix is about the condition, not Resource", () => {
        const open = {
            ...OPEN,
            Condition: { StringEquals: { "aws:ResourceAccount": "${aws:PrincipalAccount}${aws:username}" } },
        };
        const [f] = undecided([guideStatement(), open]);
        assert.match(f.message, /a condition on aws:ResourceAccount reads aws:principalaccount and aws:username/);
        assert.match(
            f.fix ?? "",
            /^In Sid "Open", write the values the policy variables stand for in the condition on aws:resourceaccount as literals/,
        );
        assert.doesNotMatch(f.fix ?? "", /in Resource/);
    });

    it("a variable reading a key of several values: the fix names the variable's key, not a condition on it", () => {
        const service = guideStatement();
        service.Sid = "Svc";
        service.Condition = {
            StringLike: { "aws:SourceArn": APP_ARN },
            StringEquals: {
                "aws:SourceAccount": ACCOUNT,
                "kms:EncryptionContext:applicationId": "${kms:EncryptionContextKeys}",
            },
        };
        const [f] = undecided([service]);
        assert.match(
            f.message,
            /under Sid "Svc": a policy variable reads kms:encryptioncontextkeys, a key of several values \(in Sid "Svc"\)/,
        );
        assert.match(
            f.fix ?? "",
            /^In Sid "Svc", write a literal value instead of the policy variable that reads kms:encryptioncontextkeys/,
        );
        assert.doesNotMatch(f.fix ?? "", /condition on kms:encryptioncontextkeys/);
    });

    it("a coupling the search cannot settle names the statements with policy variables, and is no work-limit problem", () => {
        const doc = {
            Version: "2012-10-17",
            Statement: [
                rootStatement,
                { ...OPEN, Condition: { StringEquals: { "kms:EncryptionContext:a": "${kms:EncryptionContext:b}" } } },
                {
                    Sid: "Plain",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "kms:*",
                    Resource: "*",
                    Condition: { StringEquals: { "kms:EncryptionContext:c": "x" } },
                },
                {
                    Sid: "Guard",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "kms:*",
                    Resource: "*",
                    Condition: { StringLike: { "kms:EncryptionContext:b": "*${kms:EncryptionContext:a}*" } },
                },
            ],
        };
        const policy = parsePolicyDocument(doc).policy!;
        const index = new DocumentIndex(policy, ACCOUNT, KEY_ARN);
        const reason =
            "a condition whose policy variables couple two keys the question varies, in a way the search cannot settle";
        const answer = index.decide(
            "whether a principal of another account may use the key",
            policy.statements[1],
            () => {
                throw new UnsettledCoupling(reason);
            },
            "undecided",
        );
        assert.equal(answer, "undecided");
        assert.equal(index.exhausted, false, "a coupling is not the work limit");
        const f = undecidedFinding(index.undecided[0]);
        assert.ok(isUndecidedFinding(f));
        assert.match(
            f.message,
            /under Sid "Open": a condition whose policy variables couple two keys .* \(in Sid "Open", Sid "Guard"\)\./,
        );
        assert.doesNotMatch(f.message, /Plain|work limit|too complex/);
        assert.match(
            f.fix ?? "",
            /^In Sid "Open", Sid "Guard", write the values the policy variables stand for as literals/,
        );
    });
});
