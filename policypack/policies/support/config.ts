/**
 * The pack's configuration knobs (set with `pulumi up --policy-pack-config <file>`), their JSON
 * schemas, and tolerant readers: the engine fills schema defaults, but a policy missing from the
 * engine's Configure call gets empty config, so every reader falls back to the same defaults.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { AnalyzeOptions } from "../../judge";
import { SOURCE_ACCOUNT_KEY } from "../../judge";

/**
 * The only condition keys that bind the EMR Serverless service principal's requests to the caller's
 * account or organization. Anything else (aws:SourceArn, aws:ResourceAccount, aws:PrincipalServiceName,
 * a typo, "") would let a statement without an account binding pass, so it is refused by the schema and
 * ignored by {@link analyzeOptions}.
 */
export const ACCOUNT_BINDING_KEYS: readonly string[] = [SOURCE_ACCOUNT_KEY, "aws:SourceOrgID", "aws:SourceOrgPaths"];

/** Default for `sourceAccountKeys`. */
export const DEFAULT_SOURCE_ACCOUNT_KEYS: readonly string[] = [SOURCE_ACCOUNT_KEY];

type JSONSchemaProperty = PolicyConfigSchema["properties"][string];

/** `sourceAccountKeys`: condition keys accepted as the service's account binding. */
export const sourceAccountKeysSchema: JSONSchemaProperty = {
    type: "array",
    items: { type: "string", enum: [...ACCOUNT_BINDING_KEYS] },
    minItems: 1,
    default: [...DEFAULT_SOURCE_ACCOUNT_KEYS],
    description:
        "Condition keys accepted as the account binding of the emr-serverless.amazonaws.com grant; " +
        'any one of them bound to one value suffices (e.g. ["aws:SourceAccount", "aws:SourceOrgID"]). Allowed: ' +
        `${ACCOUNT_BINDING_KEYS.join(", ")}.`,
};

/** `requireEncryptionContextBinding`: whether kms:EncryptionContext:applicationId must be bound. */
export const requireEncryptionContextBindingSchema: JSONSchemaProperty = {
    type: "boolean",
    default: true,
    description: "Require kms:EncryptionContext:applicationId to be bound to one application id in the service grant.",
};

/** `allowedSourceAccounts`: accounts other than the key's own whose applications may be bound. */
export const allowedSourceAccountsSchema: JSONSchemaProperty = {
    type: "array",
    items: { type: "string", pattern: "^[0-9]{12}$" },
    default: [],
    description:
        "Accounts, besides the key's own, whose EMR Serverless applications the service statement may be bound to " +
        "(cross-account use of a key). Empty: a binding to another account is a violation.",
};

/** `extraSecretPatterns`: regular expressions marking encryption-context entries as secret. */
export const extraSecretPatternsSchema: JSONSchemaProperty = {
    type: "array",
    items: { type: "string", minLength: 1 },
    default: [],
    description:
        "Extra regular expressions (JavaScript syntax, case-insensitive) that mark an encryption-context key or " +
        "value as secret-looking, in addition to the built-in ones.",
};

/** `region`: the region whose kms:ViaService value submitters must use. */
export const regionSchema: JSONSchemaProperty = {
    type: "string",
    pattern: "^[a-z]{2}(-[a-z]+)+-[0-9]+$",
    description:
        "Region of the EMR Serverless applications; when set, submitters must be pinned to " +
        "kms:ViaService = emr-serverless.<region>.amazonaws.com (otherwise any region's endpoint is accepted).",
};

/** The config every key-policy judgment understands. */
export interface JudgeConfig {
    sourceAccountKeys?: unknown;
    requireEncryptionContextBinding?: unknown;
    region?: unknown;
    allowedSourceAccounts?: unknown;
}

function stringList(value: unknown): string[] | undefined {
    if (!Array.isArray(value)) {
        return undefined;
    }
    const out = value.filter((v): v is string => typeof v === "string" && v !== "");
    return out.length === value.length ? out : undefined;
}

/**
 * The `sourceAccountKeys` entries that are account-binding keys ({@link ACCOUNT_BINDING_KEYS}, matched
 * case-insensitively as IAM does, returned in their canonical spelling, without duplicates); anything
 * else is dropped. Undefined when `value` is not a list of strings.
 */
export function accountBindingKeys(value: unknown): string[] | undefined {
    const list = stringList(value);
    if (!list) {
        return undefined;
    }
    const out: string[] = [];
    for (const k of list) {
        const canonical = ACCOUNT_BINDING_KEYS.find((a) => a.toLowerCase() === k.trim().toLowerCase());
        if (canonical && !out.includes(canonical)) {
            out.push(canonical);
        }
    }
    return out;
}

/**
 * The judge's options from a policy's config; values of the wrong type fall back to the secure
 * defaults (the engine validates config against the schema before the pack sees it). Defense in depth:
 * `sourceAccountKeys` entries that are not account-binding keys are ignored, so a config that slipped
 * past the schema cannot make a statement without an account binding pass.
 */
export function analyzeOptions(config: JudgeConfig | undefined): AnalyzeOptions {
    const c = config ?? {};
    const keys = accountBindingKeys(c.sourceAccountKeys);
    const options: AnalyzeOptions = {
        sourceAccountKeys: keys && keys.length > 0 ? keys : [...DEFAULT_SOURCE_ACCOUNT_KEYS],
        requireEncryptionContextBinding: c.requireEncryptionContextBinding !== false,
    };
    if (typeof c.region === "string" && c.region !== "") {
        options.region = c.region;
    }
    if (Array.isArray(c.allowedSourceAccounts)) {
        const accounts = c.allowedSourceAccounts.filter(
            (a): a is string => typeof a === "string" && /^\d{12}$/.test(a),
        );
        if (accounts.length > 0) {
            options.allowedSourceAccounts = accounts;
        }
    }
    return options;
}

/** `extraSecretPatterns` from config, split into usable patterns and ones that are not valid regular expressions. */
export function secretPatterns(config: { extraSecretPatterns?: unknown } | undefined): {
    patterns: string[];
    invalid: string[];
} {
    const list = stringList(config?.extraSecretPatterns) ?? [];
    const patterns: string[] = [];
    const invalid: string[] = [];
    for (const p of list) {
        try {
            new RegExp(p, "i");
            patterns.push(p);
        } catch {
            invalid.push(p);
        }
    }
    return { patterns, invalid };
}

/** A schema's `default` values, as the engine fills them into each policy's config. */
export function schemaDefaults(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
        if (prop.default !== undefined) {
            out[name] = prop.default;
        }
    }
    return out;
}
