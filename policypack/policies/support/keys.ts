/**
 * What the pack reads from the resources it knows: key specs, key policy documents, disk-encryption
 * settings. Reads go through the unknown-checking proxy (see props.ts): an unknown value throws.
 */
import {
    DISK_ENCRYPTION_TYPE,
    EMR_APPLICATION_TYPE,
    LEGACY_DISK_ENCRYPTION_TYPE,
    ENCRYPT_DECRYPT_USAGE,
    KMS_KEY_POLICY_TYPE,
    KMS_KEY_TYPE,
    NATIVE_KMS_KEY_TYPE,
    SYMMETRIC_KEY_SPEC,
    BARE_KEY_ID_PATTERN,
    parseKeyArn,
} from "../../judge";
import { knownString, Props, read, tryRead, unwrap } from "./props";

/**
 * Type token of an aws:kms grant (inputs `keyId`, `granteePrincipal`, `operations`, `constraints`,
 * `retiringPrincipal`). aws-native 1.79 has no grant type (CloudFormation has no AWS::KMS::Grant).
 */
export const KMS_GRANT_TYPE = "aws:kms/grant:Grant";

/** Type token of an aws:kms key with imported key material (inputs `policy`, `keySpec`, `keyUsage`). */
export const KMS_EXTERNAL_KEY_TYPE = "aws:kms/externalKey:ExternalKey";
/** Type token of an aws:kms multi-Region replica key (inputs `policy`, `primaryKeyArn`; spec from the primary). */
export const KMS_REPLICA_KEY_TYPE = "aws:kms/replicaKey:ReplicaKey";
/** Type token of an aws:kms replica of a multi-Region key with imported material (`policy`, `primaryKeyArn`). */
export const KMS_REPLICA_EXTERNAL_KEY_TYPE = "aws:kms/replicaExternalKey:ReplicaExternalKey";
/** Type token of an aws-native replica key (CloudFormation AWS::KMS::ReplicaKey: `keyPolicy`, `primaryKeyArn`). */
export const NATIVE_KMS_REPLICA_KEY_TYPE = "aws-native:kms:ReplicaKey";

const KEY_TYPES: ReadonlySet<string> = new Set([
    KMS_KEY_TYPE,
    NATIVE_KMS_KEY_TYPE,
    KMS_EXTERNAL_KEY_TYPE,
    KMS_REPLICA_KEY_TYPE,
    KMS_REPLICA_EXTERNAL_KEY_TYPE,
    NATIVE_KMS_REPLICA_KEY_TYPE,
]);

const REPLICA_TYPES: ReadonlySet<string> = new Set([
    KMS_REPLICA_KEY_TYPE,
    KMS_REPLICA_EXTERNAL_KEY_TYPE,
    NATIVE_KMS_REPLICA_KEY_TYPE,
]);

/**
 * True for the KMS key types the pack judges: aws:kms Key, ExternalKey, ReplicaKey, ReplicaExternalKey,
 * and aws-native:kms Key and ReplicaKey.
 */
export function isKeyType(type: string): boolean {
    return KEY_TYPES.has(type);
}

/** True for the multi-Region replica key types, whose spec and rotation come from their primary key. */
export function isReplicaKeyType(type: string): boolean {
    return REPLICA_TYPES.has(type);
}

/** True for the resource types that carry a key policy document. */
export function isKeyPolicyDocumentType(type: string): boolean {
    return isKeyType(type) || type === KMS_KEY_POLICY_TYPE;
}

/** The property holding the key policy document for a key-policy-carrying type. */
export function documentProperty(type: string): string {
    return type === NATIVE_KMS_KEY_TYPE || type === NATIVE_KMS_REPLICA_KEY_TYPE ? "keyPolicy" : "policy";
}

/** The aws:kms key types, whose provider leaves an empty `policy` unset (KMS then applies its default key policy). */
const EMPTY_MEANS_UNSET: ReadonlySet<string> = new Set([
    KMS_KEY_TYPE,
    KMS_EXTERNAL_KEY_TYPE,
    KMS_REPLICA_KEY_TYPE,
    KMS_REPLICA_EXTERNAL_KEY_TYPE,
]);

