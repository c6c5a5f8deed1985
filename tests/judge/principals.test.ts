/**
 * Look-alikes of the EMR Serverless service principal: every way of writing something that reads like
 * `emr-serverless.amazonaws.com` and is not it is reported, by a rule (normalization, confusables,
 * structure, edit distance), and neither the principal itself nor another service's real principal ever is.
 */
import assert from "node:assert/strict";
import * as fc from "fast-check";
import {
    EMR_SERVERLESS_PRINCIPAL,
    analyzeKeyPolicy,
    editDistance,
    lookalikeReason,
    principalSkeleton,
} from "../../policypack/judge";
import { runs } from "../hostile/generators";
import { guideStatement, keyPolicy } from "./fixtures";

const TARGET = EMR_SERVERLESS_PRINCIPAL;

/** Real service principals of other services (AWS documentation), several close in name or shape. */
const REAL_PRINCIPALS = [
    "elasticmapreduce.amazonaws.com",
    "emr-containers.amazonaws.com",
    "ec2.amazonaws.com",
    "s3.amazonaws.com",
    "kms.amazonaws.com",
    "logs.amazonaws.com",
    "logs.us-east-1.amazonaws.com",
    "logs.eu-west-2.amazonaws.com",
    "delivery.logs.amazonaws.com",
    "cloudtrail.amazonaws.com",
    "lambda.amazonaws.com",
    "glue.amazonaws.com",
    "athena.amazonaws.com",
    "sagemaker.amazonaws.com",
    "serverlessrepo.amazonaws.com",
    "sns.amazonaws.com",
    "sqs.amazonaws.com",
    "events.amazonaws.com",
    "states.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "eks.amazonaws.com",
    "eks-fargate-pods.amazonaws.com",
    "dynamodb.amazonaws.com",
    "secretsmanager.amazonaws.com",
    "ssm.amazonaws.com",
    "backup.amazonaws.com",
    "redshift.amazonaws.com",
    "redshift-serverless.amazonaws.com",
    "opensearchservice.amazonaws.com",
    "osis-pipelines.amazonaws.com",
    "es.amazonaws.com",
    "firehose.amazonaws.com",
    "kinesis.amazonaws.com",
    "rds.amazonaws.com",
    "airflow.amazonaws.com",
    "airflow-env.amazonaws.com",
    "datasync.amazonaws.com",
    "cloudformation.amazonaws.com",
    "codebuild.amazonaws.com",
    "alexa-appkit.amazon.com",
    "monitoring.rds.amazonaws.com",
    "emr-serverless.amazonaws.com",
];

/** Confusable replacements for letters of the principal (a sample of each family: Latin, Cyrillic, Greek, fullwidth). */
const SWAPS: Record<string, string[]> = {
    l: ["I", "1", "|", "\u0406", "\u04c0", "\u0399", "\uff4c", "\u217c"],
    e: ["\u0435", "\u0415", "\u0395", "\uff45", "\u00e9", "\u00eb"],
    m: ["\u043c", "\uff4d", "rn"],
    r: ["\u0433", "\uff52"],
    s: ["\u0455", "\uff53", "\u0405"],
    v: ["\u03bd", "\u0475", "\uff56"],
    a: ["\u0430", "\u0251", "\u03b1", "\uff41", "\u00e0"],
    z: ["\u1d22", "\uff5a"],
    o: ["0", "\u043e", "\u03bf", "\uff4f", "\u00f6"],
    n: ["\u043f", "\u0578", "\uff4e"],
    w: ["\u051d", "vv", "\uff57"],
    c: ["\u0441", "\u03f2", "\uff43"],
    "-": ["\u2010", "\u2013", "\u2212", "\uff0d", "\u2011"],
    ".": ["\u3002", "\u2024", "\uff0e", "\u00b7"],
};
const INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u202e"];
const SPACES = [" ", "\t", "\u00a0", "\u2009", "\u3000", "\n"];

