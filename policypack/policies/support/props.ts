/**
 * Reading resource properties the way @pulumi/policy hands them over: behind its unknown-checking
 * proxy, where reading a value that is unknown at preview throws `UnknownValueError`.
 */
import { UnknownValueError } from "@pulumi/policy";

/** The property @pulumi/policy's proxy answers with the proxied object (proxy.js `getSpecialProxyTarget`). */
const PROXY_TARGET = "__getSpecialProxyTarget";

/** The engine's unknown sentinels (proxy.js), one per value type. */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/** Resource properties as policies receive them. */
export type Props = Record<string, unknown>;

/** True when `value` is one of the engine's unknown sentinels. */
export function isUnknownSentinel(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** True when `e` is the error the proxy throws for an unknown value. */
export function isUnknownValueError(e: unknown): boolean {
    return e instanceof UnknownValueError;
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
 * Reads `props[name]` through the proxy: throws `UnknownValueError` when the whole value is unknown
 * (so a resource policy becomes a "can't run during preview" note), and returns objects unwrapped,
 * with nested unknowns left as sentinels for the judge to treat as unknown.
 */
export function read(props: Props, name: string): unknown {
    return unwrap(props[name]);
}

/** A property that may be unknown: `known` false when reading it threw `UnknownValueError`. */
export type Maybe = { known: true; value: unknown } | { known: false };

/** Like `read`, but reports an unknown value instead of throwing (for stack policies, one resource at a time). */
export function tryRead(props: Props, name: string): Maybe {
    try {
        return { known: true, value: read(props, name) };
    } catch (e) {
        if (isUnknownValueError(e)) {
            return { known: false };
        }
        throw e;
    }
}

/** The value of a `Maybe` when it is a known non-empty string. */
export function knownString(m: Maybe): string | undefined {
    return m.known && typeof m.value === "string" && m.value !== "" && !isUnknownSentinel(m.value)
        ? m.value
        : undefined;
}
