/**
 * The pack's configuration knobs (set with `pulumi up --policy-pack-config <file>`), their JSON
 * schemas, and tolerant readers: the engine fills schema defaults, but a policy missing from the
 * engine's Configure call gets empty config, so every reader falls back to the same defaults.
 */
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { AnalyzeOptions } from "../../judge";
import { SOURCE_ACCOUNT_KEY } from "../../judge";

/** Default for `sourceAccountKeys`. */
export const DEFAULT_SOURCE_ACCOUNT_KEYS: readonly string[] = [SOURCE_ACCOUNT_KEY];

type JSONSchemaProperty = PolicyConfigSchema["properties"][string];

/** `sourceAccountKeys`: condition keys accepted as the service's account binding. */
export const sourceAccountKeysSchema: JSONSchemaProperty = {
    type: "array",
    items: { type: "string", minLength: 1 },
    minItems: 1,
    default: [...DEFAULT_SOURCE_ACCOUNT_KEYS],
    description:
        "Condition keys accepted as the account binding of the emr-serverless.amazonaws.com grant; " +
        'any one of them bound to one value suffices (e.g. ["aws:SourceAccount", "aws:SourceOrgID"]).',
};

/** `requireEncryptionContextBinding`: whether kms:EncryptionContext:applicationId must be bound. */
export const requireEncryptionContextBindingSchema: JSONSchemaProperty = {
    type: "boolean",
    default: true,
    description: "Require kms:EncryptionContext:applicationId to be bound to one application id in the service grant.",
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
}

function stringList(value: unknown): string[] | undefined {
    if (!Array.isArray(value)) {
        return undefined;
    }
    const out = value.filter((v): v is string => typeof v === "string" && v !== "");
    return out.length === value.length ? out : undefined;
}

/**
 * The judge's options from a policy's config; values of the wrong type fall back to the secure
 * defaults (the engine validates config against the schema before the pack sees it).
 */
export function analyzeOptions(config: JudgeConfig | undefined): AnalyzeOptions {
    const c = config ?? {};
    const keys = stringList(c.sourceAccountKeys);
    const options: AnalyzeOptions = {
        sourceAccountKeys: keys && keys.length > 0 ? keys : [...DEFAULT_SOURCE_ACCOUNT_KEYS],
        requireEncryptionContextBinding: c.requireEncryptionContextBinding !== false,
    };
    if (typeof c.region === "string" && c.region !== "") {
        options.region = c.region;
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
