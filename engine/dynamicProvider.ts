/**
 * Dynamic providers offline: load a `pulumi.dynamic.Resource`'s serialized `__provider` the way the
 * `pulumi-resource-pulumi-nodejs` host does (`@pulumi/pulumi/cmd/dynamic-provider`, `getProvider`:
 * `require-from-string` of the text, then `.handler()`, then `configure` if the provider has one), and run its
 * `check` as the engine does at preview for a create: `check({}, news)`, with secrets unwrapped (the dynamic
 * provider does not accept secrets) and every unknown as the string sentinel (the engine marshals unknowns to a
 * provider that way).
 */
import * as path from "node:path";
import { isSecret, isUnknown, type PropertyMap, UNKNOWN } from "./properties";
import type { JsonValue } from "./policyConfig";

/** The type-token prefix of a dynamic resource. */
export const DYNAMIC_TYPE_PREFIX = "pulumi-nodejs:dynamic";

/** The input key holding a dynamic resource's serialized provider. */
export const PROVIDER_KEY = "__provider";

/** What a dynamic provider's `check` returns (the parts used here). */
export interface DynamicCheckResult {
    inputs?: Record<string, unknown>;
    failures?: { property: string; reason: string }[];
}

/** A dynamic provider as `.handler()` returns it (the parts used here). */
export interface LoadedDynamicProvider {
    check?(olds: Record<string, unknown>, news: Record<string, unknown>): Promise<DynamicCheckResult>;
    configure?(req: { config: unknown }): Promise<void>;
}

/** True for a `pulumi-nodejs:dynamic[/module]:Type` token. */
export function isDynamicType(type: string): boolean {
    return (
        type === DYNAMIC_TYPE_PREFIX ||
        type.startsWith(`${DYNAMIC_TYPE_PREFIX}/`) ||
        type.startsWith(`${DYNAMIC_TYPE_PREFIX}:`)
    );
}

/**
 * The inputs as a provider's Check receives them (pure): secrets unwrapped, every unknown sentinel turned into the
 * string one, `__provider` kept.
 */
export function providerInputs(value: JsonValue): JsonValue {
    if (isSecret(value)) {
        return providerInputs(value.value);
    }
    if (isUnknown(value)) {
        return UNKNOWN.string;
    }
    if (Array.isArray(value)) {
        return value.map(providerInputs);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, providerInputs(v)]));
    }
    return value;
}

/**
 * Loads a serialized provider like the dynamic-provider host: `require-from-string` (resolved from the program's
 * `@pulumi/pulumi`, at `pulumiDir`), `.handler()`, then `configure` with an empty `pulumi-nodejs` config when the
 * provider defines it (the host passes the `pulumi-nodejs` provider's config, empty unless the stack sets it).
 */
export async function loadDynamicProvider(
    text: string,
    pulumiDir: string,
    project: string,
): Promise<LoadedDynamicProvider> {
    const from = (m: string): string => require.resolve(m, { paths: [pulumiDir] });
    const requireFromString = require(from("require-from-string")) as (code: string) => {
        handler: () => LoadedDynamicProvider;
    };
    const provider = requireFromString(text).handler();
    if (provider.configure) {
        const { Config } = require(path.join(pulumiDir, "cmd", "dynamic-provider", "config")) as {
            Config: new (raw: Record<string, string>, project: string) => unknown;
        };
        await provider.configure({ config: new Config({}, project) });
    }
    return provider;
}

/** A check failure of one dynamic resource, as the engine reports it. */
export interface CheckFailureRecord {
    urn: string;
    type: string;
    name: string;
    /** The property named by the provider ("" for a resource-level failure). */
    property: string;
    reason: string;
}

/**
 * Runs the provider's `check({}, news)` for a create at preview. Returns its failures (none when the provider has
 * no `check`). Throws what `check` throws (the engine reports that as the resource's error).
 */
export async function checkDynamicResource(
    provider: LoadedDynamicProvider,
    inputs: PropertyMap,
): Promise<{ property: string; reason: string }[]> {
    if (!provider.check) {
        return [];
    }
    const news = providerInputs(inputs) as Record<string, unknown>;
    const result = await provider.check({}, news);
    return (result.failures ?? []).map((f) => ({ property: f.property ?? "", reason: f.reason ?? "" }));
}
