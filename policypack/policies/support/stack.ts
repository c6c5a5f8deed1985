/**
 * The cross-resource facts stack policies need, built once per stack in linear time: which keys a
 * disk-encryption setting uses, which KeyPolicy resources replace which key's policy, which
 * applications a setting covers. Every read is guarded: a resource whose props are unknown at
 * preview contributes what is known and never stops the judgment of the others.
 */
import type { PolicyResource } from "@pulumi/policy";
import { EMR_APPLICATION_TYPE, KMS_KEY_POLICY_TYPE, parseKeyArn } from "../../judge";
import {
    documentProperty,
    isKeyType,
    isReplicaKeyType,
    isSettingResourceType,
    KeyShape,
    readKeyShape,
    readRotation,
    settingHolder,
} from "./keys";
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
    /** The key's full ARN when known (the `arn` output). */
    arn?: string;
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

/**
 * Keys by identifier. Multi-Region keys share their key id (`mrk-...`) across regions, and keys in other
 * accounts may share an id, so a reference with a full ARN matches a key's full ARN exactly; the key id
 * alone is used only for bare ids, and for keys whose own ARN is unknown (then region must not contradict).
 */
interface KeyLookup {
    byArn: Map<string, KeyEntry>;
    byId: Map<string, KeyEntry[]>;
}

function addIdentifiers(lookup: KeyLookup, entry: KeyEntry, props: Props): void {
    const arn = knownString(tryRead(props, "arn"));
    const parsedArn = arn ? parseKeyArn(arn) : undefined;
    if (arn) {
        entry.arn = arn;
        lookup.byArn.set(arn, entry);
    }
    entry.region = parsedArn?.region ?? knownString(tryRead(props, "region"));
    const ids = [knownString(tryRead(props, "keyId")), knownString(tryRead(props, "id")), parsedArn?.keyId];
    for (const id of ids) {
        if (!id || parseKeyArn(id)) {
            continue;
        }
        const list = lookup.byId.get(id);
        if (!list) {
            lookup.byId.set(id, [entry]);
        } else if (!list.includes(entry)) {
            list.push(entry);
        }
    }
}

/**
 * The keys in the stack a literal reference (key ARN or bare key id) names. `region` is the referring
 * resource's region when known (used to tell same-id keys apart for a bare id).
 */
function lookupKeys(lookup: KeyLookup, ref: string | undefined, region?: string): KeyEntry[] {
    if (!ref) {
        return [];
    }
    const exact = lookup.byArn.get(ref);
    if (exact) {
        return [exact];
    }
    const parsed = parseKeyArn(ref);
    if (parsed) {
        // A full ARN names one key: only a key whose own ARN is unknown may still be it, if its region agrees.
        return (lookup.byId.get(parsed.keyId) ?? []).filter(
            (k) => k.arn === undefined && (k.region === undefined || k.region === parsed.region),
        );
    }
    if (ref.startsWith("arn:")) {
        return []; // an alias ARN or another resource's ARN: not a key of this stack
    }
    return (lookup.byId.get(ref) ?? []).filter(
        (k) => region === undefined || k.region === undefined || k.region === region,
    );
}

/** Adds to `into` the keys `ref` names: exact ARN matches always, id matches only when `into` is empty. */
function addLiteralKeys(into: KeyEntry[], lookup: KeyLookup, ref: string | undefined, region?: string): void {
    const exact = ref ? lookup.byArn.get(ref) : undefined;
    const found = exact ? [exact] : into.length === 0 ? lookupKeys(lookup, ref, region) : [];
    for (const k of found) {
        if (!into.includes(k)) {
            into.push(k);
        }
    }
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
    const keyLookup: KeyLookup = { byArn: new Map(), byId: new Map() };
    const replicas: KeyEntry[] = [];
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
                rotation: attempt(() => readRotation(r.type, props)),
                inline: { resource: r, inline: true, document: tryRead(props, documentProperty(r.type)) },
                keyPolicies: [],
                settings: [],
            };
            keys.push(entry);
            keyByUrn.set(r.urn, entry);
            addIdentifiers(keyLookup, entry, props);
            if (isReplicaKeyType(r.type) && !entry.shape) {
                replicas.push(entry);
            }
        } else if (r.type === KMS_KEY_POLICY_TYPE) {
            keyPolicyResources.push(r);
        } else if (isSettingResourceType(r.type)) {
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

    // A replica's spec is its primary key's: taken from the primary when the stack holds it.
    for (const replica of replicas) {
        const r = replica.resource;
        const primaries = depKeys(r, "primaryKeyArn", keyByUrn);
        const arn = knownString(tryRead(r.props as Props, "primaryKeyArn"));
        const exact = arn ? keyLookup.byArn.get(arn) : undefined;
        if (exact && !primaries.includes(exact)) {
            primaries.push(exact);
        }
        const shapes = primaries.filter((p) => p !== replica && !isReplicaKeyType(p.resource.type));
        if (shapes.length === 1 && shapes[0].shape) {
            replica.shape = { ...shapes[0].shape };
            replica.shapeFromPrimary = true;
        }
    }

    for (const r of keyPolicyResources) {
        const props = r.props as Props;
        const doc: DocumentEntry = { resource: r, inline: false, document: tryRead(props, "policy") };
        const targets = depKeys(r, "keyId", keyByUrn);
        addLiteralKeys(targets, keyLookup, knownString(tryRead(props, "keyId")), knownString(tryRead(props, "region")));
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
        const settingRegion = isApp ? undefined : knownString(tryRead(r.props as Props, "region"));
        addLiteralKeys(resolved, keyLookup, keyArn, settingRegion);
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
