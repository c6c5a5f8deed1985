import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type * as Monitoring from "../../components/keyUsageMonitoring";
import { APP_ID, KEY_ARN, KEY_ID } from "../../harness/fixtures";

const LOG_GROUP = "aws-cloudtrail-logs-111122223333";

interface Registered {
    type: string;
    name: string;
    parent: string;
    dependencies: string[];
    inputs: Record<string, unknown>;
}

type RegisterFn = (req: RegisterRequest, cb: (err: unknown, resp: unknown) => void) => void;
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
}

describe("KeyUsageMonitoring: pure builders", () => {
    let m: typeof Monitoring;
    before(async () => {
        m = await import("../../components/keyUsageMonitoring");
    });

    it("the query keeps kms.amazonaws.com GenerateDataKey/Decrypt events for this key and this application", () => {
        const q = m.buildKeyUsageQuery(KEY_ARN, APP_ID);
        const lines = q.split("\n");
        assert.match(lines[0], /^fields @timestamp, eventName, /);
        assert.ok(lines.includes('| filter eventSource = "kms.amazonaws.com"'));
        assert.ok(lines.includes('| filter eventName in ["GenerateDataKey", "Decrypt"]'));
        assert.ok(
            lines.includes(
                `| filter resources.0.ARN = "${KEY_ARN}" or requestParameters.keyId = "${KEY_ARN}" or requestParameters.keyId = "${KEY_ID}"`,
            ),
        );
        assert.ok(lines.includes(`| filter requestParameters.encryptionContext.applicationId = "${APP_ID}"`));
        assert.equal(lines[lines.length - 2], "| sort @timestamp desc");
        assert.equal(lines[lines.length - 1], "| limit 1000");
        assert.match(m.buildKeyUsageQuery(KEY_ARN, APP_ID, 50), /\| limit 50$/);
    });

    it("the filter pattern is the CloudTrail JSON pattern for failed kms.amazonaws.com calls naming the key (exact text, balanced)", () => {
        const p = m.buildKeyFailureFilterPattern(KEY_ARN, APP_ID);
        assert.equal(
            p,
            `{ ($.eventSource = "kms.amazonaws.com") && ($.errorCode = "*") && (($.resources[0].ARN = "${KEY_ARN}") || ` +
                `($.requestParameters.keyId = "${KEY_ARN}") || ($.requestParameters.keyId = "${KEY_ID}")) }`,
        );
        let depth = 0;
        for (const ch of p) {
            depth += ch === "(" ? 1 : ch === ")" ? -1 : 0;
            assert.ok(depth >= 0);
        }
        assert.equal(depth, 0);
    });

    it("refuses what is not a key ARN or an application id, naming the argument (no injection into the query)", () => {
        assert.throws(
            () => m.buildKeyUsageQuery("arn:aws:kms:us-east-1:111122223333:alias/disk", APP_ID),
            /keyArn .* not a KMS key ARN/,
        );
        assert.throws(() => m.buildKeyFailureFilterPattern(KEY_ID, APP_ID), /keyArn .* not a KMS key ARN/);
        assert.throws(
            () => m.buildKeyUsageQuery(KEY_ARN, 'x" or eventName = "Decrypt'),
            /applicationId .* not an EMR Serverless application id/,
        );
        assert.throws(() => m.buildKeyFailureFilterPattern(KEY_ARN, "My-App"), /applicationId/);
        assert.throws(() => m.buildKeyUsageQuery(KEY_ARN, APP_ID, 0), /limit 0 is out of range/);
    });
});

