/**
 * The seam under Pulumi runtime mocks: attachDiskEncryption registers one dynamic resource with the
 * policy pack's type token and the contract's input names.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { DISK_ENCRYPTION_TYPE } from "../../policypack/judge/constants";
import { ApplicationDiskEncryption, attachDiskEncryption } from "../../components/diskEncryption";

const KEY_A = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

describe("attachDiskEncryption (runtime mocks)", () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];

    before(() => {
        pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    registered.push(args);
                    const { __provider: _p, ...state } = args.inputs as Record<string, unknown>;
                    return { id: `${args.name}-id`, state };
                },
                call: (args) => args.inputs,
            },
            "proj",
            "stack",
            false,
        );
    });

    it("registers the policy pack's type token with the contract's inputs and a serialized provider", async () => {
        const res = attachDiskEncryption(
            "disk",
            {
                applicationId: pulumi.output("00fabc123"),
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: pulumi.output("analytics") },
                region: "us-east-1",
                restartIfStarted: true,
                profile: "ops",
            },
            {},
        );
        assert.ok(res instanceof ApplicationDiskEncryption);
        assert.ok(res instanceof pulumi.dynamic.Resource);
        assert.equal(await valueOf(res.encryptionKeyArn), KEY_A);
        assert.equal(await valueOf(res.applicationId), "00fabc123");
        assert.deepEqual(await valueOf(res.encryptionContext), { team: "analytics" });
        assert.equal(await valueOf(res.region), "us-east-1");
        assert.equal(await valueOf(res.restartIfStarted), true);
        assert.equal(await valueOf(res.id), "disk-id");
        const mine = registered.find((r) => r.name === "disk");
        assert.ok(mine);
        assert.equal(mine.type, DISK_ENCRYPTION_TYPE);
        assert.equal(mine.type, "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption");
        const inputs = mine.inputs as Record<string, unknown>;
        for (const k of ["applicationId", "encryptionKeyArn", "encryptionContext", "region"]) {
            assert.ok(k in inputs, `input ${k}`);
        }
        assert.equal(typeof inputs.__provider, "string");
        assert.match(String(inputs.__provider), /exports\.handler/);
    });
});
