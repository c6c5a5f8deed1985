/**
 * The provider's configuration, pure: what is accepted in each shape the engine sends it, what is refused and
 * with which fix, that no failure quotes a credential, and DiffConfig never replacing.
 */
import { strict as assert } from "node:assert";
import { awsAccess } from "../../provider/access";
import { configureBag, diffProviderConfig, parseProviderConfig } from "../../provider/config";
import { secret, UNKNOWN } from "../../provider/wire";
import { DEPLOYER_ROLE_ARN as ROLE } from "../../harness/fixtures";

const ACCESS_KEY = "AKIAFAKETESTKEY00042";
const SECRET_KEY = "FAKEsecretKEY/doNotLeak+4242424242424242";
const TOKEN = "FAKEsessionTOKENdoNotLeak0000";

const props = (r: ReturnType<typeof parseProviderConfig>): string[] => r.failures.map((f) => f.property).sort();

describe("provider configuration: parseProviderConfig", () => {
    it("accepts every key in the shapes stack config gives (strings, an object as JSON text)", () => {
        const r = parseProviderConfig({
            region: "eu-west-1",
            profile: "ops",
            assumeRole: JSON.stringify({ roleArn: ROLE, sessionName: "deploy-1", externalId: "ext-42" }),
            accessKey: ACCESS_KEY,
            secretKey: SECRET_KEY,
            token: TOKEN,
            version: "0.2.0",
        });
        assert.deepEqual(r.failures, []);
        assert.deepEqual(r.config, {
            region: "eu-west-1",
            profile: "ops",
            assumeRole: { roleArn: ROLE, sessionName: "deploy-1", externalId: "ext-42" },
            accessKey: ACCESS_KEY,
            secretKey: SECRET_KEY,
            token: TOKEN,
        });
    });

    it("accepts an explicit provider's object and Configure's secret wrappers", () => {
        const r = parseProviderConfig(
            {
                assumeRole: { roleArn: ROLE },
                accessKey: secret(ACCESS_KEY),
                secretKey: secret(SECRET_KEY),
                region: secret("us-east-1"),
            },
            { requireSecretCredentials: true },
        );
        assert.deepEqual(r.failures, []);
        assert.deepEqual(r.config, {
            assumeRole: { roleArn: ROLE },
            accessKey: ACCESS_KEY,
            secretKey: SECRET_KEY,
            region: "us-east-1",
        });
    });

    it("an empty configuration is valid (the SDK's default chain, no fallback region)", () => {
        assert.deepEqual(parseProviderConfig({}), { config: {}, failures: [] });
    });

    it("skips values unknown at preview", () => {
        const r = parseProviderConfig({ region: UNKNOWN.string, assumeRole: UNKNOWN.object, profile: "ops" });
        assert.deepEqual(r.failures, []);
        assert.deepEqual(r.config, { profile: "ops" });
    });

    it("refuses unknown keys, naming the supported ones and the command that removes them", () => {
        const r = parseProviderConfig({ regoin: "us-east-1" });
        assert.deepEqual(props(r), ["regoin"]);
        assert.match(r.failures[0]?.reason ?? "", /pulumi config rm emr-serverless-disk-encryption:regoin/);
        assert.match(r.failures[0]?.reason ?? "", /region, profile, assumeRole, accessKey, secretKey, token/);
    });

    it("refuses the AWS provider's settings it cannot honour, each with its own fix", () => {
        const r = parseProviderConfig({
            assumeRoles: JSON.stringify([{ roleArn: ROLE }, { roleArn: ROLE }]),
            assumeRoleWithWebIdentity: JSON.stringify({ roleArn: ROLE }),
            allowedAccountIds: JSON.stringify(["111122223333"]),
            sharedCredentialsFiles: JSON.stringify(["/x"]),
            endpoints: "[]",
        });
        assert.deepEqual(props(r), [
            "allowedAccountIds",
            "assumeRoleWithWebIdentity",
            "assumeRoles",
            "endpoints",
            "sharedCredentialsFiles",
        ]);
        const reason = (p: string) => r.failures.find((f) => f.property === p)?.reason ?? "";
        assert.match(reason("assumeRoles"), /at most one role/);
        assert.match(reason("assumeRoleWithWebIdentity"), /AWS_WEB_IDENTITY_TOKEN_FILE/);
        assert.match(reason("allowedAccountIds"), /not enforced/);
        assert.match(reason("sharedCredentialsFiles"), /AWS_SHARED_CREDENTIALS_FILE/);
        assert.match(reason("endpoints"), /AWS_ENDPOINT_URL_EMR_SERVERLESS/);
    });

    it("refuses a role chain given as assumeRole, session policies, tags and a malformed role ARN", () => {
        assert.deepEqual(props(parseProviderConfig({ assumeRole: [{ roleArn: ROLE }] })), ["assumeRole"]);
        assert.match(
            parseProviderConfig({ assumeRole: [{ roleArn: ROLE }] }).failures[0]?.reason ?? "",
            /role chains are not supported/,
        );
        const r = parseProviderConfig({
            assumeRole: { roleArn: "arn:aws:iam::111122223333:user/alice", policy: "{}", policyArns: ["x"], tags: {} },
        });
        assert.deepEqual(props(r), [
            "assumeRole.policy",
            "assumeRole.policyArns",
            "assumeRole.roleArn",
            "assumeRole.tags",
        ]);
        assert.match(r.failures.find((f) => f.property === "assumeRole.policy")?.reason ?? "", /full rights/);
        assert.match(
            r.failures.find((f) => f.property === "assumeRole.roleArn")?.reason ?? "",
            /pulumi config set --path emr-serverless-disk-encryption:assumeRole\.roleArn/,
        );
        assert.deepEqual(props(parseProviderConfig({ assumeRole: "{not json" })), ["assumeRole"]);
        assert.deepEqual(props(parseProviderConfig({ assumeRole: { sessionName: "s" } })), [
            "assumeRole.roleArn",
            "assumeRole.sessionName",
        ]);
        assert.deepEqual(props(parseProviderConfig({ assumeRole: { roleArn: ROLE, externalId: "a b" } })), [
            "assumeRole.externalId",
        ]);
    });

    it("refuses half a key pair, a lone token, and a malformed region or profile", () => {
        assert.deepEqual(props(parseProviderConfig({ accessKey: ACCESS_KEY })), ["secretKey"]);
        assert.deepEqual(props(parseProviderConfig({ secretKey: SECRET_KEY })), ["accessKey"]);
        assert.deepEqual(props(parseProviderConfig({ token: TOKEN })), ["token"]);
        assert.deepEqual(props(parseProviderConfig({ accessKey: "not-a-key", secretKey: SECRET_KEY })), ["accessKey"]);
        assert.deepEqual(props(parseProviderConfig({ region: "us-east" })), ["region"]);
        assert.deepEqual(props(parseProviderConfig({ region: 5 })), ["region"]);
        assert.deepEqual(props(parseProviderConfig({ profile: " ops" })), ["profile"]);
        assert.deepEqual(props(parseProviderConfig({ profile: "" })), ["profile"]);
    });

    it("with requireSecretCredentials, refuses credentials that are not secrets, with the --secret command", () => {
        const r = parseProviderConfig(
            { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, token: secret(TOKEN) },
            { requireSecretCredentials: true },
        );
        assert.deepEqual(props(r), ["accessKey", "secretKey"]);
        for (const f of r.failures) {
            assert.match(f.reason, /pulumi config set --secret emr-serverless-disk-encryption:/);
        }
        assert.equal(r.config.accessKey, undefined, "a refused credential is not used");
    });

    it("no failure quotes a credential, whatever is wrong with it", () => {
        const cases = [
            { accessKey: "akia-lower-case-not-valid", secretKey: SECRET_KEY },
            { accessKey: ACCESS_KEY, secretKey: SECRET_KEY, token: TOKEN, bogus: 1 },
            { accessKey: ACCESS_KEY },
            { secretKey: SECRET_KEY, token: TOKEN },
            { secretKey: 42 },
        ];
        for (const c of cases) {
            for (const options of [{}, { requireSecretCredentials: true }]) {
                const r = parseProviderConfig(c, options);
                assert.ok(r.failures.length > 0, JSON.stringify(c));
                const text = JSON.stringify(r.failures);
                for (const s of [ACCESS_KEY, SECRET_KEY, TOKEN, "akia-lower-case-not-valid"]) {
                    assert.ok(!text.includes(s), `${s} quoted in ${text}`);
                }
            }
        }
    });

    it("ignores the engine's own keys", () => {
        assert.deepEqual(
            parseProviderConfig({ version: "0.2.0", __internal: { pluginDownloadURL: "x" } }).failures,
            [],
        );
    });
});

