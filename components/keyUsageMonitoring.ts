/**
 * Monitoring of the customer-managed KMS key that encrypts an EMR Serverless application's worker disks:
 * a saved CloudWatch Logs Insights query listing the service's `GenerateDataKey`/`Decrypt` calls for this key
 * and application, a metric filter counting failed KMS calls on the key, an alarm on that metric and,
 * optionally, an SNS topic the alarm notifies.
 *
 * ## CloudTrail prerequisites
 *
 * Everything here reads the CloudWatch Logs log group that an existing CloudTrail trail delivers to; this
 * component does not create the trail. The trail must:
 *
 * - deliver to CloudWatch Logs (`cloudWatchLogsGroupArn` / `cloudWatchLogsRoleArn` set on the trail), in the
 *   region of the key (or be a multi-Region trail);
 * - log **management events** with read events included (`readWriteType` `All` or `ReadOnly`): KMS
 *   cryptographic operations such as `GenerateDataKey` and `Decrypt` are management events with
 *   `readOnly: true`, not data events, so no data-event selector is needed;
 * - **not** exclude AWS KMS events (the console's "Exclude AWS KMS events" option, i.e. an advanced event
 *   selector `eventSource NotEquals kms.amazonaws.com`, or `excludeManagementEventSources` containing
 *   `kms.amazonaws.com`): with that exclusion the query finds nothing and the alarm never fires.
 *
 * The encryption context (`applicationId` and any custom pairs) appears in plain text in these events; keep
 * it free of secrets.
 *
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { parseKeyArn } from "../policypack/judge/setting";
import { APPLICATION_ID_PATTERN } from "./diskEncryption/provider";

/** Arguments of {@link KeyUsageMonitoring}. */
export interface KeyUsageMonitoringArgs {
    /**
     * ARN of the customer-managed KMS key used for disk encryption
     * (`arn:<partition>:kms:<region>:<account>:key/<key id>`; not an alias). The query and the metric filter
     * match it in `resources[0].ARN` and in `requestParameters.keyId` (as the ARN or the bare key id).
     */
    keyArn: pulumi.Input<string>;
    /**
     * EMR Serverless application id (lowercase letters and digits). The query keeps only events whose
     * `requestParameters.encryptionContext.applicationId` equals it, which is how EMR Serverless tags its calls.
     */
    applicationId: pulumi.Input<string>;
    /**
     * Name of the CloudWatch Logs log group the account's CloudTrail trail already delivers to (see the
     * module's CloudTrail prerequisites). The metric filter is created on it and the query is scoped to it.
     */
    cloudTrailLogGroupName: pulumi.Input<string>;
    /** Alarm period in seconds (10, 30, or a multiple of 60). Default 300. */
    alarmPeriodSeconds?: pulumi.Input<number>;
    /** Number of failed KMS calls within one period that trips the alarm (`>=`). Default 1. */
    alarmThreshold?: pulumi.Input<number>;
    /** Number of consecutive periods that must breach before the alarm fires. Default 1. */
    alarmEvaluationPeriods?: pulumi.Input<number>;
    /**
     * Create an SNS topic for the alarm (and its OK transition). Mutually exclusive with `alarmTopicArn`.
     * The topic is created without subscriptions: subscribe to `alarmTopicArn` output yourself. Default false.
     */
    createTopic?: boolean;
    /** An existing SNS topic ARN the alarm notifies. Mutually exclusive with `createTopic`. */
    alarmTopicArn?: pulumi.Input<string>;
    /** CloudWatch metric namespace of the failure count. Default `EMRServerless/DiskEncryption`. */
    metricNamespace?: pulumi.Input<string>;
    /** Tags for the taggable children (the alarm and the topic; query definitions and metric filters take none). */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Region of the monitoring resources: the region of the CloudTrail log group (a multi-Region trail
     * usually delivers to one log group in its home region). Default: the AWS provider's region;
     * `EncryptedApplication` defaults it to its own `region`.
     */
    region?: pulumi.Input<string>;
}

/** Type token of {@link KeyUsageMonitoring}. */
export const KEY_USAGE_MONITORING_TYPE = "emr-serverless-disk-encryption:index:KeyUsageMonitoring";

