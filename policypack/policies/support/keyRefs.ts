/**
 * Which keys a reference names: a key ARN or a bare key id written in a KeyPolicy, a grant or a setting, and the
 * property dependencies behind it, resolved to the keys of the stack, or to keys outside it named only by that
 * reference. Used while the stack index is built.
 */
import type { PolicyResource } from "@pulumi/policy";
import { BARE_KEY_ID_PATTERN, parseKeyArn } from "../../judge";
import { knownString, Props, tryRead } from "./props";
import type { KeyEntry } from "./stackTypes";

/**
 * Keys by identifier. Multi-Region keys share their key id (`mrk-...`) across regions, and keys in other
 * accounts may share an id, so a reference with a full ARN matches a key's full ARN exactly; the key id
 * alone is used only for bare ids, and for keys whose own ARN is unknown (then region must not contradict).
 */
export interface KeyLookup {
    byArn: Map<string, KeyEntry>;
    byId: Map<string, KeyEntry[]>;
}

/** Records a key of the stack under its ARN and ids (its `arn`, `keyId` and `id` outputs when known). */
export function addIdentifiers(lookup: KeyLookup, entry: KeyEntry, props: Props): void {
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
export class ExternalKeys {
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

/** The keys a stack's references resolve to, as the index builder holds them. */
export interface KeyRefs {
    /** The keys of the stack by their resource's URN. */
    byUrn: Map<string, KeyEntry>;
    lookup: KeyLookup;
    external: ExternalKeys;
}

/**
 * The keys a reference property (`keyId` of a KeyPolicy or grant, `encryptionKeyArn` of a setting) names:
 * keys of the stack through property dependencies and the literal value; when none, keys outside the stack
 * by the literal value (added when `create`).
 */
export function referencedKeys(
    resource: PolicyResource,
    property: string,
    literal: string | undefined,
    region: string | undefined,
    stack: KeyRefs,
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

/** The keys among `byUrn` that `resource`'s `property` depends on, once each, in dependency order. */
export function depKeys(resource: PolicyResource, property: string, byUrn: Map<string, KeyEntry>): KeyEntry[] {
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