describe("judge: look-alike service principals", () => {
    it("the China-partition and regional forms are named as such, with what the principal is instead", () => {
        assert.match(lookalikeReason("emr-serverless.amazonaws.com.cn", "Service") ?? "", /China-partition form/);
        assert.match(lookalikeReason("emr-serverless.cn-north-1.amazonaws.com.cn", "Service") ?? "", /regional/);
        assert.match(lookalikeReason("emr-serverless.us-east-1.amazonaws.com", "Service") ?? "", /regional/);
    });
    it("the principal itself, and real principals of other services, are never look-alikes", () => {
        for (const p of REAL_PRINCIPALS) {
            assert.equal(lookalikeReason(p, "Service"), undefined, p);
        }
        // IAM principals named after the service are IAM principals.
        for (const p of [
            "arn:aws:iam::111122223333:role/emr-serverless-job-role",
            "arn:aws:iam::111122223333:role/service-role/EMRServerless",
            "arn:aws:iam::111122223333:role/emr-serverless",
            "arn:aws:sts::111122223333:assumed-role/emr-serverless/session",
            "arn:aws:iam::111122223333:user/emrserverless",
        ]) {
            assert.equal(lookalikeReason(p, "AWS"), undefined, p);
        }
        assert.deepEqual(
            analyzeKeyPolicy(keyPolicy(guideStatement())).findings.filter(
                (f) => f.kind === "service-principal-lookalike",
            ),
            [],
        );
    });
    it("any one confusable character anywhere in the principal is a look-alike", () => {
        const target = [...TARGET];
        target.forEach((ch, i) => {
            for (const swap of SWAPS[ch] ?? []) {
                const value = [...target.slice(0, i), swap, ...target.slice(i + 1)].join("");
                assert.ok(lookalikeReason(value, "Service"), `${JSON.stringify(value)} not reported`);
            }
        });
    });
    it("white space and invisible characters anywhere, capitals, fullwidth: look-alikes", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 0, max: TARGET.length }),
                fc.constantFrom(...INVISIBLE, ...SPACES),
                (at, ch) => {
                    const value = TARGET.slice(0, at) + ch + TARGET.slice(at);
                    assert.ok(lookalikeReason(value, "Service"), JSON.stringify(value));
                },
            ),
            runs(0x100c, 200),
        );
        for (const value of [TARGET.toUpperCase(), "Emr-Serverless.Amazonaws.Com", TARGET.normalize("NFKC")]) {
            assert.equal(lookalikeReason(value, "Service") !== undefined, value !== TARGET, value);
        }
        const fullwidth = [...TARGET].map((c) => String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0)).join("");
        assert.ok(lookalikeReason(fullwidth, "Service"));
    });
    it("one or two edits of the service name, or a near domain: look-alikes", () => {
        const alphabet = "abcdefghijklmnopqrstuvwxyz-.0123456789";
        fc.assert(
            fc.property(
                fc.array(
                    fc.record({
                        op: fc.constantFrom("insert", "delete", "replace", "swap"),
                        at: fc.nat({ max: 40 }),
                        ch: fc.constantFrom(...alphabet),
                    }),
                    { minLength: 1, maxLength: 2 },
                ),
                (edits) => {
                    let value = TARGET;
                    for (const e of edits) {
                        const i = e.at % value.length;
                        value =
                            e.op === "insert"
                                ? value.slice(0, i) + e.ch + value.slice(i)
                                : e.op === "delete"
                                  ? value.slice(0, i) + value.slice(i + 1)
                                  : e.op === "replace"
                                    ? value.slice(0, i) + e.ch + value.slice(i + 1)
                                    : value.slice(0, i) + (value[i + 1] ?? "") + value[i] + value.slice(i + 2);
                    }
                    assert.equal(lookalikeReason(value, "Service") !== undefined, value !== TARGET, value);
                },
            ),
            runs(0xed17, 400),
        );
    });
    it("regional and ARN forms, the name alone, another domain, and the name under AWS: look-alikes", () => {
        for (const value of [
            "emr-serverless.us-east-1.amazonaws.com",
            "emr-serverless.eu-central-1.amazonaws.com",
            "emr-serverless.cn-north-1.amazonaws.com.cn",
            "arn:aws:iam::aws:service/emr-serverless",
            "arn:aws:emr-serverless:us-east-1:111122223333:/applications/00abc",
            "emr-serverless",
            "emr-serverless.amazonaws.com.cn",
            "emr-serverless.amazon.com",
        ]) {
            assert.ok(lookalikeReason(value, "Service"), value);
        }
        assert.match(lookalikeReason(TARGET, "AWS") ?? "", /under "AWS"/);
        assert.match(lookalikeReason(TARGET, "Federated") ?? "", /under "Federated"/);
    });
    it("service principals far from the name are not look-alikes (distance over 3 from every form)", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[a-z][a-z0-9-]{1,20}$/), (name) => {
                const value = `${name}.amazonaws.com`;
                const far =
                    editDistance(principalSkeleton(name).replace(/[-_.]/g, ""), "emrserverless", 3) > 3 &&
                    editDistance(principalSkeleton(value), principalSkeleton(TARGET), 3) > 3;
                if (far) {
                    assert.equal(lookalikeReason(value, "Service"), undefined, value);
                }
            }),
            runs(0xfa7, 300),
        );
    });
    it("the finding names the statement, the exact value (invisible characters escaped) and the fix", () => {
        const st = { ...guideStatement(), Principal: { Service: "emr-serverless\u200b.amazonaws.com" } };
        const a = analyzeKeyPolicy(keyPolicy(st));
        const f = a.findings.find((x) => x.kind === "service-principal-lookalike");
        assert.ok(f);
        assert.equal(f.where, 'Sid "AllowEmrServerless"');
        assert.match(f.message, /emr-serverless\\u200B\.amazonaws\.com/);
        assert.match(f.message, /U\+200B/);
        assert.match(f.message, /grants EMR Serverless nothing/);
        assert.match(f.fix, /\{"Service": "emr-serverless\.amazonaws\.com"\}/);
        assert.equal(a.grantsService, false);
        // A Deny naming a look-alike does not restrict the service: said so.
        const deny = { ...st, Sid: "D", Effect: "Deny" };
        const d = analyzeKeyPolicy(keyPolicy(guideStatement(), deny)).findings.find(
            (x) => x.kind === "service-principal-lookalike",
        );
        assert.match(d?.message ?? "", /this Deny does not apply to EMR Serverless/);
    });
    it("a grant only under capitals is read as the service for its binding, but not as named exactly", () => {
        const st = { ...guideStatement(), Principal: { Service: TARGET.toUpperCase() } };
        const a = analyzeKeyPolicy(keyPolicy(st));
        assert.equal(a.grantsService, true);
        assert.equal(a.grantsServiceByExactName, false);
        assert.equal(analyzeKeyPolicy(keyPolicy(guideStatement(), st)).grantsServiceByExactName, true);
    });

    it("skeletons a printable ASCII value as the full folding does (an invisible character forces it)", () => {
        fc.assert(
            fc.property(
                fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) }),
                (v) => {
                    assert.equal(principalSkeleton(v), principalSkeleton(`${v}\u200b`));
                    assert.equal(principalSkeleton(v), principalSkeleton(`\u00ad${v}`));
                },
            ),
            runs(0xa5c11, 300),
        );
        for (const v of [
            TARGET,
            "EMR-Serverless.amazonaws.com",
            "emr-serverIess.amazonaws.com",
            "arn:aws:iam::111122223333:root",
        ]) {
            assert.equal(principalSkeleton(v), principalSkeleton(`${v}\u200b`), v);
        }
    });

    it("judges a principal value by the type it is named under, document after document", () => {
        const named = (type: string, value: string): unknown => ({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { [type]: value }, Action: "kms:Decrypt", Resource: "*" }],
        });
        const kinds = (doc: unknown): string[] => analyzeKeyPolicy(JSON.stringify(doc)).findings.map((f) => f.kind);
        for (let round = 0; round < 2; round++) {
            assert.ok(!kinds(named("Service", TARGET)).includes("service-principal-lookalike"));
            assert.ok(kinds(named("AWS", TARGET)).includes("service-principal-lookalike"));
            assert.ok(kinds(named("Service", TARGET.toUpperCase())).includes("service-principal-lookalike"));
        }
    });
});
