/**
 * Generated stacks for the throughput benchmarks: a realistic mix of EncryptedApplication groups
 * (component, key, application, key policy, job role and its grant, disk-encryption setting) and
 * unrelated resources (S3 buckets, security groups, log groups), with some groups deliberately bad so
 * the benchmark can check that our pack did its work. Pure and deterministic.
 */
import type { AnalyzerStackResource } from "../../engine/analyzerTypes";
import { type PropertyMap, UNKNOWN } from "../../engine/properties";
import {
    DISK_ENCRYPTION_TYPE,
    EMR_APPLICATION_TYPE,
    EMR_SERVERLESS_PRINCIPAL,
    KMS_KEY_POLICY_TYPE,
    KMS_KEY_TYPE,
    emrServerlessViaService,
} from "../../policypack/judge/constants";
import { ACCOUNT, REGION } from "../../harness/fixtures";

const COMPONENT_TYPE = "emr-serverless-disk-encryption:index:EncryptedApplication";
const ROLE_TYPE = "aws:iam/role:Role";
const ROLE_POLICY_TYPE = "aws:iam/rolePolicy:RolePolicy";
const BUCKET_TYPE = "aws:s3/bucket:Bucket";
const SECURITY_GROUP_TYPE = "aws:ec2/securityGroup:SecurityGroup";
const LOG_GROUP_TYPE = "aws:cloudwatch/logGroup:LogGroup";

/** Every resource type the generated stack contains; the benchmark checks each is present. */
export const STACK_TYPES: readonly string[] = [
    COMPONENT_TYPE,
    KMS_KEY_TYPE,
    EMR_APPLICATION_TYPE,
    KMS_KEY_POLICY_TYPE,
    ROLE_TYPE,
    ROLE_POLICY_TYPE,
    DISK_ENCRYPTION_TYPE,
    BUCKET_TYPE,
    SECURITY_GROUP_TYPE,
    LOG_GROUP_TYPE,
];

/** Resources per group: 7 of the component's, 3 unrelated. */
export const GROUP_SIZE = 10;

/**
 * Which values a generated stack knows. "bench": every value known (an update's outputs). "preview": the shape
 * of a preview's AnalyzeStack, where outputs of resources still to be created are unknown: every other group's
 * KeyPolicy document (half of them), and every disk-encryption setting's applicationId and encryptionKeyArn.
 */
export type StackMix = "bench" | "preview";

/** The mixes the benchmarks run, in order. */
export const STACK_MIXES: readonly StackMix[] = ["bench", "preview"];

/** How a group is made bad, and the policy that must report it. */
export interface Planted {
    urn: string;
    policy: string;
    flaw: string;
}

/** A generated stack and what our pack must find in it. */
export interface GeneratedStack {
    resources: AnalyzerStackResource[];
    /** Resources made bad on purpose, each with the policy expected to report it. */
    planted: Planted[];
    /** URNs of the KeyPolicy and key resources of fully good groups (no finding expected on them). */
    goodKeyUrns: string[];
}

/** The flaw planted in group `i`, if any: about a quarter of the groups are bad, in five ways. */
export function flawOf(
    i: number,
): "unbound-service" | "open-grant" | "rotation-off" | "no-setting" | "asymmetric" | undefined {
    switch (i % 20) {
        case 3:
        case 13:
            return "unbound-service";
        case 5:
            return "open-grant";
        case 7:
        case 17:
            return "rotation-off";
        case 9:
            return "no-setting";
        case 11:
            return "asymmetric";
        default:
            return undefined;
    }
}

const POLICY_OF_FLAW: Record<NonNullable<ReturnType<typeof flawOf>>, string> = {
    "unbound-service": "enforce-emr-serverless-service-conditions",
    "open-grant": "disallow-open-key-grants",
    "rotation-off": "missing-key-rotation",
    "no-setting": "missing-emr-serverless-disk-encryption",
    asymmetric: "disallow-asymmetric-emr-serverless-keys",
};

function urnOf(type: string, name: string, parentType?: string): string {
    const qualified = parentType ? `${parentType}$${type}` : type;
    return `urn:pulumi:bench::emr-bench::${qualified}::${name}`;
}

