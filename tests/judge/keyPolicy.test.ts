import assert from "node:assert/strict";
import { FindingKind, KeyPolicyAnalysis, UNKNOWN_STRING, analyzeKeyPolicy } from "../../policypack/judge";
import { ACCOUNT, APP_ARN, APP_ID, SERVICE, guideStatement, keyPolicy, rootStatement } from "./fixtures";

function kinds(a: KeyPolicyAnalysis): FindingKind[] {
    return a.findings.map((f) => f.kind);
}

function unbound(a: KeyPolicyAnalysis): string {
    const f = a.findings.filter((x) => x.kind === "service-unbound");
    assert.equal(f.length, 1, `expected one service-unbound finding, got ${JSON.stringify(a.findings)}`);
    return f[0].message;
}

function passes(doc: unknown, options = {}): KeyPolicyAnalysis {
    const a = analyzeKeyPolicy(doc, options);
    assert.equal(a.parsed, true);
    assert.equal(a.grantsService, true);
    assert.deepEqual(a.findings, [], JSON.stringify(a.findings, null, 1));
    return a;
}

const ARN = "aws:SourceArn";
const ACC = "aws:SourceAccount";
const CTX = "kms:EncryptionContext:applicationId";

describe("judge: analyzeKeyPolicy - well-bound service grants pass", () => {
    it("passes the AWS guide's own service statement and reports the binding", () => {
        const a = passes(keyPolicy(guideStatement()));
        assert.deepEqual(a.binding, { sourceArns: [APP_ARN], sourceAccounts: [ACCOUNT], applicationIds: [APP_ID] });
    });
    it("passes the component-style statement with StringEquals everywhere", () => {
        passes(keyPolicy(guideStatement({ StringEquals: { [ARN]: APP_ARN, [ACC]: ACCOUNT, [CTX]: APP_ID } })));
    });
    it("passes values written as one-element lists", () => {
        passes(keyPolicy(guideStatement({ StringEquals: { [ARN]: [APP_ARN], [ACC]: [ACCOUNT], [CTX]: [APP_ID] } })));
    });
    it("passes ArnEquals and ArnLike with a literal ARN", () => {
        for (const op of ["ArnEquals", "ArnLike"]) {
            passes(
                keyPolicy(
                    guideStatement({ [op]: { [ARN]: APP_ARN }, StringEquals: { [ACC]: ACCOUNT, [CTX]: APP_ID } }),
                ),
            );
        }
    });
    it("passes condition keys spelled in other cases", () => {
        passes(
            keyPolicy(
                guideStatement({
                    StringEquals: {
                        "AWS:SOURCEARN": APP_ARN,
                        "aws:sourceaccount": ACCOUNT,
                        "KMS:EncryptionContext:ApplicationId": APP_ID,
                    },
                }),
            ),
        );
    });
    it("passes an object document as well as a string, and accepts a single Statement object", () => {
        passes({ Version: "2012-10-17", Statement: guideStatement() });
    });
    it("passes a statement that is bound only by a whole-document Deny with StringNotEquals", () => {
        const open = {
            Sid: "Loose",
            Effect: "Allow",
            Principal: { Service: SERVICE },
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: "*",
        };
        const deny = {
            Sid: "Pin",
            Effect: "Deny",
            Principal: { Service: SERVICE },
            Action: "kms:*",
            Resource: "*",
            Condition: { StringNotEquals: { [ARN]: APP_ARN, [ACC]: ACCOUNT, [CTX]: APP_ID } },
        };
        // Three keys in one StringNotEquals block AND together: the Deny applies only when all three differ,
        // so this does NOT bind. One Deny per key does.
        const weak = analyzeKeyPolicy(keyPolicy(open, deny));
        assert.match(unbound(weak), /Sid "Loose"/);
        const denies = [ARN, ACC, CTX].map((k, i) => ({
            ...deny,
            Sid: `Pin${i}`,
            Condition: { StringNotEquals: { [k]: k === ARN ? APP_ARN : k === ACC ? ACCOUNT : APP_ID } },
        }));
        passes(keyPolicy(open, ...denies));
    });
    it("passes aws:SourceAccount bound by the ${aws:ResourceAccount} policy variable, in an Allow or in a Deny", () => {
        const st = guideStatement({ StringEquals: { [ARN]: APP_ARN, [ACC]: "${aws:ResourceAccount}", [CTX]: APP_ID } });
        const a = passes(keyPolicy(st));
        assert.deepEqual(a.binding!.sourceAccounts, [ACCOUNT]);
        const loose = guideStatement({ StringEquals: { [ARN]: APP_ARN, [CTX]: APP_ID } });
        const deny = {
            Sid: "Perimeter",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:*",
            Resource: "*",
            Condition: { StringNotEquals: { [ACC]: "${aws:ResourceAccount}" } },
        };
        passes(keyPolicy(loose, deny));
        // With an expected account that differs from the key's, the variable resolves to the expected one:
        // then the ARN (of account 111122223333) and the account (444455556666) can never both hold.
        const other = analyzeKeyPolicy(keyPolicy(st), { expectedApplication: { account: "444455556666" } });
        assert.deepEqual(other.binding!.sourceAccounts, ["444455556666"]);
        assert.match(
            unbound(other),
            /can never be used by .*aws:SourceArn is bound to an application of account "111122223333" but aws:SourceAccount to "444455556666"/,
        );
        const otherArn = APP_ARN.replace(ACCOUNT, "444455556666");
        const moved = guideStatement({
            StringEquals: { [ARN]: otherArn, [ACC]: "${aws:ResourceAccount}", [CTX]: APP_ID },
        });
        passes(keyPolicy(moved), { expectedApplication: { account: "444455556666" } });
    });
    it("accepts another account key when options.sourceAccountKeys allows it", () => {
        const st = guideStatement({ StringEquals: { [ARN]: APP_ARN, "aws:SourceOrgID": "o-abc123", [CTX]: APP_ID } });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(st))), /aws:SourceAccount/);
        passes(keyPolicy(st), { sourceAccountKeys: ["aws:SourceAccount", "aws:SourceOrgID"] });
    });
    it("does not require the encryption-context binding when told so", () => {
        const st = guideStatement({ StringEquals: { [ARN]: APP_ARN, [ACC]: ACCOUNT } });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(st))), /kms:EncryptionContext:applicationId/);
        passes(keyPolicy(st), { requireEncryptionContextBinding: false });
    });
    it("passes when the expected application matches", () => {
        passes(keyPolicy(guideStatement()), { expectedApplication: { arn: APP_ARN, id: APP_ID, account: ACCOUNT } });
    });
    it("passes two applications sharing a key, each statement bound to its own, and lists both", () => {
        const app2 = APP_ARN.replace(APP_ID, "00second");
        const second = {
            ...guideStatement({ StringEquals: { [ARN]: app2, [ACC]: ACCOUNT, [CTX]: "00second" } }),
            Sid: "Second",
        };
        const a = passes(keyPolicy(guideStatement(), second));
        assert.deepEqual(a.binding!.sourceArns, [APP_ARN, app2]);
        // Knowing which application this stack deploys, the other statement binds to another application.
        const b = analyzeKeyPolicy(keyPolicy(guideStatement(), second), {
            expectedApplication: { arn: APP_ARN, id: APP_ID },
        });
        assert.match(unbound(b), /Sid "Second" binds .* another application/);
    });
    it('judges by meaning: Principal "*" pinned to the service by aws:PrincipalServiceName is a service grant', () => {
        const st = {
            ...guideStatement(),
            Principal: "*",
            Condition: {
                StringEquals: { "aws:PrincipalServiceName": SERVICE, [ARN]: APP_ARN, [ACC]: ACCOUNT, [CTX]: APP_ID },
            },
        };
        passes(keyPolicy(st));
        const loose = { ...st, Condition: { StringEquals: { "aws:PrincipalServiceName": SERVICE } } };
        const a = analyzeKeyPolicy(keyPolicy(loose));
        assert.deepEqual(kinds(a), ["service-unbound"]); // not open: a foreign IAM principal has no service name
    });
    it("reports grantsService false (and no findings) when only the root statement exists", () => {
        const a = analyzeKeyPolicy(keyPolicy());
        assert.equal(a.grantsService, false);
        assert.deepEqual(a.findings, []);
    });
});