/**
 * True when a key-policy property's value gives no document: absent or null, or the empty string on the
 * aws:kms key types. On a KeyPolicy resource (whose policy is required) and on aws-native keys an empty
 * string is a document, and the judge refuses it like any other AWS would reject.
 */
export function isAbsentDocument(type: string, value: unknown): boolean {
    return value === undefined || value === null || (value === "" && EMPTY_MEANS_UNSET.has(type));
}

/**
 * The key policy document of a key or KeyPolicy resource (string or object), or undefined when the
 * resource has none ({@link isAbsentDocument}: AWS then applies its default key policy). Throws
 * `UnknownValueError` when unknown.
 */
export function readDocument(type: string, props: Props): unknown {
    const doc = read(props, documentProperty(type));
    return isAbsentDocument(type, doc) ? undefined : doc;
}

/**
 * The ARN of the key a key-policy-carrying resource's document applies to, when the resource names it: a
 * KeyPolicy's keyId when it is a key ARN, a key's own `arn` (an output: known on AnalyzeStack, rarely on
 * Analyze). Undefined when absent, unknown or not a key ARN (a bare id or an alias); never throws.
 */
export function documentKeyArn(type: string, props: Props): string | undefined {
    const value = knownString(tryRead(props, type === KMS_KEY_POLICY_TYPE ? "keyId" : "arn"));
    return value !== undefined && parseKeyArn(value) ? value : undefined;
}

/**
 * What a key-policy-carrying resource tells of the key its document applies to, as AnalyzeOptions takes it: its
 * ARN ({@link documentKeyArn}), else its bare id (a KeyPolicy's keyId, a key's `keyId` output). Never throws.
 */
export function documentKey(type: string, props: Props): { keyArn?: string; keyId?: string } {
    const keyArn = documentKeyArn(type, props);
    if (keyArn !== undefined) {
        return { keyArn };
    }
    const id = knownString(tryRead(props, "keyId"));
    return id !== undefined && BARE_KEY_ID_PATTERN.test(id) ? { keyId: id } : {};
}

/** A key's spec and usage, with the providers' defaults for absent values. */
export interface KeyShape {
    spec: string;
    usage: string;
}

/** What a replica's message says for a spec only its primary key knows. */
export const PRIMARY_SPEC = "(the primary key's spec)";

const nonEmpty = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** What a key-shape or rotation reader answers for a value unknown at preview. */
const UNREAD: unique symbol = Symbol("unknown at preview");

/** Reads one property: its value, or {@link UNREAD} when unknown (the non-throwing reader), or throws. */
type Reader = (name: string) => unknown;

function shapeFrom(type: string, get: Reader): KeyShape | undefined | typeof UNREAD {
    if (isReplicaKeyType(type)) {
        const specValue = get("keySpec");
        if (specValue === UNREAD) {
            return UNREAD;
        }
        const usageValue = get("keyUsage");
        if (usageValue === UNREAD) {
            return UNREAD;
        }
        const spec = nonEmpty(specValue);
        const usage = nonEmpty(usageValue);
        if (spec === undefined && (usage === undefined || usage === ENCRYPT_DECRYPT_USAGE)) {
            return undefined;
        }
        return { spec: spec ?? PRIMARY_SPEC, usage: usage ?? ENCRYPT_DECRYPT_USAGE };
    }
    let spec: unknown;
    if (type === KMS_KEY_TYPE) {
        spec = get("customerMasterKeySpec");
        if (spec === undefined || spec === null || spec === "") {
            spec = get("keySpec");
        }
    } else {
        spec = get("keySpec");
    }
    if (spec === UNREAD) {
        return UNREAD;
    }
    const usage = get("keyUsage");
    if (usage === UNREAD) {
        return UNREAD;
    }
    return {
        spec: nonEmpty(spec) ?? SYMMETRIC_KEY_SPEC,
        usage: nonEmpty(usage) ?? ENCRYPT_DECRYPT_USAGE,
    };
}

/** The non-throwing reader: the value, or {@link UNREAD} for an unknown one. */
function knownReader(props: Props): Reader {
    return (name) => {
        const m = tryRead(props, name);
        return m.known ? m.value : UNREAD;
    };
}

