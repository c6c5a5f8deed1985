/**
 * From what another language sends to what the component classes take.
 *
 * Construct receives the inputs as the SDK deserializes them: plain values, Outputs (from output values, or
 * wrapping a whole property that is secret or has dependencies), bare unknowns at preview (from engines or
 * SDKs that send no output values), and secrets lifted to the top-level property. The TypeScript Args take
 * some values as plain (they decide which resources exist: `createSubmitterPolicy`, `jobRole`, the number of
 * `managedPolicyArns`...). The schema marks those `plain: true`; this module walks the inputs along the
 * schema and:
 *
 * - resolves an Output found where the schema says plain, when it is known, and carries its dependencies and
 *   secretness down to the values inside that accept Outputs; refuses it when it is unknown (at preview),
 *   naming the property;
 * - turns bare unknowns into unknown Outputs, which the classes handle like any other Output;
 * - refuses values of the wrong kind (a string where a boolean goes would otherwise be truthy), properties
 *   the schema does not know (a typo or an SDK generated from another version) and missing required ones.
 *
 * Every refusal names the property path and the fix; all are reported at once, as the engine prints them
 * per property (`InputPropertiesError`).
 */
import * as pulumi from "@pulumi/pulumi";
import {
    type ObjectTypeSpec,
    type PackageSchema,
    type PropertySpec,
    type TypeSpec,
    PACKAGE_SCHEMA,
    isObjectType,
    parseRef,
} from "./packageSchema";

/** One refused input. */
export interface InputProblem {
    propertyPath: string;
    reason: string;
}

/** The parts of an Output the SDK keeps internal but a provider needs to resolve a plain input. */
interface OutputInternals {
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    promise(withUnknowns?: boolean): Promise<unknown>;
    allResources?: () => Promise<Set<pulumi.Resource>>;
    resources(): Set<pulumi.Resource>;
}

/** What an Output holds, once resolved: whether it is known and secret, its value and its dependencies. */
export async function readOutput(o: pulumi.Output<unknown>): Promise<{
    known: boolean;
    secret: boolean;
    value: unknown;
    resources: Set<pulumi.Resource>;
}> {
    const out = o as unknown as OutputInternals;
    const [known, secret, value] = await Promise.all([out.isKnown, out.isSecret, out.promise(true)]);
    const resources = out.allResources ? await out.allResources() : out.resources();
    return { known, secret, value, resources };
}

/** An Output whose value is not known (what a bare unknown becomes). */
function unknownOutput(): pulumi.Output<unknown> {
    return pulumi.output(pulumi.unknown as unknown);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return (
        v !== null &&
        typeof v === "object" &&
        !Array.isArray(v) &&
        !pulumi.Output.isInstance(v) &&
        !pulumi.Resource.isInstance(v) &&
        !pulumi.isUnknown(v)
    );
}

