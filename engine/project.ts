/**
 * Reading a Pulumi project the way the CLI does, offline: Pulumi.yaml (name, runtime, main), the stack's
 * Pulumi.<stack>.yaml config, and `--config key=value` pairs (bare keys are namespaced with the project name).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** What the preview needs from Pulumi.yaml. */
export interface ProjectFile {
    name: string;
    runtime: string;
    /** The program's entry (Pulumi.yaml `main`, else the directory itself). */
    main?: string;
    /** `runtime.options` (the Node.js language host reads `typescript`, `tsconfig`, `nodeargs`). */
    runtimeOptions: Record<string, unknown>;
    /** Project-level config defaults (`config: { key: { default: ... } | value }`). */
    config: Record<string, unknown>;
}

/** Stack configuration as the language host passes it: `<ns>:<key>` to a string (objects as JSON text). */
export interface StackConfig {
    config: Record<string, string>;
    secretKeys: string[];
}

function isObject(x: unknown): x is Record<string, unknown> {
    return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Reads and checks `<dir>/Pulumi.yaml` (or `.yml`). Throws naming the file and the field. */
export function readProject(dir: string): ProjectFile {
    const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    if (!file) {
        throw new Error(`no Pulumi.yaml in ${dir}; pass --program DIR pointing at a Pulumi project`);
    }
    const doc = yaml.load(fs.readFileSync(file, "utf8"));
    if (!isObject(doc)) {
        throw new Error(`${file}: expected a YAML mapping with name and runtime`);
    }
    const name = doc["name"];
    if (typeof name !== "string" || name === "") {
        throw new Error(`${file}: "name" is missing; set the project name`);
    }
    const rt = doc["runtime"];
    const runtime = typeof rt === "string" ? rt : isObject(rt) && typeof rt["name"] === "string" ? rt["name"] : "";
    if (runtime !== "nodejs") {
        throw new Error(
            `${file}: runtime is ${JSON.stringify(runtime)}; the offline preview runs nodejs programs only`,
        );
    }
    const main = typeof doc["main"] === "string" ? doc["main"] : undefined;
    const runtimeOptions = isObject(rt) && isObject(rt["options"]) ? rt["options"] : {};
    return { name, runtime, main, runtimeOptions, config: isObject(doc["config"]) ? doc["config"] : {} };
}

/** `key` -> `<project>:key`; `ns:key` unchanged (the CLI's rule for `pulumi config set`). */
export function namespacedKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function configText(v: unknown): string {
    return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * Builds the stack's config: project defaults, then `Pulumi.<stack>.yaml` (if present), then `--config` pairs.
 * Encrypted (`secure:`) values cannot be read offline: they are refused, naming the key and the fix.
 */
export function loadStackConfig(
    dir: string,
    project: ProjectFile,
    stack: string,
    pairs: readonly string[] = [],
    secretPairs: readonly string[] = [],
): StackConfig {
    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [k, v] of Object.entries(project.config)) {
        const value =
            isObject(v) && "default" in v
                ? v["default"]
                : isObject(v) && ("type" in v || "description" in v)
                  ? undefined
                  : v;
        if (value !== undefined) {
            config[namespacedKey(project.name, k)] = configText(value);
        }
    }
    const stackFile = [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`]
        .map((f) => path.join(dir, f))
        .find((f) => fs.existsSync(f));
    if (stackFile) {
        const doc = yaml.load(fs.readFileSync(stackFile, "utf8"));
        const entries = isObject(doc) && isObject(doc["config"]) ? doc["config"] : {};
        for (const [k, v] of Object.entries(entries)) {
            const key = namespacedKey(project.name, k);
            if (isObject(v) && typeof v["secure"] === "string" && Object.keys(v).length === 1) {
                throw new Error(
                    `${stackFile}: config "${key}" is encrypted (secure:) and cannot be decrypted offline; ` +
                        `pass it with --secret-config ${k}=VALUE`,
                );
            }
            config[key] = configText(v);
        }
    }
    const parsePair = (pair: string, flag: string): [string, string] => {
        const eq = pair.indexOf("=");
        if (eq <= 0) {
            throw new Error(`${flag} ${JSON.stringify(pair)}: expected key=value (e.g. ${flag} aws:region=us-east-1)`);
        }
        return [namespacedKey(project.name, pair.slice(0, eq)), pair.slice(eq + 1)];
    };
    for (const pair of pairs) {
        const [k, v] = parsePair(pair, "--config");
        config[k] = v;
    }
    for (const pair of secretPairs) {
        const [k, v] = parsePair(pair, "--secret-config");
        config[k] = v;
        secretKeys.add(k);
    }
    return { config, secretKeys: [...secretKeys].sort() };
}