describe("judge: analyzeKeyPolicy - weakened service grants fail", () => {
    const full = { StringLike: { [ARN]: APP_ARN }, StringEquals: { [CTX]: APP_ID, [ACC]: ACCOUNT } };
    it("flags each single binding condition removed, naming the key and the statement", () => {
        for (const [key, cond] of [
            [ARN, { StringEquals: { [CTX]: APP_ID, [ACC]: ACCOUNT } }],
            [ACC, { StringLike: { [ARN]: APP_ARN }, StringEquals: { [CTX]: APP_ID } }],
            [CTX, { StringLike: { [ARN]: APP_ARN }, StringEquals: { [ACC]: ACCOUNT } }],
        ] as const) {
            const msg = unbound(analyzeKeyPolicy(keyPolicy(guideStatement(cond))));
            assert.ok(msg.includes(key), msg);
            assert.ok(msg.includes(`Sid "AllowEmrServerless"`), msg);
            for (const other of [ARN, ACC, CTX].filter((k) => k !== key)) {
                assert.ok(
                    !msg.includes(`binding ${other}`) && !msg.includes(`, ${other}`),
                    `${other} wrongly named: ${msg}`,
                );
            }
        }
    });
    it("flags a statement with no condition at all", () => {
        const msg = unbound(analyzeKeyPolicy(keyPolicy(guideStatement({}))));
        assert.match(msg, /aws:SourceArn, aws:SourceAccount, kms:EncryptionContext:applicationId/);
    });
    it("flags ...IfExists", () => {
        const st = guideStatement({
            StringLikeIfExists: { [ARN]: APP_ARN },
            StringEquals: { [CTX]: APP_ID, [ACC]: ACCOUNT },
        });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(st))), /without aws:SourceArn/);
    });
    it("flags StringNotEquals alone", () => {
        const st = guideStatement({
            StringNotEquals: { [ACC]: "999999999999" },
            StringEquals: { [CTX]: APP_ID },
            ArnEquals: { [ARN]: APP_ARN },
        });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(st))), /aws:SourceAccount/);
    });
    it("flags wildcard patterns that match any application", () => {
        for (const pattern of [
            "*",
            "arn:aws:emr-serverless:*:*:/applications/*",
            `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/00fabc*`,
            `${APP_ARN.slice(0, -1)}?`,
        ]) {
            for (const op of ["StringLike", "ArnLike"]) {
                const st = guideStatement({
                    [op]: { [ARN]: pattern },
                    StringEquals: { [CTX]: APP_ID, [ACC]: ACCOUNT },
                });
                assert.match(unbound(analyzeKeyPolicy(keyPolicy(st))), /aws:SourceArn/, `${op} ${pattern}`);
            }
        }
        const ctx = guideStatement({
            ...full,
            StringLike: { [ARN]: APP_ARN, [CTX]: "00f*" },
            StringEquals: { [ACC]: ACCOUNT },
        });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(ctx))), /kms:EncryptionContext:applicationId/);
    });
    it("flags two values for one key", () => {
        const st = guideStatement({ ...full, StringEquals: { [CTX]: APP_ID, [ACC]: [ACCOUNT, "444455556666"] } });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(st))), /aws:SourceAccount = "444455556666" is also allowed/);
    });
    it("binds with StringEqualsIgnoreCase on one application ARN or id: real ARNs and ids are lower-case", () => {
        for (const arn of [APP_ARN, APP_ARN.toUpperCase()]) {
            const st = guideStatement({
                StringEqualsIgnoreCase: { [ARN]: arn, [CTX]: APP_ID.toUpperCase() },
                StringEquals: { [ACC]: ACCOUNT },
            });
            const a = passes(keyPolicy(st), { expectedApplication: { arn: APP_ARN, id: APP_ID, account: ACCOUNT } });
            // The bound values are the ones the service sends: lower-case.
            assert.deepEqual(a.binding, { sourceArns: [APP_ARN], sourceAccounts: [ACCOUNT], applicationIds: [APP_ID] });
        }
    });
    it("flags StringEqualsIgnoreCase whose values fold to two applications", () => {
        const other = APP_ARN.replace(APP_ID, "00otherapp");
        const st = guideStatement({
            StringEqualsIgnoreCase: { [ARN]: [APP_ARN, other.toUpperCase()] },
            StringEquals: { [CTX]: APP_ID, [ACC]: ACCOUNT },
        });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(st))), /aws:SourceArn = "arn:aws:emr-serverless:.*00otherapp"/);
    });
    it("counts a case-sensitive binding to an upper-cased ARN as no grant: the service sends the lower-case ARN", () => {
        const st = guideStatement({ StringEquals: { [ARN]: APP_ARN.toUpperCase(), [CTX]: APP_ID, [ACC]: ACCOUNT } });
        const a = analyzeKeyPolicy(keyPolicy(st));
        assert.equal(a.grantsService, false);
        assert.deepEqual(a.findings, []);
    });
    it("flags ForAnyValue with a list of applications and ForAllValues (missing key)", () => {
        const other = APP_ARN.replace(APP_ID, "00otherapp");
        const any = guideStatement({
            "ForAnyValue:StringEquals": { [ARN]: [APP_ARN, other] },
            StringEquals: { [CTX]: APP_ID, [ACC]: ACCOUNT },
        });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(any))), /aws:SourceArn/);
        const all = guideStatement({
            "ForAllValues:StringEquals": { [ARN]: APP_ARN },
            StringEquals: { [CTX]: APP_ID, [ACC]: ACCOUNT },
        });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(all))), /without aws:SourceArn/);
    });
    it("flags Null alone", () => {
        const st = guideStatement({ Null: { [ARN]: "false" }, StringEquals: { [CTX]: APP_ID, [ACC]: ACCOUNT } });
        assert.match(unbound(analyzeKeyPolicy(keyPolicy(st))), /aws:SourceArn/);
    });
    it("flags a Deny pin that lets the key be absent (ForAnyValue:StringNotEquals), not one that denies absence", () => {
        const open = guideStatement({ StringEquals: { [CTX]: APP_ID, [ACC]: ACCOUNT } });
        const deny = (op: string) => ({
            Effect: "Deny",
            Principal: "*",
            Action: "kms:*",
            Resource: "*",
            Condition: { [op]: { [ARN]: APP_ARN } },
        });
        // ForAnyValue with a missing key is false, so the Deny does not apply to a request without aws:SourceArn.
        assert.match(
            unbound(analyzeKeyPolicy(keyPolicy(open, deny("ForAnyValue:StringNotEquals")))),
            /without aws:SourceArn/,
        );
        // StringNotEquals(IfExists) with a missing key is true, so the Deny also refuses a request without it: bound.
        passes(keyPolicy(open, deny("StringNotEqualsIfExists")));
        passes(keyPolicy(open, deny("StringNotEquals")));
    });
    it("flags a binding to another application when the expected one is given", () => {
        const a = analyzeKeyPolicy(keyPolicy(guideStatement()), {
            expectedApplication: { arn: APP_ARN.replace(APP_ID, "00zzz"), id: "00zzz" },
        });
        const msg = unbound(a);
        assert.match(msg, /another application/);
        assert.ok(msg.includes("00zzz") && msg.includes(APP_ID), msg);
        const acc = analyzeKeyPolicy(keyPolicy(guideStatement()), { expectedApplication: { account: "444455556666" } });
        assert.match(unbound(acc), /444455556666/);
    });
    it("reports an unbound key and a binding to another application in one finding for the statement", () => {
        const st = guideStatement({ StringEquals: { [ARN]: APP_ARN, [ACC]: ACCOUNT } });
        const msg = unbound(
            analyzeKeyPolicy(keyPolicy(st), { expectedApplication: { arn: APP_ARN.replace(APP_ID, "00zzz") } }),
        );
        assert.match(msg, /without binding kms:EncryptionContext:applicationId.*another application.*00zzz/);
    });
    it("flags NotPrincipal Allow (and its unbound grant to the service)", () => {
        const st = {
            Effect: "Allow",
            NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/blocked` },
            Action: "kms:Decrypt",
            Resource: "*",
        };
        const a = analyzeKeyPolicy(keyPolicy(st));
        assert.ok(kinds(a).includes("not-principal-allow"));
        assert.ok(kinds(a).includes("service-unbound"));
        assert.match(a.findings.find((f) => f.kind === "not-principal-allow")!.message, /statement #2/);
    });
    it("flags kms:* to the service as service-overgrant, naming extra actions, and not the guide's two actions", () => {
        const a = analyzeKeyPolicy(keyPolicy({ ...guideStatement(), Action: "kms:*" }));
        assert.deepEqual(kinds(a), ["service-overgrant"]);
        assert.match(a.findings[0].message, /kms:Encrypt/);
        const b = analyzeKeyPolicy(keyPolicy({ ...guideStatement(), Action: ["kms:Decrypt", "kms:GenerateDataKey*"] }));
        assert.deepEqual(kinds(b), ["service-overgrant"]);
        assert.match(b.findings[0].message, /GenerateDataKeyWithoutPlaintext/);
    });
});

describe("judge: analyzeKeyPolicy - open grants and submitters", () => {
    const everyone = (principal: unknown, condition?: Record<string, unknown>) => ({
        Sid: "Everyone",
        Effect: "Allow",
        Principal: principal,
        Action: ["kms:Encrypt", "kms:Decrypt"],
        Resource: "*",
        ...(condition ? { Condition: condition } : {}),
    });
    it('flags "*", {"AWS": "*"} and a list containing "*" without caller conditions', () => {
        for (const p of ["*", { AWS: "*" }, { AWS: [`arn:aws:iam::${ACCOUNT}:role/a`, "*"] }]) {
            const a = analyzeKeyPolicy(keyPolicy(everyone(p)));
            assert.ok(kinds(a).includes("open-grant"), JSON.stringify(p));
            // The message shows a witness: a principal of an account other than the key's.
            const message = a.findings.find((f) => f.kind === "open-grant")!.message;
            assert.match(message, /Sid "Everyone".*\(as arn:aws:(iam|sts)::(\d{12}):/);
            assert.doesNotMatch(message, new RegExp(`\\(as arn:aws:(iam|sts)::${ACCOUNT}:`));
        }
    });
    it("does not flag an open grant pinned by kms:CallerAccount or aws:PrincipalOrgID", () => {
        for (const cond of [
            { StringEquals: { "kms:CallerAccount": ACCOUNT } },
            { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
        ]) {
            const a = analyzeKeyPolicy(keyPolicy(everyone("*", cond)));
            assert.ok(!kinds(a).includes("open-grant"), JSON.stringify(a.findings));
        }
    });
    it("flags an open grant whose caller condition is negated, IfExists or only encryption context", () => {
        for (const cond of [
            { StringNotEquals: { "kms:CallerAccount": "444455556666" } },
            { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-abc123" } },
            { StringEquals: { "kms:EncryptionContext:team": "data" } },
        ]) {
            assert.ok(
                kinds(analyzeKeyPolicy(keyPolicy(everyone("*", cond)))).includes("open-grant"),
                JSON.stringify(cond),
            );
        }
    });
    const submitter = (condition?: Record<string, unknown>) => ({
        Sid: "Submitter",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/submitter` },
        Action: ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        ...(condition ? { Condition: condition } : {}),
    });
    it("flags a submitter without kms:ViaService, or with a pattern that allows other services", () => {
        for (const cond of [
            undefined,
            { StringLike: { "kms:ViaService": "*.amazonaws.com" } },
            { StringEqualsIfExists: { "kms:ViaService": "emr-serverless.us-east-1.amazonaws.com" } },
        ]) {
            const a = analyzeKeyPolicy(keyPolicy(guideStatement(), submitter(cond)));
            assert.deepEqual(kinds(a), ["submitter-not-via-service"], JSON.stringify(cond));
            assert.match(a.findings[0].message, /Sid "Submitter".*role\/submitter/);
        }
    });
    it("passes a submitter bound by kms:ViaService, and exempts the account root", () => {
        passes(
            keyPolicy(
                guideStatement(),
                submitter({ StringEquals: { "kms:ViaService": "emr-serverless.us-east-1.amazonaws.com" } }),
            ),
        );
        passes(keyPolicy(guideStatement(), { ...rootStatement, Principal: { AWS: ACCOUNT } }));
    });
    it("with options.region, flags kms:ViaService for another region", () => {
        const st = submitter({ StringLike: { "kms:ViaService": "emr-serverless.*.amazonaws.com" } });
        passes(keyPolicy(guideStatement(), st));
        const a = analyzeKeyPolicy(keyPolicy(guideStatement(), st), { region: "us-east-1" });
        assert.deepEqual(kinds(a), ["submitter-not-via-service"]);
        assert.match(a.findings[0].fix, /emr-serverless\.us-east-1\.amazonaws\.com/);
    });
});

