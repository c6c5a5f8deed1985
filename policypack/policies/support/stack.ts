/**
 * The cross-resource facts stack policies need, built once per stack in linear time: which keys a
 * disk-encryption setting uses, which KeyPolicy resources replace which key's policy, which
 * applications a setting covers. Every read is guarded: a resource whose props are unknown at
 * preview contributes what is known and never stops the judgment of the others.
 */
import type { PolicyResource } from "@pulumi/policy";
import { DISK_ENCRYPTION_TYPE, EMR_APPLICATION_TYPE, KMS_KEY_POLICY_TYPE, parseKeyArn } from "../../judge";
import { documentProperty, isKeyType, KeyShape, readKeyShape, readRotation, settingHolder } from "./keys";
import { isUnknownValueError, knownString, Maybe, Props, tryRead } from "./props";

/** Runs `fn`, answering undefined when it read an unknown value. */
export function attempt<T>(fn: () => T): T | undefined {
    try {
        return fn();
    } catch (e) {
        if (isUnknownValueError(e)) {
            return undefined;
        }
        throw e;
    }
}

/** A key policy document carried by a key (inline) or a KeyPolicy resource. */
export interface DocumentEntry {
    /** The resource carrying the document. */
    resource: PolicyResource;
    /** True for the key's own `policy`/`keyPolicy`, false for a KeyPolicy resource. */
    inline: boolean;
    /** The document; `known: false` when unknown at preview; value undefined when absent. */
    document: Maybe;
}

/** A KMS key in the stack and what refers to it. */
export interface KeyEntry {
    resource: PolicyResource;
    /** Spec and usage; undefined when unknown at preview. */
    shape?: KeyShape;
    /** Rotation on; undefined when unknown. */
    rotation?: boolean;
    /** The key's inline document. */
    inline: DocumentEntry;
    /** KeyPolicy resources that set this key's policy (they replace the inline one on AWS). */
    keyPolicies: DocumentEntry[];
    /** Settings that reference this key. */
    settings: SettingEntry[];
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
    /** The keys in this stack it resolves to (literal ARN or propertyDependencies). */
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
    keys: KeyEntry[];
    apps: AppEntry[];
    settings: SettingEntry[];
    /** True when some setting's application could not be resolved (then coverage cannot be judged). */
    unresolvedApplications: boolean;
}

const APP_ARN = /^arn:[^:]+:emr-serverless:[^:]*:(\d{12}):\/applications\/([^/]+)$/;

function addIdentifiers(map: Map<string, KeyEntry>, entry: KeyEntry, props: Props): void {
    for (const name of ["arn", "keyId", "id"]) {
        const v = knownString(tryRead(props, name));
        if (v) {
            map.set(v, entry);
            const parsed = parseKeyArn(v);
            if (parsed) {
                map.set(parsed.keyId, entry);
            }
        }
    }
}

function lookupKey(map: Map<string, KeyEntry>, ref: string | undefined): KeyEntry | undefined {
    if (!ref) {
        return undefined;
    }
    const direct = map.get(ref);
    if (direct) {
        return direct;
    }
    const parsed = parseKeyArn(ref);
    return parsed ? map.get(parsed.keyId) : undefined;
}

function depKeys(resource: PolicyResource, property: string, byUrn: Map<string, KeyEntry>): KeyEntry[] {
    const deps = resource.propertyDependencies?.[property] ?? [];
    const out: KeyEntry[] = [];
    for (const d of deps) {
        const k = d && byUrn.get(d.urn);
        if (k && !out.includes(k)) {
            out.push(k);
        }
    }
    return out;
}

