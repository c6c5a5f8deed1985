/**
 * A service grant bound to another account's application: the key's own account is the expected
 * application's account when given, else the account of the key policy's account principals; a bound
 * aws:SourceAccount, or a bound aws:SourceArn whose account field, differs from it is service-unbound
 * (unless options.allowedSourceAccounts lists that account). A statement whose bound ARN and account
 * disagree can never be satisfied, and says so.
 */
import assert from "node:assert/strict";
import { AnalyzeOptions, KeyPolicyAnalysis, analyzeKeyPolicy } from "../../policypack/judge";
import { ACCOUNT, APP_ARN, APP_ID, SERVICE, Statement, guideStatement, keyPolicy } from "./fixtures";

const FOREIGN = "444455556666";
const THIRD = "777788889999";
const FOREIGN_APP_ID = "00abc123";
const FOREIGN_ARN = `arn:aws:emr-serverless:us-east-1:${FOREIGN}:/applications/${FOREIGN_APP_ID}`;

/** ArnEquals on a foreign application, its account and its id. */
function foreignStatement(arn = FOREIGN_ARN, account = FOREIGN, appId = FOREIGN_APP_ID): Statement {
    return guideStatement({
        ArnEquals: { "aws:SourceArn": arn },
        StringEquals: { "aws:SourceAccount": account, "kms:EncryptionContext:applicationId": appId },
    });
}

function rootOf(account: string, principal = `arn:aws:iam::${account}:root`): Statement {
    return { Sid: `root${account}`, Effect: "Allow", Principal: { AWS: principal }, Action: "kms:*", Resource: "*" };
}