describe("KeyUsageMonitoring: resources under runtime mocks", function () {
    this.timeout(60000);
    let m: typeof Monitoring;
    let registered: Registered[] = [];
    const inputsByName = new Map<string, Record<string, unknown>>();

    before(async () => {
        pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    inputsByName.set(`${args.type}::${args.name}`, args.inputs as Record<string, unknown>);
                    const arn =
                        args.type === "aws:sns/topic:Topic"
                            ? `arn:aws:sns:us-east-1:111122223333:${args.name}`
                            : `arn:mock:${args.name}`;
                    return {
                        id: `${args.name}-id`,
                        state: { ...args.inputs, arn, queryDefinitionId: `${args.name}-qid` },
                    };
                },
                call: (args) => args.inputs,
            },
            "project",
            "stack",
            false,
        );
        const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: RegisterFn };
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, cb) => {
            const rec: Registered = {
                type: req.getType(),
                name: req.getName(),
                parent: req.getParent(),
                dependencies: req.getDependenciesList(),
                inputs: {},
            };
            registered.push(rec);
            original(req, (err, resp) => {
                rec.inputs = inputsByName.get(`${rec.type}::${rec.name}`) ?? {};
                cb(err, resp);
            });
        };
        m = await import("../../components/keyUsageMonitoring");
    });

    beforeEach(() => {
        registered = [];
    });

    async function settle<T>(o: pulumi.Output<T>): Promise<T> {
        return new Promise((resolve) => o.apply((v) => resolve(v)));
    }

    function one(type: string): Registered {
        const found = registered.filter((r) => r.type === type);
        assert.equal(found.length, 1, `${type}: ${found.length} registered`);
        return found[0];
    }

    it("creates the query, the metric filter, the alarm and the topic, all parented to the component", async () => {
        const c = new m.KeyUsageMonitoring("mon", {
            keyArn: KEY_ARN,
            applicationId: APP_ID,
            cloudTrailLogGroupName: LOG_GROUP,
            createTopic: true,
            alarmThreshold: 3,
            alarmPeriodSeconds: 60,
            alarmEvaluationPeriods: 2,
            tags: { team: "analytics" },
        });
        await settle(
            pulumi.all([c.failureAlarm.urn, c.queryDefinition.urn, c.failureMetricFilter.urn, c.alarmTopicArn]),
        );
        const component = one(m.KEY_USAGE_MONITORING_TYPE);
        const componentUrn = await settle(c.urn);
        for (const type of [
            "aws:cloudwatch/queryDefinition:QueryDefinition",
            "aws:cloudwatch/logMetricFilter:LogMetricFilter",
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "aws:sns/topic:Topic",
        ]) {
            assert.equal(one(type).parent, componentUrn, `${type} parent`);
        }
        assert.equal(component.name, "mon");

        const query = one("aws:cloudwatch/queryDefinition:QueryDefinition").inputs;
        assert.equal(query.queryString, m.buildKeyUsageQuery(KEY_ARN, APP_ID));
        assert.match(
            String(query.queryString),
            new RegExp(`requestParameters.encryptionContext.applicationId = "${APP_ID}"`),
        );
        assert.match(String(query.queryString), new RegExp(`resources\\.0\\.ARN = "${KEY_ARN}"`));
        assert.deepEqual(query.logGroupNames, [LOG_GROUP]);
        assert.equal(query.name, `emr-serverless/${APP_ID}/disk-key-usage`);

        const filter = one("aws:cloudwatch/logMetricFilter:LogMetricFilter").inputs;
        assert.equal(filter.logGroupName, LOG_GROUP);
        assert.equal(filter.pattern, m.buildKeyFailureFilterPattern(KEY_ARN, APP_ID));
        const transformation = filter.metricTransformation as Record<string, string>;
        assert.deepEqual(transformation, {
            name: `KmsKeyFailures-${APP_ID}`,
            namespace: m.DEFAULT_METRIC_NAMESPACE,
            value: "1",
            defaultValue: "0",
            unit: "Count",
        });

        const alarmReg = one("aws:cloudwatch/metricAlarm:MetricAlarm");
        const alarm = alarmReg.inputs;
        assert.equal(alarm.metricName, transformation.name);
        assert.equal(alarm.namespace, transformation.namespace);
        assert.equal(alarm.statistic, "Sum");
        assert.equal(alarm.comparisonOperator, "GreaterThanOrEqualToThreshold");
        assert.equal(alarm.threshold, 3);
        assert.equal(alarm.period, 60);
        assert.equal(alarm.evaluationPeriods, 2);
        assert.equal(alarm.treatMissingData, "notBreaching");
        const topicArn = "arn:aws:sns:us-east-1:111122223333:mon-alarms";
        assert.deepEqual(alarm.alarmActions, [topicArn]);
        assert.deepEqual(alarm.okActions, [topicArn]);
        assert.deepEqual(alarm.tags, { team: "analytics" });
        assert.ok(
            alarmReg.dependencies.includes(await settle(c.failureMetricFilter.urn)),
            "the alarm waits for its metric filter",
        );
        assert.deepEqual(one("aws:sns/topic:Topic").inputs.tags, { team: "analytics" });
        assert.equal(await settle(c.alarmTopicArn), topicArn);
    });

    it("notifies an existing topic without creating one, and uses the given namespace", async () => {
        const existing = "arn:aws:sns:us-east-1:111122223333:ops";
        const c = new m.KeyUsageMonitoring("mon2", {
            keyArn: pulumi.output(KEY_ARN),
            applicationId: pulumi.output(APP_ID),
            cloudTrailLogGroupName: LOG_GROUP,
            alarmTopicArn: existing,
            metricNamespace: "Custom/Disk",
        });
        await settle(c.failureAlarm.urn);
        assert.equal(registered.filter((r) => r.type === "aws:sns/topic:Topic").length, 0);
        const alarm = one("aws:cloudwatch/metricAlarm:MetricAlarm").inputs;
        assert.deepEqual(alarm.alarmActions, [existing]);
        assert.equal(alarm.namespace, "Custom/Disk");
        assert.equal(
            (
                one("aws:cloudwatch/logMetricFilter:LogMetricFilter").inputs.metricTransformation as Record<
                    string,
                    string
                >
            ).namespace,
            "Custom/Disk",
        );
        assert.equal(alarm.threshold, 1);
        assert.equal(alarm.period, 300);
        assert.equal(alarm.evaluationPeriods, 1);
    });

    it("without a topic, the alarm has no actions", async () => {
        const c = new m.KeyUsageMonitoring("mon3", {
            keyArn: KEY_ARN,
            applicationId: APP_ID,
            cloudTrailLogGroupName: LOG_GROUP,
        });
        await settle(c.failureAlarm.urn);
        assert.deepEqual(one("aws:cloudwatch/metricAlarm:MetricAlarm").inputs.alarmActions, []);
        assert.equal(c.topic, undefined);
    });

    it("refuses a plain alias ARN or application name at construction", () => {
        assert.throws(
            () =>
                new m.KeyUsageMonitoring("bad1", {
                    keyArn: "alias/disk",
                    applicationId: APP_ID,
                    cloudTrailLogGroupName: LOG_GROUP,
                }),
            /keyArn "alias\/disk" is not a KMS key ARN/,
        );
        assert.throws(
            () =>
                new m.KeyUsageMonitoring("bad2", {
                    keyArn: KEY_ARN,
                    applicationId: "My App",
                    cloudTrailLogGroupName: LOG_GROUP,
                }),
            /applicationId "My App"/,
        );
    });

    it("refuses createTopic together with alarmTopicArn, naming both", () => {
        assert.throws(
            () =>
                new m.KeyUsageMonitoring("bad", {
                    keyArn: KEY_ARN,
                    applicationId: APP_ID,
                    cloudTrailLogGroupName: LOG_GROUP,
                    createTopic: true,
                    alarmTopicArn: "arn:aws:sns:us-east-1:111122223333:ops",
                }),
            /createTopic and alarmTopicArn are mutually exclusive/,
        );
    });
});