/** The key policy the component writes for application `appArn`/`appId` and submitter `roleArn`. */
function keyPolicyDocument(
    appArn: string,
    appId: string,
    roleArn: string,
    flaw: ReturnType<typeof flawOf>,
    salt: string,
): string {
    const condition: Record<string, Record<string, string>> = flaw === "unbound-service"
        ? { StringEquals: { "aws:SourceAccount": ACCOUNT } }
        : {
              StringLike: { "aws:SourceArn": appArn },
              StringEquals: { "aws:SourceAccount": ACCOUNT, "kms:EncryptionContext:applicationId": appId },
          };
    const statements: Record<string, unknown>[] = [
        {
            Sid: `Root${salt}`,
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
            Action: "kms:*",
            Resource: "*",
        },
        {
            Sid: "AllowEmrServerlessDiskEncryption",
            Effect: "Allow",
            Principal: { Service: EMR_SERVERLESS_PRINCIPAL },
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: "*",
            Condition: condition,
        },
        {
            Sid: "SubmitterDescribeKey",
            Effect: "Allow",
            Principal: { AWS: roleArn },
            Action: "kms:DescribeKey",
            Resource: "*",
        },
        {
            Sid: "SubmitterViaService",
            Effect: "Allow",
            Principal: { AWS: roleArn },
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: "*",
            Condition: { StringEquals: { "kms:ViaService": emrServerlessViaService(REGION) } },
        },
    ];
    if (flaw === "open-grant") {
        statements.push({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

function group(
    i: number,
    salt: string,
    mix: StackMix,
    out: AnalyzerStackResource[],
    planted: Planted[],
    goodKeyUrns: string[],
): void {
    const preview = mix === "preview";
    const flaw = flawOf(i);
    const hex = i.toString(16).padStart(12, "0");
    const keyId = `1234abcd-12ab-34cd-56ef-${hex}`;
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
    const appId = `00f${i.toString(36).padStart(13, "0")}`;
    const appArn = `arn:aws:emr-serverless:${REGION}:${ACCOUNT}:/applications/${appId}`;
    const roleName = `app${i}-job-role`;
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/${roleName}`;

    const componentUrn = urnOf(COMPONENT_TYPE, `app${i}`);
    const child = (type: string, name: string): string => urnOf(type, name, COMPONENT_TYPE);
    const keyUrn = child(KMS_KEY_TYPE, `app${i}-key`);
    const appUrn = child(EMR_APPLICATION_TYPE, `app${i}`);
    const keyPolicyUrn = child(KMS_KEY_POLICY_TYPE, `app${i}-key-policy`);
    const roleUrn = child(ROLE_TYPE, `app${i}-job-role`);
    const settingUrn = child(DISK_ENCRYPTION_TYPE, `app${i}-disk-encryption`);

    const basePolicy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: `Root${salt}`,
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                Action: "kms:*",
                Resource: "*",
            },
        ],
    });
    const keyProps: PropertyMap = {
        description: `EMR Serverless disk encryption for app${i}`,
        enableKeyRotation: flaw !== "rotation-off",
        customerMasterKeySpec: flaw === "asymmetric" ? "RSA_2048" : "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
        deletionWindowInDays: 30,
        policy: basePolicy,
        arn: keyArn,
        keyId,
        id: keyId,
    };
    out.push({ type: COMPONENT_TYPE, name: `app${i}`, urn: componentUrn, properties: {} });
    out.push({ type: KMS_KEY_TYPE, name: `app${i}-key`, urn: keyUrn, parent: componentUrn, properties: keyProps });
    out.push({
        type: EMR_APPLICATION_TYPE,
        name: `app${i}`,
        urn: appUrn,
        parent: componentUrn,
        properties: {
            name: `app${i}`,
            releaseLabel: "emr-7.9.0",
            type: "spark",
            region: REGION,
            arn: appArn,
            id: appId,
            tags: { team: "analytics", app: `app${i}` },
        },
    });
    out.push({
        type: KMS_KEY_POLICY_TYPE,
        name: `app${i}-key-policy`,
        urn: keyPolicyUrn,
        parent: componentUrn,
        properties: {
            keyId,
            policy: preview && i % 2 === 0 ? UNKNOWN.string : keyPolicyDocument(appArn, appId, roleArn, flaw, salt),
            bypassPolicyLockoutSafetyCheck: false,
        },
        dependencies: [keyUrn, appUrn],
        propertyDependencies: { keyId: [keyUrn], policy: [appUrn] },
    });
    out.push({
        type: ROLE_TYPE,
        name: `app${i}-job-role`,
        urn: roleUrn,
        parent: componentUrn,
        properties: {
            name: roleName,
            arn: roleArn,
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: EMR_SERVERLESS_PRINCIPAL },
                        Action: "sts:AssumeRole",
                        Condition: {
                            StringLike: { "aws:SourceArn": appArn },
                            StringEquals: { "aws:SourceAccount": ACCOUNT },
                        },
                    },
                ],
            }),
        },
        dependencies: [appUrn],
    });
    out.push({
        type: ROLE_POLICY_TYPE,
        name: `app${i}-job-role-kms`,
        urn: child(ROLE_POLICY_TYPE, `app${i}-job-role-kms`),
        parent: componentUrn,
        properties: {
            role: roleName,
            policy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: ["kms:DescribeKey", "kms:GenerateDataKey", "kms:Decrypt"],
                        Resource: keyArn,
                    },
                ],
            }),
        },
        dependencies: [roleUrn, keyUrn],
        propertyDependencies: { role: [roleUrn] },
    });
    if (flaw === "no-setting") {
        // The application is left without disk encryption; keep the group size with an unrelated resource.
        out.push({
            type: LOG_GROUP_TYPE,
            name: `app${i}-extra-logs`,
            urn: urnOf(LOG_GROUP_TYPE, `app${i}-extra-logs`),
            properties: { name: `/bench/app${i}/extra`, retentionInDays: 14 },
        });
    } else {
        out.push({
            type: DISK_ENCRYPTION_TYPE,
            name: `app${i}-disk-encryption`,
            urn: settingUrn,
            parent: componentUrn,
            properties: {
                applicationId: preview ? UNKNOWN.string : appId,
                encryptionKeyArn: preview ? UNKNOWN.string : keyArn,
                encryptionContext: { team: "analytics" },
                region: REGION,
            },
            dependencies: [appUrn, keyUrn, keyPolicyUrn],
            propertyDependencies: { applicationId: [appUrn], encryptionKeyArn: [keyUrn] },
        });
    }
    // Unrelated resources.
    out.push({
        type: BUCKET_TYPE,
        name: `logs-${i}`,
        urn: urnOf(BUCKET_TYPE, `logs-${i}`),
        properties: {
            bucket: `bench-logs-${i}`,
            acl: "private",
            arn: `arn:aws:s3:::bench-logs-${i}`,
            tags: { team: "analytics" },
        },
    });
    out.push({
        type: SECURITY_GROUP_TYPE,
        name: `sg-${i}`,
        urn: urnOf(SECURITY_GROUP_TYPE, `sg-${i}`),
        properties: {
            name: `sg-${i}`,
            description: "workers",
            ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/16"] }],
            egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        },
    });
    out.push({
        type: LOG_GROUP_TYPE,
        name: `jobs-${i}`,
        urn: urnOf(LOG_GROUP_TYPE, `jobs-${i}`),
        properties: { name: `/bench/jobs-${i}`, retentionInDays: 30 },
    });

    if (flaw === undefined) {
        goodKeyUrns.push(keyUrn, keyPolicyUrn);
    } else {
        const urn =
            flaw === "unbound-service" || flaw === "open-grant"
                ? keyPolicyUrn
                : flaw === "no-setting"
                  ? appUrn
                  : keyUrn;
        planted.push({ urn, policy: POLICY_OF_FLAW[flaw], flaw });
    }
}

/**
 * A stack of `size` resources (a multiple of {@link GROUP_SIZE}). `salt` (alphanumeric) goes into every key
 * policy's first Sid, so that stacks with different salts share no document: the pack memoizes analyses
 * of document strings, and a repeated call on the same stack would otherwise measure cache hits. `mix` says which
 * values are unknown ({@link StackMix}); a preview stack's `planted` lists only the flaws its known values show.
 */
export function generateStack(size: number, salt = "", mix: StackMix = "bench"): GeneratedStack {
    if (!/^[A-Za-z0-9]*$/.test(salt)) {
        throw new Error(
            `generateStack: salt must be alphanumeric (it becomes part of a Sid), got ${JSON.stringify(salt)}`,
        );
    }
    if (!Number.isInteger(size) || size <= 0 || size % GROUP_SIZE !== 0) {
        throw new Error(`generateStack: size must be a positive multiple of ${GROUP_SIZE}, got ${size}`);
    }
    const resources: AnalyzerStackResource[] = [];
    const planted: Planted[] = [];
    const goodKeyUrns: string[] = [];
    for (let i = 0; i < size / GROUP_SIZE; i++) {
        group(i, salt, mix, resources, planted, goodKeyUrns);
    }
    return { resources, planted, goodKeyUrns };
}

/** Problems with a generated stack (empty when it is as intended): size, types, unique URNs, planted flaws. */
export function checkStack(stack: GeneratedStack, size: number): string[] {
    const problems: string[] = [];
    if (stack.resources.length !== size) {
        problems.push(`expected ${size} resources, generated ${stack.resources.length}`);
    }
    const types = new Set(stack.resources.map((r) => r.type));
    for (const t of STACK_TYPES) {
        if (!types.has(t)) {
            problems.push(`no resource of type ${t}`);
        }
    }
    const urns = new Set(stack.resources.map((r) => r.urn));
    if (urns.size !== stack.resources.length) {
        problems.push(`${stack.resources.length - urns.size} duplicate URNs`);
    }
    const flaws = new Set(stack.planted.map((p) => p.flaw));
    for (const f of ["unbound-service", "open-grant", "rotation-off", "no-setting", "asymmetric"]) {
        if (!flaws.has(f)) {
            problems.push(`no group with the planted flaw ${f}`);
        }
    }
    for (const p of stack.planted) {
        if (!urns.has(p.urn)) {
            problems.push(`planted URN ${p.urn} is not in the stack`);
        }
    }
    return problems;
}

/** Count of resources per type. */
export function typeCounts(resources: readonly AnalyzerStackResource[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources) {
        counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
}
