/**
 * Property values as the engine sends them to a provider that accepts secrets (after
 * `Struct.toJavaScript()`): plain JSON, with secrets wrapped in the signature object and values not yet
 * known at preview as typed sentinel strings. Pure helpers; nothing here talks to the engine.
 */

/** The signature key marking special values. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret. */
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

/** A property bag as it arrives (JSON with secret wrappers and unknown sentinels). */
export type Wire = Record<string, unknown>;

/** A secret wrapper. */
export interface WireSecret {
    [SIG_KEY]: typeof SECRET_SIG;
    value: unknown;
}

/** Wraps `value` as a secret. */
export function secret(value: unknown): WireSecret {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** True when `v` is a secret wrapper. */
export function isSecret(v: unknown): v is WireSecret {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** True when `v` is one of the unknown sentinels. */
export function isUnknown(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_VALUES.has(v);
}

/** True when `v` is, or contains, an unknown sentinel. */
export function containsUnknown(v: unknown): boolean {
    if (isUnknown(v)) {
        return true;
    }
    if (isSecret(v)) {
        return containsUnknown(v.value);
    }
    if (Array.isArray(v)) {
        return v.some(containsUnknown);
    }
    if (typeof v === "object" && v !== null) {
        return Object.values(v).some(containsUnknown);
    }
    return false;
}

/** `v` with every secret wrapper removed, at every level. */
export function reveal(v: unknown): unknown {
    if (isSecret(v)) {
        return reveal(v.value);
    }
    if (Array.isArray(v)) {
        return v.map(reveal);
    }
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    }
    return v;
}

/** `v` with every unknown sentinel, of whatever type, turned into the string one. */
export function unknownsAsString(v: unknown): unknown {
    if (isUnknown(v)) {
        return UNKNOWN.string;
    }
    if (Array.isArray(v)) {
        return v.map(unknownsAsString);
    }
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unknownsAsString(x)]));
    }
    return v;
}

/**
 * Every string inside a secret wrapper of `v` (keys and values), for redaction. Strings shorter than
 * four characters are left out: replacing them would mangle messages without protecting anything.
 */
export function secretStrings(v: unknown, inSecret = false): string[] {
    const out: string[] = [];
    const walk = (x: unknown, hidden: boolean): void => {
        if (isSecret(x)) {
            walk(x.value, true);
        } else if (typeof x === "string") {
            if (hidden && x.length >= 4) {
                out.push(x);
            }
        } else if (Array.isArray(x)) {
            x.forEach((e) => walk(e, hidden));
        } else if (typeof x === "object" && x !== null) {
            for (const [k, e] of Object.entries(x)) {
                if (hidden && k.length >= 4) {
                    out.push(k);
                }
                walk(e, hidden);
            }
        }
    };
    walk(v, inSecret);
    return out;
}

/** `text` with every occurrence of each of `secrets` replaced by `[secret]` (longest first). */
export function redact(text: string, secrets: readonly string[]): string {
    let out = text;
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
        if (s.length > 0) {
            out = out.split(s).join("[secret]");
        }
    }
    return out;
}

/** Same JSON value, ignoring secret wrappers and key order. */
export function sameValue(a: unknown, b: unknown): boolean {
    return canonicalJson(reveal(a)) === canonicalJson(reveal(b));
}

/** JSON with sorted keys (undefined dropped), for comparisons. */
export function canonicalJson(v: unknown): string {
    return JSON.stringify(v ?? null, (_k, value: unknown) => {
        if (value && typeof value === "object" && !Array.isArray(value)) {
            return Object.fromEntries(
                Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
            );
        }
        return value;
    });
}
