/**
 * What the pack reads from the resources it knows: key specs, key policy documents, disk-encryption
 * settings. Reads go through the unknown-checking proxy (see props.ts): an unknown value throws.
 */
import {
    DISK_ENCRYPTION_TYPE,
    EMR_APPLICATION_TYPE,
    ENCRYPT_DECRYPT_USAGE,
    KMS_KEY_POLICY_TYPE,
    KMS_KEY_TYPE,
    NATIVE_KMS_KEY_TYPE,
    SYMMETRIC_KEY_SPEC,
} from "../../judge";
import { Props, read, unwrap } from "./props";

/** True for the KMS key types the pack judges (aws and aws-native). */
export function isKeyType(type: string): boolean {
    return type === KMS_KEY_TYPE || type === NATIVE_KMS_KEY_TYPE;
}

/** True for the resource types that carry a key policy document. */
export function isKeyPolicyDocumentType(type: string): boolean {
    return isKeyType(type) || type === KMS_KEY_POLICY_TYPE;
}

/** The property holding the key policy document for a key-policy-carrying type. */
export function documentProperty(type: string): string {
    return type === NATIVE_KMS_KEY_TYPE ? "keyPolicy" : "policy";
}

/**
 * The key policy document of a key or KeyPolicy resource (string or object), or undefined when the
 * resource has none (AWS then applies its default key policy). Throws `UnknownValueError` when unknown.
 */
export function readDocument(type: string, props: Props): unknown {
    const doc = read(props, documentProperty(type));
    return doc === null || doc === "" ? undefined : doc;
}

/** A key's spec and usage, with the providers' defaults for absent values. */
export interface KeyShape {
    spec: string;
    usage: string;
}

/**
 * The key's spec and usage. aws:kms Key: `customerMasterKeySpec` (or `keySpec` when present) and
 * `keyUsage`, absent meaning SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT; aws-native: `keySpec`, `keyUsage`,
 * same defaults. Throws `UnknownValueError` when either is unknown.
 */
export function readKeyShape(type: string, props: Props): KeyShape {
    let spec: unknown;
    if (type === NATIVE_KMS_KEY_TYPE) {
        spec = read(props, "keySpec");
    } else {
        spec = read(props, "customerMasterKeySpec");
        if (spec === undefined || spec === null || spec === "") {
            spec = read(props, "keySpec");
        }
    }
    const usage = read(props, "keyUsage");
    return {
        spec: typeof spec === "string" && spec !== "" ? spec : SYMMETRIC_KEY_SPEC,
        usage: typeof usage === "string" && usage !== "" ? usage : ENCRYPT_DECRYPT_USAGE,
    };
}

/** True for the only key shape EMR Serverless disk encryption accepts. */
export function isSymmetric(shape: KeyShape): boolean {
    return shape.spec === SYMMETRIC_KEY_SPEC && shape.usage === ENCRYPT_DECRYPT_USAGE;
}

/** Whether key rotation is on (`enableKeyRotation`, default off). Throws `UnknownValueError` when unknown. */
export function readRotation(props: Props): boolean {
    return read(props, "enableKeyRotation") === true;
}

/** True for the component's setting resource, or an EMR Serverless application that carries its own setting. */
export function isSettingType(type: string): boolean {
    return type === DISK_ENCRYPTION_TYPE || type === EMR_APPLICATION_TYPE;
}

/**
 * The `{encryptionKeyArn, encryptionContext}` holder of a setting-carrying resource: the setting
 * resource's own props, or an application's `diskEncryptionConfiguration` (undefined when it has none).
 * Throws `UnknownValueError` when the application's whole configuration is unknown.
 */
export function settingHolder(type: string, props: Props): Props | undefined {
    if (type === DISK_ENCRYPTION_TYPE) {
        return props;
    }
    const config = props["diskEncryptionConfiguration"];
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
