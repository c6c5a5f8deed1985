/**
 * The key's own ARN in the judgment: with it, a statement applies to the key only when its Resource covers
 * the ARN or its NotResource does not (IAM's reading; in a key policy "*" is this key); without it, the
 * judge assumes (an Allow applies, a Deny does not) and says so.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { analyzeKeyPolicy, UNKNOWN_STRING } from "../../policypack/judge";
import { runs } from "../hostile/generators";
import { ACCOUNT, APP_ARN, APP_ID, SERVICE, guideStatement, keyPolicy } from "./fixtures";

const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const OTHER_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0987dcba-09ab-87cd-65ef-0987654321ba`;

/** Resource values that never cover KEY_ARN (checked below by an independent matcher). */
const NOT_THIS_KEY = [
    OTHER_KEY_ARN,
    `arn:aws:kms:us-west-2:${ACCOUNT}:key/${KEY_ID}`,
    `arn:aws:kms:us-east-1:444455556666:key/${KEY_ID}`,
    `arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/${KEY_ID}`,
    `arn:aws:kms:us-east-1:${ACCOUNT}:alias/emr-disks`,
    KEY_ID,
    KEY_ARN.toUpperCase(),
    `${KEY_ARN}0`,
    `arn:aws:kms:us-east-1:${ACCOUNT}:key/0987*`,
    "arn:aws:kms:eu-*:*:key/*",
    `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890a?x`,
    "arn:aws:s3:::bucket/*",
    // Not "": an empty Resource makes the document one KMS refuses (disallow-malformed-key-policies), a verdict
    // of its own.
];
/** NotResource values that cover KEY_ARN (so the statement does not apply to it). */
const EXCLUDES_THIS_KEY = [
    KEY_ARN,
    "*",
    "arn:aws:kms:*:*:key/*",
    `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234*`,
    `arn:aws:kms:us-east-1:${ACCOUNT}:key/????????-12ab-34cd-56ef-1234567890ab`,
];

/** An independent glob matcher (IAM Resource: case-sensitive, `*` any run, `?` one character). */
function covers(pattern: string, value: string): boolean {
    const re = new RegExp(
        `^${pattern
            .split("")
            .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
            .join("")}$`,
    );
    return re.test(value);
}

const actions = fc.oneof(
    fc.constantFrom("kms:*", "*", "kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKey*", "kms:CreateGrant"),
    fc.constant(["kms:Decrypt", "kms:GenerateDataKey"]),
);
const principals = fc.constantFrom<unknown>(
    "*",
    { AWS: "*" },
    { Service: SERVICE },
    { Service: [SERVICE, "s3.amazonaws.com"] },
    { AWS: `arn:aws:iam::${ACCOUNT}:role/job-role` },
    { AWS: `arn:aws:iam::${ACCOUNT}:root` },
);
const conditions = fc.constantFrom<unknown>(
    undefined,
    {},
    {
        StringLike: { "aws:SourceArn": APP_ARN },
        StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
    },
    { StringLike: { "aws:SourceArn": "arn:aws:emr-serverless:*:*:/applications/*" } },
    { StringNotEquals: { "aws:SourceArn": APP_ARN } },
    { StringEquals: { "kms:ViaService": "emr-serverless.us-east-1.amazonaws.com" } },
);

/** A statement whose Resource/NotResource keeps it off KEY_ARN. */
const offKeyStatement = fc
    .record({
        effect: fc.constantFrom("Allow", "Deny"),
        principal: principals,
        action: actions,
        condition: conditions,
        resource: fc.oneof(
            fc.record({ Resource: fc.constantFrom(...NOT_THIS_KEY) }),
            fc.record({ Resource: fc.uniqueArray(fc.constantFrom(...NOT_THIS_KEY), { minLength: 1, maxLength: 3 }) }),
            fc.record({ NotResource: fc.constantFrom(...EXCLUDES_THIS_KEY) }),
            fc.record({
                NotResource: fc.tuple(fc.constantFrom(...EXCLUDES_THIS_KEY), fc.constantFrom(...NOT_THIS_KEY)),
            }),
        ),
        sid: fc.option(fc.constantFrom("A", "B", "C"), { nil: undefined }),
    })
    .map(({ effect, principal, action, condition, resource, sid }) => {
        const st: Record<string, unknown> = { Effect: effect, Principal: principal, Action: action, ...resource };
        if (condition !== undefined) st.Condition = condition;
        if (sid !== undefined) st.Sid = sid;
        return st;
    });

/** Whether a statement (as generated above) applies to KEY_ARN, by the independent matcher. */
function appliesToKey(st: Record<string, unknown>): boolean {
    const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [v as string]);
    if ("Resource" in st) {
        return list(st.Resource).some((p) => covers(p, KEY_ARN));
    }
    return !list(st.NotResource).some((p) => covers(p, KEY_ARN));
}

