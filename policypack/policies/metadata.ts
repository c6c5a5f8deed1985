/**
 * What each policy of the pack is, as data: its name, default enforcement level, severity, the section of the AWS
 * guide it enforces, the resource properties it reads and its configuration schema. A policy is built from its
 * record with {@link definePolicy}, so the name, level, severity, link and schema @pulumi/policy serves cannot differ
 * from the record; the conformance test holds the README's policy table and config.example.json to the same records.
 */
import type {
    Policy,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy";
import {
    DISK_ENCRYPTION_TYPE,
    EMR_APPLICATION_TYPE,
    KMS_KEY_POLICY_TYPE,
    KMS_KEY_TYPE,
    LEGACY_DISK_ENCRYPTION_TYPE,
    NATIVE_KMS_KEY_TYPE,
} from "../judge";
import {
    KMS_EXTERNAL_KEY_TYPE,
    KMS_GRANT_TYPE,
    KMS_REPLICA_EXTERNAL_KEY_TYPE,
    KMS_REPLICA_KEY_TYPE,
    NATIVE_KMS_REPLICA_KEY_TYPE,
} from "./support/keys";

/** The verbs a policy name starts with: what it forbids, what it requires, what it finds absent. */
export const HOUSE_VERBS = ["disallow", "enforce", "missing"] as const;

/** A policy name: a house verb, a hyphen, then lower-case words joined by hyphens. */
export type PolicyName = `${(typeof HOUSE_VERBS)[number]}-${string}`;

/** The English original of the AWS user guide page the pack is built from. */
export const GUIDE_URL = "https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/disk-encryption-cmk.html";

/** A document a policy enforces: a section's heading and where it is. */
export interface Reference {
    readonly title: string;
    readonly url: string;
}

/**
 * The guide's sections the pack enforces. The anchor is given where the page names one for the heading
 * (`disk-encryption-cmk`, `-context`, `-configure`); the permission sections are linked by the page and their heading.
 */
export const GUIDE = {
    page: { title: "Disk Encryption with KMS CMK", url: `${GUIDE_URL}#disk-encryption-cmk` },
    context: { title: "Using Encryption Context", url: `${GUIDE_URL}#disk-encryption-context` },
    configure: {
        title: "Configuring Disk Encryption with Customer Managed Keys",
        url: `${GUIDE_URL}#disk-encryption-configure`,
    },
    servicePermissions: {
        title: "Required permissions for disk encryption: encryption key permissions",
        url: GUIDE_URL,
    },
    userPermissions: { title: "Required permissions for disk encryption: required user permissions", url: GUIDE_URL },
} as const satisfies Record<string, Reference>;

/** The AWS KMS developer guide's page on automatic key rotation (the EMR Serverless guide does not cover rotation). */
export const KEY_ROTATION_REFERENCE: Reference = {
    title: "AWS KMS Developer Guide: Rotate AWS KMS keys",
    url: "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
};

/** One property of a policy's configuration, as @pulumi/policy takes its JSON schema. */
export type ConfigProperty = PolicyConfigSchema["properties"][string];

/** Resource type token → the top-level properties of that type a policy reads. */
export type Reads = Readonly<Record<string, readonly string[]>>;

/** What a policy is. */
export interface PolicyMetadata {
    readonly name: PolicyName;
    /** The level the pack ships with (config can change it). */
    readonly enforcementLevel: "mandatory" | "advisory";
    /** How bad a violation is, whatever the level a team sets: what reaches the disk data or the jobs, first. */
    readonly severity: Severity;
    /** The section of the guide (or, for what it does not cover, the AWS page) the policy enforces. */
    readonly reference: Reference;
    /** The resource types and properties the policy reads, in its resource half and its stack half. */
    readonly reads: Reads;
    /** The configuration keys the policy takes, with their schemas (empty: none). */
    readonly config: Readonly<Record<string, ConfigProperty>>;
}

/** A policy with a resource half and a stack half. */
export type ResourceAndStackPolicy = ResourceValidationPolicy & StackValidationPolicy;

/** A policy that carries the record it was built from. */
export type DescribedPolicy<P extends Policy = Policy> = P & { readonly metadata: PolicyMetadata };

/** What {@link definePolicy} takes from the record, and so the body may not set. */
type FromMetadata = "name" | "enforcementLevel" | "severity" | "url" | "configSchema";

/** What a policy's behaviour gives {@link definePolicy}: everything but what its record gives. */
export type PolicyBody<P extends Policy> = Omit<P, FromMetadata> & Partial<Record<FromMetadata, never>>;

/** The link @pulumi/policy serves as the policy's `url`. */
export function referenceUrl(metadata: PolicyMetadata): string {
    return metadata.reference.url;
}

/** The configSchema a record gives: its config keys, or none. */
export function configSchemaOf(metadata: PolicyMetadata): PolicyConfigSchema | undefined {
    return Object.keys(metadata.config).length > 0 ? { properties: { ...metadata.config } } : undefined;
}

/**
 * Builds a policy from its record and its behaviour: name, enforcement level, severity, url and configSchema
 * come from the record, so they cannot drift from it; the record travels with the policy as `metadata`.
 */
export function definePolicy<P extends Policy>(metadata: PolicyMetadata, body: PolicyBody<P>): DescribedPolicy<P> {
    const configSchema = configSchemaOf(metadata);
    return {
        ...body,
        name: metadata.name,
        enforcementLevel: metadata.enforcementLevel,
        severity: metadata.severity,
        url: referenceUrl(metadata),
        ...(configSchema ? { configSchema } : {}),
        metadata,
    } as unknown as DescribedPolicy<P>;
}

/** The record a policy carries, or undefined for a policy built without one. */
export function metadataOf(policy: Policy): PolicyMetadata | undefined {
    const m = (policy as Partial<DescribedPolicy>).metadata;
    return m !== undefined && m !== null && typeof m === "object" ? m : undefined;
}

/** Joins read lists, one entry per type with the union of its properties. */
function reads(...parts: Reads[]): Reads {
    const out: Record<string, string[]> = {};
    for (const part of parts) {
        for (const [type, props] of Object.entries(part)) {
            const list = (out[type] ??= []);
            for (const p of props) {
                if (!list.includes(p)) {
                    list.push(p);
                }
            }
        }
    }
    return out;
}

const AWS_KEY_TYPES = [KMS_KEY_TYPE, KMS_EXTERNAL_KEY_TYPE, KMS_REPLICA_KEY_TYPE, KMS_REPLICA_EXTERNAL_KEY_TYPE];
const NATIVE_KEY_TYPES = [NATIVE_KMS_KEY_TYPE, NATIVE_KMS_REPLICA_KEY_TYPE];
const forTypes = (types: readonly string[], props: readonly string[]): Reads =>
    Object.fromEntries(types.map((t) => [t, props]));

/** Key policy documents: every key type's inline policy, and KeyPolicy resources (with the key they name). */
const KEY_POLICY_DOCUMENTS: Reads = reads(
    forTypes(AWS_KEY_TYPES, ["policy", "arn", "keyId"]),
    forTypes(NATIVE_KEY_TYPES, ["keyPolicy", "arn", "keyId"]),
    { [KMS_KEY_POLICY_TYPE]: ["policy", "keyId"] },
);

/** A key's spec and usage (replicas: the outputs their primary gives them). */
const KEY_SHAPES: Reads = reads(
    { [KMS_KEY_TYPE]: ["customerMasterKeySpec", "keySpec", "keyUsage"] },
    forTypes([KMS_EXTERNAL_KEY_TYPE, KMS_REPLICA_KEY_TYPE, KMS_REPLICA_EXTERNAL_KEY_TYPE], ["keySpec", "keyUsage"]),
    forTypes(NATIVE_KEY_TYPES, ["keySpec", "keyUsage"]),
);

/** Whether automatic rotation is on (keys with their own material; replicas share their primary's). */
const KEY_ROTATION: Reads = forTypes([KMS_KEY_TYPE, NATIVE_KMS_KEY_TYPE], ["enableKeyRotation"]);

/** Disk-encryption settings: the component's resource (both type tokens) and an application's own configuration. */
const SETTINGS: Reads = reads(
    forTypes([DISK_ENCRYPTION_TYPE, LEGACY_DISK_ENCRYPTION_TYPE], ["encryptionKeyArn", "encryptionContext"]),
    {
        [EMR_APPLICATION_TYPE]: ["diskEncryptionConfiguration"],
    },
);

/** What the stack index joins on: keys' identities and regions, replicas' primaries, settings' applications. */
const STACK_JOINS: Reads = reads(
    forTypes([...AWS_KEY_TYPES, ...NATIVE_KEY_TYPES], ["arn", "keyId", "id", "region"]),
    forTypes([KMS_REPLICA_KEY_TYPE, KMS_REPLICA_EXTERNAL_KEY_TYPE, NATIVE_KMS_REPLICA_KEY_TYPE], ["primaryKeyArn"]),
    { [KMS_KEY_POLICY_TYPE]: ["keyId", "policy", "region"] },
    forTypes([DISK_ENCRYPTION_TYPE, LEGACY_DISK_ENCRYPTION_TYPE], ["encryptionKeyArn", "applicationId", "region"]),
    { [EMR_APPLICATION_TYPE]: ["id", "arn", "diskEncryptionConfiguration"] },
);

/** KMS grants: the grantee, the operations, the constraints, who may retire it, and the key. */
const GRANTS: Reads = {
    [KMS_GRANT_TYPE]: ["keyId", "granteePrincipal", "operations", "constraints", "retiringPrincipal", "region"],
};

/** The read lists the policies' records are made of. */
const READ_SETS = {
    keyPolicyDocuments: KEY_POLICY_DOCUMENTS,
    keyShapes: KEY_SHAPES,
    keyRotation: KEY_ROTATION,
    settings: SETTINGS,
    stackJoins: STACK_JOINS,
    grants: GRANTS,
} as const satisfies Record<string, Reads>;

/** The name of a read list. */
export type ReadSet = keyof typeof READ_SETS;

/** What a policy reads: the union of the named read lists. */
export function readsOf(...sets: ReadSet[]): Reads {
    return reads(...sets.map((name) => READ_SETS[name]));
}
