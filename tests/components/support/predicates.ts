/**
 * Strict predicates over the policy documents the component builds. Each asserts every principal,
 * action, resource and condition (operator, key, value) the design requires, so removing or
 * loosening any single one of them fails (see the mutation tests).
 */
import * as assert from "node:assert/strict";
import type { PolicyDocument, PolicyStatement } from "../../../components/keyPolicy";

export { ACCOUNT, APP_ARN, APP_ID, KEY_ARN, REGION } from "../../../harness/fixtures";

function asList(v: string | string[] | undefined): string[] {
    return v === undefined ? [] : Array.isArray(v) ? [...v].sort() : [v];
}

function bySid(statements: PolicyStatement[], sid: string): PolicyStatement {
    const found = statements.filter((s) => s.Sid === sid);
    assert.equal(found.length, 1, `exactly one statement with Sid ${sid}`);
    return found[0];
}

/** The conditions of a statement as sorted "operator|key|value" triples. */
export function conditionTriples(s: PolicyStatement): string[] {
    const out: string[] = [];
    for (const [op, block] of Object.entries(s.Condition ?? {})) {
        for (const [key, value] of Object.entries(block)) {
            for (const v of asList(value)) {
                out.push(`${op}|${key}|${v}`);
            }
        }
    }
    return out.sort();
}

/** The service statement: emr-serverless only, GDK + Decrypt only, bound to the application, account and application id. */
export function assertServiceStatement(
    statements: PolicyStatement[],
    expected: { applicationArn: string; applicationId: string; accountId: string },
): void {
    const s = bySid(statements, "AllowEmrServerlessDiskEncryption");
    assert.equal(s.Effect, "Allow");
    assert.deepEqual(s.Principal, { Service: "emr-serverless.amazonaws.com" });
    assert.deepEqual(asList(s.Action), ["kms:Decrypt", "kms:GenerateDataKey"]);
    assert.equal(s.Resource, "*");
    assert.deepEqual(conditionTriples(s), [
        `StringEquals|aws:SourceAccount|${expected.accountId}`,
        `StringEquals|kms:EncryptionContext:applicationId|${expected.applicationId}`,
        `StringLike|aws:SourceArn|${expected.applicationArn}`,
    ]);
    // No other statement may grant the service principal anything.
    const others = statements.filter(
        (x) => x !== s && JSON.stringify(x.Principal ?? "").includes("emr-serverless.amazonaws.com"),
    );
    assert.deepEqual(others, [], "only one statement names the service principal");
}

/** The submitter statements: DescribeKey unconditioned; GDK/Decrypt bound by kms:ViaService and every context entry. */
export function assertSubmitterStatements(
    statements: PolicyStatement[],
    expected: { submitterArns: string[]; region: string; encryptionContext?: Record<string, string> },
): void {
    const describe = bySid(statements, "AllowSubmittersDescribeKey");
    assert.equal(describe.Effect, "Allow");
    assert.deepEqual(describe.Principal, { AWS: [...expected.submitterArns].sort() });
    assert.deepEqual(asList(describe.Action), ["kms:DescribeKey"]);
    assert.equal(describe.Resource, "*");
    assert.equal(describe.Condition, undefined);

    const use = bySid(statements, "AllowSubmittersUseKeyViaEmrServerless");
    assert.equal(use.Effect, "Allow");
    assert.deepEqual(use.Principal, { AWS: [...expected.submitterArns].sort() });
    assert.deepEqual(asList(use.Action), ["kms:Decrypt", "kms:GenerateDataKey"]);
    assert.equal(use.Resource, "*");
    const expectedTriples = [
        `StringEquals|kms:ViaService|emr-serverless.${expected.region}.amazonaws.com`,
        ...Object.entries(expected.encryptionContext ?? {}).map(
            ([k, v]) => `StringEquals|kms:EncryptionContext:${k}|${v}`,
        ),
    ].sort();
    assert.deepEqual(conditionTriples(use), expectedTriples);
}

/** The base statements: the account root keeps kms:*; administrators (if any) get management actions, not cryptography. */
export function assertBaseStatements(
    statements: PolicyStatement[],
    expected: { partition: string; accountId: string; administratorArns?: string[] },
): void {
    const root = bySid(statements, "EnableRootAccountControl");
    assert.equal(root.Effect, "Allow");
    assert.deepEqual(root.Principal, { AWS: `arn:${expected.partition}:iam::${expected.accountId}:root` });
    assert.deepEqual(asList(root.Action), ["kms:*"]);
    assert.equal(root.Resource, "*");
    assert.equal(root.Condition, undefined);
    const admins = statements.filter((s) => s.Sid === "AllowKeyAdministration");
    if ((expected.administratorArns ?? []).length === 0) {
        assert.equal(admins.length, 0);
        return;
    }
    assert.equal(admins.length, 1);
    const a = admins[0];
    assert.deepEqual(a.Principal, { AWS: [...(expected.administratorArns ?? [])].sort() });
    const actions = asList(a.Action);
    for (const crypto of ["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt", "kms:*"]) {
        assert.ok(!actions.includes(crypto), `administrators must not get ${crypto}`);
    }
    for (const needed of [
        "kms:Put*",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
        "kms:Enable*",
        "kms:Disable*",
    ]) {
        assert.ok(actions.includes(needed), `administrators need ${needed}`);
    }
}