/** Default metric namespace of {@link KeyUsageMonitoring}'s failure count. */
export const DEFAULT_METRIC_NAMESPACE = "EMRServerless/DiskEncryption";

/** The KMS operations EMR Serverless performs on the key for worker disks. */
export const MONITORED_EVENT_NAMES = ["GenerateDataKey", "Decrypt"] as const;

/** The validated parts both builders need. */
interface MonitoredKey {
    keyArn: string;
    keyId: string;
    applicationId: string;
}

function validate(keyArn: string, applicationId: string): MonitoredKey {
    const parts = parseKeyArn(keyArn);
    if (!parts) {
        throw new Error(
            `keyArn "${keyArn}" is not a KMS key ARN: pass arn:<partition>:kms:<region>:<account>:key/<key id> ` +
                "(aws kms describe-key --key-id <alias> --query KeyMetadata.Arn), not an alias or a bare key id.",
        );
    }
    if (!APPLICATION_ID_PATTERN.test(applicationId)) {
        throw new Error(
            `applicationId "${applicationId}" is not an EMR Serverless application id: pass the id ` +
                "(lowercase letters and digits, e.g. 00fabcdexample09), not the application name or ARN.",
        );
    }
    return { keyArn, keyId: parts.keyId, applicationId };
}

/** A double-quoted string literal for Logs Insights and metric filter patterns. */
function quote(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * The CloudWatch Logs Insights query listing EMR Serverless's `GenerateDataKey` and `Decrypt` calls on one key
 * for one application, newest first. Pure; throws (naming the argument and the fix) on a key ARN that is not a
 * key ARN or an application id that is not one.
 */
export function buildKeyUsageQuery(keyArn: string, applicationId: string, limit = 1000): string {
    const k = validate(keyArn, applicationId);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10000) {
        throw new Error(`limit ${limit} is out of range: Logs Insights accepts an integer from 1 to 10000.`);
    }
    const names = MONITORED_EVENT_NAMES.map(quote).join(", ");
    return [
        "fields @timestamp, eventName, userIdentity.type, userIdentity.invokedBy, userIdentity.arn, sourceIPAddress, " +
            "errorCode, errorMessage, requestParameters.keyId, requestParameters.encryptionContext.applicationId, requestID",
        `| filter eventSource = ${quote("kms.amazonaws.com")}`,
        `| filter eventName in [${names}]`,
        `| filter resources.0.ARN = ${quote(k.keyArn)} or requestParameters.keyId = ${quote(k.keyArn)} ` +
            `or requestParameters.keyId = ${quote(k.keyId)}`,
        `| filter requestParameters.encryptionContext.applicationId = ${quote(k.applicationId)}`,
        "| sort @timestamp desc",
        `| limit ${limit}`,
    ].join("\n");
}

/**
 * The CloudWatch Logs metric filter pattern (JSON syntax) matching failed KMS calls on one key: CloudTrail events
 * from `kms.amazonaws.com` that carry an `errorCode` (AccessDenied, DisabledException, KMSInvalidStateException,
 * ...) and name the key in `resources[0].ARN` or `requestParameters.keyId`. Not restricted to the application:
 * a failed call may be refused before the encryption context is logged, and any failure on the disk key matters.
 */
export function buildKeyFailureFilterPattern(keyArn: string, applicationId: string): string {
    const k = validate(keyArn, applicationId);
    return (
        `{ ($.eventSource = ${quote("kms.amazonaws.com")}) && ($.errorCode = "*") && ` +
        `(($.resources[0].ARN = ${quote(k.keyArn)}) || ($.requestParameters.keyId = ${quote(k.keyArn)}) || ` +
        `($.requestParameters.keyId = ${quote(k.keyId)})) }`
    );
}

/** The metric name of the failure count for one application. */
export function buildFailureMetricName(applicationId: string): string {
    return `KmsKeyFailures-${applicationId}`;
}

/**
 * CloudWatch monitoring of an EMR Serverless disk-encryption key: a Logs Insights query definition, a metric
 * filter on failed KMS calls for the key, an alarm on it, and optionally an SNS topic. See the module
 * documentation for the CloudTrail prerequisites.
 */
