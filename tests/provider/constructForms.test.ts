/**
 * What only a program in another language can send to Construct, and what the engine passes along with it,
 * over gRPC to the packaged plugin against the recording engine: values of the wrong kind, misspelt or
 * missing properties, outputs where the component needs a known value, dependencies and secrets on values
 * the component takes as plain, the AWS provider chosen by the program, resource options; and the state the
 * plugin returns (children as typed resource references).
 */
import * as assert from "node:assert/strict";
import { PACKAGE_SCHEMA } from "../../provider/packageSchema";
import { parseRef } from "../../provider/packageSchema";
import { PACKAGED_PLUGIN, ProviderPlugin, assertBuildIsFresh } from "../../harness/providerPlugin";
import {
    type ConstructRun,
    ConstructError,
    ENCRYPTED_APPLICATION,
    KEY_USAGE_MONITORING,
    PROJECT,
    STACK,
    runConstruct,
} from "../../harness/provider/constructRun";
import { RecordingEngine, type MonitorRegistration, type Wire } from "../../harness/provider/recordingEngine";
import { OUTPUT_SIG, RESOURCE_SIG, SECRET_SIG, SIG, UNKNOWN } from "../../harness/provider/stubs";
import { yamlExample } from "./support/yamlExample";
import { harnessConfig } from "../../harness/components/mockAnswers";
import { APP_ID, KEY_ARN } from "../../harness/fixtures";

const BUCKET_URN = `urn:pulumi:${STACK}::${PROJECT}::aws:s3/bucket:Bucket::trail-logs`;
const AWS_PROVIDER_URN = `urn:pulumi:${STACK}::${PROJECT}::pulumi:providers:aws::eu-west-1`;
const AWS_PROVIDER_ID = "0c4a5bc8-2d1e-4b5a-9d55-0b3c9e1f6a77";
/** A provider reference as the engine passes it: `<urn>::<id>`. */
const AWS_PROVIDER_REF = `${AWS_PROVIDER_URN}::${AWS_PROVIDER_ID}`;

const output = (value?: Wire, opts: { secret?: boolean; dependencies?: string[] } = {}): Wire => ({
    [SIG]: OUTPUT_SIG,
    ...(value === undefined ? {} : { value }),
    ...(opts.secret ? { secret: true } : {}),
    ...(opts.dependencies ? { dependencies: opts.dependencies } : {}),
});
const secret = (value: Wire): Wire => ({ [SIG]: SECRET_SIG, value });

const monitoring = (extra: Record<string, Wire> = {}): Record<string, Wire> => ({
    keyArn: KEY_ARN,
    applicationId: APP_ID,
    cloudTrailLogGroupName: "cloudtrail-logs",
    ...extra,
});

function only(run: ConstructRun, type: string): MonitorRegistration {
    const found = run.monitor.filter((r) => r.type === type);
    assert.equal(found.length, 1, `one ${type}; got ${run.monitor.map((r) => r.type).join(", ")}`);
    return found[0];
}

function refused(run: ConstructRun): ConstructError {
    assert.ok(run.error instanceof ConstructError, `Construct was refused (${run.error?.message ?? "it succeeded"})`);
    return run.error;
}

