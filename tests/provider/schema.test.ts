/**
 * The package schema (`provider/schema.json`) against the TypeScript classes it describes: every Args field
 * with its type, required-ness and plainness, every public output and child resource, the provider's
 * configuration; and against the rules of Pulumi's package metaschema (structure, tokens, references into
 * the AWS provider's schema at the installed version). The comparison is also run on altered copies of both
 * sides, to show it notices a field added to one side only.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ENCRYPTED_APPLICATION_TYPE } from "../../components/encryptedApplication";
import { KEY_USAGE_MONITORING_TYPE } from "../../components/keyUsageMonitoring";
import { DISK_ENCRYPTION_TYPE } from "../../policypack/judge/constants";
import { CONFIG_KEYS, CREDENTIAL_KEYS } from "../../provider/config";
import { PACKAGE_SCHEMA, type PackageSchema } from "../../provider/packageSchema";
import {
    type CheckContext,
    type ManifestRepository,
    awsResourceExists,
    compareProps,
    repositoryUrl,
    validateSchema,
} from "./support/schemaCheck";
import { SourceShapes, awsTypeExists } from "./support/tsShapes";

const ROOT = path.resolve(__dirname, "../..");
const AWS_DIR = path.dirname(require.resolve("@pulumi/aws/package.json", { paths: [ROOT] }));
const AWS_VERSION = (require(path.join(AWS_DIR, "package.json")) as { version: string }).version;
const MANIFEST = require(path.join(ROOT, "package.json")) as {
    name: string;
    version: string;
    peerDependencies: Record<string, string>;
    repository?: ManifestRepository;
};

/** Each resource of the schema and the TypeScript it describes. */
const RESOURCES = [
    {
        token: ENCRYPTED_APPLICATION_TYPE,
        file: "components/encryptedApplication.ts",
        args: "EncryptedApplicationArgs",
        cls: "EncryptedApplication",
    },
    {
        token: KEY_USAGE_MONITORING_TYPE,
        file: "components/keyUsageMonitoring.ts",
        args: "KeyUsageMonitoringArgs",
        cls: "KeyUsageMonitoring",
    },
    {
        token: DISK_ENCRYPTION_TYPE,
        file: "components/diskEncryption/index.ts",
        args: "ApplicationDiskEncryptionArgs",
        cls: "ApplicationDiskEncryption",
    },
] as const;

/** Interfaces that travel as JSON documents, spelled as AWS spells them (`pulumi.json#/Any`). */
const JSON_DOCUMENTS = new Set(["PolicyStatement", "DiskEncryptionOverrides"]);

function shapes(overrides?: Record<string, string>): SourceShapes {
    return new SourceShapes({
        root: ROOT,
        awsDir: AWS_DIR,
        localResourceTokens: Object.fromEntries(RESOURCES.map((r) => [r.cls, r.token])),
        jsonDocuments: JSON_DOCUMENTS,
        overrides,
    });
}

function context(schema: PackageSchema = PACKAGE_SCHEMA): CheckContext {
    return {
        schema,
        awsVersion: AWS_VERSION,
        awsResourceExists: (token) => awsResourceExists(AWS_DIR, token),
        awsTypeExists: (token) => awsTypeExists(AWS_DIR, token),
    };
}

function inputProblems(schema: PackageSchema, source: SourceShapes, r: (typeof RESOURCES)[number]): string[] {
    const spec = schema.resources[r.token];
    assert.ok(spec, `the schema has ${r.token}`);
    return compareProps(
        context(schema),
        source.argsOf(r.file, r.args),
        spec.inputProperties,
        spec.requiredInputs ?? [],
        `${r.args}`,
        "input",
    );
}

function outputProblems(schema: PackageSchema, source: SourceShapes, r: (typeof RESOURCES)[number]): string[] {
    const spec = schema.resources[r.token];
    return compareProps(
        context(schema),
        source.outputsOf(r.file, r.cls),
        spec.properties,
        spec.required ?? [],
        r.cls,
        "output",
    );
}

