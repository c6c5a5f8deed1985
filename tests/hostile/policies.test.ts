/**
 * Hostile input for the pack's policies themselves (policypack/policies/index.ts), called the way
 * @pulumi/policy 1.21's server calls them (harness/policyPack.ts: props behind `unknownCheckingProxy`,
 * `getConfig` = schema defaults, `notApplicable` throwing), every policy enabled. A
 * policy may throw only @pulumi/policy's UnknownValueError (the server turns it into an advisory
 * "can't run during preview" note); any other exception fails the whole Analyze call, i.e. the
 * user's `pulumi preview`.
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import type { Policy } from "@pulumi/policy";
import {
    DISK_ENCRYPTION_TYPE,
    EMR_APPLICATION_TYPE,
    KMS_KEY_POLICY_TYPE,
    KMS_KEY_TYPE,
    NATIVE_KMS_KEY_TYPE,
    UNKNOWN_STRING,
} from "../../policypack/judge/constants";
import { policies } from "../../policypack/policies";
import type { CorpusConfig, CorpusResource } from "../../harness/corpus";
import {
    type Diagnostic,
    analyzeResource as analyzeResourceOf,
    analyzeStack as analyzeStackOf,
} from "../../harness/policyPack";
import {
    APP_ID,
    Json,
    KEY_ARN,
    REGION,
    anyJson,
    goodPolicy,
    mutatedDocument,
    oddString,
    policy,
    runs,
} from "./generators";
import { weaken } from "./rewrite";

/** The engine's unknown sentinels, one per value type (@pulumi/policy proxy.js). */
const SENTINELS = [
    UNKNOWN_STRING,
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
];

/** Every policy runs, those disabled by default too (as advisory): hostile input must break none of them. */
const EVERY_POLICY: CorpusConfig = Object.fromEntries(
    (policies as Policy[])
        .filter((p) => p.enforcementLevel === "disabled")
        .map((p) => [p.name, { enforcementLevel: "advisory" }]),
);

/** Runs every resource policy on one resource, as the server does; any exception but UnknownValueError fails. */
function analyzeResource(type: string, props: Record<string, unknown>): Promise<Diagnostic[]> {
    return analyzeResourceOf(
        policies,
        { type, name: "r", urn: `urn:pulumi:hostile::p::${type}::r`, props },
        EVERY_POLICY,
    );
}

/** Runs every stack policy over resources, as the server does, with well-formed dependency edges between them. */
function analyzeStack(resources: { type: string; props: Record<string, unknown> }[]): Promise<Diagnostic[]> {
    const urn = (i: number): string => `urn:pulumi:hostile::p::${resources[i]?.type}::r${i}`;
    const stack: CorpusResource[] = resources.map((r, i) => ({
        type: r.type,
        name: `r${i}`,
        urn: urn(i),
        props: r.props,
        ...(i > 0
            ? {
                  parent: urn(0),
                  dependencies: [urn(i - 1)],
                  propertyDependencies: { policy: [urn(0)], applicationId: [urn(i - 1)] },
              }
            : {}),
    }));
    return analyzeStackOf(policies, stack, EVERY_POLICY);
}

/** The violations among diagnostics (the preview notes left out). */
const violations = (ds: Diagnostic[]): Diagnostic[] => ds.filter((d) => !d.note);

// ---------------------------------------------------------------------------------------------
// Props generators.

/** A value for a property: right, wrong type, odd, or unknown. */
function propValue(good: fc.Arbitrary<Json>): fc.Arbitrary<Json | undefined> {
    return fc.oneof(
        { weight: 4, arbitrary: good },
        { weight: 2, arbitrary: anyJson() },
        { weight: 1, arbitrary: oddString() },
        { weight: 2, arbitrary: fc.constantFrom(...SENTINELS) },
        { weight: 1, arbitrary: fc.constant(undefined) },
    );
}

const documentText: fc.Arbitrary<Json> = fc.oneof(
    policy({ notPrincipal: true, notAction: true }).map((d) => JSON.stringify(d)),
    mutatedDocument().map((d) => JSON.stringify(d)),
    fc.constant(JSON.stringify(goodPolicy())),
    fc.constant(JSON.stringify(goodPolicy()).replace("111122223333", UNKNOWN_STRING)),
);
const documentObject: fc.Arbitrary<Json> = fc.oneof(policy() as unknown as fc.Arbitrary<Json>, mutatedDocument());

function record(fields: Record<string, fc.Arbitrary<Json>>): fc.Arbitrary<Record<string, unknown>> {
    const entries = Object.entries(fields).map(([k, arb]) => propValue(arb).map((v) => [k, v] as const));
    return fc.tuple(...entries).map((kv) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of kv) {
            if (v !== undefined) {
                out[k] = v;
            }
        }
        return out;
    });
}

const spec = fc.constantFrom<Json>(
    "SYMMETRIC_DEFAULT",
    "RSA_2048",
    "ECC_NIST_P256",
    "HMAC_256",
    "symmetric_default",
    "",
);
const usage = fc.constantFrom<Json>("ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC", "encrypt_decrypt");
const keyArn = fc.constantFrom<Json>(
    KEY_ARN,
    "alias/x",
    "arn:aws:kms:us-east-1:111122223333:alias/x",
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    UNKNOWN_STRING,
);
const context = fc.oneof(
    fc.dictionary(oddString(), oddString(), { maxKeys: 10 }) as fc.Arbitrary<Json>,
    fc.constantFrom<Json>({ applicationId: APP_ID }, { password: "hunter2" }, { k: "x".repeat(400) }),
);

