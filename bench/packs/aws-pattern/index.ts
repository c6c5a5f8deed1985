/**
 * Benchmark peer (c), the common pattern (`pulumi policy new aws-typescript`, @pulumi/awsguard's
 * README): a TypeScript pack that imports @pulumi/aws and checks typed resources with
 * validateResourceOfType. The CLI runs it from index.ts through ts-node with type checking; the
 * aws-pattern-js peer is the same file compiled, to separate ts-node's cost from @pulumi/aws's.
 */
import * as aws from "@pulumi/aws";
import { PolicyPack, validateResourceOfType } from "@pulumi/policy";

new PolicyPack("bench-aws-pattern", {
    policies: [
        {
            name: "s3-no-public-read",
            description: "Prohibits setting the publicRead or publicReadWrite ACL on AWS S3 buckets.",
            enforcementLevel: "mandatory",
            validateResource: validateResourceOfType(aws.s3.Bucket, (bucket, args, reportViolation) => {
                if (bucket.acl === "public-read" || bucket.acl === "public-read-write") {
                    reportViolation("You cannot set public-read or public-read-write on an S3 bucket.");
                }
            }),
        },
        {
            name: "kms-key-rotation",
            description: "Requires key rotation on KMS keys.",
            enforcementLevel: "advisory",
            validateResource: validateResourceOfType(aws.kms.Key, (key, args, reportViolation) => {
                if (key.enableKeyRotation !== true) {
                    reportViolation("Enable rotation on KMS keys.");
                }
            }),
        },
    ],
});