export class KeyUsageMonitoring extends pulumi.ComponentResource {
    /** The saved Logs Insights query listing the key's GenerateDataKey/Decrypt events for the application. */
    public readonly queryDefinition: aws.cloudwatch.QueryDefinition;
    /** The metric filter counting failed KMS calls on the key. */
    public readonly failureMetricFilter: aws.cloudwatch.LogMetricFilter;
    /** The alarm on the failure count. */
    public readonly failureAlarm: aws.cloudwatch.MetricAlarm;
    /** The created topic, when `createTopic` is true. */
    public readonly topic?: aws.sns.Topic;
    /** The topic the alarm notifies (created or given), if any. */
    public readonly alarmTopicArn: pulumi.Output<string | undefined>;
    /** The metric's namespace and name. */
    public readonly metricNamespace: pulumi.Output<string>;
    public readonly metricName: pulumi.Output<string>;

    constructor(name: string, args: KeyUsageMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super(KEY_USAGE_MONITORING_TYPE, name, {}, opts);
        if (args.createTopic && args.alarmTopicArn !== undefined) {
            throw new Error(
                `KeyUsageMonitoring ${name}: createTopic and alarmTopicArn are mutually exclusive; ` +
                    "set createTopic to create a topic, or alarmTopicArn to use an existing one, not both.",
            );
        }
        if (typeof args.keyArn === "string" && typeof args.applicationId === "string") {
            // Refuse bad plain values at construction, not later inside an apply.
            validate(args.keyArn, args.applicationId);
        }
        const parent = { parent: this };
        const keyArn = pulumi.output(args.keyArn);
        const applicationId = pulumi.output(args.applicationId);

        this.queryDefinition = new aws.cloudwatch.QueryDefinition(
            `${name}-key-usage`,
            {
                name: pulumi.interpolate`emr-serverless/${applicationId}/disk-key-usage`,
                logGroupNames: [args.cloudTrailLogGroupName],
                queryString: pulumi.all([keyArn, applicationId]).apply(([k, a]) => buildKeyUsageQuery(k, a)),
                region: args.region,
            },
            parent,
        );

        this.metricNamespace = pulumi.output(args.metricNamespace ?? DEFAULT_METRIC_NAMESPACE);
        this.metricName = applicationId.apply(buildFailureMetricName);
        this.failureMetricFilter = new aws.cloudwatch.LogMetricFilter(
            `${name}-key-failures`,
            {
                logGroupName: args.cloudTrailLogGroupName,
                pattern: pulumi.all([keyArn, applicationId]).apply(([k, a]) => buildKeyFailureFilterPattern(k, a)),
                metricTransformation: {
                    name: this.metricName,
                    namespace: this.metricNamespace,
                    value: "1",
                    defaultValue: "0",
                    unit: "Count",
                },
                region: args.region,
            },
            parent,
        );

        if (args.createTopic) {
            this.topic = new aws.sns.Topic(`${name}-alarms`, { tags: args.tags, region: args.region }, parent);
            this.alarmTopicArn = this.topic.arn;
        } else {
            this.alarmTopicArn = pulumi.output(args.alarmTopicArn);
        }
        const actions = this.alarmTopicArn.apply((arn) => (arn ? [arn] : []));

        this.failureAlarm = new aws.cloudwatch.MetricAlarm(
            `${name}-key-failures`,
            {
                alarmDescription: pulumi.interpolate`Failed AWS KMS calls on the EMR Serverless disk-encryption key ${keyArn} (application ${applicationId}). Jobs may fail to start or read their disks: check the key state and the key policy, then run the saved query.`,
                namespace: this.metricNamespace,
                metricName: this.metricName,
                statistic: "Sum",
                period: args.alarmPeriodSeconds ?? 300,
                evaluationPeriods: args.alarmEvaluationPeriods ?? 1,
                threshold: args.alarmThreshold ?? 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                alarmActions: actions,
                okActions: actions,
                tags: args.tags,
                region: args.region,
            },
            { parent: this, dependsOn: [this.failureMetricFilter] },
        );

        this.registerOutputs({
            queryDefinitionId: this.queryDefinition.queryDefinitionId,
            failureAlarmArn: this.failureAlarm.arn,
            alarmTopicArn: this.alarmTopicArn,
        });
    }
}
