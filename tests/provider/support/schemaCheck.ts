/**
 * Holds the package schema to the TypeScript sources (`compareProps`) and to the rules of Pulumi's package
 * metaschema (`validateSchema`). Both return a list of problems (empty when all holds), each naming the
 * place, so a failing test says what to change.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
    type EnumTypeSpec,
    type ObjectTypeSpec,
    type PackageSchema,
    type PropertySpec,
    type TypeSpec,
    isObjectType,
    parseRef,
} from "../../../provider/packageSchema";
import type { Prop, Shape, Slot } from "./tsShapes";

/** Inputs compare `plain` against `pulumi.Input`; outputs and configuration values compare shapes only. */
export type Mode = "input" | "output";

/** What the checks need to know besides the schema. */
export interface CheckContext {
    schema: PackageSchema;
    /** The installed `@pulumi/aws` version (the only other package the schema may reference). */
    awsVersion: string;
    /** Whether the AWS provider has the resource with this token. */
    awsResourceExists(token: string): boolean;
    /** Whether the AWS provider has the object type with this token. */
    awsTypeExists(token: string): boolean;
}

function describeSpec(spec: TypeSpec): string {
    return JSON.stringify({ type: spec.type, $ref: spec.$ref, plain: spec.plain });
}

/**
 * Problems between the TypeScript properties `ts` and the schema properties `specs` (with `required`), at
 * `where`. Every property on one side only, every difference of required-ness, shape or (for inputs)
 * plainness is one problem.
 */
export function compareProps(
    ctx: CheckContext,
    ts: Record<string, Prop>,
    specs: Record<string, PropertySpec>,
    required: readonly string[],
    where: string,
    mode: Mode,
    insideInput = false,
): string[] {
    const problems: string[] = [];
    for (const [name, prop] of Object.entries(ts)) {
        if (!(name in specs)) {
            problems.push(`${where}.${name}: in the TypeScript source, missing from the schema`);
            problems.push(...unsupported(prop.slot, `${where}.${name}`));
        }
    }
    for (const name of Object.keys(specs)) {
        if (!(name in ts)) {
            problems.push(`${where}.${name}: in the schema, missing from the TypeScript source`);
        }
    }
    for (const [name, prop] of Object.entries(ts)) {
        const spec = specs[name];
        if (spec === undefined) {
            continue;
        }
        if (!prop.optional !== required.includes(name)) {
            problems.push(
                `${where}.${name}: ${prop.optional ? "optional" : "required"} in TypeScript, ` +
                    `${required.includes(name) ? "required" : "optional"} in the schema`,
            );
        }
        problems.push(...compareSlot(ctx, prop.slot, spec, `${where}.${name}`, mode, insideInput));
    }
    return problems;
}

/** The parts of a TypeScript type that no other language can express. */
function unsupported(slot: Slot, where: string): string[] {
    const s = slot.shape;
    switch (s.kind) {
        case "unsupported":
            return [`${where}: the TypeScript type ${s.text} has no cross-language form`];
        case "array":
            return unsupported(s.items, `${where}[]`);
        case "map":
            return unsupported(s.values, `${where}{}`);
        case "object":
            return Object.entries(s.props).flatMap(([k, p]) => unsupported(p.slot, `${where}.${k}`));
        default:
            return [];
    }
}

function compareSlot(
    ctx: CheckContext,
    slot: Slot,
    spec: TypeSpec,
    where: string,
    mode: Mode,
    insideInput: boolean,
): string[] {
    const problems: string[] = [];
    if (mode === "input") {
        // A level that is not `pulumi.Input` (and not inside one) takes only known values: `plain` in the
        // schema. Inside an Input everything may be eventual, as the SDKs resolve nested Outputs.
        const expectedPlain = !slot.input && !insideInput;
        if ((spec.plain === true) !== expectedPlain) {
            problems.push(
                `${where}: ${expectedPlain ? "plain (not pulumi.Input)" : "an Input"} in TypeScript, ` +
                    `${spec.plain ? "plain" : "not plain"} in the schema`,
            );
        }
    }
    return [...problems, ...compareShape(ctx, slot.shape, spec, where, mode, insideInput || slot.input)];
}

