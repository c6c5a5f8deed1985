/**
 * The shapes of the component classes' Args interfaces and public outputs, read from the TypeScript sources
 * with the compiler's parser, for the test that holds the package schema to them.
 *
 * A full type-checking Program over the components pulls in every declaration file of `@pulumi/aws` (minutes
 * and most of a gigabyte on a small machine); this reader parses only the files a type reference leads to and
 * follows imports itself: relative imports and re-exports in the sources, `aws.<module>.<Name>` into
 * `@pulumi/aws/<module>/`, `inputs.<module>.<Name>` inside those files to the AWS provider's own types (named
 * by their schema token, not looked into). A construct it cannot express is reported as `unsupported` with the
 * source text, so a new kind of type in an Args interface fails the test instead of being skipped.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/** What a value is, independent of whether it may be an Output. */
export type Shape =
    | { kind: "string" | "number" | "boolean" }
    | { kind: "enum"; values: string[] }
    | { kind: "array"; items: Slot }
    | { kind: "map"; values: Slot }
    /** An object type of these sources (`name` when it is a named interface) or a resource's Args subset. */
    | { kind: "object"; name?: string; props: Record<string, Prop> }
    /** An object type of the AWS provider, by its schema token. */
    | { kind: "awsType"; token: string }
    /** A resource (class) by its type token. */
    | { kind: "resource"; token: string }
    /** An interface that travels as a JSON document (its keys spelled as AWS spells them). */
    | { kind: "json"; name: string }
    | { kind: "unsupported"; text: string };

/** A value at one level: its shape, and whether that level accepts an Output (`pulumi.Input<...>`). */
export interface Slot {
    input: boolean;
    shape: Shape;
}

/** A property: its slot and whether it may be absent. */
export interface Prop {
    optional: boolean;
    slot: Slot;
}

/** Where the reader finds things, and what it cannot learn from the sources alone. */
export interface ShapeContext {
    /** Repository root. */
    root: string;
    /** The `@pulumi/aws` package directory. */
    awsDir: string;
    /** Type tokens of this package's resource classes, by class name. */
    localResourceTokens: Record<string, string>;
    /** Interfaces that travel as JSON documents, by name. */
    jsonDocuments: ReadonlySet<string>;
    /** Source texts to use instead of the files (relative to `root`), for tests of this reader. */
    overrides?: Record<string, string>;
}

type Declaration = ts.InterfaceDeclaration | ts.TypeAliasDeclaration | ts.ClassDeclaration;

interface Located {
    file: ts.SourceFile;
    node: Declaration;
}

/** The reader. One instance parses each file once. */
export class SourceShapes {
    private readonly files = new Map<string, ts.SourceFile>();

    constructor(private readonly ctx: ShapeContext) {}

    /** The properties of the interface `name` declared in (or imported into) `file` (relative to the root). */
    public argsOf(file: string, name: string): Record<string, Prop> {
        const sf = this.parse(path.join(this.ctx.root, file));
        const found = this.find(sf, name);
        if (!found || !ts.isInterfaceDeclaration(found.node)) {
            throw new Error(`${file}: no interface ${name}`);
        }
        return this.interfaceProps(found.file, found.node);
    }

