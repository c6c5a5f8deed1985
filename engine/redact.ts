/**
 * Secret values never printed (pure): what is known to be secret, and a redactor for text and JSON.
 *
 * Known secrets: the values of secret config keys (and, when a value is JSON, each string and number inside it),
 * every value under an engine secret wrapper in what the program registered (provider config, inputs, outputs,
 * stack outputs: this covers values the program marked secret and values it derived from them), and every value the
 * program passed to `pulumi.secret`. The redactor replaces each of them wherever it appears, inside longer text too
 * (a secret embedded in an ARN or a policy document), ignoring case (a secret passed through `toUpperCase` is still
 * found). A secret the program transformed otherwise (sliced, encoded) before it reached anything visible cannot be
 * recognised, except where the transformed value is itself marked secret. Values shorter than {@link SHORT} characters are replaced only where they stand alone (not inside a longer
 * word), or masking every `a` or `1` would leave nothing readable. Booleans and empty strings are not secrets a
 * report could leak.
 */
import type { JsonValue } from "./policyConfig";
import { isSecret } from "./properties";

/** What replaces a secret. */
export const REDACTED = "[secret]";

/** Secrets shorter than this are replaced only as whole words. */
export const SHORT = 4;

/**
 * Adds every string (and finite number, as text) at any depth of `value` to `into`. Object keys are the shape of a
 * secret, not its content (`password`, `token`): treating them as secrets would mask those words everywhere.
 */
export function secretLeaves(value: unknown, into: Set<string>): void {
    if (typeof value === "string") {
        if (value !== "") {
            into.add(value);
        }
    } else if (typeof value === "number" && Number.isFinite(value)) {
        into.add(String(value));
    } else {
        for (const v of childrenOf(value)) {
            secretLeaves(v, into);
        }
    }
}

/** The elements of an array, the values of an object, or nothing. */
function childrenOf(value: unknown): readonly unknown[] {
    if (Array.isArray(value)) {
        return value;
    }
    return typeof value === "object" && value !== null ? Object.values(value) : [];
}

/** Adds the leaves of every engine secret wrapper in `value` (wire form, at any depth) to `into`. */
export function wireSecrets(value: JsonValue | undefined, into: Set<string>): void {
    if (isSecret(value)) {
        secretLeaves(value.value, into);
    } else {
        for (const v of childrenOf(value)) {
            wireSecrets(v as JsonValue, into);
        }
    }
}

/** Adds the values of the secret config keys to `into`: the text, and the leaves of a JSON object or array. */
export function configSecrets(
    config: Readonly<Record<string, string>>,
    secretKeys: readonly string[],
    into: Set<string>,
): void {
    for (const k of secretKeys) {
        const text = config[k];
        if (text === undefined || text === "") {
            continue;
        }
        into.add(text);
        try {
            const parsed = JSON.parse(text) as unknown;
            if (typeof parsed === "object" && parsed !== null) {
                secretLeaves(parsed, into);
            }
        } catch {
            // plain text
        }
    }
}

/** The values of `--secret-config key=value` pairs (before the config is read: for errors about the flags). */
export function secretPairValues(pairs: readonly string[]): string[] {
    const out = new Set<string>();
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        const value = eq < 0 ? pair : pair.slice(eq + 1);
        if (value !== "") {
            out.add(value);
            if (eq < 0) {
                continue;
            }
            try {
                const parsed = JSON.parse(value) as unknown;
                if (typeof parsed === "object" && parsed !== null) {
                    secretLeaves(parsed, out);
                }
            } catch {
                // plain text
            }
        }
    }
    return [...out];
}

function escapeRegExp(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Replaces known secret values in text and in JSON values. */
export class Redactor {
    private readonly pattern?: RegExp;
    private readonly exact: ReadonlySet<string>;

    public constructor(values: Iterable<string>) {
        const all = new Set<string>();
        for (const v of values) {
            if (v === "") {
                continue;
            }
            all.add(v);
            // As it appears inside a JSON string (a message quoting a value with quotes or backslashes).
            const escaped = JSON.stringify(v).slice(1, -1);
            if (escaped !== v) {
                all.add(escaped);
            }
        }
        this.exact = new Set([...all].map((v) => v.toLowerCase()));
        const sorted = [...all].sort((a, b) => b.length - a.length);
        const long = sorted.filter((v) => v.length >= SHORT).map(escapeRegExp);
        const short = sorted.filter((v) => v.length < SHORT).map(escapeRegExp);
        const parts = [
            ...(long.length > 0 ? [long.join("|")] : []),
            ...(short.length > 0 ? [`(?<![A-Za-z0-9])(?:${short.join("|")})(?![A-Za-z0-9])`] : []),
        ];
        // One pass, longest first, so that a replacement is never itself rewritten.
        this.pattern = parts.length > 0 ? new RegExp(parts.join("|"), "gi") : undefined;
    }

    /** True when there is nothing to redact. */
    public get empty(): boolean {
        return this.pattern === undefined;
    }

    /** `text` with every known secret value replaced by {@link REDACTED}. */
    public text(text: string): string {
        return this.pattern ? text.replace(this.pattern, REDACTED) : text;
    }

    /** A copy of `value` with every secret replaced, in strings, object keys, and numbers equal to a secret. */
    public json<T>(value: T): T {
        if (!this.pattern) {
            return value;
        }
        const walk = (v: unknown): unknown => {
            if (typeof v === "string") {
                return this.text(v);
            }
            if (typeof v === "number") {
                return this.exact.has(String(v)) ? REDACTED : v;
            }
            if (Array.isArray(v)) {
                return v.map(walk);
            }
            if (typeof v === "object" && v !== null) {
                return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.text(k), walk(x)]));
            }
            return v;
        };
        return walk(value) as T;
    }
}