function compareShape(
    ctx: CheckContext,
    shape: Shape,
    spec: TypeSpec,
    where: string,
    mode: Mode,
    insideInput: boolean,
): string[] {
    const mismatch = (expected: string): string[] => [
        `${where}: ${expected} in TypeScript, ${describeSpec(spec)} in the schema`,
    ];
    const target = spec.$ref === undefined ? undefined : parseRef(spec.$ref);
    switch (shape.kind) {
        case "unsupported":
            return [`${where}: the TypeScript type ${shape.text} has no cross-language form`];
        case "string":
            return spec.type === "string" && target === undefined ? [] : mismatch("a string");
        case "number":
            return (spec.type === "number" || spec.type === "integer") && target === undefined
                ? []
                : mismatch("a number");
        case "boolean":
            return spec.type === "boolean" && target === undefined ? [] : mismatch("a boolean");
        case "enum": {
            if (target?.kind !== "localType") {
                return mismatch(`one of ${shape.values.join(", ")}`);
            }
            const t = ctx.schema.types[target.token];
            if (t === undefined || isObjectType(t)) {
                return mismatch(`one of ${shape.values.join(", ")}`);
            }
            const values = t.enum.map((e) => String(e.value)).sort();
            return JSON.stringify(values) === JSON.stringify([...shape.values].sort())
                ? []
                : [`${where}: the values ${shape.values.join(", ")} in TypeScript, ${values.join(", ")} in the schema`];
        }
        case "array":
            if (spec.type !== "array" || spec.items === undefined) {
                return mismatch("a list");
            }
            return compareSlot(ctx, shape.items, spec.items, `${where}[]`, mode, insideInput);
        case "map":
            if (spec.type !== "object" || target !== undefined) {
                return mismatch("a map");
            }
            return compareSlot(
                ctx,
                shape.values,
                spec.additionalProperties ?? { type: "string" },
                `${where}{}`,
                mode,
                insideInput,
            );
        case "object": {
            if (target?.kind !== "localType") {
                return mismatch(`an object${shape.name ? ` (${shape.name})` : ""}`);
            }
            const t = ctx.schema.types[target.token];
            if (t === undefined || !isObjectType(t)) {
                return mismatch("an object");
            }
            return compareProps(ctx, shape.props, t.properties, t.required ?? [], where, mode, insideInput);
        }
        case "awsType":
            return target?.kind === "external" && target.section === "types" && target.token === shape.token
                ? []
                : mismatch(`the AWS type ${shape.token}`);
        case "resource": {
            const ok =
                target !== undefined &&
                ((target.kind === "localResource" && target.token === shape.token) ||
                    (target.kind === "external" && target.section === "resources" && target.token === shape.token));
            return ok ? [] : mismatch(`the resource ${shape.token}`);
        }
        case "json":
            return target?.kind === "any" ? [] : mismatch(`the JSON document ${shape.name}`);
    }
}

const TOKEN = /^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/-]*$/;
const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const TOP_LEVEL = new Set([
    "name",
    "displayName",
    "version",
    "description",
    "keywords",
    "homepage",
    "license",
    "attribution",
    "repository",
    "logoUrl",
    "pluginDownloadURL",
    "publisher",
    "namespace",
    "meta",
    "config",
    "types",
    "dependencies",
    "provider",
    "resources",
    "functions",
    "language",
]);
const PROPERTY_KEYS = new Set([
    "type",
    "items",
    "additionalProperties",
    "$ref",
    "plain",
    "description",
    "const",
    "default",
    "defaultInfo",
    "deprecationMessage",
    "language",
    "secret",
    "replaceOnChanges",
    "willReplaceOnChanges",
]);
const PRIMITIVES = new Set(["boolean", "integer", "number", "string"]);