    /**
     * The public instance properties the class `name` of `file` declares itself (not inherited): its outputs
     * (`pulumi.Output<T>`) and its child resources.
     */
    public outputsOf(file: string, name: string): Record<string, Prop> {
        const sf = this.parse(path.join(this.ctx.root, file));
        const found = this.find(sf, name);
        if (!found || !ts.isClassDeclaration(found.node)) {
            throw new Error(`${file}: no class ${name}`);
        }
        const props: Record<string, Prop> = {};
        for (const m of found.node.members) {
            if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name)) {
                continue;
            }
            const mods = ts.getModifiers(m) ?? [];
            const hidden = mods.some(
                (x) =>
                    x.kind === ts.SyntaxKind.PrivateKeyword ||
                    x.kind === ts.SyntaxKind.ProtectedKeyword ||
                    x.kind === ts.SyntaxKind.StaticKeyword,
            );
            if (hidden || m.type === undefined) {
                continue;
            }
            const { slot, optional } = this.slotOf(m.type, found.file);
            props[m.name.text] = { optional: optional || m.questionToken !== undefined, slot };
        }
        return props;
    }

    private parse(file: string): ts.SourceFile {
        let sf = this.files.get(file);
        if (sf === undefined) {
            const rel = path.relative(this.ctx.root, file);
            const text = this.ctx.overrides?.[rel] ?? fs.readFileSync(file, "utf8");
            sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
            this.files.set(file, sf);
        }
        return sf;
    }

    private resolveModule(from: ts.SourceFile, spec: string): ts.SourceFile | undefined {
        if (!spec.startsWith(".")) {
            return undefined;
        }
        const base = path.resolve(path.dirname(from.fileName), spec);
        for (const candidate of [
            `${base}.ts`,
            `${base}.d.ts`,
            path.join(base, "index.ts"),
            path.join(base, "index.d.ts"),
        ]) {
            if (
                fs.existsSync(candidate) ||
                this.ctx.overrides?.[path.relative(this.ctx.root, candidate)] !== undefined
            ) {
                return this.parse(candidate);
            }
        }
        return undefined;
    }

    /** The declaration `name` as seen from `sf`: declared there, imported, or re-exported. */
    private find(sf: ts.SourceFile, name: string, seen = new Set<string>()): Located | undefined {
        const key = `${sf.fileName}#${name}`;
        if (seen.has(key)) {
            return undefined;
        }
        seen.add(key);
        for (const st of sf.statements) {
            if (
                (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isClassDeclaration(st)) &&
                st.name?.text === name
            ) {
                return { file: sf, node: st };
            }
        }
        for (const st of sf.statements) {
            if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
                const bindings = st.importClause?.namedBindings;
                if (bindings && ts.isNamedImports(bindings)) {
                    for (const el of bindings.elements) {
                        if (el.name.text === name) {
                            const target = this.resolveModule(sf, st.moduleSpecifier.text);
                            return target && this.find(target, (el.propertyName ?? el.name).text, seen);
                        }
                    }
                }
            }
            if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
                const target = this.resolveModule(sf, st.moduleSpecifier.text);
                if (!target) {
                    continue;
                }
                if (st.exportClause === undefined) {
                    const found = this.find(target, name, seen);
                    if (found) {
                        return found;
                    }
                } else if (ts.isNamedExports(st.exportClause)) {
                    for (const el of st.exportClause.elements) {
                        if (el.name.text === name) {
                            return this.find(target, (el.propertyName ?? el.name).text, seen);
                        }
                    }
                }
            }
        }
        return undefined;
    }

    /** The module a namespace import `alias` of `sf` names (`import * as alias from "spec"`). */
    private namespaceImport(sf: ts.SourceFile, alias: string): string | undefined {
        for (const st of sf.statements) {
            if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
                const b = st.importClause?.namedBindings;
                if (b && ts.isNamespaceImport(b) && b.name.text === alias) {
                    return st.moduleSpecifier.text;
                }
            }
        }
        return undefined;
    }

    private interfaceProps(sf: ts.SourceFile, node: ts.InterfaceDeclaration): Record<string, Prop> {
        if (node.heritageClauses && node.heritageClauses.length > 0) {
            throw new Error(`${node.name.text}: interfaces that extend others are not read by this test`);
        }
        return this.members(sf, node.members);
    }

    private members(sf: ts.SourceFile, members: ts.NodeArray<ts.TypeElement>): Record<string, Prop> {
        const props: Record<string, Prop> = {};
        for (const m of members) {
            if (ts.isPropertySignature(m) && m.type && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))) {
                if (m.type.kind === ts.SyntaxKind.NeverKeyword) {
                    // A property no value can have: a removed argument kept only to be refused.
                    continue;
                }
                const { slot, optional } = this.slotOf(m.type, sf);
                props[m.name.text] = { optional: optional || m.questionToken !== undefined, slot };
            }
        }
        return props;
    }

    private unsupported(node: ts.Node, why = ""): { slot: Slot; optional: boolean } {
        return {
            slot: { input: false, shape: { kind: "unsupported", text: `${node.getText()}${why ? ` (${why})` : ""}` } },
            optional: false,
        };
    }

    /** The slot of a type node; `optional` when the type admits `undefined`. */
    private slotOf(node: ts.TypeNode, sf: ts.SourceFile): { slot: Slot; optional: boolean } {
        if (ts.isParenthesizedTypeNode(node)) {
            return this.slotOf(node.type, sf);
        }
        if (ts.isUnionTypeNode(node)) {
            const rest = node.types.filter(
                (t) =>
                    t.kind !== ts.SyntaxKind.UndefinedKeyword &&
                    !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword),
            );
            const optional = rest.length < node.types.length;
            if (rest.length > 0 && rest.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) {
                const values = rest.map((t) => ((t as ts.LiteralTypeNode).literal as ts.StringLiteral).text);
                return { slot: { input: false, shape: { kind: "enum", values } }, optional };
            }
            if (rest.length === 1) {
                const inner = this.slotOf(rest[0], sf);
                return { slot: inner.slot, optional: optional || inner.optional };
            }
            return this.unsupported(node, "a union of different types has no form in other languages");
        }
        switch (node.kind) {
            case ts.SyntaxKind.StringKeyword:
                return { slot: { input: false, shape: { kind: "string" } }, optional: false };
            case ts.SyntaxKind.NumberKeyword:
                return { slot: { input: false, shape: { kind: "number" } }, optional: false };
            case ts.SyntaxKind.BooleanKeyword:
                return { slot: { input: false, shape: { kind: "boolean" } }, optional: false };
            default:
                break;
        }
        if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) {
            return { slot: { input: false, shape: { kind: "enum", values: [node.literal.text] } }, optional: false };
        }
        if (ts.isArrayTypeNode(node)) {
            const items = this.slotOf(node.elementType, sf).slot;
            return { slot: { input: false, shape: { kind: "array", items } }, optional: false };
        }
        if (ts.isTypeLiteralNode(node)) {
            const index = node.members.find(ts.isIndexSignatureDeclaration);
            if (index) {
                if (node.members.length !== 1 || index.parameters[0]?.type?.kind !== ts.SyntaxKind.StringKeyword) {
                    return this.unsupported(node);
                }
                return {
                    slot: { input: false, shape: { kind: "map", values: this.slotOf(index.type, sf).slot } },
                    optional: false,
                };
            }
            return {
                slot: { input: false, shape: { kind: "object", props: this.members(sf, node.members) } },
                optional: false,
            };
        }
        if (ts.isTypeReferenceNode(node)) {
            return this.reference(node, sf);
        }
        return this.unsupported(node);
    }

    private reference(node: ts.TypeReferenceNode, sf: ts.SourceFile): { slot: Slot; optional: boolean } {
        const parts = entityParts(node.typeName);
        const args = node.typeArguments ?? ts.factory.createNodeArray<ts.TypeNode>();
        const ns = parts.length > 1 ? this.namespaceImport(sf, parts[0]) : undefined;
        if (ns === "@pulumi/pulumi" && parts.length === 2 && args.length === 1) {
            if (parts[1] === "Input" || parts[1] === "Output") {
                const inner = this.slotOf(args[0], sf);
                return { slot: { input: parts[1] === "Input", shape: inner.slot.shape }, optional: inner.optional };
            }
        }
        if (parts.length === 1) {
            const name = parts[0];
            if (name === "Record" && args.length === 2 && args[0].kind === ts.SyntaxKind.StringKeyword) {
                return {
                    slot: { input: false, shape: { kind: "map", values: this.slotOf(args[1], sf).slot } },
                    optional: false,
                };
            }
            if ((name === "Array" || name === "ReadonlyArray") && args.length === 1) {
                return {
                    slot: { input: false, shape: { kind: "array", items: this.slotOf(args[0], sf).slot } },
                    optional: false,
                };
            }
            if (name === "Omit" && args.length === 2) {
                const base = this.slotOf(args[0], sf).slot.shape;
                if (base.kind !== "object") {
                    return this.unsupported(node, "Omit of something that is not an object type");
                }
                const dropped = new Set(literalStrings(args[1]));
                const props = Object.fromEntries(Object.entries(base.props).filter(([k]) => !dropped.has(k)));
                return { slot: { input: false, shape: { kind: "object", props } }, optional: false };
            }
            const found = this.find(sf, name);
            if (found) {
                return this.declared(found, node);
            }
            return this.unsupported(node, "not found");
        }
        if (ns === "@pulumi/aws" && parts.length === 3) {
            return this.awsDeclared(parts[1], parts[2], node);
        }
        if (ns !== undefined && /types\/input$/.test(ns) && parts.length === 3) {
            return {
                slot: { input: false, shape: { kind: "awsType", token: this.awsInputToken(parts[1], parts[2]) } },
                optional: false,
            };
        }
        return this.unsupported(node);
    }

    private declared(found: Located, at: ts.Node): { slot: Slot; optional: boolean } {
        const { file, node } = found;
        const name = node.name?.text ?? "";
        if (ts.isInterfaceDeclaration(node)) {
            if (this.ctx.jsonDocuments.has(name)) {
                return { slot: { input: false, shape: { kind: "json", name } }, optional: false };
            }
            return {
                slot: { input: false, shape: { kind: "object", name, props: this.interfaceProps(file, node) } },
                optional: false,
            };
        }
        if (ts.isTypeAliasDeclaration(node)) {
            return this.slotOf(node.type, file);
        }
        const token = this.ctx.localResourceTokens[name];
        if (token === undefined) {
            return this.unsupported(at, `class ${name} has no known type token`);
        }
        return { slot: { input: false, shape: { kind: "resource", token } }, optional: false };
    }

    /** `aws.<module>.<Name>`: a resource class (by its `__pulumiType`) or an Args interface (read). */
    private awsDeclared(mod: string, name: string, at: ts.Node): { slot: Slot; optional: boolean } {
        const dir = path.join(this.ctx.awsDir, mod);
        const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".d.ts")) : [];
        for (const f of files) {
            const file = path.join(dir, f);
            const text = fs.readFileSync(file, "utf8");
            if (text.includes(`export declare class ${name} `)) {
                const cls = (require(file.replace(/\.d\.ts$/, ".js")) as Record<string, { __pulumiType?: string }>)[
                    name
                ];
                const token = cls?.__pulumiType;
                if (typeof token !== "string") {
                    return this.unsupported(at, `${mod}.${name} has no __pulumiType`);
                }
                return { slot: { input: false, shape: { kind: "resource", token } }, optional: false };
            }
            if (text.includes(`export interface ${name} `)) {
                const found = this.find(this.parse(file), name);
                if (found) {
                    return this.declared(found, at);
                }
            }
        }
        return this.unsupported(at, `not found in @pulumi/aws/${mod}`);
    }

    /** The schema token of the AWS provider's type `inputs.<module>.<Name>`, once it is known to exist. */
    private awsInputToken(mod: string, name: string): string {
        const token = `aws:${mod}/${name}:${name}`;
        if (!awsTypeExists(this.ctx.awsDir, token)) {
            throw new Error(`@pulumi/aws has no input type ${mod}.${name}`);
        }
        return token;
    }
}

