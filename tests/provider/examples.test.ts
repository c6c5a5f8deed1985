/**
 * The Python, Go and YAML examples against the package schema, as far as this machine can check them without
 * the Pulumi CLI (no SDK generation) or a Go toolchain: every argument, nested argument and output they use
 * is the schema's, in each language's casing; the YAML resource's properties pass the provider's reading of
 * inputs; the Python program compiles. (The YAML resource is also constructed over gRPC:
 * tests/provider/constructForms.test.ts.)
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { argsFromInputs } from "../../provider/constructInputs";
import { PACKAGE_SCHEMA, isObjectType } from "../../provider/packageSchema";
import { yamlExample } from "./support/yamlExample";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLES = path.join(ROOT, "examples");
const PKG = PACKAGE_SCHEMA.name;
const EA = PACKAGE_SCHEMA.resources[`${PKG}:index:EncryptedApplication`];

function objectProps(typeName: string): string[] {
    const t = PACKAGE_SCHEMA.types[`${PKG}:index:${typeName}`];
    assert.ok(t && isObjectType(t), `schema type ${typeName}`);
    return Object.keys(t.properties);
}

/** camelCase to the Python SDK's snake_case. */
function pyName(name: string): string {
    return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** camelCase to the Go SDK's exported field name. */
function goName(name: string): string {
    return name[0].toUpperCase() + name.slice(1);
}

/** The keyword arguments of the call `<callee>(` in Python source (top level of the call's parentheses). */
function pythonKwargs(source: string, callee: string): string[] {
    const start = source.indexOf(`${callee}(`);
    assert.ok(start >= 0, `a call of ${callee}`);
    let depth = 0;
    let i = start + callee.length;
    const names: string[] = [];
    for (; i < source.length; i++) {
        const c = source[i];
        if (c === "(" || c === "[" || c === "{") {
            depth++;
        } else if (c === ")" || c === "]" || c === "}") {
            depth--;
            if (depth === 0) {
                break;
            }
        } else if (depth === 1) {
            const m = /^([a-z_][a-z0-9_]*)=(?!=)/.exec(source.slice(i));
            if (m && /[\s(,]/.test(source[i - 1])) {
                names.push(m[1]);
                i += m[1].length;
            }
        }
    }
    return names;
}

/** The field names of a Go composite literal `<type>{ ... }` (top level of its braces). */
function goFields(source: string, typeName: string): string[] {
    const start = source.indexOf(`${typeName}{`);
    assert.ok(start >= 0, `a ${typeName} literal`);
    let depth = 0;
    const names: string[] = [];
    for (let i = start + typeName.length; i < source.length; i++) {
        const c = source[i];
        if (c === "{" || c === "(") {
            depth++;
        } else if (c === "}" || c === ")") {
            depth--;
            if (depth === 0) {
                break;
            }
        } else if (depth === 1) {
            const m = /^\n\s*([A-Z]\w*):/.exec(source.slice(i));
            if (m) {
                names.push(m[1]);
                i += m[0].length - 1;
            }
        }
    }
    return names;
}

function assertSubset(used: string[], allowed: string[], what: string): void {
    assert.ok(used.length > 0, `${what}: the example uses some`);
    const unknown = used.filter((u) => !allowed.includes(u));
    assert.deepEqual(unknown, [], `${what}: not in the schema (allowed: ${allowed.join(", ")})`);
}

describe("examples in other languages, against the schema", () => {
    describe("Python", () => {
        const file = path.join(EXAMPLES, "python", "__main__.py");
        const source = fs.readFileSync(file, "utf8");

        it("imports the module the schema's python.packageName names", () => {
            const pkg = (PACKAGE_SCHEMA.language.python as { packageName: string }).packageName;
            assert.match(source, new RegExp(`^import ${pkg} as emr_disk$`, "m"));
        });

        it("every argument, nested argument and output is the schema's, in snake_case", () => {
            assertSubset(
                pythonKwargs(source, "emr_disk.EncryptedApplication"),
                Object.keys(EA.inputProperties).map(pyName),
                "EncryptedApplication arguments",
            );
            assertSubset(
                pythonKwargs(source, "emr_disk.ApplicationOptionsArgs"),
                objectProps("ApplicationOptions").map(pyName),
                "ApplicationOptionsArgs arguments",
            );
            const outputs = [...source.matchAll(/\bapp\.([a-z_]+)/g)].map((m) => m[1]);
            assertSubset(outputs, Object.keys(EA.properties).map(pyName), "EncryptedApplication outputs");
            assert.match(source, /emr_disk\.ApplicationType\(/, "the enum the schema defines");
        });

        it("compiles (python3 -m py_compile)", function () {
            const probe = spawnSync("python3", ["--version"]);
            if (probe.error || probe.status !== 0) {
                this.skip();
            }
            const out = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "pyc-"));
            try {
                execFileSync("python3", [
                    "-c",
                    "import py_compile,sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
                    file,
                    path.join(out, "main.pyc"),
                ]);
            } finally {
                fs.rmSync(out, { recursive: true, force: true });
            }
        });
    });

    describe("Go", () => {
        const source = fs.readFileSync(path.join(EXAMPLES, "go", "main.go"), "utf8");

        it("imports the package at the schema's go.importBasePath", () => {
            const base = (PACKAGE_SCHEMA.language.go as { importBasePath: string }).importBasePath;
            assert.ok(source.includes(`emrdisk "${base}"`), base);
        });

        it("every argument field, nested field and output is the schema's, exported", () => {
            const args = [
                ...goFields(source, "emrdisk.EncryptedApplicationArgs"),
                ...[...source.matchAll(/\bargs\.([A-Z]\w*) =/g)].map((m) => m[1]),
            ];
            assertSubset(args, Object.keys(EA.inputProperties).map(goName), "EncryptedApplicationArgs fields");
            assertSubset(
                goFields(source, "emrdisk.ApplicationOptionsArgs"),
                objectProps("ApplicationOptions").map(goName),
                "ApplicationOptionsArgs fields",
            );
            const outputs = [...source.matchAll(/\bapp\.([A-Z]\w*)/g)].map((m) => m[1]);
            assertSubset(outputs, Object.keys(EA.properties).map(goName), "EncryptedApplication outputs");
        });
    });

    describe("YAML", () => {
        const example = yamlExample();

        it("names the package by its schema name, at the provider folder of this repository", () => {
            assert.deepEqual(Object.keys(example.packages), [PKG]);
            const dir = path.resolve(EXAMPLES, "yaml", example.packages[PKG]);
            assert.ok(fs.existsSync(path.join(dir, "PulumiPlugin.yaml")), `${dir} is the plugin folder`);
        });

        it("its resource's properties pass the provider's reading of inputs; its outputs are the component's", async () => {
            assert.equal(example.resource.type, `${PKG}:index:EncryptedApplication`);
            const args = await argsFromInputs(example.resource.type, "emr", example.resource.properties);
            assert.deepEqual(Object.keys(args).sort(), Object.keys(example.resource.properties).sort());
            assertSubset(example.outputs, Object.keys(EA.properties), "outputs");
        });
    });

    it("each example's README says how to add the package and that it was not run here", () => {
        for (const lang of ["python", "go", "yaml"]) {
            const readme = fs.readFileSync(path.join(EXAMPLES, lang, "README.md"), "utf8");
            assert.match(
                readme,
                /pulumi package add \.\.\/\.\.\/provider|pulumi package add <path to a checkout>\/provider/,
                lang,
            );
            // The CLI's form for a folder of a git repository: the repository URL ending in .git, the folder, @version.
            assert.match(readme, /pulumi package add https:\/\/\S+\.git\/provider@v\d+\.\d+\.\d+/, lang);
            assert.match(readme, /Pulumi CLI 3\.163 or later/, lang);
            assert.match(readme, /\*\*Not run here/, lang);
        }
    });
});