/** Problems of one type reference (`typeSpec`) and, for properties, its other keys. */
function validateTypeSpec(ctx: CheckContext, spec: TypeSpec & Record<string, unknown>, where: string): string[] {
    const problems: string[] = [];
    for (const k of Object.keys(spec)) {
        if (!PROPERTY_KEYS.has(k)) {
            problems.push(`${where}: unknown key ${k}`);
        }
    }
    const has = (k: string): boolean => spec[k] !== undefined;
    if (has("$ref")) {
        if (has("items") || has("additionalProperties")) {
            problems.push(`${where}: a named type ($ref) takes no items or additionalProperties`);
        }
        const target = parseRef(String(spec.$ref));
        switch (target.kind) {
            case "invalid":
                problems.push(`${where}: ${target.reason}`);
                break;
            case "localType":
                if (ctx.schema.types[target.token] === undefined) {
                    problems.push(`${where}: no type ${target.token} in the schema`);
                }
                break;
            case "localResource":
                if (ctx.schema.resources[target.token] === undefined) {
                    problems.push(`${where}: no resource ${target.token} in the schema`);
                }
                break;
            case "external":
                if (target.pkg !== "aws" || target.version !== ctx.awsVersion) {
                    problems.push(
                        `${where}: ${spec.$ref} must reference /aws/v${ctx.awsVersion}/schema.json (the @pulumi/aws this package depends on)`,
                    );
                } else if (target.section === "resources" && !ctx.awsResourceExists(target.token)) {
                    problems.push(`${where}: @pulumi/aws ${ctx.awsVersion} has no resource ${target.token}`);
                } else if (target.section === "types" && !ctx.awsTypeExists(target.token)) {
                    problems.push(`${where}: @pulumi/aws ${ctx.awsVersion} has no type ${target.token}`);
                }
                break;
            default:
                break;
        }
        return problems;
    }
    switch (spec.type) {
        case "array":
            if (!has("items") || has("additionalProperties")) {
                problems.push(`${where}: an array type needs items and takes no additionalProperties`);
            } else {
                problems.push(
                    ...validateTypeSpec(ctx, spec.items as TypeSpec & Record<string, unknown>, `${where}.items`),
                );
            }
            break;
        case "object":
            if (has("items")) {
                problems.push(`${where}: a map type takes no items`);
            }
            if (has("additionalProperties")) {
                problems.push(
                    ...validateTypeSpec(
                        ctx,
                        spec.additionalProperties as TypeSpec & Record<string, unknown>,
                        `${where}.additionalProperties`,
                    ),
                );
            }
            break;
        default:
            if (spec.type === undefined || !PRIMITIVES.has(spec.type)) {
                problems.push(`${where}: type ${String(spec.type)} is neither a primitive, an array, a map nor a $ref`);
            } else if (has("items") || has("additionalProperties")) {
                problems.push(`${where}: a primitive type takes no items or additionalProperties`);
            }
    }
    return problems;
}

function validateProperties(
    ctx: CheckContext,
    props: Record<string, PropertySpec> | undefined,
    required: readonly string[] | undefined,
    where: string,
): string[] {
    const problems: string[] = [];
    if (props === undefined || typeof props !== "object") {
        return [`${where}: no properties`];
    }
    for (const [name, spec] of Object.entries(props)) {
        problems.push(...validateTypeSpec(ctx, spec as TypeSpec & Record<string, unknown>, `${where}.${name}`));
        if (typeof spec.description !== "string" || spec.description.trim() === "") {
            problems.push(`${where}.${name}: no description (the generated SDKs' documentation)`);
        }
    }
    for (const name of required ?? []) {
        if (!(name in props)) {
            problems.push(`${where}: required ${name} is not a property`);
        }
    }
    return problems;
}

/** Every `$ref` of a type reference, recursively. */
function refsOf(spec: TypeSpec | undefined): string[] {
    if (spec === undefined) {
        return [];
    }
    return [...(spec.$ref ? [spec.$ref] : []), ...refsOf(spec.items), ...refsOf(spec.additionalProperties)];
}

/** package.json's `repository`: npm's shorthand string or `{ type, url }`. */
export type ManifestRepository = string | { type?: string; url: string; directory?: string };

/**
 * The web address of package.json's `repository` (`git+https://host/o/r.git` -> `https://host/o/r`; the
 * `github:o/r` and bare `o/r` shorthands -> `https://github.com/o/r`), or undefined when it names none.
 */