function describe(v: unknown): string {
    if (Array.isArray(v)) {
        return "a list";
    }
    if (v === null) {
        return "null";
    }
    if (pulumi.Resource.isInstance(v)) {
        return "a resource";
    }
    if (typeof v === "object") {
        return "an object";
    }
    const text = JSON.stringify(v) ?? String(v);
    return `${typeof v} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

function childPath(path: string, key: string): string {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Walks values along the schema (one walk per Construct). */
class InputWalker {
    public readonly problems: InputProblem[] = [];

    constructor(private readonly schema: PackageSchema) {}

    /** True when `spec` or anything below it is plain: an Output there must be resolved. */
    private needsResolution(spec: TypeSpec, seen: Set<string> = new Set()): boolean {
        if (spec.plain) {
            return true;
        }
        if (spec.items && this.needsResolution(spec.items, seen)) {
            return true;
        }
        if (spec.additionalProperties && this.needsResolution(spec.additionalProperties, seen)) {
            return true;
        }
        if (spec.$ref) {
            const target = parseRef(spec.$ref);
            if (target.kind === "localType" && !seen.has(target.token)) {
                seen.add(target.token);
                const t = this.schema.types[target.token];
                if (t && isObjectType(t)) {
                    return Object.values(t.properties).some((p) => this.needsResolution(p, seen));
                }
            }
        }
        return false;
    }

    private refuse(propertyPath: string, reason: string): undefined {
        this.problems.push({ propertyPath, reason });
        return undefined;
    }

    /**
     * The value for `spec` at `path`. `carrier`: the Output this value was resolved from, when it had
     * dependencies or was secret; values that accept Outputs are re-wrapped in it so nothing is lost.
     */
    async value(v: unknown, spec: TypeSpec, path: string, carrier?: pulumi.Output<unknown>): Promise<unknown> {
        if (v === undefined || v === null) {
            return undefined;
        }
        if (pulumi.isUnknown(v)) {
            if (this.needsResolution(spec)) {
                return this.refuse(path, mustBeKnown(path));
            }
            return unknownOutput();
        }
        if (pulumi.Output.isInstance(v)) {
            if (!this.needsResolution(spec)) {
                return v;
            }
            const { known, secret, value: resolved, resources } = await readOutput(v as pulumi.Output<unknown>);
            if (!known) {
                return this.refuse(path, mustBeKnown(path));
            }
            const carries = secret || resources.size > 0;
            return this.value(resolved, spec, path, carries ? (v as pulumi.Output<unknown>) : carrier);
        }
        const wrap = (x: unknown): unknown => (carrier && !spec.plain ? carrier.apply(() => x) : x);

        if (spec.$ref) {
            const target = parseRef(spec.$ref);
            switch (target.kind) {
                case "localType": {
                    const t = this.schema.types[target.token];
                    if (t === undefined) {
                        return this.refuse(path, `the schema names an unknown type ${target.token}`);
                    }
                    if (!isObjectType(t)) {
                        if (typeof v !== t.type) {
                            return this.refuse(
                                path,
                                `expected a ${t.type} (${enumValues(t.enum)}), got ${describe(v)}.`,
                            );
                        }
                        return wrap(v);
                    }
                    if (!isPlainObject(v)) {
                        return this.refuse(
                            path,
                            `expected an object (${shortName(target.token)}), got ${describe(v)}.`,
                        );
                    }
                    return this.object(v, t, path, carrier);
                }
                case "any":
                case "external":
                    return wrap(withUnknownOutputs(v));
                default:
                    return wrap(v);
            }
        }
        switch (spec.type) {
            case "array": {
                if (!Array.isArray(v)) {
                    return this.refuse(path, `expected a list, got ${describe(v)}.`);
                }
                const items = spec.items ?? {};
                // Each element carries the resolved Output's dependencies itself; the list stays a list.
                return Promise.all(v.map((x, i) => this.value(x, items, `${path}[${i}]`, carrier)));
            }
            case "object": {
                if (!isPlainObject(v)) {
                    return this.refuse(
                        path,
                        `expected a map of ${spec.additionalProperties?.type ?? "string"}s, got ${describe(v)}.`,
                    );
                }
                const valueSpec = spec.additionalProperties ?? { type: "string" };
                const entries = await Promise.all(
                    Object.entries(v).map(
                        async ([k, x]) => [k, await this.value(x, valueSpec, childPath(path, k), carrier)] as const,
                    ),
                );
                return Object.fromEntries(entries.filter(([, x]) => x !== undefined));
            }
            case "string":
            case "boolean":
                if (typeof v !== spec.type) {
                    return this.refuse(path, `expected a ${spec.type}, got ${describe(v)}.`);
                }
                return wrap(v);
            case "integer":
            case "number":
                if (typeof v !== "number" || !Number.isFinite(v) || (spec.type === "integer" && !Number.isInteger(v))) {
                    return this.refuse(
                        path,
                        `expected ${spec.type === "integer" ? "a whole number" : "a number"}, got ${describe(v)}.`,
                    );
                }
                return wrap(v);
            default:
                return wrap(withUnknownOutputs(v));
        }
    }

    /** An object of a schema object type (or a resource's inputs): known properties only, required present. */
    async object(
        v: Record<string, unknown>,
        t: Pick<ObjectTypeSpec, "properties" | "required">,
        path: string,
        carrier?: pulumi.Output<unknown>,
    ): Promise<Record<string, unknown>> {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) {
            if (!(k in t.properties) && v[k] !== undefined) {
                this.refuse(
                    path === "" ? k : childPath(path, k),
                    `is not an input here; the inputs are: ${Object.keys(t.properties).join(", ")}. ` +
                        "Check the spelling, or regenerate the SDK from this provider's schema.",
                );
            }
        }
        for (const name of t.required ?? []) {
            if (v[name] === undefined || v[name] === null) {
                this.refuse(path === "" ? name : childPath(path, name), "is required.");
            }
        }
        const entries = Object.entries(t.properties) as [string, PropertySpec][];
        const values = await Promise.all(
            entries.map(([k, spec]) => this.value(v[k], spec, path === "" ? k : childPath(path, k), carrier)),
        );
        entries.forEach(([k], i) => {
            if (values[i] !== undefined) {
                out[k] = values[i];
            }
        });
        return out;
    }
}

function mustBeKnown(path: string): string {
    return (
        "must be known when the program runs, also at preview: the component decides with it what to create and " +
        `what to refuse, before any other resource's output is known. Pass a plain value for ${path} (the values ` +
        "inside it that accept outputs may still be outputs)."
    );
}

function enumValues(values: { value: unknown }[]): string {
    return `one of ${values.map((e) => JSON.stringify(e.value)).join(", ")}`;
}

function shortName(token: string): string {
    return token.split(":").pop() ?? token;
}

/** A copy of `v` in which every bare unknown is an unknown Output (the classes expect Inputs, not sentinels). */
function withUnknownOutputs(v: unknown): unknown {
    if (pulumi.isUnknown(v)) {
        return unknownOutput();
    }
    if (Array.isArray(v)) {
        return v.map(withUnknownOutputs);
    }
    if (isPlainObject(v)) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withUnknownOutputs(x)]));
    }
    return v;
}

/**
 * The arguments of the component `token` from the inputs Construct received. Throws
 * {@link pulumi.InputPropertiesError} naming every refused property.
 */
export async function argsFromInputs(
    token: string,
    name: string,
    inputs: pulumi.Inputs,
    schema: PackageSchema = PACKAGE_SCHEMA,
): Promise<Record<string, unknown>> {
    const resource = schema.resources[token];
    if (resource === undefined) {
        throw new Error(`${token} is not a resource of the ${schema.name} schema.`);
    }
    const walker = new InputWalker(schema);
    const args = await walker.object(
        inputs as Record<string, unknown>,
        { properties: resource.inputProperties, required: resource.requiredInputs },
        "",
    );
    if (walker.problems.length > 0) {
        const lines = walker.problems.map((p) => `  - ${p.propertyPath}: ${p.reason}`);
        throw new pulumi.InputPropertiesError({
            message: `${shortName(token)} "${name}": refused input:\n${lines.join("\n")}`,
            errors: walker.problems,
        });
    }
    return args;
}
