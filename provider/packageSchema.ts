/**
 * The package schema (`schema.json`, next to this file): what `GetSchema` serves, what SDK generators read,
 * and what Construct reads to turn the values another language sends into the component's arguments.
 *
 * Only the parts of Pulumi's package schema this package uses are typed here.
 */
import schemaJson from "./schema.json";

/** A type reference (`typeSpec` in Pulumi's metaschema). */
export interface TypeSpec {
    type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
    items?: TypeSpec;
    additionalProperties?: TypeSpec;
    $ref?: string;
    /** When used as an input, this value does not accept eventual values (Outputs). */
    plain?: boolean;
}

/** A property (`propertySpec`). */
export interface PropertySpec extends TypeSpec {
    description?: string;
    secret?: boolean;
    willReplaceOnChanges?: boolean;
}

/** An object type (`objectTypeSpec`). */
export interface ObjectTypeSpec {
    type: "object";
    description?: string;
    properties: Record<string, PropertySpec>;
    required?: string[];
}

/** An enum type (`enumTypeSpec`). */
export interface EnumTypeSpec {
    type: "string" | "integer" | "number" | "boolean";
    description?: string;
    enum: { name?: string; value: string | number | boolean; description?: string }[];
}

/** A resource or component (`resourceSpec`). */
export interface ResourceSpec {
    description?: string;
    isComponent?: boolean;
    inputProperties: Record<string, PropertySpec>;
    requiredInputs?: string[];
    properties: Record<string, PropertySpec>;
    required?: string[];
}

/** The package schema. */
export interface PackageSchema {
    name: string;
    displayName?: string;
    version: string;
    description: string;
    keywords?: string[];
    homepage?: string;
    repository: string;
    license: string;
    config: { variables: Record<string, PropertySpec> };
    provider: { description?: string; inputProperties: Record<string, PropertySpec> };
    types: Record<string, ObjectTypeSpec | EnumTypeSpec>;
    resources: Record<string, ResourceSpec>;
    language: Record<string, Record<string, unknown>>;
}

/** The package schema, parsed. */
export const PACKAGE_SCHEMA = schemaJson as unknown as PackageSchema;

/** The schema as `GetSchema` returns it (JSON text). */
export function schemaText(): string {
    return JSON.stringify(PACKAGE_SCHEMA);
}

/** Where a `$ref` points: a type or resource of this package, a builtin, or another package's schema. */
export type RefTarget =
    | { kind: "localType"; token: string }
    | { kind: "localResource"; token: string }
    | { kind: "any" }
    | { kind: "external"; pkg: string; version: string; section: "types" | "resources" | "provider"; token: string }
    | { kind: "invalid"; reason: string };

/**
 * Reads a `$ref`: `#/types/<token>`, `#/resources/<token>`, `pulumi.json#/Any`, or
 * `/<pkg>/v<version>/schema.json#/types|resources/<token with "/" written %2F>` (Pulumi's metaschema).
 */
export function parseRef(ref: string): RefTarget {
    if (ref === "pulumi.json#/Any") {
        return { kind: "any" };
    }
    let m = /^#\/(types|resources)\/(.+)$/.exec(ref);
    if (m) {
        return m[1] === "types" ? { kind: "localType", token: m[2] } : { kind: "localResource", token: m[2] };
    }
    m = /^\/([a-zA-Z][-a-zA-Z0-9_]*)\/v(\d+\.\d+\.\d+)\/schema\.json#\/(types|resources|provider)(?:\/(.+))?$/.exec(
        ref,
    );
    if (m) {
        const section = m[3] as "types" | "resources" | "provider";
        if ((section === "provider") !== (m[4] === undefined)) {
            return { kind: "invalid", reason: `${ref}: #/provider takes no token, #/types and #/resources need one` };
        }
        const raw = m[4] ?? "";
        if (raw.includes("/")) {
            return { kind: "invalid", reason: `${ref}: a "/" inside a token must be written %2F` };
        }
        return { kind: "external", pkg: m[1], version: m[2], section, token: decodeURIComponent(raw) };
    }
    return { kind: "invalid", reason: `${ref} is not a reference form this package uses` };
}

/** True for an object type (as opposed to an enum). */
export function isObjectType(t: ObjectTypeSpec | EnumTypeSpec): t is ObjectTypeSpec {
    return t.type === "object";
}