const awsInputTypes = new Map<string, Set<string>>();

/**
 * Whether the AWS provider (at `awsDir`) has the object type `aws:<module>/<Name>:<Name>`: an interface
 * `<Name>` in the `<module>` namespace of its input types (where every type its resources take is declared).
 */
export function awsTypeExists(awsDir: string, token: string): boolean {
    const m = /^aws:([^/]+)\/(\w+):(\w+)$/.exec(token);
    if (!m || m[2] !== m[3]) {
        return false;
    }
    const key = `${awsDir}#${m[1]}`;
    let names = awsInputTypes.get(key);
    if (names === undefined) {
        const text = fs.readFileSync(path.join(awsDir, "types", "input.d.ts"), "utf8");
        const start = text.indexOf(`export declare namespace ${m[1]} {`);
        const end = start < 0 ? -1 : text.indexOf("\nexport declare namespace ", start + 1);
        const block = start < 0 ? "" : text.slice(start, end < 0 ? undefined : end);
        names = new Set([...block.matchAll(/^\s+interface (\w+) \{/gm)].map((x) => x[1]));
        awsInputTypes.set(key, names);
    }
    return names.has(m[2]);
}

function entityParts(name: ts.EntityName): string[] {
    return ts.isIdentifier(name) ? [name.text] : [...entityParts(name.left), name.right.text];
}

function literalStrings(node: ts.TypeNode): string[] {
    if (ts.isUnionTypeNode(node)) {
        return node.types.flatMap(literalStrings);
    }
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) {
        return [node.literal.text];
    }
    return [];
}
