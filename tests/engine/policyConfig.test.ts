import assert from "node:assert/strict";
import {
    type PolicyConfigInfo,
    parsePolicyPackConfig,
    reconcilePolicyConfig,
    validateJson,
} from "../../engine/policyConfig";
import {
    displayValue,
    isSecret,
    maskSecrets,
    secret,
    SIG_KEY,
    stripInternalKeys,
    UNKNOWN,
} from "../../engine/properties";
import { namespacedKey } from "../../engine/project";
import { engineView, stackUrn } from "../../engine/engineView";
import { accountIdFrom } from "../../engine/programRun";
import { builtinInvoke, findFixture, partitionOf } from "../../engine/invokes";

const policies: PolicyConfigInfo[] = [
    {
        name: "a",
        enforcementLevel: "mandatory",
        configSchema: {
            properties: {
                keys: { type: "array", items: { type: "string" }, default: ["aws:SourceAccount"] },
                strict: { type: "boolean", default: true },
            },
            required: [],
        },
    },
    { name: "b", enforcementLevel: "advisory" },
];

describe("engine: policy pack config (the CLI's rules)", () => {
    it("parses a level string, an object with a level and properties, and skips empty objects", () => {
        const c = parsePolicyPackConfig(
            JSON.stringify({ a: "advisory", b: { enforcementLevel: "disabled", x: 1 }, c: {}, d: { y: [1] } }),
        );
        assert.deepEqual(c, {
            a: { enforcementLevel: "advisory" },
            b: { enforcementLevel: "disabled", properties: { x: 1 } },
            d: { properties: { y: [1] } },
        });
        assert.deepEqual(parsePolicyPackConfig("  \n"), {});
    });

    it("refuses invalid levels and values, naming the entry", () => {
        assert.throws(() => parsePolicyPackConfig('{"a": "warn"}'), /"a": "warn" is not a valid enforcement level/);
        assert.throws(() => parsePolicyPackConfig('{"a": {"enforcementLevel": 1}}'), /"a".enforcementLevel/);
        assert.throws(() => parsePolicyPackConfig('{"a": 3}'), /"a": 3 is not valid/);
        assert.throws(() => parsePolicyPackConfig("[1]"), /JSON object keyed by policy name/);
        assert.throws(() => parsePolicyPackConfig("{"), /not valid JSON/);
    });

    it("fills every policy's level and schema defaults, then initial config, then the file", () => {
        const r = reconcilePolicyConfig(
            policies,
            { b: { enforcementLevel: "mandatory" } },
            { a: { properties: { strict: false } } },
        );
        assert.deepEqual(r, {
            a: { enforcementLevel: "mandatory", properties: { keys: ["aws:SourceAccount"], strict: false } },
            b: { enforcementLevel: "mandatory" },
        });
    });

    it('applies "all" before per-policy entries, and does not send "all" itself', () => {
        const r = reconcilePolicyConfig(
            policies,
            {},
            { all: { enforcementLevel: "disabled" }, b: { enforcementLevel: "advisory" } },
        );
        assert.equal(r["a"].enforcementLevel, "disabled");
        assert.equal(r["b"].enforcementLevel, "advisory");
        assert.equal("all" in r, false);
    });

    it("refuses config that does not match the schema, naming policy and property", () => {
        assert.throws(
            () => reconcilePolicyConfig(policies, {}, { a: { properties: { keys: "aws:SourceAccount" } } }),
            /a\.keys: expected array, got string/,
        );
        assert.throws(
            () =>
                reconcilePolicyConfig([
                    { name: "r", enforcementLevel: "mandatory", configSchema: { properties: {}, required: ["x"] } },
                ]),
            /r: "x" is required/,
        );
        assert.deepEqual(validateJson(["a", 2], { type: "array", items: { type: "string" } }, "p"), [
            "p[1]: expected string, got integer 2",
        ]);
        assert.deepEqual(validateJson("b", { enum: ["a"] }, "p"), ['p: "b" is not one of ["a"]']);
        const region = { type: "string", pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]+$" };
        assert.deepEqual(validateJson("us-east-1", region, "p"), []);
        assert.deepEqual(validateJson("BOGUS", region, "p"), [
            `p: "BOGUS" does not match the pattern ${region.pattern}`,
        ]);
    });

    it("holds a number to minimum/maximum, a string's length and an array's item count to their bounds", () => {
        const bounds = { minimum: 2, maximum: 4, minLength: 2, maxLength: 4, minItems: 2, maxItems: 4 };
        assert.deepEqual(validateJson(1, bounds, "n"), ["n: 1 is less than the minimum 2"]);
        assert.deepEqual(validateJson(5, bounds, "n"), ["n: 5 is greater than the maximum 4"]);
        assert.deepEqual(validateJson("a", bounds, "s"), ["s: shorter than 2 characters"]);
        assert.deepEqual(validateJson("abcde", bounds, "s"), ["s: longer than 4 characters"]);
        assert.deepEqual(validateJson([1], bounds, "a"), ["a: fewer than 2 items"]);
        assert.deepEqual(validateJson([1, 2, 3, 4, 5], bounds, "a"), ["a: more than 4 items"]);
        // Each bound applies to its own type only, and the bounds themselves are kept.
        for (const ok of [2, 4, "ab", "abcd", [1, 2], [1, 2, 3, 4], true, null, { k: 1 }]) {
            assert.deepEqual(validateJson(ok, bounds, "v"), [], JSON.stringify(ok));
        }
    });
});

