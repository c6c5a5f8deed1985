/**
 * What the stack policies ask of a key in the stack index: the ARN or id its documents are judged against, the
 * keys that share its key material, its name in messages, and the documents that decide its policy on AWS.
 */
import { BARE_KEY_ID_PATTERN, parseKeyArn } from "../../judge";
import { isReplicaKeyType } from "./keys";
import { depKeys } from "./keyRefs";
import { knownString, Props, tryRead } from "./props";
import { label } from "./report";
import type { DocumentEntry, KeyEntry, StackIndex } from "./stackTypes";

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

/** How the keys of one index relate as multi-Region keys, computed once per index, on first use. */
interface Relations {
    /** Every key of the index (its keys, then those it names outside the stack), with its position. */
    order: Map<KeyEntry, number>;
    /** The keys whose id is a multi-Region id (`mrk-`), by that id. */
    byMrkId: Map<string, KeyEntry[]>;
    /** `partition:account` of a key whose ARN is known. */
    where: Map<KeyEntry, string>;
    /** A replica's primary keys (by `primaryKeyArn`'s dependencies and literal ARN), and the converse. */
    primaries: Map<KeyEntry, KeyEntry[]>;
    replicas: Map<KeyEntry, KeyEntry[]>;
}

const relationsOf = new WeakMap<StackIndex, Relations>();

function relations(index: StackIndex): Relations {
    let rel = relationsOf.get(index);
    if (rel) {
        return rel;
    }
    const all = [...index.keys, ...index.externalKeys];
    rel = { order: new Map(), byMrkId: new Map(), where: new Map(), primaries: new Map(), replicas: new Map() };
    const byUrn = new Map(all.map((x) => [x.resource.urn, x]));
    const byArn = new Map<string, KeyEntry[]>();
    for (const [i, k] of all.entries()) {
        rel.order.set(k, i);
        const id = idOf(k);
        if (id?.startsWith("mrk-")) {
            rel.byMrkId.set(id, [...(rel.byMrkId.get(id) ?? []), k]);
        }
        const parsed = k.arn ? parseKeyArn(k.arn) : undefined;
        if (parsed) {
            rel.where.set(k, `${parsed.partition}:${parsed.account}`);
        }
        if (k.arn !== undefined) {
            byArn.set(k.arn, [...(byArn.get(k.arn) ?? []), k]);
        }
    }
    for (const k of all) {
        if (!isReplicaKeyType(k.resource.type) || k.external) {
            continue;
        }
        const literal = knownString(tryRead(k.resource.props as Props, "primaryKeyArn"));
        const primaries = [
            ...depKeys(k.resource, "primaryKeyArn", byUrn),
            ...(literal ? (byArn.get(literal) ?? []) : []),
        ];
        rel.primaries.set(k, primaries);
        for (const p of primaries) {
            rel.replicas.set(p, [...(rel.replicas.get(p) ?? []), k]);
        }
    }
    relationsOf.set(index, rel);
    return rel;
}

/**
 * The keys of the stack (and those it names) that share `key`'s key material: the related multi-Region keys of
 * its set (a primary and its replicas share the `mrk-` id, in one account and partition, and what one encrypts
 * another decrypts), found by that id or by a replica's `primaryKeyArn`. In the index's order; linear in the
 * relatives found once the index's relations are known (computed once per index).
 */
export function multiRegionRelatives(key: KeyEntry, index: StackIndex): KeyEntry[] {
    const rel = relations(index);
    const id = idOf(key);
    const mine = rel.where.get(key);
    const found = new Set<KeyEntry>();
    for (const k of id?.startsWith("mrk-") ? (rel.byMrkId.get(id) ?? []) : []) {
        const theirs = rel.where.get(k);
        if (theirs === undefined || mine === undefined || theirs === mine) {
            found.add(k);
        }
    }
    for (const k of [...(rel.primaries.get(key) ?? []), ...(rel.replicas.get(key) ?? [])]) {
        found.add(k);
    }
    found.delete(key);
    const position = (k: KeyEntry): number => rel.order.get(k) ?? Number.MAX_SAFE_INTEGER;
    return [...found].sort((a, b) => position(a) - position(b));
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
