import assert from "node:assert/strict";
import { policies } from "../../policypack/policies";
import type { CorpusResource } from "../../harness/corpus";
import { MISS } from "../../harness/corpus";
import { analyzeStack, policyResources } from "../../harness/policyPack";
import { buildStackIndex } from "../../policypack/policies/support/stack";

/** `groups` copies of the component's four resources (key, application, KeyPolicy, setting), distinct ids. */
function bigStack(groups: number): CorpusResource[] {
    const out: CorpusResource[] = [];
    for (let i = 0; i < groups; i++) {
        const hex = i.toString(16).padStart(12, "0");
        const keyId = `1234abcd-12ab-34cd-56ef-${hex}`;
        const keyArn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
        const appId = `00f${i.toString(36).padStart(13, "0")}`;
        const appArn = `arn:aws:emr-serverless:us-east-1:111122223333:/applications/${appId}`;
        const u = (t: string, n: string): string => `urn:pulumi:big::p::${t}::${n}${i}`;
        const keyUrn = u("aws:kms/key:Key", "key");
        const appUrn = u("aws:emrserverless/application:Application", "app");
        const policy = JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Root",
                    Effect: "Allow",
                    Principal: { AWS: "arn:aws:iam::111122223333:root" },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    Sid: "Service",
                    Effect: "Allow",
                    Principal: { Service: "emr-serverless.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                    Resource: "*",
                    Condition: {
                        StringLike: { "aws:SourceArn": appArn },
                        StringEquals: {
                            "aws:SourceAccount": "111122223333",
                            "kms:EncryptionContext:applicationId": appId,
                        },
                    },
                },
            ],
        });
        out.push(
            {
                type: "aws:kms/key:Key",
                name: `key${i}`,
                urn: keyUrn,
                props: { arn: keyArn, keyId, enableKeyRotation: i % 2 === 0 },
            },
            {
                type: "aws:emrserverless/application:Application",
                name: `app${i}`,
                urn: appUrn,
                props: { id: appId, arn: appArn },
            },
            {
                type: "aws:kms/keyPolicy:KeyPolicy",
                name: `kp${i}`,
                urn: u("aws:kms/keyPolicy:KeyPolicy", "kp"),
                props: { keyId, policy },
                propertyDependencies: { keyId: [keyUrn] },
            },
            {
                type: "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption",
                name: `set${i}`,
                urn: u("pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption", "set"),
                props: { applicationId: appId, encryptionKeyArn: keyArn, region: "us-east-1" },
                propertyDependencies: { encryptionKeyArn: [keyUrn], applicationId: [appUrn] },
            },
        );
    }
    return out;
}

describe("policy pack: scale", () => {
    it("indexes a 10,000-resource stack and resolves every join", () => {
        const index = buildStackIndex(policyResources(bigStack(2500)));
        assert.equal(index.keys.length, 2500);
        assert.ok(index.keys.every((k) => k.settings.length === 1 && k.keyPolicies.length === 1));
        assert.ok(index.apps.every((a) => a.covered));
    });

    it("runs every stack policy over 10,000 resources in linear time", async function () {
        this.timeout(120_000);
        const small = bigStack(250);
        const big = bigStack(2500);
        // CPU time of this process (the work is in-process): other load on the machine does not move it.
        const cpuMs = (): number => {
            const u = process.cpuUsage();
            return (u.user + u.system) / 1000;
        };
        const t0 = cpuMs();
        await analyzeStack(policies, small);
        const t1 = cpuMs();
        const ds = await analyzeStack(policies, big);
        const t2 = cpuMs();
        const smallMs = t1 - t0;
        const bigMs = t2 - t1;
        // Half the keys have rotation off: one advisory each, nothing else.
        assert.equal(ds.length, 1250);
        assert.ok(
            ds.every((d) => d.policyName === "missing-key-rotation"),
            ds[0]?.message,
        );
        assert.ok(!ds.some((d) => d.policyName === MISS));
        assert.ok(bigMs < 20_000, `10,000 resources took ${bigMs.toFixed(0)} ms of CPU`);
        // 10x the resources may cost at most ~25x the time (linear with noise; quadratic would be 100x).
        assert.ok(bigMs < Math.max(smallMs, 20) * 25, `small ${smallMs.toFixed(0)} ms, big ${bigMs.toFixed(0)} ms`);
        console.log(
            `      (stack policies, CPU: 1,000 resources ${smallMs.toFixed(0)} ms, 10,000 resources ${bigMs.toFixed(0)} ms)`,
        );
    });
});