describe("provider: the package schema", () => {
    const source = shapes();

    it("has the structure of a Pulumi package schema; every reference resolves, into @pulumi/aws at the installed version", () => {
        assert.deepEqual(validateSchema(context(), MANIFEST), []);
    });

    it("describes the components as components and the setting as a custom resource", () => {
        assert.equal(PACKAGE_SCHEMA.resources[ENCRYPTED_APPLICATION_TYPE].isComponent, true);
        assert.equal(PACKAGE_SCHEMA.resources[KEY_USAGE_MONITORING_TYPE].isComponent, true);
        assert.notEqual(PACKAGE_SCHEMA.resources[DISK_ENCRYPTION_TYPE].isComponent, true);
        assert.deepEqual(Object.keys(PACKAGE_SCHEMA.resources).sort(), RESOURCES.map((r) => r.token).sort());
    });

    for (const r of RESOURCES) {
        it(`${r.cls}: every field of ${r.args}, with its type, required-ness and plainness`, () => {
            assert.deepEqual(inputProblems(PACKAGE_SCHEMA, source, r), []);
        });
        it(`${r.cls}: every public output and child resource of the class`, () => {
            assert.deepEqual(outputProblems(PACKAGE_SCHEMA, source, r), []);
        });
    }

    it("provider configuration: the keys the provider reads, with their types; credentials are secrets", () => {
        const config = source.argsOf("provider/config.ts", "ProviderConfig");
        assert.deepEqual(Object.keys(config).sort(), [...CONFIG_KEYS].sort());
        for (const [where, props] of [
            ["config.variables", PACKAGE_SCHEMA.config.variables],
            ["provider.inputProperties", PACKAGE_SCHEMA.provider.inputProperties],
        ] as const) {
            assert.deepEqual(compareProps(context(), config, props, [], where, "output"), []);
            for (const key of CONFIG_KEYS) {
                const secret = (CREDENTIAL_KEYS as readonly string[]).includes(key);
                assert.equal(props[key]?.secret === true, secret, `${where}.${key} secret: ${secret}`);
            }
        }
    });

    it("the explicit provider: the schema's provider inputs are the Provider class's arguments", () => {
        const args = source.argsOf("components/provider.ts", "ProviderArgs");
        assert.deepEqual(
            compareProps(context(), args, PACKAGE_SCHEMA.provider.inputProperties, [], "ProviderArgs", "input"),
            [],
        );
    });

    it("the language sections ask for the @pulumi/aws and @pulumi/pulumi ranges the package declares as peers", () => {
        const lang = PACKAGE_SCHEMA.language as Record<string, Record<string, Record<string, string> | string>>;
        const awsRange = MANIFEST.peerDependencies["@pulumi/aws"] as string;
        const floor = /^\^(\d+)\.\d+\.\d+$/.exec(awsRange);
        assert.ok(floor, `@pulumi/aws peer range ${awsRange}: a caret range expected`);
        const [oldest, major] = [awsRange.slice(1), floor[1] as string];
        // The @pulumi/aws this checkout is tested with is inside that range.
        assert.equal(AWS_VERSION.split(".")[0], major);
        assert.ok(
            AWS_VERSION.localeCompare(oldest, undefined, { numeric: true }) >= 0,
            `${AWS_VERSION} is older than ${oldest}`,
        );
        assert.deepEqual(lang.nodejs.dependencies, {
            "@pulumi/aws": awsRange,
            "@pulumi/pulumi": MANIFEST.peerDependencies["@pulumi/pulumi"],
        });
        assert.equal(
            (lang.python.requires as Record<string, string>)["pulumi-aws"],
            `>=${oldest},<${Number(major) + 1}.0.0`,
        );
        assert.equal((lang.csharp.packageReferences as Record<string, string>)["Pulumi.Aws"], `${major}.*`);
        assert.equal((lang.java.dependencies as Record<string, string>)["com.pulumi:aws"], oldest);
        const repo = PACKAGE_SCHEMA.repository.replace(/^https:\/\//, "");
        assert.equal(lang.go.importBasePath, `${repo}/sdk/go/emrserverlessdiskencryption`);
    });

    it("names the repository package.json names, in any of npm's spellings, and no other", () => {
        const url = PACKAGE_SCHEMA.repository;
        const [, owner, name] = /^https:\/\/github\.com\/([^/]+)\/([^/]+)$/.exec(url) ?? [];
        assert.ok(owner && name, `schema.repository ${url} is not a GitHub repository's address`);
        for (const repository of [
            url,
            `${url}.git`,
            `git+${url}.git`,
            `git://github.com/${owner}/${name}.git`,
            `github:${owner}/${name}`,
            `${owner}/${name}`,
            { type: "git", url: `git+${url}.git` },
            { type: "git", url: `git+${url}.git`, directory: "provider" },
        ]) {
            assert.equal(repositoryUrl(repository), url, JSON.stringify(repository));
            assert.deepEqual(validateSchema(context(), { ...MANIFEST, repository }), [], JSON.stringify(repository));
        }
        for (const repository of [`https://github.com/${owner}-fork/${name}`, { type: "git", url: `${url}-2.git` }]) {
            const problems = validateSchema(context(), { ...MANIFEST, repository });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(
                problems[0],
                /schema\.repository .* must be package\.json's repository https:\/\/github\.com\//,
            );
        }
        assert.equal(repositoryUrl(undefined), undefined);
        assert.equal(repositoryUrl({ url: " " }), undefined);
    });

    describe("the comparison notices a change on one side only", () => {
        const ea = RESOURCES[0];
        const file = ea.file;
        const text = require("node:fs").readFileSync(path.join(ROOT, file), "utf8") as string;
        const withArgs = (extra: string): SourceShapes =>
            shapes({
                [file]: text.replace(
                    "export interface EncryptedApplicationArgs {",
                    `export interface EncryptedApplicationArgs {\n${extra}`,
                ),
            });
        const clone = (): PackageSchema => JSON.parse(JSON.stringify(PACKAGE_SCHEMA)) as PackageSchema;

        it("a field added to the Args only", () => {
            const problems = inputProblems(PACKAGE_SCHEMA, withArgs("    tier?: pulumi.Input<string>;"), ea);
            assert.deepEqual(problems, [
                "EncryptedApplicationArgs.tier: in the TypeScript source, missing from the schema",
            ]);
        });

        it("a property added to the schema only, and an output removed from it", () => {
            const schema = clone();
            schema.resources[ea.token].inputProperties.tier = { type: "string", description: "x" };
            delete schema.resources[ea.token].properties.keyArn;
            assert.deepEqual(inputProblems(schema, source, ea), [
                "EncryptedApplicationArgs.tier: in the schema, missing from the TypeScript source",
            ]);
            assert.deepEqual(outputProblems(schema, source, ea), [
                "EncryptedApplication.keyArn: in the TypeScript source, missing from the schema",
            ]);
        });

        it("required-ness, plainness, type and nested fields", () => {
            const schema = clone();
            const inputs = schema.resources[ea.token].inputProperties;
            schema.resources[ea.token].requiredInputs = ["type"];
            inputs.createSubmitterPolicy = { type: "boolean", description: "x" };
            inputs.restartIfStarted = { type: "string", description: "x" };
            const jobRole = schema.types["emr-serverless-disk-encryption:index:JobRoleOptions"];
            const application = schema.types["emr-serverless-disk-encryption:index:ApplicationOptions"];
            const monitoring = schema.types["emr-serverless-disk-encryption:index:KeyUsageMonitoringOptions"];
            if ("properties" in jobRole && "properties" in application && "properties" in monitoring) {
                delete jobRole.properties.path;
                delete application.properties.jobLevelCostAllocationConfiguration;
                monitoring.properties.createTopic.plain = false;
                jobRole.properties.managedPolicyArns.items = { type: "string", plain: true };
            }
            assert.deepEqual(inputProblems(schema, source, ea).sort(), [
                "EncryptedApplicationArgs.applicationArgs.jobLevelCostAllocationConfiguration: in the TypeScript source, missing from the schema",
                "EncryptedApplicationArgs.createSubmitterPolicy: plain (not pulumi.Input) in TypeScript, not plain in the schema",
                "EncryptedApplicationArgs.jobRole.managedPolicyArns[]: an Input in TypeScript, plain in the schema",
                "EncryptedApplicationArgs.jobRole.path: in the TypeScript source, missing from the schema",
                "EncryptedApplicationArgs.keyUsageMonitoring.createTopic: plain (not pulumi.Input) in TypeScript, not plain in the schema",
                "EncryptedApplicationArgs.releaseLabel: required in TypeScript, optional in the schema",
                'EncryptedApplicationArgs.restartIfStarted: a boolean in TypeScript, {"type":"string"} in the schema',
            ]);
        });

        it("a TypeScript type with no form in other languages (a function, a union of kinds)", () => {
            const problems = inputProblems(
                PACKAGE_SCHEMA,
                withArgs("    onReady?: (id: string) => void;\n    size?: pulumi.Input<string | number>;"),
                ea,
            );
            assert.ok(
                problems.some((p) => /onReady: the TypeScript type .* has no cross-language form/.test(p)),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) => /size: the TypeScript type .* has no cross-language form/.test(p)),
                problems.join("\n"),
            );
        });

        it("a reference to another @pulumi/aws version or to a token it does not have", () => {
            const schema = clone();
            const outputs = schema.resources[ea.token].properties;
            outputs.application = {
                $ref: "/aws/v6.0.0/schema.json#/resources/aws:emrserverless%2Fapplication:Application",
                description: "x",
            };
            outputs.key = { $ref: `/aws/v${AWS_VERSION}/schema.json#/resources/aws:kms%2Fkey:Keys`, description: "x" };
            outputs.keyAlias = {
                $ref: `/aws/v${AWS_VERSION}/schema.json#/resources/aws:kms/alias:Alias`,
                description: "x",
            };
            const problems = validateSchema(context(schema), MANIFEST);
            assert.equal(problems.length, 3, problems.join("\n"));
            assert.match(problems[0], /application: .* must reference \/aws\/v/);
            assert.match(problems[1], /key: @pulumi\/aws .* has no resource aws:kms\/key:Keys/);
            assert.match(problems[2], /keyAlias: .* a "\/" inside a token must be written %2F/);
        });
    });
});
