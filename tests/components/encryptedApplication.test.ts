/**
 * EncryptedApplication under Pulumi runtime mocks, in update mode and in preview mode. Each mode
 * runs in its own child process (setMocks is process-global), both in parallel; the harness
 * writes what was registered (type, name, parent, dependencies, ignoreChanges, inputs) and the
 * component's outputs, and these tests assert on that record.
 */
import * as assert from "node:assert/strict";
import { DISK_ENCRYPTION_TYPE } from "../../policypack/judge/constants";
import type { PolicyDocument, PolicyStatement } from "../../components/keyPolicy";
import { mockRecording, type Results } from "./harness/mockRecording";
import type { Registration, ScenarioResult } from "../../harness/components/runScenarios";
import {
    ADMIN,
    CONTEXT,
    EXISTING_ROLE,
    KEY_ASYMMETRIC,
    KEY_CMK_SPEC_ONLY,
    KEY_DISABLED,
    KEY_SYMMETRIC,
    MANAGED_POLICY,
    SUBMITTER,
} from "../../harness/components/scenarios";
import {
    ACCOUNT,
    APP_ARN,
    APP_ID,
    KEY_ARN,
    REGION,
    assertBaseStatements,
    assertJobRoleGrant,
    assertJobRoleTrust,
    assertOnlyKnownStatements,
    assertServiceStatement,
    assertSubmitterIamPolicy,
    assertSubmitterStatements,
} from "./support/predicates";

const UNKNOWN = "<unknown>";

let update: Results;
let preview: Results;

function find(r: ScenarioResult, type: string, name?: string): Registration {
    const found = r.registrations.filter((x) => x.type === type && (name === undefined || x.name === name));
    assert.equal(found.length, 1, `exactly one ${type} ${name ?? ""}; got ${found.map((x) => x.name).join(", ")}`);
    return found[0];
}

function inputs(reg: Registration): Record<string, unknown> {
    return reg.inputs as Record<string, unknown>;
}

function parse(reg: Registration, field: string): PolicyDocument {
    const v = inputs(reg)[field];
    assert.equal(typeof v, "string", `${reg.name}.${field} is a known JSON string`);
    return JSON.parse(v as string) as PolicyDocument;
}

const T = {
    component: "emr-serverless-disk-encryption:index:EncryptedApplication",
    key: "aws:kms/key:Key",
    alias: "aws:kms/alias:Alias",
    keyPolicy: "aws:kms/keyPolicy:KeyPolicy",
    app: "aws:emrserverless/application:Application",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    policy: "aws:iam/policy:Policy",
    setting: DISK_ENCRYPTION_TYPE,
};

const EXPECTED_STATEMENTS_FULL = {
    service: { applicationArn: APP_ARN, applicationId: APP_ID, accountId: ACCOUNT },
    submitters: { submitterArns: [SUBMITTER], region: REGION, encryptionContext: CONTEXT },
};