/** Builds the index: one pass over the resources, then one over settings and KeyPolicy resources. */
export function buildStackIndex(resources: readonly PolicyResource[]): StackIndex {
    const keys: KeyEntry[] = [];
    const keyByUrn = new Map<string, KeyEntry>();
    const keyByIdentifier = new Map<string, KeyEntry>();
    const apps: AppEntry[] = [];
    const appByUrn = new Map<string, AppEntry>();
    const appById = new Map<string, AppEntry>();
    const keyPolicyResources: PolicyResource[] = [];
    const settingResources: PolicyResource[] = [];

    for (const r of resources) {
        const props = r.props as Props;
        if (isKeyType(r.type)) {
            const entry: KeyEntry = {
                resource: r,
                shape: attempt(() => readKeyShape(r.type, props)),
                rotation: attempt(() => readRotation(props)),
                inline: { resource: r, inline: true, document: tryRead(props, documentProperty(r.type)) },
                keyPolicies: [],
                settings: [],
            };
            keys.push(entry);
            keyByUrn.set(r.urn, entry);
            addIdentifiers(keyByIdentifier, entry, props);
        } else if (r.type === KMS_KEY_POLICY_TYPE) {
            keyPolicyResources.push(r);
        } else if (r.type === DISK_ENCRYPTION_TYPE) {
            settingResources.push(r);
        } else if (r.type === EMR_APPLICATION_TYPE) {
            const ids: string[] = [];
            const id = knownString(tryRead(props, "id"));
            const arn = knownString(tryRead(props, "arn"));
            let account: string | undefined;
            if (id) {
                ids.push(id);
            }
            const m = arn ? APP_ARN.exec(arn) : null;
            if (m) {
                account = m[1];
                if (!ids.includes(m[2])) {
                    ids.push(m[2]);
                }
            }
            const entry: AppEntry = { resource: r, ids, arn, account, covered: false };
            apps.push(entry);
            appByUrn.set(r.urn, entry);
            for (const i of ids) {
                appById.set(i, entry);
            }
            const own = tryRead(props, "diskEncryptionConfiguration");
            if (!own.known) {
                entry.covered = true; // unknown at preview: judged at update
            } else if (attempt(() => settingHolder(r.type, props)) !== undefined) {
                settingResources.push(r);
            }
        }
    }

    for (const r of keyPolicyResources) {
        const props = r.props as Props;
        const doc: DocumentEntry = { resource: r, inline: false, document: tryRead(props, "policy") };
        const targets = depKeys(r, "keyId", keyByUrn);
        const literal = lookupKey(keyByIdentifier, knownString(tryRead(props, "keyId")));
        if (literal && !targets.includes(literal)) {
            targets.push(literal);
        }
        for (const k of targets) {
            k.keyPolicies.push(doc);
        }
    }

    const settings: SettingEntry[] = [];
    let unresolvedApplications = false;
    for (const r of settingResources) {
        const isApp = r.type === EMR_APPLICATION_TYPE;
        const holder = attempt(() => settingHolder(r.type, r.props as Props));
        if (!holder) {
            continue;
        }
        const keyArn = knownString(tryRead(holder, "encryptionKeyArn"));
        const resolved = depKeys(r, isApp ? "diskEncryptionConfiguration" : "encryptionKeyArn", keyByUrn);
        const literal = lookupKey(keyByIdentifier, keyArn);
        if (literal && !resolved.includes(literal)) {
            resolved.push(literal);
        }
        const entry: SettingEntry = { resource: r, keyArn, keys: resolved };
        if (isApp) {
            entry.app = appByUrn.get(r.urn);
        } else {
            const props = r.props as Props;
            const appIdRead = tryRead(props, "applicationId");
            entry.applicationId = knownString(appIdRead);
            entry.region = knownString(tryRead(props, "region"));
            const deps = r.propertyDependencies?.["applicationId"] ?? [];
            for (const d of deps) {
                const a = d && appByUrn.get(d.urn);
                if (a) {
                    entry.app = a;
                    break;
                }
            }
            if (!entry.app && entry.applicationId) {
                entry.app = appById.get(entry.applicationId);
            }
            if (!entry.app && !entry.applicationId) {
                unresolvedApplications = true;
            }
        }
        if (entry.app) {
            entry.app.covered = true;
        }
        for (const k of resolved) {
            k.settings.push(entry);
        }
        settings.push(entry);
    }
    return { keys, apps, settings, unresolvedApplications };
}

/** The documents that decide the key's policy on AWS: its KeyPolicy resources if any, else its inline one. */
export function effectiveDocuments(key: KeyEntry): DocumentEntry[] {
    return key.keyPolicies.length > 0 ? key.keyPolicies : [key.inline];
}
