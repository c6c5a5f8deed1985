/**
 * Who the disk-encryption setting acts as: the component refuses a default provider of this package whose
 * configuration does not reproduce the AWS provider's identity, with the exact commands that fix it, never
 * quoting a static key; an explicit provider of this package is the user's statement and is accepted.
 */
import { strict as assert } from "node:assert";
import {
    removedCredentialsArgument,
    settingIdentityProblems,
    type AwsIdentityConfig,
    type SettingProviderConfig,
} from "../../components/diskEncryption/identity";
import { DEPLOYER_ROLE_ARN as ROLE } from "../../harness/fixtures";

const PKG = "emr-serverless-disk-encryption";
const NONE = { setting: false, aws: false };
const fields = (aws: AwsIdentityConfig, setting: SettingProviderConfig, explicit = NONE): string[] =>
    settingIdentityProblems(aws, setting, explicit).map((p) => p.field);

describe("components: who the disk-encryption setting acts as", () => {
    it("nothing configured on either side, or the same profile and role: no problem", () => {
        assert.deepEqual(fields({}, {}), []);
        assert.deepEqual(
            fields(
                {
                    profile: "ops",
                    assumeRoles: JSON.stringify([{ roleArn: ROLE, externalId: "x-1", sessionName: "a" }]),
                },
                { profile: "ops", assumeRole: JSON.stringify({ roleArn: ROLE, externalId: "x-1", sessionName: "b" }) },
            ),
            [],
            "the session name only names the session",
        );
        assert.deepEqual(fields({ accessKey: "AKIA1", secretKey: "s" }, { accessKey: "AKIA1", secretKey: "s" }), []);
    });

    it("a different or missing profile: the config set/rm command", () => {
        const [p] = settingIdentityProblems({ profile: "ops" }, {}, NONE);
        assert.equal(p?.field, `${PKG}:profile`);
        assert.equal(p?.fix, `pulumi config set ${PKG}:profile ops`);
        const [q] = settingIdentityProblems({}, { profile: "ops" }, NONE);
        assert.equal(q?.fix, `pulumi config rm ${PKG}:profile`);
    });

    it("a different role or external id: the --path commands, the external id copied, not printed", () => {
        const [p] = settingIdentityProblems(
            { assumeRoles: JSON.stringify([{ roleArn: ROLE, externalId: "hidden-ext" }]) },
            { assumeRole: { roleArn: ROLE } },
            NONE,
        );
        assert.equal(p?.field, `${PKG}:assumeRole`);
        assert.match(p?.message ?? "", /external ids differ/);
        assert.match(p?.fix ?? "", new RegExp(`pulumi config set --path ${PKG}:assumeRole.roleArn ${ROLE}`));
        assert.match(p?.fix ?? "", /pulumi config get --path 'aws:assumeRoles\[0\]\.externalId'/);
        assert.ok(!JSON.stringify(p).includes("hidden-ext"));
        assert.deepEqual(fields({}, { assumeRole: JSON.stringify({ roleArn: ROLE }) }), [`${PKG}:assumeRole`]);
    });

    it("static keys that differ: the commands copy them from the aws config; no value is quoted", () => {
        const aws = { accessKey: "AKIAAWSKEY0000000001", secretKey: "awsSecretValue", token: "awsToken" };
        const problems = settingIdentityProblems(aws, { accessKey: "AKIAOTHERKEY00000002" }, NONE);
        assert.deepEqual(
            problems.map((p) => p.field),
            [`${PKG}:accessKey, ${PKG}:secretKey, ${PKG}:token`],
        );
        const fix = problems[0]?.fix ?? "";
        for (const k of ["accessKey", "secretKey", "token"]) {
            assert.ok(fix.includes(`pulumi config set --secret ${PKG}:${k} "$(pulumi config get aws:${k})"`), fix);
        }
        const text = JSON.stringify(problems);
        for (const v of [...Object.values(aws), "AKIAOTHERKEY00000002"]) {
            assert.ok(!text.includes(v), `${v} quoted`);
        }
        assert.match(
            settingIdentityProblems({}, { accessKey: "AKIAOTHERKEY00000002" }, NONE)[0]?.fix ?? "",
            new RegExp(`pulumi config rm ${PKG}:accessKey`),
        );
    });

    it("what this provider cannot reproduce is refused: a role chain, session policies and tags, web identity", () => {
        assert.deepEqual(fields({ assumeRoles: JSON.stringify([{ roleArn: ROLE }, { roleArn: `${ROLE}-2` }]) }, {}), [
            "aws:assumeRoles",
        ]);
        assert.deepEqual(
            fields(
                { assumeRoles: JSON.stringify([{ roleArn: ROLE, policy: "{}" }]) },
                { assumeRole: { roleArn: ROLE } },
            ),
            ["aws:assumeRoles[0]"],
        );
        assert.deepEqual(
            fields(
                { assumeRoles: [{ roleArn: ROLE, policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }] },
                { assumeRole: { roleArn: ROLE } },
            ),
            ["aws:assumeRoles[0]"],
        );
        assert.deepEqual(
            fields(
                { assumeRoles: JSON.stringify([{ roleArn: ROLE, tags: { team: "a" } }]) },
                { assumeRole: { roleArn: ROLE } },
            ),
            ["aws:assumeRoles[0]"],
            "session tags can change what the role may do (ABAC)",
        );
        const web = settingIdentityProblems({ assumeRoleWithWebIdentity: JSON.stringify({ roleArn: ROLE }) }, {}, NONE);
        assert.deepEqual(
            web.map((p) => p.field),
            ["aws:assumeRoleWithWebIdentity"],
        );
        assert.match(web[0]?.fix ?? "", /AWS_WEB_IDENTITY_TOKEN_FILE/);
    });

    it("credential files or an instance-metadata endpoint the AWS provider is configured with are refused, unless its static keys decide", () => {
        for (const [key, value, variable] of [
            ["sharedCredentialsFiles", JSON.stringify(["/etc/pulumi/credentials"]), "AWS_SHARED_CREDENTIALS_FILE"],
            ["sharedConfigFiles", JSON.stringify(["/etc/pulumi/config"]), "AWS_CONFIG_FILE"],
            ["ec2MetadataServiceEndpoint", "http://169.254.170.23", "AWS_EC2_METADATA_SERVICE_ENDPOINT"],
        ] as const) {
            const aws: AwsIdentityConfig = { profile: "ops", [key]: value };
            const problems = settingIdentityProblems(aws, { profile: "ops" }, NONE);
            assert.deepEqual(
                problems.map((p) => p.field),
                [`aws:${key}`],
                `${key}: the same profile name read from other files (or other instance credentials) is another identity`,
            );
            assert.match(problems[0]?.fix ?? "", new RegExp(`export ${variable}=`));
            assert.match(problems[0]?.fix ?? "", new RegExp(`pulumi config rm aws:${key}`));
            const keys = { accessKey: "AKIAAWSKEY0000000001", secretKey: "s" };
            assert.deepEqual(
                fields({ ...keys, [key]: value }, keys),
                [],
                `${key} does not matter when static keys decide the identity`,
            );
        }
    });

    it("a credentials file or endpoint that the environment already gives both providers is not refused", () => {
        const aws: AwsIdentityConfig = {
            profile: "ops",
            sharedCredentialsFiles: JSON.stringify(["/etc/pulumi/credentials"]),
            ec2MetadataServiceEndpoint: "http://169.254.170.23",
        };
        const environment = {
            AWS_SHARED_CREDENTIALS_FILE: "/etc/pulumi/credentials",
            AWS_EC2_METADATA_SERVICE_ENDPOINT: "http://169.254.170.23",
        };
        assert.deepEqual(settingIdentityProblems(aws, { profile: "ops" }, NONE, environment), []);
        assert.deepEqual(
            settingIdentityProblems(aws, { profile: "ops" }, NONE, {
                ...environment,
                AWS_SHARED_CREDENTIALS_FILE: "/home/me/.aws/credentials",
            }).map((p) => p.field),
            ["aws:sharedCredentialsFiles"],
            "another file in the environment is another identity",
        );
        assert.deepEqual(
            settingIdentityProblems(
                { ...aws, sharedCredentialsFiles: JSON.stringify(["/etc/pulumi/credentials", "/etc/more"]) },
                { profile: "ops" },
                NONE,
                environment,
            ).map((p) => p.field),
            ["aws:sharedCredentialsFiles"],
            "the SDK reads one file from the environment, not a list",
        );
    });

    it("session settings that are set but empty are not refused", () => {
        assert.deepEqual(
            fields(
                { assumeRoles: JSON.stringify([{ roleArn: ROLE, tags: {}, policyArns: [], transitiveTagKeys: [] }]) },
                { assumeRole: { roleArn: ROLE } },
            ),
            [],
        );
    });

    it("an explicit aws provider without one for the setting is refused; an explicit setting provider is accepted", () => {
        const [p] = settingIdentityProblems({}, {}, { aws: true, setting: false });
        assert.equal(p?.field, "providers");
        assert.match(p?.fix ?? "", /providers: \{ aws: awsProvider, "emr-serverless-disk-encryption": new Provider\(/);
        assert.deepEqual(fields({ profile: "a" }, { profile: "b" }, { aws: true, setting: true }), []);
        assert.deepEqual(fields({ profile: "a" }, {}, { aws: false, setting: true }), []);
    });

    it("diskEncryptionCredentials is refused with what replaced it", () => {
        assert.deepEqual(removedCredentialsArgument(undefined), []);
        const [p] = removedCredentialsArgument({ profile: "x" });
        assert.equal(p?.field, "diskEncryptionCredentials");
        assert.match(p?.message ?? "", /removed in 0\.2\.0/);
        assert.match(p?.fix ?? "", /pulumi config set emr-serverless-disk-encryption:profile/);
    });
});