/** Props for each resource type the pack reads (and one it does not). */
const RESOURCES: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
    [KMS_KEY_TYPE]: record({
        policy: documentText,
        customerMasterKeySpec: spec,
        keySpec: spec,
        keyUsage: usage,
        enableKeyRotation: fc.boolean(),
        isEnabled: fc.boolean(),
        multiRegion: fc.boolean(),
        deletionWindowInDays: fc.integer({ min: -5, max: 40 }),
        arn: fc.constant(KEY_ARN),
    }),
    [KMS_KEY_POLICY_TYPE]: record({
        keyId: keyArn,
        policy: documentText,
        bypassPolicyLockoutSafetyCheck: fc.boolean(),
    }),
    [NATIVE_KMS_KEY_TYPE]: record({
        keyPolicy: fc.oneof(documentObject, documentText),
        keySpec: spec,
        keyUsage: usage,
        enableKeyRotation: fc.boolean(),
    }),
    [DISK_ENCRYPTION_TYPE]: record({
        applicationId: fc.constantFrom<Json>(APP_ID, ""),
        encryptionKeyArn: keyArn,
        encryptionContext: context,
        region: fc.constantFrom<Json>(REGION, "mars-1"),
        __provider: fc.constant("exports.handler = __f0;"),
    }),
    [EMR_APPLICATION_TYPE]: record({
        name: oddString(),
        releaseLabel: fc.constant("emr-7.5.0"),
        type: fc.constantFrom<Json>("SPARK", "HIVE"),
        diskEncryptionConfiguration: fc.oneof(
            fc.record({ encryptionKeyArn: keyArn, encryptionContext: context }) as fc.Arbitrary<Json>,
            anyJson(),
        ),
        arn: fc.constant(`arn:aws:emr-serverless:${REGION}:111122223333:/applications/${APP_ID}`),
        id: fc.constant(APP_ID),
    }),
    "aws:s3/bucket:Bucket": record({ bucket: oddString(), policy: documentText }),
};

const resourceArb = fc
    .constantFrom(...Object.keys(RESOURCES))
    .chain((type) => RESOURCES[type].map((props) => ({ type, props })));

describe("hostile input: the pack's policies never throw (except UnknownValueError)", () => {
    it("every resource policy on generated props of every type the pack reads", async () => {
        await fc.assert(
            fc.asyncProperty(resourceArb, async ({ type, props }) => {
                for (const v of violations(await analyzeResource(type, props))) {
                    assert.ok(v.detail.length > 0, `${v.policyName} reported an empty message`);
                }
            }),
            runs(0x90c1, 300),
        );
    });

    it("a whole-value unknown property gives UnknownValueError notes, never another error", async () => {
        for (const type of Object.keys(RESOURCES)) {
            for (const field of [
                "policy",
                "keyPolicy",
                "customerMasterKeySpec",
                "keySpec",
                "enableKeyRotation",
                "encryptionKeyArn",
                "encryptionContext",
                "diskEncryptionConfiguration",
            ]) {
                for (const s of SENTINELS) {
                    await analyzeResource(type, { [field]: s });
                }
            }
        }
    });

    it("every stack policy on generated stacks of 1-6 resources", async () => {
        await fc.assert(
            fc.asyncProperty(fc.array(resourceArb, { minLength: 1, maxLength: 6 }), async (resources) => {
                await analyzeStack(resources);
            }),
            runs(0x90c2, 150),
        );
    });

    it("unknowns nested in a key policy object (aws-native) or text never become a mandatory violation", async () => {
        // Behind @pulumi/policy's proxy a nested unknown throws UnknownValueError when read; if the
        // judge read the proxied object, its catch-all would turn that into a "malformed" finding.
        const withUnknown = JSON.parse(JSON.stringify(goodPolicy()).split("111122223333").join(UNKNOWN_STRING)) as Json;
        for (const [type, props] of [
            [NATIVE_KMS_KEY_TYPE, { keyPolicy: withUnknown, keySpec: "SYMMETRIC_DEFAULT", enableKeyRotation: true }],
            [
                KMS_KEY_TYPE,
                {
                    policy: JSON.stringify(withUnknown),
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                    enableKeyRotation: true,
                },
            ],
            [KMS_KEY_POLICY_TYPE, { keyId: KEY_ARN, policy: JSON.stringify(withUnknown) }],
        ] as const) {
            const out = await analyzeResource(type, props as Record<string, unknown>);
            const mandatory = violations(out).filter((v) => v.enforcementLevel === "mandatory");
            assert.deepEqual(mandatory, [], `${type}: ${JSON.stringify(mandatory)}`);
        }
    });

    it("the pack passes the good key and refuses each weakening of it (mandatory)", async () => {
        const good = await analyzeResource(KMS_KEY_TYPE, {
            policy: JSON.stringify(goodPolicy()),
            customerMasterKeySpec: "SYMMETRIC_DEFAULT",
            keyUsage: "ENCRYPT_DECRYPT",
            enableKeyRotation: true,
        });
        assert.deepEqual(
            violations(good).filter((v) => v.enforcementLevel === "mandatory"),
            [],
        );
        for (const key of ["aws:SourceArn", "aws:SourceAccount", "kms:EncryptionContext:applicationId"]) {
            for (const w of ["drop", "ifExists", "negate", "wildcard", "secondValue"] as const) {
                const out = await analyzeResource(KMS_KEY_TYPE, {
                    policy: JSON.stringify(weaken(goodPolicy(), 1, key, w)),
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                    enableKeyRotation: true,
                });
                assert.ok(
                    violations(out).some((v) => v.enforcementLevel === "mandatory"),
                    `${w} on ${key} passed the pack`,
                );
            }
        }
    });
});
