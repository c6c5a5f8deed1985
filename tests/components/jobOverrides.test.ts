import * as assert from "node:assert/strict";
import {
    checkLivyContext,
    diskEncryptionOverrides,
    LIVY_CONTEXT_CONF,
    LIVY_KEY_ARN_CONF,
    livySessionConf,
    mergeDiskEncryptionOverrides,
    mergeLivySessionConf,
} from "../../components/jobOverrides";
import { DiskEncryptionValidationError } from "../../components/validation";
import { KEY_ARN as KEY } from "../../harness/fixtures";

const OTHER_KEY = "arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef";

describe("components: job overrides", () => {
    it("diskEncryptionOverrides is exactly StartJobRun's object", () => {
        assert.deepEqual(diskEncryptionOverrides(KEY, { team: "analytics" }), {
            diskEncryptionConfiguration: { encryptionKeyArn: KEY, encryptionContext: { team: "analytics" } },
        });
        assert.deepEqual(diskEncryptionOverrides(KEY), { diskEncryptionConfiguration: { encryptionKeyArn: KEY } });
        assert.deepEqual(diskEncryptionOverrides(KEY, {}), { diskEncryptionConfiguration: { encryptionKeyArn: KEY } });
    });

    it("validates the job's key (another key than the application's is fine; aliases and ids are refused)", () => {
        assert.equal(diskEncryptionOverrides(OTHER_KEY).diskEncryptionConfiguration.encryptionKeyArn, OTHER_KEY);
        assert.throws(
            () => diskEncryptionOverrides("arn:aws:kms:us-east-1:111122223333:alias/x"),
            (e: unknown) => {
                assert.ok(e instanceof DiskEncryptionValidationError);
                assert.match(e.message, /encryptionKeyArn .* alias/);
                assert.match(e.message, /Fix: /);
                return true;
            },
        );
        assert.throws(() => diskEncryptionOverrides("1234abcd-12ab-34cd-56ef-1234567890ab"), /bare key id/);
    });

    it("validates the context (limits and secret-looking entries, with extra patterns)", () => {
        assert.throws(
            () => diskEncryptionOverrides(KEY, { password: "x" }),
            /encryptionContext\["password"\] looks like a secret/,
        );
        assert.throws(
            () => diskEncryptionOverrides(KEY, { ticket: "INC-1" }, { extraSecretPatterns: ["^INC-"] }),
            /configured secret pattern/,
        );
        const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, "v"]));
        assert.throws(() => diskEncryptionOverrides(KEY, nine), /9 entries/);
    });

    it("mergeDiskEncryptionOverrides keeps applicationConfiguration and monitoringConfiguration, replaces the old setting", () => {
        const existing = {
            applicationConfiguration: [
                { classification: "spark-defaults", properties: { "spark.executor.cores": "4" } },
            ],
            monitoringConfiguration: { s3MonitoringConfiguration: { logUri: "s3://logs/" } },
            diskEncryptionConfiguration: { encryptionKeyArn: OTHER_KEY, encryptionContext: { old: "ctx" } },
        };
        const snapshot = JSON.parse(JSON.stringify(existing));
        const merged = mergeDiskEncryptionOverrides(existing, KEY);
        assert.deepEqual(merged, {
            applicationConfiguration: existing.applicationConfiguration,
            monitoringConfiguration: existing.monitoringConfiguration,
            diskEncryptionConfiguration: { encryptionKeyArn: KEY },
        });
        assert.deepEqual(existing, snapshot, "input not modified");
        assert.deepEqual(mergeDiskEncryptionOverrides(undefined, KEY), diskEncryptionOverrides(KEY));
    });

    it("livySessionConf: key ARN entry, context as k1:v1,k2:v2 in key order, context entry omitted when there is none", () => {
        assert.deepEqual(livySessionConf(KEY, { team: "analytics", env: "dev" }), {
            [LIVY_KEY_ARN_CONF]: KEY,
            [LIVY_CONTEXT_CONF]: "env:dev,team:analytics",
        });
        assert.deepEqual(
            livySessionConf(KEY, { env: "dev", team: "analytics" }),
            livySessionConf(KEY, { team: "analytics", env: "dev" }),
            "the same string whatever order the map was built in",
        );
        assert.equal(LIVY_KEY_ARN_CONF, "spark.emr-serverless.disk.encryptionKeyArn");
        assert.equal(LIVY_CONTEXT_CONF, "spark.emr-serverless.disk.encryptionContext");
        assert.deepEqual(livySessionConf(KEY), { [LIVY_KEY_ARN_CONF]: KEY });
        assert.throws(() => livySessionConf("alias/x"), DiskEncryptionValidationError);
    });

    it("livySessionConf refuses contexts the k:v,k:v form cannot carry", () => {
        assert.throws(() => livySessionConf(KEY, { team: "a,b" }), /Livy form/);
        assert.throws(() => livySessionConf(KEY, { "a:b": "c" }), /Livy form/);
        assert.deepEqual(checkLivyContext({ url: "s3://bucket" }), [], "a ':' in a value is fine");
    });

    it("mergeLivySessionConf keeps other entries and drops a stale context entry", () => {
        const existing = {
            "emr-serverless.session.executionRoleArn": "arn:aws:iam::111122223333:role/r",
            [LIVY_KEY_ARN_CONF]: OTHER_KEY,
            [LIVY_CONTEXT_CONF]: "old:ctx",
        };
        assert.deepEqual(mergeLivySessionConf(existing, KEY), {
            "emr-serverless.session.executionRoleArn": "arn:aws:iam::111122223333:role/r",
            [LIVY_KEY_ARN_CONF]: KEY,
        });
        assert.equal(existing[LIVY_CONTEXT_CONF], "old:ctx", "input not modified");
        assert.deepEqual(mergeLivySessionConf(undefined, KEY, { a: "1" }), {
            [LIVY_KEY_ARN_CONF]: KEY,
            [LIVY_CONTEXT_CONF]: "a:1",
        });
    });
});