describe("judge: analyzeKeyPolicy - the open-grant question asks about the actions KMS has on a key", () => {
    const open = (action: string): unknown =>
        keyPolicy(guideStatement(), { Sid: "Open", Effect: "Allow", Principal: "*", Action: action, Resource: "*" });
    it("an action name KMS does not have, or one of another service or not on a key, grants nothing", () => {
        for (const action of [
            "kms:NoSuchAction",
            "kms:Decrypt ",
            "s3:GetObject",
            "kms:GenerateRandom",
            "kms:ListKeys",
        ]) {
            assert.deepEqual(kinds(analyzeKeyPolicy(open(action))), [], action);
        }
    });
    it("any spelling of a real key action, and wildcards over them, are open grants", () => {
        for (const action of ["KMS:DECRYPT", "kms:Verify*", "kms:ReplicateKey", "kms:Untag*", "kms:*"]) {
            assert.ok(kinds(analyzeKeyPolicy(open(action))).includes("open-grant"), action);
        }
    });
});

describe("judge: analyzeKeyPolicy - malformed and unknown input", () => {
    it("never throws and reports malformed input", () => {
        for (const doc of [
            "{not json",
            42,
            null,
            undefined,
            [],
            "[]",
            { Statement: 3 },
            { Statement: [{ Effect: "Permit" }] },
        ]) {
            const a = analyzeKeyPolicy(doc);
            assert.ok(kinds(a).includes("malformed"), JSON.stringify(doc));
            assert.ok(a.findings.every((f) => f.message.length > 10 && f.fix.length > 5));
        }
    });
    it("returns a bare unknown result for a wholly unknown document", () => {
        assert.deepEqual(analyzeKeyPolicy(UNKNOWN_STRING), {
            parsed: false,
            hasUnknowns: true,
            grantsService: false,
            serviceActions: [],
            assumptions: [],
            findings: [],
        });
    });
    it("an unknown application ARN and id: no finding, their binding undecided; another key unbound is a violation", () => {
        const st = guideStatement({
            StringLike: { [ARN]: UNKNOWN_STRING },
            StringEquals: { [CTX]: UNKNOWN_STRING, [ACC]: ACCOUNT },
        });
        const a = passes(keyPolicy(st), { expectedApplication: { arn: APP_ARN, id: APP_ID } });
        assert.equal(a.hasUnknowns, true);
        assert.deepEqual(a.undecided, ["malformed", "service-unbound"]);
        const loose = guideStatement({ StringLike: { [ARN]: UNKNOWN_STRING }, StringEquals: { [ACC]: ACCOUNT } });
        const b = analyzeKeyPolicy(keyPolicy(loose));
        assert.equal(b.hasUnknowns, true);
        assert.match(unbound(b), /kms:EncryptionContext:applicationId/);
    });
    it("judges the same string twice identically (memoized) and returns independent copies", () => {
        const doc = keyPolicy(guideStatement({}));
        const a = analyzeKeyPolicy(doc);
        a.findings.length = 0;
        assert.equal(analyzeKeyPolicy(doc).findings.length, 1);
    });
});

