/**
 * The cross-resource facts stack policies need (see stackTypes.ts), built once per AnalyzeStack call
 * (stackIndex.ts) however many stack policies read them, and never served to another call. The stack policies
 * import the index and what they ask of it (keyFacts.ts) from here.
 */
import type { PolicyResource } from "@pulumi/policy";
import { EMR_APPLICATION_TYPE, KMS_KEY_POLICY_TYPE } from "../../judge";
import { isSharedProperties } from "./deserializeOnce";
import { isKeyType, isSettingResourceType, KMS_GRANT_TYPE } from "./keys";
import { Props, unwrap } from "./props";
import { buildStackIndex } from "./stackIndex";
import type { StackIndex } from "./stackTypes";

export { effectiveDocuments, keyArnFor, keyLabel, keyOptionsFor, multiRegionRelatives } from "./keyFacts";
export { buildStackIndex } from "./stackIndex";
export type { AppEntry, DocumentEntry, GrantEntry, KeyEntry, SettingEntry, StackIndex } from "./stackTypes";

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
 * dependencies. A resource whose properties are the very object the per-request deserialization served for it
 * (see deserializeOnce.ts) is the same resource of the same request, and is not compared further. Linear, and it
 * never reads an unknown value through the proxy.
 */
function sameStack(built: Built, resources: readonly PolicyResource[]): boolean {
    if (built.resources.length !== resources.length) {
        return false;
    }
    for (let i = 0; i < resources.length; i++) {
        const a = built.resources[i];
        const b = resources[i];
        if (a === b) {
            continue;
        }
        const plain = unwrap(b.props);
        if (plain === built.plain[i] && isSharedProperties(plain)) {
            continue;
        }
        if (a.type !== b.type || a.urn !== b.urn) {
            return false;
        }
        if (
            isIndexedType(a.type) &&
            (a.name !== b.name || !sameValue(built.plain[i], plain) || !sameDependencies(a, b))
        ) {
            return false;
        }
    }
    return true;
}

/** An index with the resources it was built from and their plain properties. */
interface Built {
    resources: readonly PolicyResource[];
    plain: readonly unknown[];
    index: StackIndex;
}

/** The index most recently built; forgotten when the current task ends. */
let shared: Built | undefined;

/**
 * The stack index for `resources`, built once per AnalyzeStack call however many stack policies ask for it.
 * @pulumi/policy gives each stack policy its own copy of the stack, so the index of the previous policy is reused
 * only when {@link sameStack} finds this copy the same in everything the index reads; any difference (another
 * call's stack) builds a new one. The policies of one call run back to back in one task (each validateStack is
 * synchronous), and the remembered index is dropped when that task ends, so no stack is held past its call.
 */
export function stackIndexFor(resources: readonly PolicyResource[]): StackIndex {
    if (shared && sameStack(shared, resources)) {
        return shared.index;
    }
    const index = buildStackIndex(resources);
    if (!shared) {
        setImmediate(() => {
            shared = undefined;
        });
    }
    shared = { resources, plain: resources.map((r) => unwrap(r.props)), index };
    return index;
}
