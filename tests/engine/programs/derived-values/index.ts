/**
 * Test program: one key, application, KeyPolicy and disk-encryption setting per case; each case builds the service
 * statement's conditions from the application's outputs in another way. The verdict of each case must be the one
 * the real values would get:
 *
 * - bound (no diagnostic at all): "nested" (outputs deep inside an object given to pulumi.jsonStringify),
 *   "interpolated" (the document as a pulumi.interpolate template), "split" (account, region and id taken apart
 *   from ARNs with split), "secret" (the ARN wrapped in pulumi.secret), "provider" (resources and invokes of an
 *   explicit provider in another region and account);
 * - not bound (blocked): "uppercased" (the id upper-cased: real ids are lower-case and StringEquals is
 *   case-sensitive, so the statement grants the service nothing and the setting's jobs would fail), "sliced" (the ARN
 *   cut to a prefix and a wildcard), "crossed" (bound to another case's application).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { attachDiskEncryption } from "../../../../components/diskEncryption";

const region = aws.getRegionOutput().region;
const account = aws.getCallerIdentityOutput().accountId;

interface Bindings {
    account?: pulumi.Input<string>;
    sourceArn: pulumi.Input<string>;
    sourceAccount: pulumi.Input<string>;
    applicationId: pulumi.Input<string>;
}

/** A key policy with the root statement and one service statement bound by `b`. */
function document(b: Bindings): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Root",
                Effect: "Allow",
                Principal: { AWS: pulumi.interpolate`arn:aws:iam::${b.account ?? account}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "EmrServerlessDisks",
                Effect: "Allow",
                Principal: { Service: "emr-serverless.amazonaws.com" },
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: "*",
                Condition: {
                    StringLike: { "aws:SourceArn": b.sourceArn },
                    StringEquals: {
                        "aws:SourceAccount": b.sourceAccount,
                        "kms:EncryptionContext:applicationId": b.applicationId,
                    },
                },
            },
        ],
    });
}

const apps = new Map<string, aws.emrserverless.Application>();

function kase(
    name: string,
    policy: (app: aws.emrserverless.Application, key: aws.kms.Key) => pulumi.Input<string>,
    provider?: aws.Provider,
): void {
    const opts = provider ? { provider } : {};
    const key = new aws.kms.Key(
        `${name}-key`,
        { customerMasterKeySpec: "SYMMETRIC_DEFAULT", enableKeyRotation: true },
        opts,
    );
    const app = new aws.emrserverless.Application(`${name}-app`, { releaseLabel: "emr-7.9.0", type: "spark" }, opts);
    apps.set(name, app);
    const keyPolicy = new aws.kms.KeyPolicy(`${name}-policy`, { keyId: key.keyId, policy: policy(app, key) }, opts);
    attachDiskEncryption(
        `${name}-disks`,
        {
            applicationId: app.id,
            encryptionKeyArn: key.arn,
            region: provider ? aws.getRegionOutput({}, { provider }).region : region,
        },
        { dependsOn: [keyPolicy] },
    );
}

kase("nested", (app) => document({ sourceArn: app.arn, sourceAccount: account, applicationId: app.id }));

kase(
    "interpolated",
    (app) => pulumi.interpolate`{"Version":"2012-10-17","Statement":[
{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account}:root"},"Action":"kms:*","Resource":"*"},
{"Sid":"EmrServerlessDisks","Effect":"Allow","Principal":{"Service":"emr-serverless.amazonaws.com"},
 "Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*",
 "Condition":{"StringLike":{"aws:SourceArn":"${app.arn}"},
   "StringEquals":{"aws:SourceAccount":"${account}","kms:EncryptionContext:applicationId":"${app.id}"}}}]}`,
);

kase("split", (app, key) =>
    pulumi.all([app.arn, key.arn]).apply(([appArn, keyArn]) => {
        const [, partition, , appRegion, appAccount, resource] = appArn.split(":");
        const [, , , keyRegion] = keyArn.split(":");
        if (appRegion !== keyRegion) {
            throw new Error(`the key (${keyRegion}) and the application (${appRegion}) are in different regions`);
        }
        const appId = resource.split("/")[2];
        return JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Root",
                    Effect: "Allow",
                    Principal: { AWS: `arn:${partition}:iam::${appAccount}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    Sid: "EmrServerlessDisks",
                    Effect: "Allow",
                    Principal: { Service: "emr-serverless.amazonaws.com" },
                    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                    Resource: "*",
                    Condition: {
                        StringLike: {
                            "aws:SourceArn": `arn:${partition}:emr-serverless:${appRegion}:${appAccount}:/applications/${appId}`,
                        },
                        StringEquals: { "aws:SourceAccount": appAccount, "kms:EncryptionContext:applicationId": appId },
                    },
                },
            ],
        });
    }),
);

kase("secret", (app) => document({ sourceArn: pulumi.secret(app.arn), sourceAccount: account, applicationId: app.id }));

kase("uppercased", (app) =>
    document({ sourceArn: app.arn, sourceAccount: account, applicationId: app.id.apply((id) => id.toUpperCase()) }),
);

kase("sliced", (app) =>
    document({
        sourceArn: app.arn.apply((a) => `${a.slice(0, a.lastIndexOf("/") + 1)}*`),
        sourceAccount: account,
        applicationId: app.id,
    }),
);

kase("crossed", () => {
    const other = apps.get("nested");
    if (!other) {
        throw new Error("the nested case comes first");
    }
    return document({ sourceArn: other.arn, sourceAccount: account, applicationId: other.id });
});

const west = new aws.Provider("west", { region: "us-west-2", allowedAccountIds: ["777788889999"] });
const westAccount = aws.getCallerIdentityOutput({}, { provider: west }).accountId;
kase(
    "provider",
    (app) => document({ account: westAccount, sourceArn: app.arn, sourceAccount: westAccount, applicationId: app.id }),
    west,
);
