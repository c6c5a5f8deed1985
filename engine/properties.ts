/**
 * Property values as the Pulumi engine puts them on the wire to an analyzer: plain JSON, with
 * secrets wrapped in the signature object and unknowns (preview) as typed sentinel strings.
 */
import type { JsonValue } from "./policyConfig";

/** The signature key marking special values (`rpc.ts` `specialSigKey`). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret (`rpc.ts` `specialSecretSig`). */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The engine's unknown sentinels, by the type of the value that is not yet known. */
export const UNKNOWN = {
    string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    boolean: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    asset: "030794c1-ac77-496b-92df-f27374a8bd58",
    archive: "e48ece36-62e2-4504-bad9-02848725956a",
    object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;

const UNKNOWN_VALUES: ReadonlySet<string> = new Set(Object.values(UNKNOWN));

/** A property bag as the engine sends it (JSON with secret wrappers and unknown sentinels). */
export type PropertyMap = Record<string, JsonValue>;

/** Wraps `value` as an engine secret. */
export function secret(value: JsonValue): JsonValue {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** True when `v` is an engine secret wrapper. */
export function isSecret(v: unknown): v is { value: JsonValue } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** True when `v` is one of the engine's unknown sentinels. */
export function isUnknown(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_VALUES.has(v);
}

/**
 * What the engine does before marshalling to an analyzer (`SkipInternalKeys`): drops keys starting with `__`
 * (such as a dynamic resource's serialized `__provider`) at every level, and drops `undefined`.
 */
export function stripInternalKeys(value: JsonValue | undefined): JsonValue | undefined {
    if (value === undefined || value === null || typeof value !== "object") {
        return value;
    }
    if (Array.isArray(value)) {
        return value.map((v) => stripInternalKeys(v) ?? null);
    }
    if (isSecret(value)) {
        return { [SIG_KEY]: SECRET_SIG, value: stripInternalKeys(value.value) ?? null };
    }
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) {
        if (k.startsWith("__") || v === undefined) {
            continue;
        }
        const s = stripInternalKeys(v);
        if (s !== undefined) {
            out[k] = s;
        }
    }
    return out;
}

/** Replaces every secret (at any depth) with the string `[secret]`, for anything printed or written out. */
export function maskSecrets(value: JsonValue): JsonValue {
    if (isSecret(value)) {
        return "[secret]";
    }
    if (Array.isArray(value)) {
        return value.map(maskSecrets);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
    }
    return value;
}

/** A short rendering of a property value for humans: unknowns as `[unknown]`, secrets as `[secret]`. */
export function displayValue(value: JsonValue | undefined): string {
    if (value === undefined) {
        return "undefined";
    }
    if (isUnknown(value)) {
        return "[unknown]";
    }
    if (isSecret(value)) {
        return "[secret]";
    }
    if (typeof value === "object" && value !== null) {
        return JSON.stringify(value, (_k, v: unknown) => (isUnknown(v) ? "[unknown]" : isSecret(v) ? "[secret]" : v));
    }
    return JSON.stringify(value);
}