describe("provider: Construct of what other languages send", function () {
    this.timeout(120_000);
    let engine: RecordingEngine;
    let plugin: ProviderPlugin;

    before(async () => {
        assertBuildIsFresh();
        engine = await RecordingEngine.start();
        plugin = await ProviderPlugin.launch(PACKAGED_PLUGIN, engine.address);
        await plugin.configure({});
    });

    after(async () => {
        await plugin?.close();
        await engine?.close();
    });

    const run = (
        type: string,
        name: string,
        inputs: Record<string, Wire>,
        dryRun: boolean,
        extra: Parameters<typeof runConstruct>[2] extends infer C ? Partial<C> : never = {},
    ): Promise<ConstructRun> => runConstruct(plugin, engine, { type, name, inputs, dryRun, ...extra });

    describe("refused before anything is registered, each property named", () => {
        it("a value of the wrong kind, a misspelt property and a missing required one, all in one answer", async () => {
            const r = await run(
                ENCRYPTED_APPLICATION,
                "kinds",
                {
                    type: "spark",
                    createSubmitterPolicy: "false",
                    submiterArns: ["arn:aws:iam::111122223333:role/x"],
                    key: { rotationPeriodInDays: 90.5, alias: 7 },
                    jobRole: { managedPolicyArns: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
                },
                false,
            );
            const e = refused(r);
            assert.equal(e.code, 3, "INVALID_ARGUMENT");
            const byPath = Object.fromEntries(e.propertyErrors.map((p) => [p.propertyPath, p.reason]));
            assert.deepEqual(Object.keys(byPath).sort(), [
                "createSubmitterPolicy",
                "jobRole.managedPolicyArns",
                "key.alias",
                "key.rotationPeriodInDays",
                "releaseLabel",
                "submiterArns",
            ]);
            assert.match(byPath.createSubmitterPolicy, /expected a boolean, got string "false"/);
            assert.match(
                byPath.submiterArns,
                /is not an input here; the inputs are: type, releaseLabel, .*submitterArns/,
            );
            assert.match(byPath.releaseLabel, /is required/);
            assert.match(byPath["key.rotationPeriodInDays"], /expected a whole number, got number 90.5/);
            assert.match(byPath["key.alias"], /expected a string, got number 7/);
            assert.match(byPath["jobRole.managedPolicyArns"], /expected a list, got string/);
            assert.match(e.message, /EncryptedApplication "kinds": refused input/);
            assert.equal(r.monitor.length, 0, "nothing registered");
        });

        it("an output where the component must know the value at preview (it decides which resources exist)", async () => {
            const r = await run(
                ENCRYPTED_APPLICATION,
                "plainUnknown",
                {
                    type: "spark",
                    releaseLabel: output(),
                    createSubmitterPolicy: output(),
                    jobRole: { managedPolicyArns: output() },
                    keyUsageMonitoring: output(),
                },
                true,
            );
            const e = refused(r);
            assert.deepEqual(e.propertyErrors.map((p) => p.propertyPath).sort(), [
                "createSubmitterPolicy",
                "jobRole.managedPolicyArns",
                "keyUsageMonitoring",
            ]);
            for (const p of e.propertyErrors) {
                assert.match(p.reason, /must be known when the program runs, also at preview/);
                assert.ok(p.reason.includes(`Pass a plain value for ${p.propertyPath}`), p.reason);
            }
            assert.equal(r.monitor.length, 0);
        });

        it("the same with the older wire form (an unknown sentinel instead of an output value)", async () => {
            const r = await run(KEY_USAGE_MONITORING, "sentinel", monitoring({ createTopic: UNKNOWN }), true);
            const e = refused(r);
            assert.deepEqual(
                e.propertyErrors.map((p) => p.propertyPath),
                ["createTopic"],
            );
            assert.equal(r.monitor.length, 0);
        });

        it("the component's own refusals come back per property, with the fix", async () => {
            const context = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, `v${i}`]));
            const r = await run(
                ENCRYPTED_APPLICATION,
                "nine",
                { type: "spark", releaseLabel: "emr-7.9.0", encryptionContext: context },
                false,
            );
            const e = refused(r);
            assert.deepEqual(
                e.propertyErrors.map((p) => p.propertyPath),
                ["encryptionContext"],
            );
            assert.match(e.propertyErrors[0].reason, /has 9 entries.* Fix: /);
            assert.equal(r.monitor.length, 0);
        });

        it("a stack whose AWS provider reads another credentials file than this package's provider: refused, naming the key", async () => {
            const r = await run(ENCRYPTED_APPLICATION, "files", { type: "spark", releaseLabel: "emr-7.9.0" }, false, {
                config: {
                    ...harnessConfig(),
                    "aws:sharedCredentialsFiles": JSON.stringify(["/etc/pulumi/credentials"]),
                },
            });
            const e = refused(r);
            assert.deepEqual(
                e.propertyErrors.map((p) => p.propertyPath),
                ["aws:sharedCredentialsFiles"],
            );
            assert.match(e.propertyErrors[0].reason, /export AWS_SHARED_CREDENTIALS_FILE=\/etc\/pulumi\/credentials/);
            assert.equal(r.monitor.length, 0);
        });

        it("an unknown component type names the ones this provider constructs", async () => {
            const r = await run("emr-serverless-disk-encryption:index:EncryptedApp", "x", {}, false);
            assert.match(
                refused(r).message,
                /unknown component type emr-serverless-disk-encryption:index:EncryptedApp: this provider constructs .*EncryptedApplication and .*KeyUsageMonitoring/,
            );
        });
    });

    describe("plain values sent as outputs, dependencies and secrets", () => {
        it("a known output where the component takes a plain value is used as that value", async () => {
            const asOutput = await run(
                KEY_USAGE_MONITORING,
                "topicOut",
                monitoring({ createTopic: output(true, { secret: true }), tags: output({ team: "data" }) }),
                false,
            );
            assert.equal(asOutput.error, undefined, asOutput.error?.message);
            only(asOutput, "aws:sns/topic:Topic");
            const plain = await run(KEY_USAGE_MONITORING, "topicPlain", monitoring({ createTopic: true }), false);
            const types = (r: ConstructRun): string[] => r.monitor.map((x) => x.type).sort();
            assert.deepEqual(types(asOutput), types(plain));
        });

        it("dependencies of an output value and of inputDependencies reach the children that use the value", async () => {
            const cases: [string, Record<string, Wire>, Record<string, string[]>][] = [
                [
                    "depsOutput",
                    monitoring({ cloudTrailLogGroupName: output("cloudtrail-logs", { dependencies: [BUCKET_URN] }) }),
                    {},
                ],
                ["depsLegacy", monitoring(), { cloudTrailLogGroupName: [BUCKET_URN] }],
            ];
            for (const [name, inputs, inputDependencies] of cases) {
                const r = await run(KEY_USAGE_MONITORING, name, inputs, false, { inputDependencies });
                assert.equal(r.error, undefined, r.error?.message);
                const filter = only(r, "aws:cloudwatch/logMetricFilter:LogMetricFilter");
                assert.ok(filter.dependencies.includes(BUCKET_URN), `${name}: ${filter.dependencies.join(", ")}`);
                assert.deepEqual(filter.propertyDependencies.logGroupName, [BUCKET_URN], name);
                const query = only(r, "aws:cloudwatch/queryDefinition:QueryDefinition");
                assert.ok(query.dependencies.includes(BUCKET_URN), name);
                const alarm = only(r, "aws:cloudwatch/metricAlarm:MetricAlarm");
                assert.ok(
                    !alarm.propertyDependencies.alarmDescription?.includes(BUCKET_URN),
                    "only where the value goes",
                );
            }
        });

        it("a secret stays secret in the children's inputs, sent as an output value or as the older secret wrapper", async () => {
            for (const [name, tags] of [
                ["secretOutput", output({ team: "data" }, { secret: true })],
                ["secretWrapper", { team: secret("data") }],
            ] as const) {
                const r = await run(KEY_USAGE_MONITORING, name, monitoring({ tags, createTopic: true }), false);
                assert.equal(r.error, undefined, r.error?.message);
                for (const type of ["aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sns/topic:Topic"]) {
                    const t = only(r, type).inputs.tags as Record<string, Wire>;
                    const isSecret = (v: Wire): boolean =>
                        typeof v === "object" &&
                        v !== null &&
                        !Array.isArray(v) &&
                        (v[SIG] === SECRET_SIG || (v[SIG] === OUTPUT_SIG && v.secret === true));
                    assert.ok(
                        isSecret(t) || Object.values(t).some(isSecret),
                        `${name}: ${type} tags secret: ${JSON.stringify(t)}`,
                    );
                }
            }
        });
    });

    describe("values the component takes as plain, sent as outputs with dependencies or secrets", () => {
        it("an object sent as a secret output with dependencies: its values carry both to the children that use them", async () => {
            const cases: [string, Record<string, Wire>, Record<string, string[]>][] = [
                [
                    "roleOutput",
                    { jobRole: output({ existingRole: "emr-jobs" }, { secret: true, dependencies: [BUCKET_URN] }) },
                    {},
                ],
                ["roleLegacy", { jobRole: secret({ existingRole: "emr-jobs" }) }, { jobRole: [BUCKET_URN] }],
            ];
            for (const [name, extra, inputDependencies] of cases) {
                const r = await run(
                    ENCRYPTED_APPLICATION,
                    name,
                    { type: "spark", releaseLabel: "emr-7.9.0", ...extra },
                    false,
                    { inputDependencies },
                );
                assert.equal(r.error, undefined, r.error?.message);
                assert.equal(r.monitor.filter((x) => x.type === "aws:iam/role:Role").length, 0, "no role created");
                const grant = only(r, "aws:iam/rolePolicy:RolePolicy");
                const role = grant.inputs.role as Record<string, Wire>;
                const secretRole =
                    (role[SIG] === OUTPUT_SIG && role.secret === true) ||
                    (role[SIG] === SECRET_SIG && role.value === "emr-jobs");
                assert.ok(secretRole, `${name}: the role name stays secret: ${JSON.stringify(role)}`);
                assert.ok(grant.dependencies.includes(BUCKET_URN), `${name}: ${grant.dependencies.join(", ")}`);
                assert.ok(grant.propertyDependencies.role?.includes(BUCKET_URN), `${name}: role depends on it`);
                const app = only(r, "aws:emrserverless/application:Application");
                assert.ok(!app.dependencies.includes(BUCKET_URN), `${name}: only what uses the role depends on it`);
            }
        });
    });

    describe("what the engine passes along", () => {
        it("the program's AWS provider reaches every child; parent, aliases, protect and dependsOn reach the component", async () => {
            const parent = `urn:pulumi:${STACK}::${PROJECT}::my:platform:Team::analytics`;
            const alias = `urn:pulumi:${STACK}::${PROJECT}::emr-serverless-disk-encryption:index:KeyUsageMonitoring::old-name`;
            engine.addExisting(AWS_PROVIDER_URN, AWS_PROVIDER_ID, { region: "eu-west-1" });
            const r = await run(KEY_USAGE_MONITORING, "passthrough", monitoring({ createTopic: true }), false, {
                parent,
                providers: { aws: AWS_PROVIDER_REF },
                aliases: [alias],
                protect: true,
                dependencies: [BUCKET_URN],
            });
            assert.equal(r.error, undefined, r.error?.message);
            const component = only(r, KEY_USAGE_MONITORING);
            assert.equal(component.parent, parent);
            assert.equal(component.protect, true);
            assert.ok(component.dependencies.includes(BUCKET_URN));
            assert.ok(JSON.stringify(component.aliases).includes(alias), JSON.stringify(component.aliases));
            assert.equal(
                component.urn,
                `urn:pulumi:${STACK}::${PROJECT}::my:platform:Team$${KEY_USAGE_MONITORING}::passthrough`,
            );
            const children = r.monitor.filter((x) => x !== component);
            assert.equal(children.length, 4);
            for (const child of children) {
                assert.equal(child.parent, component.urn, child.type);
                assert.equal(child.provider, AWS_PROVIDER_REF, `${child.type} uses the program's AWS provider`);
            }
        });

        it("EncryptedApplication with the program's providers: AWS children and invokes through the AWS one, the setting through this package's", async () => {
            engine.addExisting(AWS_PROVIDER_URN, AWS_PROVIDER_ID, { region: "eu-west-1" });
            const settingRef = `urn:pulumi:${STACK}::${PROJECT}::pulumi:providers:emr-serverless-disk-encryption::setting::5f1d0c2e-3a4b-4c5d-8e9f-a0b1c2d3e4f5`;
            const r = await run(
                ENCRYPTED_APPLICATION,
                "withProviders",
                { type: "spark", releaseLabel: "emr-7.9.0" },
                false,
                {
                    providers: { aws: AWS_PROVIDER_REF, "emr-serverless-disk-encryption": settingRef },
                },
            );
            assert.equal(r.error, undefined, r.error?.message);
            const setting = only(r, "emr-serverless-disk-encryption:index:ApplicationDiskEncryption");
            assert.equal(setting.provider, settingRef);
            const awsChildren = r.monitor.filter((x) => x.type.startsWith("aws:"));
            assert.ok(awsChildren.length >= 5);
            for (const child of awsChildren) {
                assert.equal(child.provider, AWS_PROVIDER_REF, child.type);
            }
            const awsInvokes = engine.invokes.filter((i) => i.token.startsWith("aws:"));
            assert.deepEqual(awsInvokes.map((i) => i.token).sort(), [
                "aws:index/getCallerIdentity:getCallerIdentity",
                "aws:index/getPartition:getPartition",
                "aws:index/getRegion:getRegion",
            ]);
            for (const i of awsInvokes) {
                assert.equal(i.provider, AWS_PROVIDER_REF, `${i.token} through the program's AWS provider`);
            }
        });

        it("EncryptedApplication's state: its outputs, and each child as a reference of the type the schema gives it", async () => {
            const r = await run(
                ENCRYPTED_APPLICATION,
                "stateEa",
                { type: "spark", releaseLabel: "emr-7.9.0", encryptionContext: { teams: "a,b" } },
                false,
            );
            assert.equal(r.error, undefined, r.error?.message);
            const spec = PACKAGE_SCHEMA.resources[ENCRYPTED_APPLICATION];
            const state = r.reply?.state ?? {};
            for (const name of spec.required ?? []) {
                assert.ok(name in state, `required output ${name}`);
            }
            assert.ok(!("livySessionConf" in state), "an unset optional output is absent, not an unknown");
            assert.ok(!("keyUsageMonitoring" in state) && !("submitterPolicy" in state) && !("keyAlias" in state));
            const checked: string[] = [];
            for (const [name, value] of Object.entries(state)) {
                const p = spec.properties[name];
                const target = p.$ref === undefined ? undefined : parseRef(p.$ref);
                const items = p.items?.$ref === undefined ? undefined : parseRef(p.items.$ref);
                const refTarget = target ?? items;
                if (
                    refTarget &&
                    (refTarget.kind === "external" || refTarget.kind === "localResource") &&
                    refTarget.token.includes(":")
                ) {
                    for (const v of (Array.isArray(value) ? value : [value]) as Record<string, Wire>[]) {
                        assert.equal(v[SIG], RESOURCE_SIG, `${name} is a resource reference`);
                        const child = r.monitor.find((x) => x.urn === v.urn);
                        assert.equal(child?.type, refTarget.token, `${name} refers to a child of the schema's type`);
                    }
                    checked.push(name);
                }
            }
            assert.deepEqual(checked.sort(), [
                "application",
                "diskEncryption",
                "jobRole",
                "jobRoleKeyGrant",
                "jobRolePolicyAttachments",
                "key",
                "keyPolicy",
            ]);
        });

        it("the state: every output of the schema the component has, children as references of the schema's types", async () => {
            const r = await run(KEY_USAGE_MONITORING, "state", monitoring(), false);
            assert.equal(r.error, undefined, r.error?.message);
            const spec = PACKAGE_SCHEMA.resources[KEY_USAGE_MONITORING];
            const state = r.reply?.state ?? {};
            assert.deepEqual(
                Object.keys(state).sort(),
                (spec.required ?? []).slice().sort(),
                "required outputs present; no topic and no alarmTopicArn without one",
            );
            for (const [name, value] of Object.entries(state)) {
                const ref = spec.properties[name].$ref;
                const target = ref === undefined ? undefined : parseRef(ref);
                if (target?.kind === "external" && target.section === "resources") {
                    const v = value as Record<string, Wire>;
                    assert.equal(v[SIG], RESOURCE_SIG, `${name} is a resource reference`);
                    const child = r.monitor.find((x) => x.urn === v.urn);
                    assert.ok(child, `${name} refers to a registered child`);
                    assert.equal(child.type, target.token, `${name} has the schema's type`);
                } else {
                    assert.equal(typeof value, "string", name);
                }
            }
            assert.equal(state.metricName, `KmsKeyFailures-${APP_ID}`);
        });

        it("the YAML example's resource, as the YAML runtime sends it, constructs in preview and update and returns every output it exports", async () => {
            const example = yamlExample();
            for (const dryRun of [true, false]) {
                const r = await run(example.resource.type, example.name, example.resource.properties, dryRun);
                assert.equal(r.error, undefined, r.error?.message);
                assert.equal(
                    r.monitor.filter((x) => x.type === "aws:iam/policy:Policy").length,
                    0,
                    "createSubmitterPolicy: false",
                );
                only(r, "emr-serverless-disk-encryption:index:ApplicationDiskEncryption");
                const key = only(r, "aws:kms/key:Key");
                assert.equal(key.inputs.rotationPeriodInDays, 365);
                if (!dryRun) {
                    for (const o of example.outputs) {
                        assert.ok(o in (r.reply?.state ?? {}), `${o} is returned after an update`);
                    }
                }
            }
        });

        it("at preview, outputs not known yet come back unknown, never as absent or empty", async () => {
            const r = await run(KEY_USAGE_MONITORING, "previewState", monitoring({ createTopic: true }), true);
            assert.equal(r.error, undefined, r.error?.message);
            const state = r.reply?.state ?? {};
            assert.equal(state.alarmTopicArn, UNKNOWN, "the created topic's ARN is not known at preview");
            assert.equal((state.topic as Record<string, Wire>).id, UNKNOWN);
            assert.equal(state.metricNamespace, "EMRServerless/DiskEncryption");
        });
    });
});