function policyOf(...statements: Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

function unboundMessage(a: KeyPolicyAnalysis): string {
    const found = a.findings.filter((f) => f.kind === "service-unbound");
    assert.equal(found.length, 1, JSON.stringify(a.findings, null, 1));
    assert.equal(a.findings.length, 1, JSON.stringify(a.findings, null, 1));
    assert.match(found[0].fix, /\S/);
    return found[0].message + "\n" + found[0].fix;
}

function clean(doc: string, options: AnalyzeOptions = {}): void {
    const a = analyzeKeyPolicy(doc, options);
    assert.equal(a.grantsService, true);
    assert.deepEqual(a.findings, [], JSON.stringify(a.findings, null, 1));
}

describe("judge: service bindings to another account than the key's", () => {
    it("flags the review's repro: root of A plus a grant bound to account B's application", () => {
        const a = analyzeKeyPolicy(keyPolicy(foreignStatement()));
        const text = unboundMessage(a);
        assert.match(text, /Sid "AllowEmrServerless"/);
        assert.match(text, new RegExp(`aws:SourceAccount is bound to account "${FOREIGN}"`));
        assert.match(text, new RegExp(`an application of account "${FOREIGN}"`));
        assert.match(text, new RegExp(`key's account "${ACCOUNT}"`));
        assert.match(text, /that account's EMR Serverless applications can use this key/);
        assert.match(text, /bind aws:SourceArn and aws:SourceAccount to an application in the key's own account/);
        // The binding is still reported as what it is.
        assert.deepEqual(a.binding, {
            sourceArns: [FOREIGN_ARN],
            sourceAccounts: [FOREIGN],
            applicationIds: [FOREIGN_APP_ID],
        });
    });

    it("passes the same statement shape bound to the key's own account", () => {
        clean(keyPolicy(foreignStatement(APP_ARN, ACCOUNT, APP_ID)));
        clean(keyPolicy(guideStatement()));
    });

    it("infers the key's account from a bare 12-digit account principal too", () => {
        const doc = policyOf(rootOf(ACCOUNT, ACCOUNT), foreignStatement());
        assert.match(unboundMessage(analyzeKeyPolicy(doc)), new RegExp(`key's account "${ACCOUNT}"`));
        clean(policyOf(rootOf(ACCOUNT, ACCOUNT), foreignStatement(APP_ARN, ACCOUNT, APP_ID)));
    });

    it("flags a foreign SourceArn alone, and a foreign SourceAccount alone (with sourceAccountKeys alternatives)", () => {
        const arnOnly = guideStatement({
            ArnEquals: { "aws:SourceArn": FOREIGN_ARN },
            StringEquals: { "aws:SourceOrgID": "o-abc123", "kms:EncryptionContext:applicationId": FOREIGN_APP_ID },
        });
        const options = { sourceAccountKeys: ["aws:SourceAccount", "aws:SourceOrgID"] };
        const text = unboundMessage(analyzeKeyPolicy(keyPolicy(arnOnly), options));
        assert.match(text, new RegExp(`aws:SourceArn is bound to "${FOREIGN_ARN}", an application of account`));
        assert.doesNotMatch(text, /aws:SourceAccount is bound/);
        // An account bound through a Deny (StringNotEquals) is bound all the same, and judged the same.
        const loose = guideStatement({
            StringEquals: { "aws:SourceArn": APP_ARN, "kms:EncryptionContext:applicationId": APP_ID },
        });
        const deny = {
            Sid: "Pin",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:SourceAccount": FOREIGN } },
        };
        const pinned = unboundMessage(analyzeKeyPolicy(keyPolicy(loose, deny)));
        assert.match(pinned, new RegExp(`aws:SourceAccount is bound to account "${FOREIGN}"`));
        assert.match(pinned, /can never be used/);
    });

    it("uses the expected application's account over the document's principals", () => {
        const doc = keyPolicy(foreignStatement());
        // The key is declared to live in B: the B binding is the key's own.
        clean(doc, { expectedApplication: { account: FOREIGN } });
        clean(doc, { expectedApplication: { arn: FOREIGN_ARN, id: FOREIGN_APP_ID, account: FOREIGN } });
        // Declared in A: flagged, whatever the document's principals say.
        const text = unboundMessage(analyzeKeyPolicy(doc, { expectedApplication: { account: ACCOUNT } }));
        assert.match(text, new RegExp(`an application of account "${FOREIGN}"`));
        assert.match(text, /the application's account/);
        // Without principals the key's account is unknown: only an expected account enables the check.
        const bare = policyOf(foreignStatement());
        clean(bare);
        assert.match(
            unboundMessage(analyzeKeyPolicy(bare, { expectedApplication: { account: THIRD } })),
            new RegExp(`key's account "${THIRD}"`),
        );
        // A malformed expected account is ignored (falls back to the document's principals).
        assert.match(
            unboundMessage(analyzeKeyPolicy(doc, { expectedApplication: { account: "not-an-account" } })),
            new RegExp(`key's account "${ACCOUNT}"`),
        );
    });

    it("accepts any account the document names as an account principal, and no other", () => {
        const both = policyOf(rootOf(ACCOUNT), rootOf(FOREIGN), foreignStatement());
        clean(both);
        const third = policyOf(
            rootOf(ACCOUNT),
            rootOf(FOREIGN),
            foreignStatement(FOREIGN_ARN.replace(FOREIGN, THIRD), THIRD),
        );
        assert.match(unboundMessage(analyzeKeyPolicy(third)), new RegExp(`"${ACCOUNT}" or "${FOREIGN}"`));
        // An account principal in a Deny says nothing about the owner.
        const denyRoot = { ...rootOf(FOREIGN), Effect: "Deny", Action: "kms:ScheduleKeyDeletion" };
        assert.match(unboundMessage(analyzeKeyPolicy(keyPolicy(denyRoot, foreignStatement()))), /another|other than/);
    });

    it("allows accounts listed in options.allowedSourceAccounts, and only those", () => {
        const doc = keyPolicy(foreignStatement());
        clean(doc, { allowedSourceAccounts: [FOREIGN] });
        clean(doc, { allowedSourceAccounts: [THIRD, FOREIGN] });
        assert.match(unboundMessage(analyzeKeyPolicy(doc, { allowedSourceAccounts: [THIRD] })), /other than/);
        assert.match(unboundMessage(analyzeKeyPolicy(doc, { allowedSourceAccounts: [] })), /other than/);
        // An allowed account never excuses a binding to another application than the expected one.
        const expected = { account: ACCOUNT, arn: APP_ARN, id: APP_ID };
        const text = unboundMessage(
            analyzeKeyPolicy(doc, { allowedSourceAccounts: [FOREIGN], expectedApplication: expected }),
        );
        assert.match(text, /to another application/);
    });

    it("says a statement whose ARN account and SourceAccount disagree can never be used", () => {
        // ARN of B, account A (the key's): no request carries both.
        const a = analyzeKeyPolicy(keyPolicy(foreignStatement(FOREIGN_ARN, ACCOUNT)));
        const text = unboundMessage(a);
        assert.match(
            text,
            new RegExp(
                `can never be used by ${SERVICE.replace(/\./g, "\\.")}: aws:SourceArn is bound to an application of ` +
                    `account "${FOREIGN}" but aws:SourceAccount to "${ACCOUNT}"`,
            ),
        );
        assert.match(text, /grants the service nothing and jobs cannot use the key/);
        assert.match(text, /to the same application's ARN and account/);
        // It names the foreign ARN, but does not claim that account can use the key.
        assert.doesNotMatch(text, /that account's EMR Serverless applications can use this key/);
        // ARN of A, account B: the same, whichever is foreign; and with both accounts allowed, still inconsistent.
        const swapped = foreignStatement(APP_ARN, FOREIGN, APP_ID);
        assert.match(unboundMessage(analyzeKeyPolicy(keyPolicy(swapped))), /can never be used/);
        const allowed = analyzeKeyPolicy(keyPolicy(swapped), { allowedSourceAccounts: [FOREIGN] });
        const allowedText = unboundMessage(allowed);
        assert.match(allowedText, /can never be used/);
        assert.doesNotMatch(allowedText, /other than the key's account/);
    });

    it("gives cached and uncached answers alike across these options, in any order", () => {
        const docs = [
            keyPolicy(foreignStatement()),
            keyPolicy(foreignStatement(FOREIGN_ARN, ACCOUNT)),
            policyOf(foreignStatement()),
            policyOf(rootOf(ACCOUNT), rootOf(FOREIGN), foreignStatement()),
            keyPolicy(guideStatement()),
        ];
        const sets: AnalyzeOptions[] = [
            {},
            { expectedApplication: { account: FOREIGN } },
            { allowedSourceAccounts: [FOREIGN] },
            { expectedApplication: { account: ACCOUNT }, allowedSourceAccounts: [FOREIGN] },
            { expectedApplication: { account: THIRD } },
            { expectedApplication: { arn: FOREIGN_ARN, id: FOREIGN_APP_ID } },
        ];
        for (const order of [sets, [...sets].reverse()]) {
            for (const doc of docs) {
                // A fresh string each round so the first question of each order is uncached.
                const text = JSON.stringify(JSON.parse(doc), null, order === sets ? 1 : 2);
                const object: unknown = JSON.parse(doc);
                for (const options of order) {
                    assert.deepEqual(analyzeKeyPolicy(text, options), analyzeKeyPolicy(object, options));
                }
            }
        }
    });
});
