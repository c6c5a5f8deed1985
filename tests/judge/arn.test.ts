/**
 * The one module that parses and builds ARNs: round trips in every partition, and the look-alikes each parser
 * refuses (aliases, bare ids, other services, case, missing parts).
 */
import assert from "node:assert/strict";
import {
    applicationArn,
    isAccountRootArn,
    isIamName,
    isPrincipalArn,
    keyArn,
    parseApplicationArn,
    parseIamArn,
    parseKeyArn,
    parseRoleArn,
    PRINCIPAL_ARN_PATTERN,
    REGION_PATTERN,
    ROLE_ARN_PATTERN,
} from "../../policypack/judge/arn";

const PARTITIONS: [string, string][] = [
    ["aws", "us-east-1"],
    ["aws-cn", "cn-north-1"],
    ["aws-us-gov", "us-gov-west-1"],
    ["aws-iso", "us-iso-east-1"],
];

describe("ARNs: one parser and builder", () => {
    it("application ARNs round-trip in every partition; anything else is not one", () => {
        for (const [partition, region] of PARTITIONS) {
            const parts = { partition, region, account: "111122223333", applicationId: "00fabcdexample09" };
            assert.deepEqual(parseApplicationArn(applicationArn(parts)), parts);
        }
        const good = "arn:aws:emr-serverless:us-east-1:111122223333:/applications/00fabcdexample09";
        for (const bad of [
            good.toUpperCase(),
            good.replace("/applications/", "/applications/00F"),
            good.replace("/applications/", "applications/"),
            `${good}/`,
            good.replace("111122223333", "11112222333"),
            good.replace("us-east-1", ""),
            good.replace("emr-serverless", "emr-containers"),
            "00fabcdexample09",
            42,
            undefined,
        ]) {
            assert.equal(parseApplicationArn(bad), undefined, String(bad));
        }
    });

    it("key ARNs round-trip for UUID and multi-Region ids; aliases and bare ids are not key ARNs", () => {
        for (const [partition, region] of PARTITIONS) {
            for (const keyId of ["1234abcd-12ab-34cd-56ef-1234567890ab", `mrk-${"0123456789abcdef".repeat(2)}`]) {
                const parts = { partition, region, account: "111122223333", keyId };
                assert.deepEqual(parseKeyArn(keyArn(parts)), parts);
            }
        }
        for (const bad of [
            "arn:aws:kms:us-east-1:111122223333:alias/disks",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "arn:aws:kms:us-east-1:111122223333:key/mrk-123",
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab/",
            "arn:aws:kms::111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ]) {
            assert.equal(parseKeyArn(bad), undefined, bad);
        }
    });

    it("IAM and STS ARNs: roots, users, roles with paths, sessions; the role's name and path", () => {
        assert.deepEqual(parseIamArn("arn:aws-cn:iam::111122223333:root"), {
            partition: "aws-cn",
            service: "iam",
            account: "111122223333",
            resource: "root",
        });
        assert.equal(isAccountRootArn("arn:aws:iam::111122223333:root"), true);
        assert.equal(isAccountRootArn("arn:aws:sts::111122223333:root"), false);
        assert.equal(isAccountRootArn("arn:aws:iam::111122223333:root/x"), false);
        assert.deepEqual(parseRoleArn("arn:aws:iam::111122223333:role/service/emr/jobs"), {
            account: "111122223333",
            path: "/service/emr/",
            name: "jobs",
        });
        assert.deepEqual(parseRoleArn("arn:aws:iam::111122223333:role/jobs"), {
            account: "111122223333",
            path: "/",
            name: "jobs",
        });
        for (const bad of [
            "arn:aws:iam::111122223333:user/jobs",
            "arn:aws:sts::111122223333:assumed-role/jobs/s",
            "arn:aws:iam::111122223333:role/",
            `arn:aws:iam::111122223333:role/${"r".repeat(65)}`,
            "arn:aws:iam::111122223333:role/has space",
        ]) {
            assert.equal(parseRoleArn(bad), undefined, bad);
        }
        assert.equal(isIamName("emr-jobs+x=y,z.w@v"), true);
        assert.equal(isIamName(""), false);
        assert.equal(isIamName("a/b"), false);
    });

    it("principals one can ask about, and those a key policy accepts as named principals", () => {
        for (const arn of [
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:role/path/jobs",
            "arn:aws:sts::111122223333:assumed-role/jobs/session",
            "arn:aws:sts::111122223333:federated-user/bob",
        ]) {
            assert.equal(isPrincipalArn(arn), true, arn);
        }
        for (const arn of [
            "*",
            "arn:aws:iam::111122223333:group/admins",
            "arn:aws:iam::111122223333:policy/p",
            "arn:aws:sts::111122223333:root",
            "arn:aws:iam::*:root",
        ]) {
            assert.equal(isPrincipalArn(arn), false, arn);
        }
        assert.match("arn:aws:iam::111122223333:role/jobs", PRINCIPAL_ARN_PATTERN);
        assert.doesNotMatch("arn:aws:sts::111122223333:assumed-role/jobs/s", PRINCIPAL_ARN_PATTERN);
        assert.doesNotMatch("arn:aws:iam::111122223333:group/admins", PRINCIPAL_ARN_PATTERN);
        assert.match("arn:aws:iam::111122223333:role/a/b", ROLE_ARN_PATTERN);
        assert.doesNotMatch("arn:aws:iam::111122223333:user/a", ROLE_ARN_PATTERN);
        assert.match("eu-central-2", REGION_PATTERN);
        assert.doesNotMatch("EU-central-2", REGION_PATTERN);
    });
});