describe("components: EncryptedApplication under mocks (update and preview, one child process each)", function () {
    this.timeout(60_000);

    before(async () => {
        ({ update, preview } = await mockRecording());
    });

    describe("update mode", () => {
        it("registers the component and every child parented to it", () => {
            const r = update.full;
            const types = r.registrations.map((x) => x.type).sort();
            assert.deepEqual(
                types,
                [
                    T.policy,
                    T.role,
                    T.rolePolicy,
                    T.attachment,
                    T.setting,
                    T.app,
                    T.component,
                    T.alias,
                    T.key,
                    T.keyPolicy,
                ].sort(),
            );
            const component = find(r, T.component, "full");
            assert.equal(component.custom, false);
            for (const child of r.registrations.filter((x) => x !== component)) {
                assert.equal(child.parent, "full", `${child.name} is parented to the component`);
            }
        });

        it("the key: SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, rotation on, options passed, base policy only, ignoreChanges policy", () => {
            const key = find(update.full, T.key);
            const i = inputs(key);
            assert.equal(i.customerMasterKeySpec, "SYMMETRIC_DEFAULT");
            assert.equal(i.keyUsage, "ENCRYPT_DECRYPT");
            assert.equal(i.enableKeyRotation, true);
            assert.equal(i.rotationPeriodInDays, 180);
            assert.equal(i.deletionWindowInDays, 7);
            assert.deepEqual(key.ignoreChanges, ["policy"]);
            const base = parse(key, "policy");
            assertBaseStatements(base.Statement, { partition: "aws", accountId: ACCOUNT, administratorArns: [ADMIN] });
            assert.equal(base.Statement.length, 2, "the key's own policy holds only the base statements");
            const alias = find(update.full, T.alias);
            assert.equal(inputs(alias).name, "alias/emr-disks");
            assert.equal(inputs(alias).targetKeyId, "1234abcd-12ab-34cd-56ef-1234567890ab");
        });

        it("the application: type, release label and the pass-through arguments", () => {
            const app = inputs(find(update.full, T.app));
            assert.equal(app.type, "spark");
            assert.equal(app.releaseLabel, "emr-7.9.0");
            assert.deepEqual(app.autoStopConfiguration, { enabled: true, idleTimeoutMinutes: 15 });
        });

        it("the key policy: every statement, principal, action and condition; depends on the application", () => {
            const kp = find(update.full, T.keyPolicy);
            assert.equal(inputs(kp).keyId, "1234abcd-12ab-34cd-56ef-1234567890ab");
            const doc = parse(kp, "policy");
            assertOnlyKnownStatements(doc);
            assertBaseStatements(doc.Statement, { partition: "aws", accountId: ACCOUNT, administratorArns: [ADMIN] });
            assertServiceStatement(doc.Statement, EXPECTED_STATEMENTS_FULL.service);
            assertSubmitterStatements(doc.Statement, EXPECTED_STATEMENTS_FULL.submitters);
            assert.ok(kp.dependencies.includes(`${T.app}::full`), "the key policy depends on the application");
            assert.ok(kp.dependencies.includes(`${T.key}::full-key`));
        });

        it("the job role: trust bound to the account and the application; grant on the key ARN, not *", () => {
            const role = find(update.full, T.role);
            assertJobRoleTrust(parse(role, "assumeRolePolicy"), { accountId: ACCOUNT, applicationArn: APP_ARN });
            const grant = find(update.full, T.rolePolicy);
            assert.equal(inputs(grant).role, "full-job-role-1234567");
            assertJobRoleGrant(parse(grant, "policy"), KEY_ARN);
            const attachment = find(update.full, T.attachment);
            assert.deepEqual(inputs(attachment), { role: "full-job-role-1234567", policyArn: MANAGED_POLICY });
        });

        it("the submitters' IAM policy: DescribeKey, GDK/Decrypt via EMR Serverless, on the key ARN", () => {
            assertSubmitterIamPolicy(parse(find(update.full, T.policy), "policy"), {
                keyArn: KEY_ARN,
                region: REGION,
                encryptionContext: CONTEXT,
            });
            assert.equal(update.minimal.registrations.filter((x) => x.type === T.policy).length, 0, "opt-in only");
        });

        it("the setting: the shared type token, inputs, no credentials, the default provider; after the key policy and the role grant", () => {
            const setting = find(update.full, T.setting);
            const i = inputs(setting);
            assert.equal(i.applicationId, APP_ID);
            assert.equal(i.encryptionKeyArn, KEY_ARN);
            assert.deepEqual(i.encryptionContext, CONTEXT);
            assert.equal(i.region, REGION);
            assert.equal(i.restartIfStarted, true);
            assert.deepEqual(
                Object.keys(i).sort(),
                ["applicationId", "encryptionContext", "encryptionKeyArn", "region", "restartIfStarted"],
                "who the setting acts as is provider configuration, not an input",
            );
            assert.equal(setting.provider, "", "the default provider of this package (stack config)");
            assert.ok(setting.dependencies.includes(`${T.keyPolicy}::full-key-policy`), "depends on the key policy");
            assert.ok(
                setting.dependencies.includes(`${T.rolePolicy}::full-job-role-key-grant`),
                "depends on the role grant",
            );
            assert.ok(setting.dependencies.includes(`${T.app}::full`), "depends on the application");
            assert.equal(inputs(find(update.minimal, T.setting)).restartIfStarted, false, "restart is opt-in");
        });

        it("outputs: ids, ARNs, StartJobRun overrides, Livy conf, required statements", () => {
            const o = update.full.outputs;
            assert.deepEqual(o.applicationId, { known: true, value: APP_ID });
            assert.deepEqual(o.applicationArn, { known: true, value: APP_ARN });
            assert.deepEqual(o.keyArn, { known: true, value: KEY_ARN });
            assert.deepEqual(o.jobRoleArn, {
                known: true,
                value: "arn:aws:iam::111122223333:role/full-job-role-1234567",
            });
            assert.deepEqual(o.jobRunConfigurationOverrides.value, {
                diskEncryptionConfiguration: { encryptionKeyArn: KEY_ARN, encryptionContext: CONTEXT },
            });
            assert.deepEqual(o.livySessionConf.value, {
                "spark.emr-serverless.disk.encryptionKeyArn": KEY_ARN,
                "spark.emr-serverless.disk.encryptionContext": "environment:dev,team:analytics",
            });
            const required = o.requiredKeyPolicyStatements.value as PolicyStatement[];
            assert.equal(required.length, 3);
            assertServiceStatement(required, EXPECTED_STATEMENTS_FULL.service);
            assertSubmitterStatements(required, EXPECTED_STATEMENTS_FULL.submitters);
        });

        it("without a context: no context in the overrides, no context entry in the Livy conf", () => {
            const o = update.minimal.outputs;
            assert.deepEqual(o.jobRunConfigurationOverrides.value, {
                diskEncryptionConfiguration: { encryptionKeyArn: KEY_ARN },
            });
            assert.deepEqual(o.livySessionConf.value, { "spark.emr-serverless.disk.encryptionKeyArn": KEY_ARN });
            const doc = parse(find(update.minimal, T.keyPolicy), "policy");
            assert.deepEqual(
                doc.Statement.map((s) => s.Sid),
                ["EnableRootAccountControl", "AllowEmrServerlessDiskEncryption"],
            );
        });

        it("new-key path invokes only getPartition, getCallerIdentity and getRegion", () => {
            assert.deepEqual([...new Set(update.full.calls)].sort(), [
                "aws:index/getCallerIdentity:getCallerIdentity",
                "aws:index/getPartition:getPartition",
                "aws:index/getRegion:getRegion",
            ]);
        });

        it("an explicit region: no getRegion invoke; every child and every kms:ViaService uses it", () => {
            const r = update.regionOverride;
            assert.ok(!r.calls.includes("aws:index/getRegion:getRegion"));
            // Every regional child (IAM is global), including the alias and the monitoring resources.
            const regional = r.registrations.filter((x) => x.custom && !x.type.startsWith("aws:iam/"));
            assert.deepEqual(
                regional.map((x) => x.type).sort(),
                [
                    T.alias,
                    T.app,
                    T.key,
                    T.keyPolicy,
                    T.setting,
                    "aws:cloudwatch/logMetricFilter:LogMetricFilter",
                    "aws:cloudwatch/metricAlarm:MetricAlarm",
                    "aws:cloudwatch/queryDefinition:QueryDefinition",
                    "aws:sns/topic:Topic",
                ].sort(),
            );
            for (const child of regional) {
                assert.equal(inputs(child).region, "eu-west-1", child.type);
            }
            assert.equal(inputs(find(r, T.setting)).region, "eu-west-1");
            const doc = parse(find(r, T.keyPolicy), "policy");
            assertSubmitterStatements(doc.Statement, { submitterArns: [SUBMITTER], region: "eu-west-1" });
            assertSubmitterIamPolicy(parse(find(r, T.policy), "policy"), { keyArn: KEY_ARN, region: "eu-west-1" });
        });

        it("a context the Livy form cannot carry: no livySessionConf, StartJobRun overrides unaffected", () => {
            const o = update.commaContext.outputs;
            assert.equal(o.livySessionConf.known, true);
            assert.equal(o.livySessionConf.value, undefined);
            assert.deepEqual(o.jobRunConfigurationOverrides.value, {
                diskEncryptionConfiguration: { encryptionKeyArn: KEY_ARN, encryptionContext: { teams: "a,b" } },
            });
        });

        it("keyUsageMonitoring: a KeyUsageMonitoring child on this key and application; none by default", () => {
            const r = update.monitored;
            const monitoring = find(r, "emr-serverless-disk-encryption:index:KeyUsageMonitoring");
            assert.equal(
                monitoring.parent,
                "monitored",
                "the monitoring component is parented to EncryptedApplication",
            );
            const query = inputs(find(r, "aws:cloudwatch/queryDefinition:QueryDefinition")).queryString as string;
            assert.ok(query.includes(KEY_ARN), "the query filters on this key");
            assert.ok(query.includes(APP_ID), "the query filters on this application");
            assert.deepEqual(inputs(find(r, "aws:cloudwatch/queryDefinition:QueryDefinition")).logGroupNames, [
                "cloudtrail-logs",
            ]);
            find(r, "aws:cloudwatch/metricAlarm:MetricAlarm");
            find(r, "aws:sns/topic:Topic");
            assert.ok(
                !update.full.registrations.some(
                    (x) => x.type === "emr-serverless-disk-encryption:index:KeyUsageMonitoring",
                ),
                "no monitoring unless asked",
            );
        });

        it("an Output context is validated when known and reaches the setting", () => {
            assert.deepEqual(inputs(find(update.outputContext, T.setting)).encryptionContext, { team: "analytics" });
        });
    });

    describe("existing key", () => {
        it("symmetric key: no key, no key policy; checked with getKey; grant and setting use it", () => {
            for (const r of [update.existingSymmetric, preview.existingSymmetric]) {
                assert.equal(r.registrations.filter((x) => x.type === T.key || x.type === T.keyPolicy).length, 0);
                assert.ok(r.calls.includes("aws:kms/getKey:getKey"));
                assert.equal(inputs(find(r, T.setting)).encryptionKeyArn, KEY_SYMMETRIC);
                assert.ok(
                    find(r, T.setting).dependencies.includes(`${T.rolePolicy}::existingSymmetric-job-role-key-grant`),
                );
            }
            assertJobRoleGrant(parse(find(update.existingSymmetric, T.rolePolicy), "policy"), KEY_SYMMETRIC);
        });

        it("requiredKeyPolicyStatements tells the key's owner exactly what to add", () => {
            const required = update.existingSymmetric.outputs.requiredKeyPolicyStatements.value as PolicyStatement[];
            assertServiceStatement(required, EXPECTED_STATEMENTS_FULL.service);
            assertSubmitterStatements(required, EXPECTED_STATEMENTS_FULL.submitters);
        });

        it("a key known only by customerMasterKeySpec (empty keySpec) is accepted", () => {
            assert.deepEqual(update.existingCmkSpecOnly.outputs.keyArn, { known: true, value: KEY_CMK_SPEC_ONLY });
            find(update.existingCmkSpecOnly, T.setting);
        });

        for (const [scenario, key, why] of [
            [
                "existingAsymmetric",
                KEY_ASYMMETRIC,
                /key spec RSA_2048; EMR Serverless disk encryption supports only symmetric keys/,
            ],
            ["existingDisabled", KEY_DISABLED, /is not enabled \(key state Disabled\)/],
        ] as const) {
            it(`${scenario}: a clear error naming the key, and nothing but the component registered (both modes)`, () => {
                for (const r of [update[scenario], preview[scenario]]) {
                    const err = r.outputs.keyArn.error ?? "";
                    assert.ok(err.includes(`existingKeyArn "${key}"`), err);
                    assert.match(err, why);
                    assert.match(err, /Fix: /);
                    assert.deepEqual(
                        r.registrations.map((x) => x.type),
                        [T.component],
                    );
                }
            });
        }
    });

    describe("existing job role", () => {
        it("by ARN: no role created; the key grant and managed policies attached to it by name", () => {
            const r = update.existingRole;
            assert.equal(r.registrations.filter((x) => x.type === T.role).length, 0);
            assert.equal(inputs(find(r, T.rolePolicy)).role, "emr-jobs");
            assertJobRoleGrant(parse(find(r, T.rolePolicy), "policy"), KEY_ARN);
            assert.deepEqual(inputs(find(r, T.attachment)), { role: "emr-jobs", policyArn: MANAGED_POLICY });
            assert.deepEqual(r.outputs.jobRoleArn, { known: true, value: EXISTING_ROLE });
        });

        it("by name: the ARN is built from the partition and account", () => {
            assert.deepEqual(update.existingRoleByName.outputs.jobRoleArn, {
                known: true,
                value: "arn:aws:iam::111122223333:role/emr-jobs",
            });
        });
    });

    describe("who the setting acts as", () => {
        it("explicit providers for aws and this package: the setting uses this package's, the AWS children the aws one", () => {
            for (const r of [update.explicitProviders, preview.explicitProviders]) {
                assert.equal(r.constructionError, undefined);
                const setting = find(r, T.setting);
                assert.match(setting.provider ?? "", /::pulumi:providers:emr-serverless-disk-encryption::setting::/);
                for (const child of r.registrations.filter((x) => x.custom && x.type.startsWith("aws:"))) {
                    assert.match(
                        child.provider ?? "",
                        /::pulumi:providers:aws::deployer::/,
                        `${child.type} uses the aws provider`,
                    );
                }
            }
        });
    });

    describe("refusals", () => {
        const cases: Array<[string, RegExp]> = [
            [
                "refuseAliasArn",
                /existingKeyArn "arn:aws:kms:us-east-1:111122223333:alias\/emr" is refused: it is an alias/,
            ],
            ["refuseBareId", /existingKeyArn "11111111-1111-1111-1111-111111111111" is refused: it is a bare key id/],
            ["refuseNineEntries", /encryptionContext has 9 entries; EMR Serverless accepts at most 8/],
            ["refuseLongKey", /encryptionContext\["k{129}"\]: the key is 129 characters long/],
            ["refuseLongValue", /encryptionContext\["team"\]: the value is 385 characters long/],
            ["refuseEmptyKey", /encryptionContext\[""\]: the key is 0 characters long/],
            ["refusePassword", /encryptionContext\["dbPassword"\] looks like a secret/],
            [
                "refuseSecretValue",
                /encryptionContext\["owner"\] looks like a secret \(it looks like an AWS access key id\)/,
            ],
            [
                "refuseExtraPattern",
                /encryptionContext\["ticket"\] looks like a secret \(it matches the configured secret pattern/,
            ],
            ["refuseWildcardSubmitter", /submitterArns\[0\] "\*" is not an IAM user, role or account-root ARN/],
            ["refuseKeyOptionsWithExistingKey", /keyAdministratorArns apply only to a key the component creates/],
            ["refuseRemovedCredentials", /diskEncryptionCredentials was removed in 0\.2\.0.*Fix: Remove it/s],
            [
                "refuseExplicitAwsProviderOnly",
                /explicit aws provider, whose credentials the component cannot read.*Fix: Pass an explicit provider of this package/s,
            ],
        ];
        for (const [scenario, message] of cases) {
            it(`${scenario}: throws at construction naming the field and the fix; nothing registered (both modes)`, () => {
                for (const r of [update[scenario], preview[scenario]]) {
                    const err = r.constructionError ?? "";
                    assert.match(err, new RegExp(`^EncryptedApplication "${scenario}": refused`));
                    assert.match(err, message);
                    assert.match(err, /Fix: \S/);
                    assert.equal(r.registrationsAtConstruction, 0);
                    assert.deepEqual(r.registrations, []);
                }
            });
        }

        it("a refused Output context fails the outputs with the message; only the component is registered", () => {
            for (const r of [update.refuseOutputContext, preview.refuseOutputContext]) {
                assert.equal(r.constructionError, undefined);
                assert.match(
                    r.outputs.jobRunConfigurationOverrides.error ?? "",
                    /encryptionContext\["apiToken"\] looks like a secret/,
                );
                assert.deepEqual(
                    r.registrations.map((x) => x.type),
                    [T.component],
                );
            }
        });
    });

    describe("the example program (root index.ts with Pulumi.example.yaml's config)", () => {
        it("deploys one EncryptedApplication from the stack config and exports its outputs", () => {
            for (const r of [update.exampleProgram, preview.exampleProgram]) {
                assert.equal(r.constructionError, undefined);
                const component = find(r, T.component, "emr");
                assert.equal(component.parent, "");
                for (const child of r.registrations.filter((x) => x !== component)) {
                    assert.equal(child.parent, "emr");
                }
                assert.equal(inputs(find(r, T.app)).releaseLabel, "emr-7.9.0");
                assert.deepEqual(inputs(find(r, T.setting)).encryptionContext, {
                    team: "analytics",
                    environment: "dev",
                });
            }
            const doc = parse(find(update.exampleProgram, T.keyPolicy), "policy");
            assertBaseStatements(doc.Statement, { partition: "aws", accountId: ACCOUNT, administratorArns: [ADMIN] });
            assertSubmitterStatements(doc.Statement, {
                submitterArns: [SUBMITTER],
                region: REGION,
                encryptionContext: { team: "analytics", environment: "dev" },
            });
            const o = update.exampleProgram.outputs;
            assert.deepEqual(o.keyArn, { known: true, value: KEY_ARN });
            assert.equal(o.applicationId.value, APP_ID);
            assert.ok(
                o.livySessionConf.known && o.jobRunConfigurationOverrides.known && o.requiredKeyPolicyStatements.known,
            );
            assert.equal(preview.exampleProgram.outputs.applicationId.known, false);
        });
    });

    describe("preview mode", () => {
        it("is really a preview: the application id is unknown", () => {
            assert.equal(preview.full.outputs.applicationId.known, false);
            assert.equal(preview.full.outputs.jobRunConfigurationOverrides.known, false);
            assert.equal(update.full.outputs.applicationId.known, true);
        });

        it("registers the same resources, parents and dependencies as an update", () => {
            const shape = (r: ScenarioResult): string[] =>
                r.registrations.map((x) => `${x.type} ${x.name} <- ${x.parent} [${x.dependencies.join(",")}]`).sort();
            for (const scenario of ["full", "minimal", "existingSymmetric", "existingRole"]) {
                assert.deepEqual(shape(preview[scenario]), shape(update[scenario]), scenario);
            }
        });

        it("the key's base policy is known at preview (from the invokes); the full policy waits for the application", () => {
            const key = find(preview.full, T.key);
            assertBaseStatements(parse(key, "policy").Statement, {
                partition: "aws",
                accountId: ACCOUNT,
                administratorArns: [ADMIN],
            });
            assert.equal(inputs(find(preview.full, T.keyPolicy)).policy, UNKNOWN);
            assert.equal(inputs(find(preview.full, T.role)).assumeRolePolicy, UNKNOWN);
            const setting = inputs(find(preview.full, T.setting));
            assert.equal(setting.applicationId, UNKNOWN);
            assert.equal(setting.encryptionKeyArn, UNKNOWN);
            assert.deepEqual(setting.encryptionContext, CONTEXT);
            assert.equal(setting.region, REGION);
        });

        it("with an existing key, the key ARN and the StartJobRun overrides are known at preview", () => {
            const o = preview.existingSymmetric.outputs;
            assert.deepEqual(o.keyArn, { known: true, value: KEY_SYMMETRIC });
            assert.deepEqual(o.jobRunConfigurationOverrides.value, {
                diskEncryptionConfiguration: { encryptionKeyArn: KEY_SYMMETRIC, encryptionContext: CONTEXT },
            });
            assert.equal(
                o.requiredKeyPolicyStatements.known,
                false,
                "bound to the application ARN, unknown at preview",
            );
        });
    });
});
