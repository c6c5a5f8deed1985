/**
 * No import cycles among the shipped modules (the package's entry, the components, the provider plugin, the policy
 * pack, the audit and the offline preview's engine). Every relative module reference counts, type-only ones
 * included: `import`, `import type`, `export ... from`, `require()`, `import()` and `import("...")` types. A cycle
 * means a type or a function lives in the wrong module; move it to the one both sides can import.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");

/** The shipped modules' roots: top-level files and folders. */
const SHIPPED = ["index.ts", "components", "provider", "policypack", "audit", "engine"];

/** The .ts sources (no declaration files) at or under `entry`, outside node_modules and bin (absolute paths). */
function sourcesUnder(entry: string): string[] {
    if (!fs.statSync(entry).isDirectory()) {
        return /\.ts$/.test(entry) && !/\.d\.ts$/.test(entry) ? [entry] : [];
    }
    return fs.readdirSync(entry, { withFileTypes: true }).flatMap((e) => {
        if (e.isDirectory() && (e.name === "node_modules" || e.name === "bin" || e.name.startsWith("."))) {
            return [];
        }
        return sourcesUnder(path.join(entry, e.name));
    });
}

/** The .ts file a relative specifier from `file` names, as Node's resolution would find its source. */
function resolveRelative(file: string, specifier: string): string | undefined {
    if (!specifier.startsWith("./") && !specifier.startsWith("../") && specifier !== "." && specifier !== "..") {
        return undefined;
    }
    const base = path.resolve(path.dirname(file), specifier);
    const bare = base.replace(/\.js$/, "");
    return [base, `${bare}.ts`, path.join(base, "index.ts")].find(
        (c) => c.endsWith(".ts") && fs.existsSync(c) && fs.statSync(c).isFile(),
    );
}

/** Each file's relative imports among `files` (every form, type-only included). */
function importGraph(files: readonly string[]): Map<string, string[]> {
    const known = new Set(files);
    const graph = new Map<string, string[]>();
    for (const file of files) {
        const info = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
        const targets = info.importedFiles
            .map((f) => resolveRelative(file, f.fileName))
            .filter((t): t is string => t !== undefined && known.has(t));
        graph.set(file, [...new Set(targets)].sort());
    }
    return graph;
}

/** The cycles of `graph`: each strongly connected component of more than one file, or a file importing itself. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string): void => {
        index.set(v, counter);
        low.set(v, counter);
        counter += 1;
        stack.push(v);
        onStack.add(v);
        for (const w of graph.get(v) ?? []) {
            if (!index.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
            } else if (onStack.has(w)) {
                low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
            }
        }
        if (low.get(v) === index.get(v)) {
            const component: string[] = [];
            let w: string;
            do {
                w = stack.pop() as string;
                onStack.delete(w);
                component.push(w);
            } while (w !== v);
            if (component.length > 1 || (graph.get(v) ?? []).includes(v)) {
                cycles.push(component.sort());
            }
        }
    };
    for (const v of [...graph.keys()].sort()) {
        if (!index.has(v)) {
            visit(v);
        }
    }
    return cycles;
}

describe("lint: no import cycles among the shipped modules", () => {
    it("the shipped modules import each other without a cycle, type-only imports included", () => {
        const files = SHIPPED.flatMap((entry) => sourcesUnder(path.join(ROOT, entry)));
        const graph = importGraph(files);
        // The walk sees the modules and their links (else an empty graph would pass).
        const rel = (f: string): string => path.relative(ROOT, f).split(path.sep).join("/");
        const edges = (from: string): string[] => (graph.get(path.join(ROOT, from)) ?? []).map(rel);
        assert.ok(files.length > 100, `only ${files.length} shipped sources found`);
        assert.ok(edges("engine/preview.ts").includes("engine/programRun.ts"));
        assert.ok(edges("components/index.ts").length > 0);
        const cycles = importCycles(graph).map((c) => c.map(rel));
        assert.deepEqual(cycles, [], `import cycles: ${cycles.map((c) => c.join(" <-> ")).join("; ")}`);
    });

    describe("the check finds a cycle through each form of import", () => {
        let dir = "";
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-cycles-"));
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        /** The cycles among files written from `sources` (name -> text) in a fresh folder. */
        const cyclesOf = (sources: Record<string, string>): string[][] => {
            const sub = fs.mkdtempSync(path.join(dir, "case-"));
            const files = Object.entries(sources).map(([name, text]) => {
                const file = path.join(sub, name);
                fs.mkdirSync(path.dirname(file), { recursive: true });
                fs.writeFileSync(file, text);
                return file;
            });
            return importCycles(importGraph(files)).map((c) => c.map((f) => path.relative(sub, f)));
        };

        const back = `import { b } from "./b";\nexport const a = b;\n`;
        const forms: Record<string, string> = {
            "import type": `import type { A } from "./a";\nexport const b: A | undefined = undefined;\n`,
            "inline type import": `import { type A } from "./a";\nexport const b: A | undefined = undefined;\n`,
            "export type from": `export type { A } from "./a";\nexport const b = 1;\n`,
            "export * from": `export * from "./a";\nexport const b = 1;\n`,
            "import() type": `export const b: import("./a").A | undefined = undefined;\n`,
            "require()": `export const b = require("./a") as unknown;\n`,
            "import()": `export const b = import("./a");\n`,
            "import of a folder's index": `import type { A } from "..";\nexport const b: A | undefined = undefined;\n`,
        };
        for (const [form, text] of Object.entries(forms)) {
            it(`${form}`, () => {
                const sources: Record<string, string> =
                    form === "import of a folder's index"
                        ? { "index.ts": `import { b } from "./lib/b";\nexport const a = b;\n`, "lib/b.ts": text }
                        : { "a.ts": back, "b.ts": text };
                assert.equal(cyclesOf(sources).length, 1, form);
            });
        }

        it("a longer cycle is named whole, a self-import is a cycle, and a chain is none", () => {
            assert.deepEqual(
                cyclesOf({
                    "a.ts": `import "./b";\n`,
                    "b.ts": `import "./c.js";\n`,
                    "c.ts": `import type { A } from "./a";\n`,
                    "d.ts": `import "./a";\n`,
                }),
                [["a.ts", "b.ts", "c.ts"]],
            );
            assert.deepEqual(cyclesOf({ "a.ts": `export * from "./a";\n` }), [["a.ts"]]);
            assert.deepEqual(
                cyclesOf({ "a.ts": `import "./b";\n`, "b.ts": `import "./c";\n`, "c.ts": `import "node:fs";\n` }),
                [],
            );
        });
    });
});
