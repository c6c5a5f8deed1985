/**
 * The Pulumi CLI's policy-pack configuration rules, as pure functions: parsing a
 * `--policy-pack-config` file, and reconciling the pack's defaults, its initial config and the
 * file into one `PolicyConfig` per policy (what the engine sends in `Configure`).
 *
 * Mirrors pulumi/pulumi `pkg/resource/analyzer/config.go` (`parsePolicyPackConfig`,
 * `createConfigWithDefaults`, `applyConfig`, `validatePolicyPackConfig`).
 */

/** The four enforcement levels, as the CLI spells them. */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** All enforcement levels, in protobuf enum order (ADVISORY 0, MANDATORY 1, DISABLED 2, REMEDIATE 3). */
export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A (small) JSON schema, as a policy's `configSchema.properties` entries are. */
export type JsonSchema = { [key: string]: JsonValue };

/** One policy's configuration: its level and its properties. */
export interface PolicyConfig {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, JsonValue>;
}

/** What the engine needs to know about a policy to configure it. */
export interface PolicyConfigInfo {
    name: string;
    enforcementLevel: EnforcementLevel;
    configSchema?: { properties: Record<string, JsonSchema>; required: string[] };
}

/** True when `x` is one of the four enforcement levels. */
export function isEnforcementLevel(x: unknown): x is EnforcementLevel {
    return typeof x === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(x);
}

function isPlainObject(x: unknown): x is Record<string, JsonValue> {
    return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * Parses a `--policy-pack-config` file's text: `{ "<policy>": "<level>" | { "enforcementLevel"?: "<level>", ...props },
 * "all"?: "<level>" }`. Empty text is an empty config. Throws an error naming the entry and the fix.
 */
export function parsePolicyPackConfig(text: string, source = "policy pack config"): Record<string, PolicyConfig> {
    if (text.trim() === "") {
        return {};
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw new Error(
            `${source}: not valid JSON (${(e as Error).message}); write a JSON object keyed by policy name`,
        );
    }
    if (!isPlainObject(raw)) {
        throw new Error(`${source}: expected a JSON object keyed by policy name, e.g. {"all": "mandatory"}`);
    }
    const result: Record<string, PolicyConfig> = {};
    for (const [name, value] of Object.entries(raw)) {
        let enforcementLevel: EnforcementLevel | undefined;
        let properties: Record<string, JsonValue> | undefined;
        if (typeof value === "string") {
            if (!isEnforcementLevel(value)) {
                throw new Error(
                    `${source}: "${name}": "${value}" is not a valid enforcement level; ` +
                        `use one of ${ENFORCEMENT_LEVELS.join(", ")}`,
                );
            }
            enforcementLevel = value;
        } else if (isPlainObject(value)) {
            const { enforcementLevel: level, ...rest } = value;
            if (level !== undefined) {
                if (!isEnforcementLevel(level)) {
                    throw new Error(
                        `${source}: "${name}".enforcementLevel: ${JSON.stringify(level)} is not a valid enforcement ` +
                            `level; use one of ${ENFORCEMENT_LEVELS.join(", ")}`,
                    );
                }
                enforcementLevel = level;
            }
            if (Object.keys(rest).length > 0) {
                properties = rest;
            }
        } else {
            throw new Error(
                `${source}: "${name}": ${JSON.stringify(value)} is not valid; use an enforcement level string ` +
                    `or an object with "enforcementLevel" and the policy's properties`,
            );
        }
        if (enforcementLevel === undefined && properties === undefined) {
            continue;
        }
        result[name] = { ...(enforcementLevel ? { enforcementLevel } : {}), ...(properties ? { properties } : {}) };
    }
    return result;
}

function applyConfig(result: Map<string, PolicyConfig>, toApply: Readonly<Record<string, PolicyConfig>>): void {
    const all = toApply["all"];
    if (all?.enforcementLevel) {
        for (const [name, config] of result) {
            result.set(name, { ...config, enforcementLevel: all.enforcementLevel });
        }
    }
    for (const [name, given] of Object.entries(toApply)) {
        if (name === "all") {
            continue;
        }
        const current = result.get(name) ?? {};
        const enforcementLevel = given.enforcementLevel ?? current.enforcementLevel;
        const properties =
            given.properties && Object.keys(given.properties).length > 0
                ? { ...(current.properties ?? {}), ...given.properties }
                : current.properties;
        result.set(name, {
            ...(enforcementLevel ? { enforcementLevel } : {}),
            ...(properties ? { properties } : {}),
        });
    }
}

/**
 * The engine's reconciliation: every policy gets its declared level and its schema's defaults, then the pack's
 * initial config, then the file's entries (`"all"` first, then per-policy) are applied on top. The result is
 * validated against each policy's schema; problems are thrown together, each naming the policy and property.
 * Entries for names the pack does not declare are kept (the CLI keeps them too); `"all"` itself is not sent.
 */