describe("engine: wire encoding and preview helpers", () => {
    it("wraps secrets with the engine's signature and drops internal keys at every level", () => {
        const s = secret("x");
        assert.equal(isSecret(s), true);
        assert.equal((s as Record<string, unknown>)[SIG_KEY], "1b47061264138c4ac30d75fd1eb44270");
        assert.deepEqual(stripInternalKeys({ __provider: "code", a: { __meta: 1, b: 2 }, c: [{ __x: 1, d: 3 }] }), {
            a: { b: 2 },
            c: [{ d: 3 }],
        });
        assert.equal(displayValue(UNKNOWN.string), "[unknown]");
        assert.equal(displayValue(s), "[secret]");
    });

    it("masks secrets at any depth in what the preview prints or writes", () => {
        const masked = maskSecrets({ a: secret("hunter2"), b: [{ c: secret({ d: "x" }) }], e: "plain" });
        assert.deepEqual(masked, { a: "[secret]", b: [{ c: "[secret]" }], e: "plain" });
        assert.equal(JSON.stringify(masked).includes("hunter2"), false);
    });

    it("namespaces bare config keys with the project, like pulumi config set", () => {
        assert.equal(namespacedKey("proj", "releaseLabel"), "proj:releaseLabel");
        assert.equal(namespacedKey("proj", "aws:region"), "aws:region");
    });

    it("answers the AWS invokes a preview needs from config, and says what is missing otherwise", () => {
        const ok = builtinInvoke(
            { accountId: "111122223333", region: "cn-north-1" },
            "aws:index/getCallerIdentity:getCallerIdentity",
            {},
        );
        assert.deepEqual(ok && "result" in ok ? ok.result["accountId"] : undefined, "111122223333");
        const p = builtinInvoke({ region: "cn-north-1" }, "aws:index/getPartition:getPartition", {});
        assert.equal(p && "result" in p ? p.result["partition"] : undefined, "aws-cn");
        const noAccount = builtinInvoke({ region: "us-east-1" }, "aws:index/getCallerIdentity:getCallerIdentity", {});
        assert.match(noAccount && "reason" in noAccount ? noAccount.reason : "", /--account-id/);
        const noRegion = builtinInvoke({}, "aws:index/getRegion:getRegion", {});
        assert.match(noRegion && "reason" in noRegion ? noRegion.reason : "", /aws:region/);
        assert.equal(builtinInvoke({}, "aws:kms/getKey:getKey", { keyId: "k" }), undefined);
        assert.equal(partitionOf("us-gov-west-1").partition, "aws-us-gov");
    });

    it("matches fixtures on token and exact arguments only", () => {
        const fixtures = [
            { token: "aws:kms/getKey:getKey", args: { keyId: "a", grantTokens: ["t"] }, result: { x: 1 } },
        ];
        assert.ok(findFixture(fixtures, "aws:kms/getKey:getKey", { grantTokens: ["t"], keyId: "a" }));
        assert.equal(findFixture(fixtures, "aws:kms/getKey:getKey", { keyId: "a" }), undefined);
        assert.equal(findFixture(fixtures, "aws:kms/getAlias:getAlias", { keyId: "a", grantTokens: ["t"] }), undefined);
    });

    it("takes the account from --account-id, else from a single aws:allowedAccountIds entry", () => {
        assert.equal(accountIdFrom("111122223333", {}), "111122223333");
        assert.throws(() => accountIdFrom("12", {}), /12-digit/);
        assert.equal(accountIdFrom(undefined, { "aws:allowedAccountIds": '["444455556666"]' }), "444455556666");
        assert.equal(accountIdFrom(undefined, { "aws:allowedAccountIds": '["1","2"]' }), undefined);
    });

    it("builds the engine's view: root stack, default providers, parents, unknown id and computed outputs, no __provider", () => {
        const view = engineView(
            "p",
            "s",
            { "aws:region": "us-east-1", "other:x": "y" },
            {
                stackOutputs: {},
                resources: [
                    {
                        urn: "urn:pulumi:s::p::aws:kms/key:Key::k",
                        type: "aws:kms/key:Key",
                        name: "k",
                        custom: true,
                        parent: "",
                        inputs: { description: "d" },
                        dependencies: [],
                        propertyDependencies: { description: [] },
                        provider: "",
                        version: "7.48.0",
                        protect: false,
                        ignoreChanges: [],
                        additionalSecretOutputs: [],
                    },
                    {
                        urn: "urn:pulumi:s::p::pulumi-nodejs:dynamic:D::d",
                        type: "pulumi-nodejs:dynamic:D",
                        name: "d",
                        custom: true,
                        parent: "",
                        inputs: { __provider: "code", a: 1 },
                        dependencies: ["urn:pulumi:s::p::aws:kms/key:Key::k"],
                        propertyDependencies: { a: ["urn:pulumi:s::p::aws:kms/key:Key::k"] },
                        provider: "",
                        version: "",
                        protect: false,
                        ignoreChanges: [],
                        additionalSecretOutputs: [],
                    },
                ],
            },
        );
        assert.deepEqual(
            view.map((r) => `${r.type}::${r.name}`),
            [
                "pulumi:pulumi:Stack::p-s",
                "pulumi:providers:aws::default_7_48_0",
                "aws:kms/key:Key::k",
                "pulumi:providers:pulumi-nodejs::default",
                "pulumi-nodejs:dynamic:D::d",
            ],
        );
        const key = view[2];
        assert.equal(key.parent, stackUrn("p", "s"));
        // A created key's computed outputs the pack reads are unknown at preview (KNOWN_COMPUTED_OUTPUTS).
        assert.deepEqual(key.properties, {
            description: "d",
            arn: UNKNOWN.string,
            keyId: UNKNOWN.string,
            id: UNKNOWN.string,
        });
        assert.deepEqual(key.provider?.properties, { region: "us-east-1", version: "7.48.0" });
        assert.deepEqual(view[4].inputs, { a: 1 });
    });
});