/** No statement other than the known ones, and no Deny / NotPrincipal / wildcard principal. */
export function assertOnlyKnownStatements(doc: PolicyDocument): void {
    assert.equal(doc.Version, "2012-10-17");
    const known = new Set([
        "EnableRootAccountControl",
        "AllowKeyAdministration",
        "AllowEmrServerlessDiskEncryption",
        "AllowSubmittersDescribeKey",
        "AllowSubmittersUseKeyViaEmrServerless",
    ]);
    for (const s of doc.Statement) {
        assert.ok(s.Sid !== undefined && known.has(s.Sid), `unexpected statement ${JSON.stringify(s)}`);
        assert.notEqual(s.Principal, "*");
        assert.ok(!JSON.stringify(s.Principal).includes('"*"'), "no wildcard principal");
    }
}

/** The job role trust: EMR Serverless only, sts:AssumeRole only, bound to the account and this application. */
export function assertJobRoleTrust(doc: PolicyDocument, expected: { accountId: string; applicationArn: string }): void {
    assert.equal(doc.Version, "2012-10-17");
    assert.equal(doc.Statement.length, 1);
    const s = doc.Statement[0];
    assert.equal(s.Effect, "Allow");
    assert.deepEqual(s.Principal, { Service: "emr-serverless.amazonaws.com" });
    assert.deepEqual(asList(s.Action), ["sts:AssumeRole"]);
    assert.equal(s.Resource, undefined);
    assert.deepEqual(conditionTriples(s), [
        `ArnLike|aws:SourceArn|${expected.applicationArn}`,
        `ArnLike|aws:SourceArn|${expected.applicationArn}/*`,
        `StringEquals|aws:SourceAccount|${expected.accountId}`,
    ]);
}

/** The job role grant: GDK + Decrypt on the key ARN alone. */
export function assertJobRoleGrant(doc: PolicyDocument, keyArn: string): void {
    assert.equal(doc.Version, "2012-10-17");
    assert.equal(doc.Statement.length, 1);
    const s = doc.Statement[0];
    assert.equal(s.Effect, "Allow");
    assert.equal(s.Principal, undefined);
    assert.deepEqual(asList(s.Action), ["kms:Decrypt", "kms:GenerateDataKey"]);
    assert.equal(s.Resource, keyArn, "the grant's Resource is the key ARN, never *");
    assert.equal(s.Condition, undefined);
}

/** The submitters' IAM policy: DescribeKey on the key; GDK/Decrypt on the key via EMR Serverless. */
export function assertSubmitterIamPolicy(
    doc: PolicyDocument,
    expected: { keyArn: string; region: string; encryptionContext?: Record<string, string> },
): void {
    assert.equal(doc.Version, "2012-10-17");
    assert.equal(doc.Statement.length, 2);
    const [describe, use] = doc.Statement;
    assert.equal(describe.Effect, "Allow");
    assert.deepEqual(asList(describe.Action), ["kms:DescribeKey"]);
    assert.equal(describe.Resource, expected.keyArn);
    assert.equal(describe.Condition, undefined);
    assert.equal(use.Effect, "Allow");
    assert.deepEqual(asList(use.Action), ["kms:Decrypt", "kms:GenerateDataKey"]);
    assert.equal(use.Resource, expected.keyArn);
    assert.deepEqual(
        conditionTriples(use).sort(),
        [
            `StringEquals|kms:ViaService|emr-serverless.${expected.region}.amazonaws.com`,
            ...Object.entries(expected.encryptionContext ?? {}).map(
                ([k, v]) => `StringEquals|kms:EncryptionContext:${k}|${v}`,
            ),
        ].sort(),
    );
}

/**
 * Every single-condition removal of a document: for each statement, operator and key, a deep
 * copy with that one condition key removed (and the operator block removed when it empties).
 */
export function conditionRemovals(doc: PolicyDocument): { what: string; doc: PolicyDocument }[] {
    const out: { what: string; doc: PolicyDocument }[] = [];
    doc.Statement.forEach((s, i) => {
        for (const [op, block] of Object.entries(s.Condition ?? {})) {
            for (const key of Object.keys(block)) {
                const copy = JSON.parse(JSON.stringify(doc)) as PolicyDocument;
                const cond = copy.Statement[i].Condition as Record<string, Record<string, unknown>>;
                delete cond[op][key];
                if (Object.keys(cond[op]).length === 0) {
                    delete cond[op];
                }
                if (Object.keys(cond).length === 0) {
                    delete copy.Statement[i].Condition;
                }
                out.push({ what: `${s.Sid ?? `#${i}`}: ${op} ${key}`, doc: copy });
            }
        }
    });
    return out;
}