describe("judge: analyzeKeyPolicy - performance", () => {
    it("judges a typical 6-statement key policy in well under 1 ms", () => {
        const submitter = {
            Sid: "S",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/s` },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: { StringEquals: { "kms:ViaService": "emr-serverless.us-east-1.amazonaws.com" } },
        };
        const describe = {
            Sid: "D",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/s` },
            Action: "kms:DescribeKey",
            Resource: "*",
        };
        const admin = {
            Sid: "A",
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/admin` },
            Action: ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:Put*", "kms:Update*"],
            Resource: "*",
        };
        const deny = {
            Sid: "N",
            Effect: "Deny",
            Principal: "*",
            Action: "kms:ScheduleKeyDeletion",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:role/admin` } },
        };
        const docs = Array.from({ length: 200 }, (_, i) =>
            JSON.stringify({
                Version: "2012-10-17",
                Id: `k${i}`,
                Statement: [rootStatement, guideStatement(), submitter, describe, admin, deny],
            }),
        );
        // Warm the JIT first (the pack is a long-lived process), then time each uncached document.
        for (let i = 0; i < 500; i++) {
            analyzeKeyPolicy(
                JSON.stringify({
                    Id: `warm${i}`,
                    Statement: [rootStatement, guideStatement(), submitter, describe, admin, deny],
                }),
            );
        }
        const times: number[] = [];
        for (const d of docs) {
            const t0 = process.hrtime.bigint();
            const a = analyzeKeyPolicy(d);
            times.push(Number(process.hrtime.bigint() - t0) / 1e3);
            assert.deepEqual(a.findings, []);
        }
        times.sort((x, y) => x - y);
        const median = times[Math.floor(times.length / 2)];
        // Measured ≈170 µs on an idle 2-core machine; the bound leaves room for a loaded CI runner.
        assert.ok(median < 1000, `median ${median.toFixed(0)} µs per uncached document`);
    });
    /** Denies that no request escapes unless `pigeons` keys take distinct values among `holes` values. */
    function pigeonhole(pigeons: number, holes: number): unknown[] {
        const key = (p: number): string => `kms:EncryptionContext:p${p}`;
        const hole = (h: number): string => `h${h}`;
        const out: unknown[] = [];
        const deny = (condition: unknown): unknown => ({
            Effect: "Deny",
            Principal: "*",
            Action: "kms:*",
            Resource: "*",
            Condition: condition,
        });
        for (let p = 0; p < pigeons; p++) {
            out.push(deny({ StringNotEquals: { [key(p)]: Array.from({ length: holes }, (_, h) => hole(h)) } }));
        }
        for (let h = 0; h < holes; h++) {
            for (let p = 0; p < pigeons; p++) {
                for (let q = p + 1; q < pigeons; q++) {
                    out.push(deny({ StringEquals: { [key(p)]: hole(h) }, StringLike: { [key(q)]: hole(h) } }));
                }
            }
        }
        return out;
    }
    it("bounds its work on pathological ~32 KB documents, and says so instead of passing them", () => {
        const S = SERVICE;
        const shapes: Record<string, unknown[]> = {
            unboundAllows: Array.from({ length: 200 }, (_, i) => ({
                Effect: "Allow",
                Principal: { Service: S },
                Action: "kms:Decrypt",
                Resource: "*",
                Condition: { StringLike: { [`k${i}`]: "*" } },
            })),
            manyKeys: [
                guideStatement({
                    StringEquals: Object.fromEntries(
                        Array.from({ length: 600 }, (_, i) => [`kms:EncryptionContext:k${i}`, `v${i}`]),
                    ),
                }),
            ],
            openMany: Array.from({ length: 150 }, (_, i) => ({
                Effect: "Allow",
                Principal: "*",
                Action: "kms:*",
                Resource: "*",
                Condition: { StringEquals: { "kms:CallerAccount": ACCOUNT, [`k${i}`]: "x" } },
            })),
            interlockingDenies: [
                { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" },
                ...Array.from({ length: 200 }, (_, i) => ({
                    Effect: "Deny",
                    Principal: "*",
                    Action: "kms:*",
                    Resource: "*",
                    Condition: { StringNotEquals: { [`kms:EncryptionContext:k${i % 20}`]: `v${i}` } },
                })),
            ],
            // Seven pigeons (keys), six holes (values): each pigeon must sit in a hole, no hole may hold two.
            // No request escapes every Deny, and proving it takes a search exponential in the pigeons.
            pigeonholeDenies: [
                { Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" },
                ...pigeonhole(7, 6),
            ],
        };
        for (const [name, statements] of Object.entries(shapes)) {
            const doc = JSON.stringify({ Version: "2012-10-17", Statement: statements });
            const t0 = Date.now();
            const a = analyzeKeyPolicy(doc);
            const ms = Date.now() - t0;
            assert.ok(ms < 3000, `${name}: ${ms} ms`);
            assert.ok(a.findings.length > 0 || name === "openMany" || name === "interlockingDenies", name);
        }
        // Ten Denies per key, each escaped only by its own value: no request is allowed, decided without guessing.
        const decided = analyzeKeyPolicy(
            JSON.stringify({ Version: "2012-10-17", Statement: shapes.interlockingDenies }),
        );
        assert.deepEqual(decided.findings, []);
        assert.equal(decided.grantsService, false);
        const hard = analyzeKeyPolicy(JSON.stringify({ Version: "2012-10-17", Statement: shapes.pigeonholeDenies }));
        assert.ok(hard.findings.some((f) => f.kind === "malformed" && /too complex/.test(f.message)));
    });
    it("stays fast on a 32 KB document of many statements", () => {
        const many = Array.from({ length: 60 }, (_, i) =>
            guideStatement({
                StringLike: { [ARN]: `arn:aws:emr-serverless:*:*:/applications/${i}*` },
                StringEquals: { [CTX]: `${i}`, [ACC]: ACCOUNT },
            }),
        );
        const doc = keyPolicy(...many);
        const t0 = Date.now();
        const a = analyzeKeyPolicy(doc);
        assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
        assert.equal(a.findings.filter((f) => f.kind === "service-unbound").length, 60);
    });
});
