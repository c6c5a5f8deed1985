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
import { KEY_ID } from "../../harness/fixtures";

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

/** Resource values that can name no key of id KEY_ID, whatever its partition, region and account. */
const NEVER_THIS_ID = [
    OTHER_KEY_ARN,
    `arn:aws:kms:us-east-1:${ACCOUNT}:alias/emr-disks`,
    `arn:aws:kms:us-east-1:${ACCOUNT}:key/0987*`,
    `arn:aws:kms:*:*:key/${KEY_ID}0`,
    "arn:aws:s3:::bucket/*",
    KEY_ID,
];
/** Resource values that may or may not be the key of id KEY_ID (they fix its region, account or partition). */
const MAYBE_THIS_ID = [
    KEY_ARN,
    `arn:aws:kms:us-west-2:${ACCOUNT}:key/${KEY_ID}`,
    "arn:aws:kms:eu-*:*:key/*",
    `arn:aws-cn:kms:*:*:key/${KEY_ID}`,
];
/** Resource values that cover the key of id KEY_ID whatever else its ARN holds. */
const ALWAYS_THIS_ID = ["*", `arn:*:kms:*:*:key/${KEY_ID}`, "arn:*:kms:*:*:key/*", `arn:*:kms:*:*:key/1234abcd-*`];

describe("judge: a key known by its id alone", () => {
    it("a statement naming another key id, an alias or another service grants and denies nothing", () => {
        for (const resource of NEVER_THIS_ID) {
            const unbound = {
                ...guideStatement({ StringEquals: { "aws:SourceAccount": ACCOUNT } }),
                Resource: resource,
            };
            const a = analyzeKeyPolicy(keyPolicy(unbound), { keyId: KEY_ID });
            assert.equal(a.grantsService, false, resource);
            assert.deepEqual(a.findings, [], resource);
            assert.deepEqual(a.assumptions, [], resource);
        }
    });

    it("what the id leaves open is assumed, and the finding says that only the id is known", () => {
        for (const resource of MAYBE_THIS_ID) {
            const open = { Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: resource };
            const a = analyzeKeyPolicy(keyPolicy(guideStatement(), open), { keyId: KEY_ID });
            const f = a.findings.find((x) => x.kind === "open-grant");
            assert.ok(f, resource);
            assert.match(f.message, new RegExp(`Judged without the key's ARN \\(only its id, ${KEY_ID}, is known\\)`));
        }
    });

    it("a Deny on a pattern that covers every ARN of the id binds a wide grant", () => {
        const wide = guideStatement({
            StringLike: { "aws:SourceArn": `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/*` },
            StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
        });
        for (const resource of ALWAYS_THIS_ID) {
            const deny = {
                Effect: "Deny",
                Principal: { Service: SERVICE },
                Action: "kms:*",
                Resource: resource,
                Condition: { StringNotEquals: { "aws:SourceArn": APP_ARN } },
            };
            const a = analyzeKeyPolicy(keyPolicy(wide, deny), { keyId: KEY_ID });
            assert.deepEqual(a.findings, [], resource);
            // A NotResource that can never be this key leaves the Deny on it too.
            const { Resource: _r, ...rest } = deny;
            const b = analyzeKeyPolicy(keyPolicy(wide, { ...rest, NotResource: OTHER_KEY_ARN }), { keyId: KEY_ID });
            assert.deepEqual(b.findings, []);
        }
    });

    it("the id is ignored when the ARN is given, and a value that is not an id counts as none", () => {
        const doc = keyPolicy({ ...guideStatement(), Resource: OTHER_KEY_ARN });
        assert.equal(analyzeKeyPolicy(doc, { keyId: "alias/emr" }).grantsService, true);
        assert.equal(
            analyzeKeyPolicy(doc, { keyArn: KEY_ARN, keyId: "0987dcba-09ab-87cd-65ef-0987654321ba" }).grantsService,
            false,
        );
    });
});

describe("judge: policy variables in Resource", () => {
    const viaVariable = { ...guideStatement({}), Resource: "arn:aws:kms:us-east-1:${aws:ResourceAccount}:key/*" };
    it("with Version 2012-10-17 they are resolved from the request (the key's account)", () => {
        const a = analyzeKeyPolicy(
            keyPolicy(
                {
                    Sid: "Root",
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                viaVariable,
            ),
            {
                keyArn: KEY_ARN,
            },
        );
        assert.equal(a.grantsService, true);
        assert.ok(a.findings.some((f) => f.kind === "service-unbound"));
    });
    it("with Version 2008-10-17 they are text, which names no key", () => {
        const doc = { Version: "2008-10-17", Statement: [viaVariable] };
        assert.equal(analyzeKeyPolicy(doc, { keyArn: KEY_ARN }).grantsService, false);
    });
    it("${*} in a pattern is a literal asterisk, not a wildcard", () => {
        const st = guideStatement({
            StringLike: { "aws:SourceArn": `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/\${*}` },
            StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
        });
        assert.equal(analyzeKeyPolicy(keyPolicy(st)).grantsService, false);
    });
});