export function reconcilePolicyConfig(
    policies: readonly PolicyConfigInfo[],
    initialConfig: Readonly<Record<string, PolicyConfig>> = {},
    fileConfig: Readonly<Record<string, PolicyConfig>> = {},
): Record<string, PolicyConfig> {
    const result = new Map<string, PolicyConfig>();
    for (const policy of policies) {
        let properties: Record<string, JsonValue> | undefined;
        for (const [k, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if (Object.prototype.hasOwnProperty.call(schema, "default")) {
                properties = properties ?? {};
                properties[k] = schema["default"];
            }
        }
        result.set(policy.name, { enforcementLevel: policy.enforcementLevel, ...(properties ? { properties } : {}) });
    }
    applyConfig(result, initialConfig);
    applyConfig(result, fileConfig);

    const problems: string[] = [];
    for (const policy of policies) {
        if (!policy.configSchema) {
            continue;
        }
        const props = result.get(policy.name)?.properties ?? {};
        for (const required of policy.configSchema.required) {
            if (!(required in props)) {
                problems.push(`${policy.name}: "${required}" is required; set it in the policy pack config file`);
            }
        }
        for (const [k, v] of Object.entries(props)) {
            const schema = policy.configSchema.properties[k];
            if (schema) {
                problems.push(...validateJson(v, schema, `${policy.name}.${k}`));
            }
        }
    }
    if (problems.length > 0) {
        throw new Error(`policy pack configuration is invalid:\n  ${problems.join("\n  ")}`);
    }
    return Object.fromEntries(result);
}

function jsonType(v: JsonValue): string {
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "array";
    }
    if (typeof v === "number") {
        return Number.isInteger(v) ? "integer" : "number";
    }
    return typeof v;
}

/** A schema's pair of bounds on a measure of a value: a number's value, a string's length, an array's item count. */
interface Bound {
    min: string;
    max: string;
    /** The measured quantity, or undefined when the bound does not apply to the value's type. */
    measure: (value: JsonValue) => number | undefined;
    /** The problem when the measure is under `min`, or over `max`. */
    below: (min: number, measure: number) => string;
    above: (max: number, measure: number) => string;
}

const BOUNDS: readonly Bound[] = [
    {
        min: "minimum",
        max: "maximum",
        measure: (v) => (typeof v === "number" ? v : undefined),
        below: (m, v) => `${v} is less than the minimum ${m}`,
        above: (m, v) => `${v} is greater than the maximum ${m}`,
    },
    {
        min: "minLength",
        max: "maxLength",
        measure: (v) => (typeof v === "string" ? v.length : undefined),
        below: (m) => `shorter than ${m} characters`,
        above: (m) => `longer than ${m} characters`,
    },
    {
        min: "minItems",
        max: "maxItems",
        measure: (v) => (Array.isArray(v) ? v.length : undefined),
        below: (m) => `fewer than ${m} items`,
        above: (m) => `more than ${m} items`,
    },
];

/**
 * A small JSON-schema check (type, enum, items, properties, required, minimum/maximum, minItems/maxItems,
 * minLength/maxLength): enough for policy config schemas. Returns one message per problem, naming `path`.
 */
export function validateJson(value: JsonValue, schema: JsonSchema, path: string): string[] {
    const problems: string[] = [];
    const type = schema["type"];
    if (type !== undefined) {
        const allowed = (Array.isArray(type) ? type : [type]).map(String);
        const actual = jsonType(value);
        const ok = allowed.includes(actual) || (actual === "integer" && allowed.includes("number"));
        if (!ok) {
            problems.push(`${path}: expected ${allowed.join(" or ")}, got ${actual} ${JSON.stringify(value)}`);
            return problems;
        }
    }
    const en = schema["enum"];
    if (Array.isArray(en) && !en.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
        problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(en)}`);
    }
    for (const bound of BOUNDS) {
        const measure = bound.measure(value);
        if (measure === undefined) {
            continue;
        }
        const min = schema[bound.min];
        const max = schema[bound.max];
        if (typeof min === "number" && measure < min) {
            problems.push(`${path}: ${bound.below(min, measure)}`);
        }
        if (typeof max === "number" && measure > max) {
            problems.push(`${path}: ${bound.above(max, measure)}`);
        }
    }
    if (typeof value === "string") {
        const pattern = schema["pattern"];
        if (typeof pattern === "string") {
            let re: RegExp | undefined;
            try {
                re = new RegExp(pattern, "u");
            } catch {
                re = undefined; // a schema's own bad pattern is the pack's bug, not the config's
            }
            if (re !== undefined && !re.test(value)) {
                problems.push(`${path}: ${JSON.stringify(value)} does not match the pattern ${pattern}`);
            }
        }
    }
    if (Array.isArray(value)) {
        const items = schema["items"];
        if (isPlainObject(items)) {
            value.forEach((item, i) => problems.push(...validateJson(item, items, `${path}[${i}]`)));
        }
    }
    if (isPlainObject(value)) {
        const props = schema["properties"];
        if (isPlainObject(props)) {
            for (const [k, v] of Object.entries(value)) {
                const sub = props[k];
                if (isPlainObject(sub)) {
                    problems.push(...validateJson(v, sub, `${path}.${k}`));
                }
            }
        }
        const required = schema["required"];
        if (Array.isArray(required)) {
            for (const r of required) {
                if (typeof r === "string" && !(r in value)) {
                    problems.push(`${path}: "${r}" is required`);
                }
            }
        }
    }
    return problems;
}