export function repositoryUrl(repository: ManifestRepository | undefined): string | undefined {
    const raw = typeof repository === "string" ? repository : repository?.url;
    if (raw === undefined || raw.trim() === "") {
        return undefined;
    }
    const shorthand = /^(?:github:)?([\w.-]+\/[\w.-]+)$/.exec(raw.trim());
    const url = shorthand ? `https://github.com/${shorthand[1]}` : raw.trim();
    return url
        .replace(/^git\+/, "")
        .replace(/^git:\/\//, "https://")
        .replace(/\.git$/, "")
        .replace(/\/+$/, "");
}

/**
 * Problems of the schema's structure (the rules of Pulumi's package metaschema this package relies on), its
 * references, and its identity against `manifest` (package.json): name, version, and the repository when
 * package.json names one (package.json is the one place it is set).
 */
export function validateSchema(
    ctx: CheckContext,
    manifest: { name: string; version: string; repository?: ManifestRepository },
): string[] {
    const s = ctx.schema as PackageSchema & Record<string, unknown>;
    const problems: string[] = [];
    for (const k of Object.keys(s)) {
        if (!TOP_LEVEL.has(k)) {
            problems.push(`schema: unknown top-level key ${k}`);
        }
    }
    if (!/^[a-zA-Z][-a-zA-Z0-9_]*$/.test(s.name) || s.name !== manifest.name) {
        problems.push(`schema.name ${s.name} must be the package name ${manifest.name}`);
    }
    if (!SEMVER.test(s.version) || s.version !== manifest.version) {
        problems.push(`schema.version ${s.version} must be the package version ${manifest.version}`);
    }
    const repository = repositoryUrl(manifest.repository);
    if (repository !== undefined && s.repository !== repository) {
        problems.push(`schema.repository ${s.repository} must be package.json's repository ${repository}`);
    }
    for (const k of ["description", "repository", "license"] as const) {
        if (typeof s[k] !== "string" || s[k].trim() === "") {
            problems.push(`schema.${k} is missing`);
        }
    }
    problems.push(...validateProperties(ctx, s.config?.variables, [], "config.variables"));
    problems.push(...validateProperties(ctx, s.provider?.inputProperties, [], "provider.inputProperties"));
    for (const [token, t] of Object.entries(s.types ?? {})) {
        const where = `types[${token}]`;
        if (!TOKEN.test(token) || !token.startsWith(`${s.name}:`)) {
            problems.push(`${where}: not a token of this package`);
        }
        if (typeof t.description !== "string" || t.description.trim() === "") {
            problems.push(`${where}: no description`);
        }
        if (isObjectType(t)) {
            problems.push(...validateProperties(ctx, (t as ObjectTypeSpec).properties, t.required, where));
        } else {
            const e = t as EnumTypeSpec;
            if (!PRIMITIVES.has(e.type) || !Array.isArray(e.enum) || e.enum.length === 0) {
                problems.push(`${where}: an enum needs a primitive type and values`);
            } else {
                const values = e.enum.map((v) => v.value);
                if (new Set(values).size !== values.length) {
                    problems.push(`${where}: duplicate enum values`);
                }
                for (const v of values) {
                    const ok =
                        e.type === "integer"
                            ? Number.isInteger(v)
                            : typeof v === (e.type === "number" ? "number" : e.type);
                    if (!ok) {
                        problems.push(`${where}: enum value ${JSON.stringify(v)} is not a ${e.type}`);
                    }
                }
            }
        }
    }
    for (const [token, r] of Object.entries(s.resources ?? {})) {
        const where = `resources[${token}]`;
        if (!TOKEN.test(token) || !token.startsWith(`${s.name}:`)) {
            problems.push(`${where}: not a token of this package`);
        }
        if (r.isComponent !== undefined && typeof r.isComponent !== "boolean") {
            problems.push(`${where}: isComponent must be a boolean`);
        }
        if (typeof r.description !== "string" || r.description.trim() === "") {
            problems.push(`${where}: no description`);
        }
        problems.push(...validateProperties(ctx, r.inputProperties, r.requiredInputs, `${where}.inputProperties`));
        problems.push(...validateProperties(ctx, r.properties, r.required, `${where}.properties`));
    }
    // Every type of this package is used somewhere (a leftover type would still be generated in every SDK).
    const used = new Set<string>();
    const specs: TypeSpec[] = [
        ...Object.values(s.config?.variables ?? {}),
        ...Object.values(s.provider?.inputProperties ?? {}),
        ...Object.values(s.types ?? {}).flatMap((t) => (isObjectType(t) ? Object.values(t.properties) : [])),
        ...Object.values(s.resources ?? {}).flatMap((r) => [
            ...Object.values(r.inputProperties ?? {}),
            ...Object.values(r.properties ?? {}),
        ]),
    ];
    for (const ref of specs.flatMap(refsOf)) {
        const target = parseRef(ref);
        if (target.kind === "localType") {
            used.add(target.token);
        }
    }
    for (const token of Object.keys(s.types ?? {})) {
        if (!used.has(token)) {
            problems.push(`types[${token}]: referenced by nothing`);
        }
    }
    return problems;
}

/** Whether `@pulumi/aws` (at `awsDir`) has a resource class whose `__pulumiType` is `token`. */
export function awsResourceExists(awsDir: string, token: string): boolean {
    const m = /^aws:([^/]+)\/([^:]+):(\w+)$/.exec(token);
    if (!m) {
        return false;
    }
    const file = path.join(awsDir, m[1], `${m[2]}.js`);
    if (!fs.existsSync(file)) {
        return false;
    }
    const cls = (require(file) as Record<string, { __pulumiType?: string }>)[m[3]];
    return cls?.__pulumiType === token;
}
