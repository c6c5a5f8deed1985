/**
 * The YAML example program (`examples/yaml/Pulumi.yaml`) read as the Pulumi YAML runtime reads it for this
 * package's resource: its properties with `${<config>}` interpolations replaced by the config defaults, and the
 * component outputs it exports (`${<resource>.<output>}`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Wire } from "../../../harness/provider/recordingEngine";

const FILE = path.resolve(__dirname, "../../../examples/yaml/Pulumi.yaml");

interface Program {
    packages?: Record<string, string>;
    config?: Record<string, { type: string; default?: Wire }>;
    resources: Record<string, { type: string; properties: Record<string, Wire> }>;
    outputs: Record<string, string>;
}

/** What the example gives the component. */
export interface YamlExample {
    packages: Record<string, string>;
    name: string;
    resource: { type: string; properties: Record<string, Wire> };
    /** The component outputs the program exports. */
    outputs: string[];
}

function interpolate(v: Wire, config: Record<string, Wire>): Wire {
    if (typeof v === "string") {
        const m = /^\$\{(\w+)\}$/.exec(v);
        if (m) {
            if (!(m[1] in config)) {
                throw new Error(`examples/yaml: \${${m[1]}} is not a config value with a default`);
            }
            return config[m[1]];
        }
        if (v.includes("${")) {
            throw new Error(`examples/yaml: interpolation inside text is not read by this test: ${v}`);
        }
        return v;
    }
    if (Array.isArray(v)) {
        return v.map((x) => interpolate(x, config));
    }
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x, config)]));
    }
    return v;
}

export function yamlExample(): YamlExample {
    const yaml = require("js-yaml") as { load(text: string): unknown };
    const program = yaml.load(fs.readFileSync(FILE, "utf8")) as Program;
    const config = Object.fromEntries(
        Object.entries(program.config ?? {})
            .filter(([, c]) => c.default !== undefined)
            .map(([k, c]) => [k, c.default as Wire]),
    );
    const entries = Object.entries(program.resources);
    if (entries.length !== 1) {
        throw new Error("examples/yaml: one resource expected");
    }
    const [name, resource] = entries[0];
    const outputs = Object.values(program.outputs).map((o) => {
        const m = new RegExp(`^\\$\\{${name}\\.(\\w+)\\}$`).exec(o);
        if (!m) {
            throw new Error(`examples/yaml: output ${o} is not \${${name}.<output>}`);
        }
        return m[1];
    });
    return {
        packages: program.packages ?? {},
        name,
        resource: { type: resource.type, properties: interpolate(resource.properties, config) as Record<string, Wire> },
        outputs,
    };
}
