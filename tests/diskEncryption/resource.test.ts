/**
 * The seam under Pulumi runtime mocks: attachDiskEncryption registers one custom resource of this package's
 * provider with the policy pack's type token, the contract's input names, the package version as the plugin
 * version, and an alias to the dynamic resource it replaces.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { DISK_ENCRYPTION_TYPE, LEGACY_DISK_ENCRYPTION_TYPE } from "../../policypack/judge/constants";
import { ApplicationDiskEncryption, attachDiskEncryption } from "../../components/diskEncryption";
import { packageVersion } from "../../components/packageInfo";
import { Provider } from "../../components/provider";
import { SECRET_SIG, SIG_KEY } from "../../provider/wire";
import { KEY_ARN as KEY_A } from "../../harness/fixtures";

function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

interface Request {
    getType(): string;
    getName(): string;
    getVersion(): string;
    getProvider(): string;
    getAliasesList(): { getSpec(): { getType(): string; getName(): string } | undefined }[];
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

describe("attachDiskEncryption (runtime mocks)", () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    const requests: Request[] = [];

    before(() => {
        pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    registered.push(args);
                    return { id: `${args.name}-id`, state: { ...args.inputs, applicationArn: "arn:app" } };
                },
                call: (args) => args.inputs,
            },
            "proj",
            "stack",
            false,
        );
        type Register = (req: Request, cb: (e: unknown, r: unknown) => void) => unknown;
        const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: Register };
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, cb) => {
            requests.push(req);
            return original(req, cb);
        };
    });

    it("registers the policy pack's type token with the contract's inputs, the plugin version and the legacy alias", async () => {
        const res = attachDiskEncryption(
            "disk",
            {
                applicationId: pulumi.output("00fabc123"),
                encryptionKeyArn: KEY_A,
                encryptionContext: { team: pulumi.output("analytics") },
                region: "us-east-1",
                restartIfStarted: true,
            },
            {},
        );
        assert.ok(res instanceof ApplicationDiskEncryption);
        assert.ok(res instanceof pulumi.CustomResource);
        assert.ok(!(res instanceof pulumi.dynamic.Resource));
        assert.equal(await valueOf(res.encryptionKeyArn), KEY_A);
        assert.equal(await valueOf(res.applicationId), "00fabc123");
        assert.deepEqual(await valueOf(res.encryptionContext), { team: "analytics" });
        assert.equal(await valueOf(res.region), "us-east-1");
        assert.equal(await valueOf(res.restartIfStarted), true);
        assert.equal(await valueOf(res.applicationArn), "arn:app", "the computed output");
        assert.equal(await valueOf(res.id), "disk-id");
        const mine = registered.find((r) => r.name === "disk");
        assert.ok(mine);
        assert.equal(mine.type, DISK_ENCRYPTION_TYPE);
        assert.equal(mine.type, "emr-serverless-disk-encryption:index:ApplicationDiskEncryption");
        const inputs = mine.inputs as Record<string, unknown>;
        assert.deepEqual(Object.keys(inputs).sort(), [
            "applicationId",
            "encryptionContext",
            "encryptionKeyArn",
            "region",
            "restartIfStarted",
        ]);
        const req = requests.find((r) => r.getName() === "disk");
        assert.ok(req);
        assert.equal(req.getVersion(), packageVersion(), "asks for the plugin of this package's version");
        const aliasTypes = req.getAliasesList().map((a) => a.getSpec()?.getType());
        assert.deepEqual(aliasTypes, [LEGACY_DISK_ENCRYPTION_TYPE]);
    });

    it("used on its own with the default provider, it refuses an identity that is not the aws: config's, before registering", () => {
        const saved = pulumi.runtime.allConfig();
        try {
            pulumi.runtime.setAllConfig({ ...saved, "aws:profile": "ops" });
            const before = requests.length;
            assert.throws(
                () => new ApplicationDiskEncryption("alone", { applicationId: "00a", encryptionKeyArn: KEY_A }),
                (e: Error) =>
                    /^ApplicationDiskEncryption "alone": refused/.test(e.message) &&
                    e.message.includes("pulumi config set emr-serverless-disk-encryption:profile ops"),
            );
            assert.equal(requests.length, before, "nothing registered");
            pulumi.runtime.setAllConfig({
                ...saved,
                "aws:profile": "ops",
                "emr-serverless-disk-encryption:profile": "ops",
            });
            assert.doesNotThrow(
                () => new ApplicationDiskEncryption("aligned", { applicationId: "00a", encryptionKeyArn: KEY_A }),
            );
            pulumi.runtime.setAllConfig({ ...saved, "aws:profile": "ops" });
            const provider = new Provider("explicit", { profile: "other" });
            assert.doesNotThrow(
                () =>
                    new ApplicationDiskEncryption(
                        "stated",
                        { applicationId: "00a", encryptionKeyArn: KEY_A },
                        { provider },
                    ),
                "an explicit provider of this package is the program's own statement",
            );
        } finally {
            pulumi.runtime.setAllConfig(saved);
        }
    });

    it("an explicit Provider of this package is the setting's provider; credentials go in as secrets", async () => {
        const provider = new Provider("creds", {
            region: "eu-west-1",
            assumeRole: { roleArn: "arn:aws:iam::111122223333:role/deployer" },
            accessKey: "AKIAEXAMPLEEXAMPLE12",
            secretKey: "secret",
        });
        const setting = attachDiskEncryption(
            "with-provider",
            { applicationId: "00a", encryptionKeyArn: KEY_A },
            { provider },
        );
        await valueOf(setting.urn);
        const p = requests.find((r) => r.getName() === "creds");
        assert.ok(p);
        assert.equal(p.getType(), "pulumi:providers:emr-serverless-disk-encryption");
        assert.equal(p.getVersion(), packageVersion());
        const wire = p.getObject()?.toJavaScript() ?? {};
        assert.equal(wire.assumeRole, JSON.stringify({ roleArn: "arn:aws:iam::111122223333:role/deployer" }));
        assert.equal(wire.region, "eu-west-1");
        for (const k of ["accessKey", "secretKey"]) {
            assert.equal((wire[k] as Record<string, unknown>)[SIG_KEY], SECRET_SIG, `${k} is sent as a secret`);
        }
        const req = requests.find((r) => r.getName() === "with-provider");
        assert.ok(req);
        assert.match(req.getProvider(), /::pulumi:providers:emr-serverless-disk-encryption::creds::/);
    });
});
