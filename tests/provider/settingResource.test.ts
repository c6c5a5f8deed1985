/**
 * ApplicationDiskEncryption's pure parts: Check (per-property failures, secrets refused in the context and
 * never quoted, the provider's region as the default), Diff (replace and update per property, the detailed
 * kinds, the dynamic resource's state), the import id, and the state kept secret where the inputs were.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkSetting, diffSetting, operationInputs, parseImportId, settingState } from "../../provider/resource";
import { isSecret, secret, UNKNOWN } from "../../provider/wire";
import { KEY_ARN as KEY_A } from "../../harness/fixtures";

const KEY_B = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321";
/** The application the recorded state of fixtures/legacySetting names (the tests compare with that state). */
const APP = "00fkq8mtb3cm2d09";
const base = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    applicationId: APP,
    encryptionKeyArn: KEY_A,
    encryptionContext: { team: "analytics" },
    region: "us-east-1",
    ...over,
});
const legacy = JSON.parse(
    fs.readFileSync(path.join(__dirname, "..", "fixtures", "legacySetting", "state.json"), "utf8"),
) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };

describe("ApplicationDiskEncryption check", () => {
    const props = async (news: Record<string, unknown>, config = {}): Promise<string[]> =>
        (await checkSetting(news, config)).failures.map((f) => f.property).sort();

    it("accepts valid inputs and returns them as given (secret bits kept)", async () => {
        const news = base({ encryptionKeyArn: secret(KEY_A), restartIfStarted: true, timeouts: { totalMs: 1000 } });
        const r = await checkSetting(news, {});
        assert.deepEqual(r.failures, []);
        assert.deepEqual(r.inputs, news);
    });

    it("fills the region from the provider when the resource has none, and refuses when neither has one", async () => {
        const { region: _r, ...noRegion } = base();
        const r = await checkSetting(noRegion, { region: "eu-west-1" });
        assert.deepEqual(r.failures, []);
        assert.equal(r.inputs.region, "eu-west-1");
        const without = await checkSetting(noRegion, {});
        assert.deepEqual(
            without.failures.map((f) => f.property),
            ["region"],
        );
        assert.match(without.failures[0]?.reason ?? "", /pulumi config set emr-serverless-disk-encryption:region/);
        assert.equal(
            (await checkSetting(base(), { region: "eu-west-1" })).inputs.region,
            "us-east-1",
            "the input wins",
        );
    });

    it("refuses a secret encryption context, whole or per value, with the reason and the fix, and never quotes it", async () => {
        const whole = await checkSetting(
            base({ encryptionContext: secret({ costCenterSecretName: "cc-123456" }) }),
            {},
        );
        assert.deepEqual(
            whole.failures.map((f) => f.property),
            ["encryptionContext"],
        );
        assert.match(whole.failures[0]?.reason ?? "", /plain text.*CloudTrail.*Fix: /s);
        assert.ok(!JSON.stringify(whole.failures).includes("costCenterSecretName"), "the secret keys are not quoted");
        assert.ok(!JSON.stringify(whole.failures).includes("cc-123456"));

        const one = await checkSetting(
            base({ encryptionContext: { team: "analytics", owner: secret("owner-value-9") } }),
            {},
        );
        assert.deepEqual(
            one.failures.map((f) => f.property),
            ['encryptionContext["owner"]'],
        );
        assert.ok(!JSON.stringify(one.failures).includes("owner-value-9"));
    });

    it("runs the setting's limits and the operations' checks as per-property failures", async () => {
        const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, "v"]));
        assert.deepEqual(
            await props(
                base({
                    applicationId: "App 1",
                    region: "us-east",
                    encryptionKeyArn: "arn:aws:kms:us-east-1:111122223333:alias/disks",
                    encryptionContext: { ...many, dbPassword: "x" },
                    restartIfStarted: "yes",
                    timeouts: { totalMs: -1 },
                }),
            ),
            [
                "applicationId",
                "encryptionContext",
                'encryptionContext["dbPassword"]',
                "encryptionKeyArn",
                "region",
                "restartIfStarted",
                "timeouts.totalMs",
            ],
        );
    });

    it("a secret key ARN that is refused is not quoted", async () => {
        const alias = "arn:aws:kms:us-east-1:111122223333:alias/very-private-alias";
        const r = await checkSetting(base({ encryptionKeyArn: secret(alias) }), {});
        assert.deepEqual(
            r.failures.map((f) => f.property),
            ["encryptionKeyArn"],
        );
        assert.ok(!r.failures[0]?.reason.includes(alias));
        assert.match(r.failures[0]?.reason ?? "", /\[secret\]/);
    });

    it("skips values still unknown at preview, of any type, and judges the known ones", async () => {
        assert.deepEqual(
            await props(
                base({
                    applicationId: UNKNOWN.string,
                    encryptionKeyArn: UNKNOWN.string,
                    restartIfStarted: UNKNOWN.boolean,
                    encryptionContext: { team: UNKNOWN.string, secretThing: "x" },
                }),
            ),
            ['encryptionContext["secretThing"]'],
        );
        assert.deepEqual(await props(base({ encryptionContext: UNKNOWN.object })), []);
    });

    it("refuses profile and assumeRole (provider configuration now) and unknown inputs, each with the fix", async () => {
        const r = await checkSetting(
            base({ profile: "ops", assumeRole: { roleArn: "x" }, encryptionKeyARN: KEY_A }),
            {},
        );
        assert.deepEqual(r.failures.map((f) => f.property).sort(), ["assumeRole", "encryptionKeyARN", "profile"]);
        assert.match(r.failures.find((f) => f.property === "profile")?.reason ?? "", /provider configuration/);
        assert.equal(r.inputs.profile, undefined, "not stored");
    });

    it("drops internal keys (a dynamic resource's __provider) from the inputs it returns", async () => {
        const r = await checkSetting(base({ __provider: "exports.handler = 1" }), {});
        assert.deepEqual(r.failures, []);
        assert.equal(r.inputs.__provider, undefined);
    });
});

