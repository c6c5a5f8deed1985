/**
 * Reading resource properties the way @pulumi/policy hands them over: behind its unknown-checking
 * proxy, where reading a value that is unknown at preview throws `UnknownValueError`. Resource policies let
 * it throw (that is how @pulumi/policy notes a policy it cannot run at preview); the stack index reads the
 * plain object behind the proxy and checks for the sentinel instead, so no read there ever throws.
 */
import { UnknownValueError } from "@pulumi/policy";
import { isUnknownSentinel as isSentinel } from "../../judge";
import type { UnknownPart } from "../../judge";

/** The property @pulumi/policy's proxy answers with the proxied object (proxy.js `getSpecialProxyTarget`). */
const PROXY_TARGET = "__getSpecialProxyTarget";

/** Resource properties as policies receive them. */
export type Props = Record<string, unknown>;

/** True when `value` is one of the engine's unknown sentinels (the judge's list, one per value type). */
export function isUnknownSentinel(value: unknown): boolean {
    return isSentinel(value);
}

/** The plain object behind the proxy (nested unknowns stay as sentinels), or `value` itself. */
export function unwrap(value: unknown): unknown {
    if (value !== null && typeof value === "object") {
        const target = (value as Record<string, unknown>)[PROXY_TARGET];
        if (target !== undefined && target !== null && typeof target === "object") {
            return target;
        }
    }
    return value;
}

/** True when `value` (plain, after `unwrap`) holds an unknown sentinel anywhere. */
export function containsUnknown(value: unknown, depth = 0): boolean {
    if (isUnknownSentinel(value)) {
        return true;
    }
    if (depth > 64 || value === null || typeof value !== "object") {
        return false;
    }
    const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
    return items.some((v) => containsUnknown(v, depth + 1));
}

/**
 * Reads `props[name]` through the proxy: throws `UnknownValueError` when the whole value is unknown (the way a
 * resource policy hands @pulumi/policy its "can't run during preview" note), and returns objects unwrapped,
 * with nested unknowns left as sentinels for the judge to treat as unknown. Stack policies use {@link tryRead}.
 */
export function read(props: Props, name: string): unknown {
    return unwrap(props[name]);
}

/** A property that may be unknown: `known` false when its value is one of the engine's unknown sentinels. */
export type Maybe = { known: true; value: unknown } | { known: false };

const UNKNOWN: Maybe = Object.freeze({ known: false });

/**
 * Reads `props[name]` without throwing: from the plain object behind @pulumi/policy's proxy (its deserialized
 * properties, where an unknown value is the engine's sentinel string), `known: false` for a sentinel. Nested
 * objects come back plain, their unknown parts left as sentinels. Works on plain objects too.
 */
export function tryRead(props: Props, name: string): Maybe {
    const value = (unwrap(props) as Props)[name];
    return isUnknownSentinel(value) ? UNKNOWN : { known: true, value };
}

/** The value of a `Maybe` when it is a known non-empty string. */
export function knownString(m: Maybe): string | undefined {
    return m.known && typeof m.value === "string" && m.value !== "" && !isUnknownSentinel(m.value)
        ? m.value
        : undefined;
}

/**
 * The error for a key policy with parts unknown at preview, thrown after its known parts were judged and
 * reported: @pulumi/policy's server (and the engine) turn an `UnknownValueError` into the same advisory
 * "can't run policy ... during preview" note a wholly unknown document gets, whatever the policy's level.
 * The message names the first unknown part's path, as the proxy would, then every part by statement.
 */
export function partlyUnknownError(property: string, parts: readonly UnknownPart[]): Error {
    const first = parts[0];
    const e = new UnknownValueError(first.sentinel, [property, ...first.path]) as Error;
    const listed = parts.slice(0, 5).map((u) => (u.where ? `${u.where}: ${u.what}` : u.what));
    const more = parts.length > 5 ? ` and ${parts.length - 5} more` : "";
    e.message =
        `${e.message} (unknown in the key policy: ${listed.join("; ")}${more}); its known parts were judged, ` +
        "the unknown ones are judged on update";
    return e;
}
