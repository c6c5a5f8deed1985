/**
 * The cross-resource facts stack policies need, built once per stack in linear time: which keys a
 * disk-encryption setting uses, which KeyPolicy resources replace which key's policy, which
 * applications a setting covers. Every read is guarded: a resource whose props are unknown at
 * preview contributes what is known and never stops the judgment of the others.
 */
import type { PolicyResource } from "@pulumi/policy";
import { BARE_KEY_ID_PATTERN, EMR_APPLICATION_TYPE, KMS_KEY_POLICY_TYPE, parseKeyArn } from "../../judge";
import {
    documentProperty,
    isKeyType,
    isReplicaKeyType,
    isSettingResourceType,
    KeyShape,
    KMS_GRANT_TYPE,
    knownKeyShape,
    knownRotation,
    knownSettingHolder,
} from "./keys";
import { knownString, Maybe, Props, tryRead, unwrap } from "./props";
import { label } from "./report";

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
        entry.keyId ??= id;
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

/**
 * Whether a key known by id in `known` (its region, if known) may be the key a reference names in `wanted`.
 * A key id is a random UUID, so the same id is the same key unless the regions contradict; a multi-Region
 * id (`mrk-`) names the primary key and each replica alike (each with its own key policy), so it names one
 * key only when both regions are known and equal.
 */
function sameRegion(id: string, known: string | undefined, wanted: string | undefined): boolean {
    if (id.startsWith("mrk-")) {
        return known !== undefined && known === wanted;
    }
    return known === undefined || wanted === undefined || known === wanted;
}

/**
 * Keys outside the stack, by the literal references that name them. An ARN names one key exactly; a bare id
 * is joined to the key of that id whose region does not contradict (see {@link sameRegion}).
 */
class ExternalKeys {
    readonly entries: KeyEntry[] = [];
    private readonly byArn = new Map<string, KeyEntry>();
    private readonly byId = new Map<string, KeyEntry[]>();

    /**
     * The external keys `ref` (a key ARN or a bare key id) names; `region` is the referring resource's region
     * when known. With `from`, a key no reference named before is added, with `from` as its resource.
     */
    find(ref: string, region: string | undefined, from?: PolicyResource): KeyEntry[] {
        const parsed = parseKeyArn(ref);
        if (parsed) {
            const exact = this.byArn.get(ref);
            if (exact) {
                return [exact];
            }
            // A key so far named only by its bare id, in a region that does not contradict, is this one.
            const byId = (this.byId.get(parsed.keyId) ?? []).filter(
                (k) => k.arn === undefined && sameRegion(parsed.keyId, k.region, parsed.region),
            );
            if (byId.length === 1) {
                byId[0].arn = ref;
                byId[0].region = parsed.region;
                this.byArn.set(ref, byId[0]);
                return byId;
            }
            return from ? [this.add(from, ref, parsed.keyId, parsed.region, ref)] : [];
        }
        if (!BARE_KEY_ID_PATTERN.test(ref)) {
            return []; // an alias or another resource's ARN: no key
        }
        const found = (this.byId.get(ref) ?? []).filter((k) => sameRegion(ref, k.region, region));
        if (found.length > 0) {
            return found;
        }
        return from ? [this.add(from, ref, ref, region, undefined)] : [];
    }

    private add(
        from: PolicyResource,
        ref: string,
        keyId: string,
        region: string | undefined,
        arn: string | undefined,
    ): KeyEntry {
        const entry: KeyEntry = {
            resource: from,
            external: { ref },
            keyId,
            arn,
            region,
            inline: { resource: from, inline: true, document: { known: true, value: undefined } },
            keyPolicies: [],
            settings: [],
            grants: [],
        };
        this.entries.push(entry);
        if (arn) {
            this.byArn.set(arn, entry);
        }
        const list = this.byId.get(keyId);
        if (list) {
            list.push(entry);
        } else {
            this.byId.set(keyId, [entry]);
        }
        return entry;
    }
}

/**
 * The keys a reference property (`keyId` of a KeyPolicy or grant, `encryptionKeyArn` of a setting) names:
 * keys of the stack through property dependencies and the literal value; when none, keys outside the stack
 * by the literal value (added when `create`).
 */