describe("judge: the key's own ARN", () => {
    it("the test's pools are what they claim (independent matcher)", () => {
        for (const r of NOT_THIS_KEY) {
            assert.equal(covers(r, KEY_ARN), false, r);
        }
        for (const r of EXCLUDES_THIS_KEY) {
            assert.equal(covers(r, KEY_ARN), true, r);
        }
    });

    it("a service statement naming another key grants nothing on this key", () => {
        const doc = keyPolicy({ ...guideStatement(), Resource: OTHER_KEY_ARN });
        assert.equal(analyzeKeyPolicy(doc).grantsService, true, "without the ARN it is assumed to apply");
        const a = analyzeKeyPolicy(doc, { keyArn: KEY_ARN });
        assert.equal(a.grantsService, false);
        assert.deepEqual(a.serviceActions, []);
        assert.deepEqual(a.assumptions, []);
        // Naming this key (or a pattern covering it) is the same grant as "*".
        for (const resource of [KEY_ARN, [OTHER_KEY_ARN, KEY_ARN], "arn:aws:kms:us-east-1:111122223333:key/*"]) {
            const b = analyzeKeyPolicy(keyPolicy({ ...guideStatement(), Resource: resource }), { keyArn: KEY_ARN });
            assert.equal(b.grantsService, true, JSON.stringify(resource));
            assert.deepEqual(b.findings, []);
        }
    });

    it("a Deny naming this key's ARN binds a wide grant; without the ARN it is assumed not to, and the finding says so", () => {
        const wide = guideStatement({
            StringLike: { "aws:SourceArn": `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/*` },
            StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
        });
        const deny = {
            Sid: "OnlyThisApplication",
            Effect: "Deny",
            Principal: { Service: SERVICE },
            Action: "kms:*",
            Resource: KEY_ARN,
            Condition: { StringNotEquals: { "aws:SourceArn": APP_ARN } },
        };
        const doc = keyPolicy(wide, deny);
        const known = analyzeKeyPolicy(doc, { keyArn: KEY_ARN });
        assert.deepEqual(known.findings, []);
        assert.deepEqual(known.binding?.sourceArns, [APP_ARN]);

        const unknown = analyzeKeyPolicy(doc);
        const unbound = unknown.findings.filter((f) => f.kind === "service-unbound");
        assert.equal(unbound.length, 1);
        assert.match(
            unbound[0].message,
            /Judged without the key's ARN: the Deny Sid "OnlyThisApplication" \(Resource "arn:aws:kms:us-east-1:111122223333:key\/1234abcd/,
        );
        assert.match(unbound[0].message, /assumed not to/);
        assert.equal(unknown.assumptions.length, 1);

        // Another key's ARN in the Deny: it does not apply here, with the ARN known either.
        const elsewhere = analyzeKeyPolicy(keyPolicy(wide, { ...deny, Resource: OTHER_KEY_ARN }), { keyArn: KEY_ARN });
        assert.equal(elsewhere.findings.filter((f) => f.kind === "service-unbound").length, 1);
    });

    it("an Allow naming another resource is assumed to apply without the ARN, and the finding says so", () => {
        const open = { Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: OTHER_KEY_ARN };
        const unknown = analyzeKeyPolicy(keyPolicy(guideStatement(), open));
        const f = unknown.findings.find((x) => x.kind === "open-grant");
        assert.ok(f, JSON.stringify(unknown.findings));
        assert.match(
            f.message,
            /the Allow statement #3 \(Resource "arn:aws:kms:us-east-1:111122223333:key\/0987dcba[^"]*"\) was assumed to apply to this key/,
        );
        assert.deepEqual(analyzeKeyPolicy(keyPolicy(guideStatement(), open), { keyArn: KEY_ARN }).findings, []);
    });

    it("a value that is not a key ARN (bare id, alias, unknown) counts as no ARN", () => {
        const doc = keyPolicy({ ...guideStatement(), Resource: OTHER_KEY_ARN });
        for (const keyArn of [KEY_ID, "alias/emr", UNKNOWN_STRING, "", KEY_ARN.toUpperCase()]) {
            const a = analyzeKeyPolicy(doc, { keyArn });
            assert.equal(a.grantsService, true, keyArn);
            assert.equal(a.assumptions.length, 1, keyArn);
        }
    });

    it("names nothing assumed when no statement depends on the key", () => {
        const a = analyzeKeyPolicy(keyPolicy(guideStatement(), { ...guideStatement(), Sid: "Star", Resource: ["*"] }));
        assert.deepEqual(a.assumptions, []);
    });

    it("property: with the key's ARN known, a document in which no statement applies to the key never grants the service", () => {
        fc.assert(
            fc.property(fc.array(offKeyStatement, { minLength: 1, maxLength: 5 }), (statements) => {
                assert.ok(statements.every((st) => !appliesToKey(st)));
                const doc = JSON.stringify({ Version: "2012-10-17", Statement: statements });
                const a = analyzeKeyPolicy(doc, { keyArn: KEY_ARN, region: "us-east-1" });
                assert.equal(a.grantsService, false, doc);
                assert.deepEqual(a.serviceActions, [], doc);
                assert.deepEqual(
                    a.findings.filter((f) => f.kind !== "malformed"),
                    [],
                    `${doc}\n${JSON.stringify(a.findings)}`,
                );
                assert.deepEqual(a.assumptions, []);
            }),
            runs(0x6b3a, 300),
        );
    });

    it("property: adding statements that do not apply to the key never changes the verdict on the guide policy", () => {
        const base = analyzeKeyPolicy(keyPolicy(guideStatement()), { keyArn: KEY_ARN });
        fc.assert(
            fc.property(fc.array(offKeyStatement, { minLength: 1, maxLength: 4 }), (extra) => {
                const doc = keyPolicy(guideStatement(), ...extra);
                const a = analyzeKeyPolicy(doc, { keyArn: KEY_ARN });
                assert.equal(a.grantsService, true, doc);
                assert.deepEqual(a.serviceActions, base.serviceActions, doc);
                assert.deepEqual(a.binding, base.binding, doc);
                assert.deepEqual(a.findings, [], `${doc}\n${JSON.stringify(a.findings)}`);
            }),
            runs(0x6b3b, 200),
        );
    });
});
