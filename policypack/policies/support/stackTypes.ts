/**
 * What the stack index holds: the KMS keys of a stack (and those it names outside it), their key policy documents,
 * the grants on them, the EMR Serverless applications and the disk-encryption settings, each entry joined to the
 * others it refers to. Built by stackIndex.ts; read by the stack policies.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { KeyShape } from "./keys";
import type { Maybe } from "./props";

/** A key policy document carried by a key (inline) or a KeyPolicy resource. */
export interface DocumentEntry {
    /** The resource carrying the document. */
    resource: PolicyResource;
    /** True for the key's own `policy`/`keyPolicy`, false for a KeyPolicy resource. */
    inline: boolean;
    /** The document; `known: false` when unknown at preview; value undefined when absent. */
    document: Maybe;
    /** The key ARN the carrier itself names: a KeyPolicy's keyId when it is a key ARN, a key's own `arn`. */
    keyArn?: string;
    /** The bare key id a KeyPolicy's keyId names, when it is one. */
    keyId?: string;
}

/** A KMS key in the stack, or managed outside it and named by literal ARN or id, and what refers to it. */
export interface KeyEntry {
    /** The key resource; for a key outside the stack, the first resource of the stack that names it. */
    resource: PolicyResource;
    /**
     * Set for a key outside the stack, named by a KeyPolicy, a grant or a setting through its literal ARN or id
     * (the reference, as written). Such a key has no spec, rotation or inline document the pack can see: only
     * the KeyPolicy resources and grants of the stack that name it are judged, against its settings.
     */
    external?: { ref: string };
    /** The key id when known (the `keyId`/`id` output, or the id part of its ARN). */
    keyId?: string;
    /** The key's full ARN when known (the `arn` output). */
    arn?: string;
    /**
     * While `arn` is unknown: the full key ARNs other resources of the stack name this key by (a setting's
     * encryptionKeyArn, a KeyPolicy's or grant's keyId) when they were joined to it by dependency or id.
     */
    namedArns?: Set<string>;
    /** The key's region when known (from its ARN, else its `region` property). */
    region?: string;
    /** Spec and usage; undefined when unknown at preview, or for a replica whose primary is not in the stack. */
    shape?: KeyShape;
    /** True when `shape` is a replica's primary key's (the replica's own resource policy could not judge it). */
    shapeFromPrimary?: boolean;
    /** Rotation on; undefined when unknown. */
    rotation?: boolean;
    /** The key's inline document. */
    inline: DocumentEntry;
    /** KeyPolicy resources that set this key's policy (they replace the inline one on AWS). */
    keyPolicies: DocumentEntry[];
    /** Settings that reference this key. */
    settings: SettingEntry[];
    /** KMS grants on this key. */
    grants: GrantEntry[];
}

/** A KMS grant (`aws:kms/grant:Grant`) and the keys its keyId names. */
export interface GrantEntry {
    resource: PolicyResource;
    keys: KeyEntry[];
}

/** An EMR Serverless application in the stack. */
export interface AppEntry {
    resource: PolicyResource;
    /** Known application ids (the `id` output, or the id in the `arn` output). */
    ids: string[];
    arn?: string;
    account?: string;
    /** True when a setting points at it, or it carries its own diskEncryptionConfiguration. */
    covered: boolean;
}

/** A disk-encryption setting (the component's resource, or an application's own configuration). */
export interface SettingEntry {
    resource: PolicyResource;
    /** The literal key ARN when known. */
    keyArn?: string;
    /**
     * The keys it resolves to: keys of the stack (literal ARN or propertyDependencies), else the key outside
     * the stack its literal ARN names (see StackIndex.externalKeys).
     */
    keys: KeyEntry[];
    /** The literal application id when known. */
    applicationId?: string;
    /** The application in this stack it configures, when resolved. */
    app?: AppEntry;
    /** The setting's region when known. */
    region?: string;
}

/** Everything stack policies join on. */
export interface StackIndex {
    /** The KMS keys of the stack. */
    keys: KeyEntry[];
    /** Keys outside the stack that its KeyPolicy resources, grants or settings name by literal ARN or id. */
    externalKeys: KeyEntry[];
    grants: GrantEntry[];
    apps: AppEntry[];
    settings: SettingEntry[];
    /** True when some setting's application could not be resolved (then coverage cannot be judged). */
    unresolvedApplications: boolean;
}