describe("ApplicationDiskEncryption diff", () => {
    it("no change when only the secret bit or an empty context differs", () => {
        assert.deepEqual(diffSetting(base(), base({ encryptionKeyArn: secret(KEY_A) })), {
            changes: false,
            replaces: [],
            detailed: {},
        });
        assert.equal(
            diffSetting(base({ encryptionContext: undefined }), base({ encryptionContext: {} })).changes,
            false,
        );
    });

    it("applicationId and region replace, with the _REPLACE kinds; an unknown new id replaces", () => {
        assert.deepEqual(diffSetting(base(), base({ applicationId: "00other" })), {
            changes: true,
            replaces: ["applicationId"],
            detailed: { applicationId: "UPDATE_REPLACE" },
        });
        assert.deepEqual(diffSetting(base(), base({ region: "eu-west-1", applicationId: UNKNOWN.string })).detailed, {
            applicationId: "UPDATE_REPLACE",
            region: "UPDATE_REPLACE",
        });
        const { region: _r, ...noRegion } = base();
        assert.deepEqual(diffSetting(noRegion, base()).detailed, { region: "ADD_REPLACE" });
        assert.deepEqual(diffSetting(base(), noRegion).detailed, { region: "DELETE_REPLACE" });
    });

    it("key and context update in place, with ADD/DELETE/UPDATE kinds; an unknown context is a change", () => {
        assert.deepEqual(diffSetting(base(), base({ encryptionKeyArn: KEY_B })), {
            changes: true,
            replaces: [],
            detailed: { encryptionKeyArn: "UPDATE" },
        });
        assert.deepEqual(diffSetting(base({ encryptionContext: undefined }), base()).detailed, {
            encryptionContext: "ADD",
        });
        assert.deepEqual(diffSetting(base(), base({ encryptionContext: undefined })).detailed, {
            encryptionContext: "DELETE",
        });
        assert.deepEqual(diffSetting(base(), base({ encryptionContext: { team: "x" } })).detailed, {
            encryptionContext: "UPDATE",
        });
        assert.deepEqual(diffSetting(base(), base({ encryptionContext: UNKNOWN.object })).detailed, {
            encryptionContext: "UPDATE",
        });
    });

    it("restartIfStarted and timeouts update without a replacement", () => {
        assert.deepEqual(diffSetting(base(), base({ restartIfStarted: true, timeouts: { totalMs: 5 } })), {
            changes: true,
            replaces: [],
            detailed: { restartIfStarted: "ADD", timeouts: "ADD" },
        });
    });

    it("ignores the computed applicationArn of the old outputs", () => {
        assert.equal(diffSetting(base({ applicationArn: "arn:x" }), base()).changes, false);
    });

    it("the dynamic resource's state: its legacy fields are deleted by an update, nothing replaces", () => {
        const news = base({ restartIfStarted: false });
        const d = diffSetting(legacy.inputs, news);
        assert.deepEqual(d, {
            changes: true,
            replaces: [],
            detailed: { __provider: "DELETE", assumeRole: "DELETE", profile: "DELETE" },
        });
    });
});