describe("provider configuration: diffProviderConfig", () => {
    it("names added, deleted and updated keys; equal values (secret or not) are no change", () => {
        const d = diffProviderConfig(
            { region: "us-east-1", profile: "ops", secretKey: secret(SECRET_KEY), version: "0.2.0" },
            { region: "eu-west-1", token: secret(TOKEN), secretKey: SECRET_KEY, version: "0.2.0" },
        );
        assert.deepEqual(d.kinds, { profile: "delete", region: "update", token: "add" });
    });

    it("an unknown new value is a change", () => {
        assert.deepEqual(diffProviderConfig({ region: "us-east-1" }, { region: UNKNOWN.string }).changed, ["region"]);
    });

    it("the dynamic provider's config (every namespaced stack key) against this provider's is a change, never more", () => {
        const d = diffProviderConfig(
            { "aws:region": "us-east-1", "aws:profile": "ops", version: "3.248.0" },
            { profile: "ops", version: "0.2.0" },
        );
        assert.deepEqual(d.kinds, {
            "aws:profile": "delete",
            "aws:region": "delete",
            profile: "add",
            version: "update",
        });
    });
});

describe("provider configuration: configureBag", () => {
    it("takes typed args when the engine sends them", () => {
        assert.deepEqual(
            configureBag(
                { region: "us-east-1" },
                new Map([["emr-serverless-disk-encryption:config:region", "x"]]),
                "emr-serverless-disk-encryption",
            ),
            { bag: { region: "us-east-1" }, fromArgs: true },
        );
    });
    it("falls back to the variables, without their package prefix", () => {
        assert.deepEqual(
            configureBag(
                undefined,
                { "emr-serverless-disk-encryption:config:assumeRole": `{"roleArn":"${ROLE}"}` },
                "emr-serverless-disk-encryption",
            ),
            { bag: { assumeRole: `{"roleArn":"${ROLE}"}` }, fromArgs: false },
        );
    });
});

describe("provider configuration: awsAccess", () => {
    it("static keys win over a profile (the AWS provider's order), and resolve to exactly those keys", async () => {
        const config = {
            accessKey: ACCESS_KEY,
            secretKey: SECRET_KEY,
            token: TOKEN,
            profile: "ops",
            region: "eu-west-1",
        };
        const access = awsAccess(config);
        assert.equal(access.region, "eu-west-1");
        assert.deepEqual(await access.credentials?.(), {
            accessKeyId: ACCESS_KEY,
            secretAccessKey: SECRET_KEY,
            sessionToken: TOKEN,
        });
    });
    it("nothing configured: the SDK's default chain (no credentials provider)", () => {
        assert.deepEqual(awsAccess({}), {});
    });
    it("a profile, or a role on top, gets a credentials provider (never the default chain)", () => {
        assert.equal(typeof awsAccess({ profile: "ops" }).credentials, "function");
        assert.equal(typeof awsAccess({ assumeRole: { roleArn: ROLE } }).credentials, "function");
    });
});