/**
 * The key's spec and usage. aws:kms Key: `customerMasterKeySpec` (or `keySpec` when present) and
 * `keyUsage`; aws:kms ExternalKey and aws-native Key: `keySpec`, `keyUsage`; absent meaning
 * SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT. Replica keys take their spec from the primary key: only their
 * `keySpec`/`keyUsage` outputs (after creation) tell it, so without them the shape is undefined (not
 * judgeable from the replica alone, never assumed symmetric), unless a known `keyUsage` already rules out
 * a symmetric key. Throws `UnknownValueError` when a value read is unknown (a resource policy's preview note).
 */
export function readKeyShape(type: string, props: Props): KeyShape | undefined {
    const shape = shapeFrom(type, (name) => read(props, name));
    return shape === UNREAD ? undefined : shape;
}

/** {@link readKeyShape} without throwing: undefined also when a value it needs is unknown at preview. */
export function knownKeyShape(type: string, props: Props): KeyShape | undefined {
    const shape = shapeFrom(type, knownReader(props));
    return shape === UNREAD ? undefined : shape;
}

/** True for the only key shape EMR Serverless disk encryption accepts. */
export function isSymmetric(shape: KeyShape): boolean {
    return shape.spec === SYMMETRIC_KEY_SPEC && shape.usage === ENCRYPT_DECRYPT_USAGE;
}

/**
 * Whether key rotation is on (`enableKeyRotation`, default off), for aws:kms Key and aws-native Key.
 * Undefined (not judged) for keys with imported material, which have no automatic rotation setting, and
 * for replicas, which share their primary key's rotation. Throws `UnknownValueError` when unknown.
 */
export function readRotation(type: string, props: Props): boolean | undefined {
    if (type !== KMS_KEY_TYPE && type !== NATIVE_KMS_KEY_TYPE) {
        return undefined;
    }
    return read(props, "enableKeyRotation") === true;
}

/** {@link readRotation} without throwing: undefined also when `enableKeyRotation` is unknown at preview. */
export function knownRotation(type: string, props: Props): boolean | undefined {
    if (type !== KMS_KEY_TYPE && type !== NATIVE_KMS_KEY_TYPE) {
        return undefined;
    }
    const m = tryRead(props, "enableKeyRotation");
    return m.known ? m.value === true : undefined;
}

/**
 * True for the component's setting resource under either of its type tokens (the provider plugin's, or the
 * dynamic resource's still in older stacks' state).
 */
export function isSettingResourceType(type: string): boolean {
    return type === DISK_ENCRYPTION_TYPE || type === LEGACY_DISK_ENCRYPTION_TYPE;
}

/** True for the component's setting resource, or an EMR Serverless application that carries its own setting. */
export function isSettingType(type: string): boolean {
    return isSettingResourceType(type) || type === EMR_APPLICATION_TYPE;
}

/**
 * The `{encryptionKeyArn, encryptionContext}` holder of a setting-carrying resource: the setting
 * resource's own props, or an application's `diskEncryptionConfiguration` (undefined when it has none).
 * Throws `UnknownValueError` when the application's whole configuration is unknown.
 */
export function settingHolder(type: string, props: Props): Props | undefined {
    if (isSettingResourceType(type)) {
        return props;
    }
    return holderOf(props["diskEncryptionConfiguration"]);
}

/**
 * {@link settingHolder} without throwing: `known: false` when the application's whole configuration is unknown
 * at preview. The holder comes back plain (nested unknowns as sentinels).
 */
export function knownSettingHolder(type: string, props: Props): { known: true; holder?: Props } | { known: false } {
    if (isSettingResourceType(type)) {
        return { known: true, holder: props };
    }
    const config = tryRead(props, "diskEncryptionConfiguration");
    return config.known ? { known: true, holder: holderOf(config.value) } : { known: false };
}

function holderOf(config: unknown): Props | undefined {
    if (config === undefined || config === null || typeof config !== "object") {
        return undefined;
    }
    // An empty configuration unsets disk encryption (UpdateApplication semantics): not a setting.
    const raw = unwrap(config) as Props;
    if (raw.encryptionKeyArn === undefined || raw.encryptionKeyArn === null || raw.encryptionKeyArn === "") {
        return undefined;
    }
    return config as Props;
}