describe("ApplicationDiskEncryption import id, operation inputs and state", () => {
    it("takes an application ARN (region from it) or a bare id with the provider's region", () => {
        const arn = `arn:aws:emr-serverless:eu-west-1:111122223333:/applications/${APP}`;
        assert.deepEqual(parseImportId(arn, {}), { applicationId: APP, region: "eu-west-1", applicationArn: arn });
        assert.deepEqual(parseImportId(APP, { region: "us-east-2" }), { applicationId: APP, region: "us-east-2" });
        assert.throws(() => parseImportId(APP, {}), /no region.*Fix: import with the application's ARN/s);
        assert.throws(() => parseImportId("us-east-1/app", { region: "us-east-1" }), /not an import id/);
        assert.throws(
            () => parseImportId(`arn:aws:emr-serverless:eu-west-1:1:/applications/${APP}`, {}),
            /not an import id/,
        );
    });

    it("takes ARNs of every partition, and names the exact id when only case, spaces or a trailing slash are wrong", () => {
        for (const [partition, region] of [
            ["aws-cn", "cn-north-1"],
            ["aws-us-gov", "us-gov-west-1"],
        ]) {
            const arn = `arn:${partition}:emr-serverless:${region}:111122223333:/applications/${APP}`;
            assert.deepEqual(parseImportId(arn, {}), { applicationId: APP, region, applicationArn: arn });
        }
        const arn = `arn:aws:emr-serverless:eu-west-1:111122223333:/applications/${APP}`;
        for (const [given, meant] of [
            [arn.toUpperCase(), arn],
            [`${arn}/`, arn],
            [` ${arn} `, arn],
            [APP.toUpperCase(), APP],
        ]) {
            assert.throws(
                () => parseImportId(given, { region: "eu-west-1" }),
                (e: Error) => e.message.includes(`did you mean ${meant}?`),
                given,
            );
        }
        assert.throws(
            () => parseImportId("us-east-1/app", { region: "us-east-1" }),
            (e: Error) => !e.message.includes("did you mean"),
        );
    });

    it("operation inputs are plain, keep the recorded ARN, and drop the legacy fields", () => {
        const inputs = operationInputs({ ...legacy.inputs, encryptionKeyArn: secret(KEY_A), applicationArn: "arn:x" });
        assert.deepEqual(inputs, {
            applicationId: APP,
            encryptionKeyArn: KEY_A,
            encryptionContext: { team: "analytics" },
            region: "us-east-1",
            restartIfStarted: false,
            applicationArn: "arn:x",
        });
    });

    it("the state keeps the setting and the ARN, a secret where the input was one, and nothing else", () => {
        const state = settingState(
            { ...base(), applicationArn: "arn:x", profile: "ops" },
            base({ encryptionKeyArn: secret(KEY_A) }),
        );
        assert.ok(isSecret(state.encryptionKeyArn));
        assert.deepEqual(
            { ...state, encryptionKeyArn: "s" },
            { ...base(), encryptionKeyArn: "s", applicationArn: "arn:x" },
        );
    });
});