function referencedKeys(
    resource: PolicyResource,
    property: string,
    literal: string | undefined,
    region: string | undefined,
    stack: { byUrn: Map<string, KeyEntry>; lookup: KeyLookup; external: ExternalKeys },
    create: boolean,
): KeyEntry[] {
    // A known value is what AWS is given: a key the resource depends on is the key only if it may be the one the
    // value names (a value built from two keys' outputs depends on both).
    const keys = depKeys(resource, property, stack.byUrn).filter((k) => literal === undefined || mayName(literal, k));
    addLiteralKeys(keys, stack.lookup, literal, region);
    if (keys.length === 0 && literal) {
        keys.push(...stack.external.find(literal, region, create ? resource : undefined));
    }
    if (literal && parseKeyArn(literal)) {
        for (const k of keys) {
            if (k.arn === undefined) {
                (k.namedArns ??= new Set()).add(literal);
            }
        }
    }
    return keys;
}

/**
 * Whether a literal reference may name `key`: a key ARN names the key whose ARN it is (or whose id and region,
 * while its ARN is unknown, agree with it), a bare id the key of that id; anything else (an alias) names no key.
 */
function mayName(literal: string, key: KeyEntry): boolean {
    const parsed = parseKeyArn(literal);
    if (parsed) {
        return key.arn !== undefined
            ? key.arn === literal
            : (key.keyId === undefined || key.keyId === parsed.keyId) &&
                  (key.region === undefined || key.region === parsed.region);
    }
    if (BARE_KEY_ID_PATTERN.test(literal)) {
        return key.keyId === undefined || key.keyId === literal || parseKeyArn(key.arn ?? "")?.keyId === literal;
    }
    return false;
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
    const grantResources: PolicyResource[] = [];
    const external = new ExternalKeys();
    const stack = { byUrn: keyByUrn, lookup: keyLookup, external };

    for (const r of resources) {
        const props = r.props as Props;
        if (isKeyType(r.type)) {
            const entry: KeyEntry = {
                resource: r,
                shape: knownKeyShape(r.type, props),
                rotation: knownRotation(r.type, props),
                inline: { resource: r, inline: true, document: tryRead(props, documentProperty(r.type)) },
                keyPolicies: [],
                settings: [],
                grants: [],
            };
            keys.push(entry);
            keyByUrn.set(r.urn, entry);
            addIdentifiers(keyLookup, entry, props);
            entry.inline.keyArn = entry.arn;
            if (isReplicaKeyType(r.type) && !entry.shape) {
                replicas.push(entry);
            }
        } else if (r.type === KMS_KEY_POLICY_TYPE) {
            keyPolicyResources.push(r);
        } else if (r.type === KMS_GRANT_TYPE) {
            grantResources.push(r);
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
            const own = knownSettingHolder(r.type, props);
            if (!own.known) {
                entry.covered = true; // unknown at preview: judged at update
            } else if (own.holder !== undefined) {
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
        const keyId = knownString(tryRead(props, "keyId"));
        const doc: DocumentEntry = { resource: r, inline: false, document: tryRead(props, "policy") };
        if (keyId && parseKeyArn(keyId)) {
            doc.keyArn = keyId;
        } else if (keyId && BARE_KEY_ID_PATTERN.test(keyId)) {
            doc.keyId = keyId;
        }
        const targets = referencedKeys(r, "keyId", keyId, knownString(tryRead(props, "region")), stack, true);
        for (const k of targets) {
            k.keyPolicies.push(doc);
        }
    }

    const settings: SettingEntry[] = [];
    let unresolvedApplications = false;
    for (const r of settingResources) {
        const isApp = r.type === EMR_APPLICATION_TYPE;
        const own = knownSettingHolder(r.type, r.props as Props);
        const holder = own.known ? own.holder : undefined;
        if (!holder) {
            continue;
        }
        const keyArn = knownString(tryRead(holder, "encryptionKeyArn"));
        const settingRegion = isApp ? undefined : knownString(tryRead(r.props as Props, "region"));
        const resolved = referencedKeys(
            r,
            isApp ? "diskEncryptionConfiguration" : "encryptionKeyArn",
            keyArn,
            settingRegion,
            stack,
            true,
        );
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
                // A known id is the application the setting configures: a dependency whose id differs is not it.
                if (a && (!entry.applicationId || a.ids.length === 0 || a.ids.includes(entry.applicationId))) {
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

    const grants: GrantEntry[] = [];
    for (const r of grantResources) {
        const props = r.props as Props;
        const keyId = knownString(tryRead(props, "keyId"));
        const entry: GrantEntry = {
            resource: r,
            keys: referencedKeys(r, "keyId", keyId, knownString(tryRead(props, "region")), stack, false),
        };
        for (const k of entry.keys) {
            k.grants.push(entry);
        }
        grants.push(entry);
    }
    return { keys, externalKeys: external.entries, grants, apps, settings, unresolvedApplications };
}

/** The resource types whose resources the index reads (every other resource counts only by type and URN). */
function isIndexedType(type: string): boolean {
    return (
        isKeyType(type) ||
        type === KMS_KEY_POLICY_TYPE ||
        type === KMS_GRANT_TYPE ||
        isSettingResourceType(type) ||
        type === EMR_APPLICATION_TYPE
    );
}

/** Deep equality of plain deserialized values (JSON-like); false past 64 levels (then the index is rebuilt). */
function sameValue(a: unknown, b: unknown, depth = 0): boolean {
    if (a === b) {
        return true;
    }
    if (depth > 64 || a === null || b === null || typeof a !== "object" || typeof b !== "object") {
        return false;
    }
    if (Array.isArray(a) || Array.isArray(b)) {
        if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
            return false;
        }
        for (let i = 0; i < a.length; i++) {
            if (!sameValue(a[i], b[i], depth + 1)) {
                return false;
            }
        }
        return true;
    }
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) {
        return false;
    }
    const ak = Object.keys(a);
    if (ak.length !== Object.keys(b).length) {
        return false;
    }
    for (const k of ak) {
        if (!Object.hasOwn(b, k) || !sameValue((a as Props)[k], (b as Props)[k], depth + 1)) {
            return false;
        }
    }
    return true;
}

function sameDependencies(a: PolicyResource, b: PolicyResource): boolean {
    const pa = a.propertyDependencies ?? {};
    const pb = b.propertyDependencies ?? {};
    const keys = Object.keys(pa);
    if (keys.length !== Object.keys(pb).length) {
        return false;
    }
    for (const k of keys) {
        const da = pa[k] ?? [];
        const db = pb[k];
        if (!db || da.length !== db.length || da.some((d, i) => d?.urn !== db[i]?.urn)) {
            return false;
        }
    }
    return true;
}

/**
 * True when the index built from `built` holds for `resources`: the same types and URNs in the same order, and,
 * for every resource the index reads, the same name, properties (the plain values behind the proxy) and property
 * dependencies. Linear, and it never reads through the proxy.
 */
function sameStack(built: readonly PolicyResource[], resources: readonly PolicyResource[]): boolean {
    if (built.length !== resources.length) {
        return false;
    }
    for (let i = 0; i < built.length; i++) {
        const a = built[i];
        const b = resources[i];
        if (a === b) {
            continue;
        }
        if (a.type !== b.type || a.urn !== b.urn) {
            return false;
        }
        if (
            isIndexedType(a.type) &&
            (a.name !== b.name || !sameValue(unwrap(a.props), unwrap(b.props)) || !sameDependencies(a, b))
        ) {
            return false;
        }
    }
    return true;
}

/** The index most recently built, with the resources it was built from; forgotten when the current task ends. */
let shared: { resources: readonly PolicyResource[]; index: StackIndex } | undefined;

/**
 * The stack index for `resources`, built once per AnalyzeStack call however many stack policies ask for it.
 * @pulumi/policy gives each stack policy its own freshly deserialized copy of the stack, so the index of the
 * previous policy is reused only when {@link sameStack} finds this copy equal in everything the index reads;
 * any difference (another call's stack) builds a new one. The policies of one call run back to back in one task
 * (each validateStack is synchronous), and the remembered index is dropped when that task ends, so no stack is
 * held past its call.
 */
export function stackIndexFor(resources: readonly PolicyResource[]): StackIndex {
    if (shared && sameStack(shared.resources, resources)) {
        return shared.index;
    }
    const index = buildStackIndex(resources);
    if (!shared) {
        setImmediate(() => {
            shared = undefined;
        });
    }
    shared = { resources, index };
    return index;
}

/**
 * The key ARN a document of `key` is judged against (AnalyzeOptions.keyArn): the key's own ARN when known,
 * else the ARN the document's carrier names (a KeyPolicy's literal keyId), else the one full ARN the other
 * resources name the key by (none when they name several).
 */
export function keyArnFor(key: KeyEntry, doc: DocumentEntry): string | undefined {
    if (key.arn !== undefined || doc.keyArn !== undefined) {
        return key.arn ?? doc.keyArn;
    }
    return key.namedArns?.size === 1 ? [...key.namedArns][0] : undefined;
}

/**
 * The key a document of `key` is judged against, as AnalyzeOptions takes it: its ARN ({@link keyArnFor}), else
 * its bare id (the key's own, or the one a KeyPolicy names it by).
 */
export function keyOptionsFor(key: KeyEntry, doc: DocumentEntry): { keyArn?: string; keyId?: string } {
    const keyArn = keyArnFor(key, doc);
    if (keyArn !== undefined) {
        return { keyArn };
    }
    const keyId = key.keyId ?? doc.keyId;
    return keyId !== undefined && BARE_KEY_ID_PATTERN.test(keyId) ? { keyId } : {};
}

/** The key id of a key entry: its own, or the one in its ARN. */
function idOf(key: KeyEntry): string | undefined {
    return key.keyId ?? (key.arn ? parseKeyArn(key.arn)?.keyId : undefined);
}

/**
 * The keys of the stack (and those it names) that share `key`'s key material: the related multi-Region keys of
 * its set (a primary and its replicas share the `mrk-` id, in one account and partition, and what one encrypts
 * another decrypts), found by that id or by a replica's `primaryKeyArn`.
 */
export function multiRegionRelatives(key: KeyEntry, index: StackIndex): KeyEntry[] {
    const all = [...index.keys, ...index.externalKeys];
    const id = idOf(key);
    const where = (k: KeyEntry): string | undefined => {
        const p = k.arn ? parseKeyArn(k.arn) : undefined;
        return p ? `${p.partition}:${p.account}` : undefined;
    };
    const primaryOf = (k: KeyEntry): KeyEntry[] => {
        if (!isReplicaKeyType(k.resource.type) || k.external) {
            return [];
        }
        const deps = depKeys(k.resource, "primaryKeyArn", new Map(all.map((x) => [x.resource.urn, x])));
        const literal = knownString(tryRead(k.resource.props as Props, "primaryKeyArn"));
        return [...deps, ...all.filter((x) => literal !== undefined && x.arn === literal)];
    };
    const out: KeyEntry[] = [];
    for (const k of all) {
        if (k === key || out.includes(k)) {
            continue;
        }
        const sameSet =
            id !== undefined &&
            id.startsWith("mrk-") &&
            idOf(k) === id &&
            (where(k) === undefined || where(key) === undefined || where(k) === where(key));
        if (sameSet || primaryOf(k).includes(key) || primaryOf(key).includes(k)) {
            out.push(k);
        }
    }
    return out;
}

/** A key as a reader names it: its resource, or for a key outside the stack its ARN or id. */
export function keyLabel(key: KeyEntry): string {
    return key.external ? `the key ${key.external.ref} (managed outside this stack)` : label(key.resource);
}

/**
 * The documents that decide the key's policy on AWS: its KeyPolicy resources if any, else its inline one
 * (none for a key outside the stack: its own policy is not in the stack).
 */
export function effectiveDocuments(key: KeyEntry): DocumentEntry[] {
    return key.keyPolicies.length > 0 ? key.keyPolicies : key.external ? [] : [key.inline];
}
