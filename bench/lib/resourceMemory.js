// What one resource costs the SDK under mocks, by type, as the offline preview's runner holds it: the heap a
// program's `new` leaves behind (after a full GC) while the registration is pending, which is all of them at once
// for a program that constructs its resources in one loop. The SDK's promise-leak tracking is off, as in the runner.
//
//   node --expose-gc bench/lib/resourceMemory.js <result.json> [count]
//
// Writes [{ "type": ..., "kiB": per resource }, ...].
/* global gc, setInterval, clearInterval */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const [resultFile, countText] = process.argv.slice(2);
const count = Number(countText || 300);
const pulumi = require("@pulumi/pulumi");
const settings = require("@pulumi/pulumi/runtime/settings");
const { skipPromiseLeakTracking } = require(path.join(ROOT, "bin", "engine", "sdkPromises.js"));
skipPromiseLeakTracking(path.dirname(require.resolve("@pulumi/pulumi")));

pulumi.runtime.setMocks(
    {
        newResource: (args) => ({ id: undefined, state: args.inputs }),
        call: () => ({ accountId: "111122223333", partition: "aws", dnsSuffix: "amazonaws.com", region: "us-east-1" }),
    },
    "memory",
    "bench",
    true,
);
process.env.PULUMI_CONFIG = JSON.stringify({ "aws:region": "us-east-1" });
const aws = require("@pulumi/aws");
const { EncryptedApplication } = require(path.join(ROOT, "bin", "components"));

/** The types of the generated programs, each with minimal arguments. */
const TYPES = [
    ["aws:s3/bucket:Bucket", (n) => new aws.s3.Bucket(n, {})],
    [
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        (n) => new aws.s3.BucketPublicAccessBlock(n, { bucket: "b" }),
    ],
    ["aws:iam/role:Role", (n) => new aws.iam.Role(n, { assumeRolePolicy: "{}" })],
    ["aws:iam/rolePolicy:RolePolicy", (n) => new aws.iam.RolePolicy(n, { role: "r", policy: "{}" })],
    [
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        (n) => new aws.iam.RolePolicyAttachment(n, { role: "r", policyArn: "arn:aws:iam::aws:policy/x" }),
    ],
    ["aws:sqs/queue:Queue", (n) => new aws.sqs.Queue(n, {})],
    ["aws:cloudwatch/logGroup:LogGroup", (n) => new aws.cloudwatch.LogGroup(n, {})],
    [
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        (n) => new aws.cloudwatch.MetricAlarm(n, { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1 }),
    ],
    [
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        (n) => new aws.vpc.SecurityGroupIngressRule(n, { securityGroupId: "sg", ipProtocol: "tcp" }),
    ],
    ["aws:route53/record:Record", (n) => new aws.route53.Record(n, { zoneId: "z", name: "n", type: "A" })],
    [
        "EncryptedApplication (7 resources)",
        (n) => new EncryptedApplication(n, { type: "spark", releaseLabel: "emr-7.9.0" }),
    ],
];

async function main() {
    const out = [];
    for (const [type, make] of TYPES) {
        const n = type.startsWith("EncryptedApplication") ? Math.max(10, Math.floor(count / 10)) : count;
        gc();
        const before = process.memoryUsage().heapUsed;
        for (let i = 0; i < n; i++) {
            make(`${out.length}-${i}`);
        }
        gc();
        const after = process.memoryUsage().heapUsed;
        out.push({ type, kiB: (after - before) / n / 1024 });
        await settings.waitForRPCs();
    }
    fs.writeFileSync(resultFile, JSON.stringify(out));
    process.exit(0);
}
const keepAlive = setInterval(() => undefined, 1000);
main().finally(() => clearInterval(keepAlive));
