/**
 * The layering floors are lint rules: shipped code (components, provider plugin, policy pack, audit, the package's
 * entry) that imports the offline preview's engine, the benchmarks, the tests or the scripts fails `npm run lint`,
 * whether by `import`, `export ... from`, `require` or `import()`; what it may import passes.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { ESLint } from "eslint";

const ROOT = path.resolve(__dirname, "..", "..");

/** A file of each shipped part (existing files: the components' rules need them in the TypeScript project). */
const SHIPPED = [
    "components/diskEncryption.ts",
    "provider/server.ts",
    "policypack/index.ts",
    "audit/cli.ts",
    "index.ts",
];

/** The rule ids of the errors ESLint reports for `code` as if it were the file at `file`. */
async function errorsOf(eslint: ESLint, code: string, file: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId ?? "parse");
}

/** A relative path from `file`'s folder to the top-level folder `dir`. */
function up(file: string, dir: string): string {
    const rel = path.relative(path.dirname(path.join(ROOT, file)), path.join(ROOT, dir));
    return rel.startsWith(".") ? rel : `./${rel}`;
}

describe("lint: the layering floors", function () {
    this.timeout(120_000);
    const eslint = new ESLint({ cwd: ROOT });

    for (const file of SHIPPED) {
        for (const dir of ["engine", "bench", "tests", "scripts"]) {
            it(`${file} may not import ${dir}/ (import, export from, require, import())`, async () => {
                const target = `${up(file, dir)}/anything`;
                const forms = [
                    `import { a } from "${target}";\nexport const b = a;\n`,
                    `export { a } from "${target}";\n`,
                    `export const a = require("${target}") as unknown;\n`,
                    `export const a = import("${target}");\n`,
                ];
                for (const code of forms) {
                    const errors = await errorsOf(eslint, code, file);
                    assert.ok(
                        errors.includes("no-restricted-imports") || errors.includes("no-restricted-syntax"),
                        `${file}: ${code.trim()} gave ${JSON.stringify(errors)}`,
                    );
                }
            });
        }
    }

    it("shipped code may import shipped code and packages", async () => {
        const code =
            `import * as pulumi from "@pulumi/pulumi";\n` +
            `import { analyzeKeyPolicy } from "${up("audit/cli.ts", "policypack")}/judge";\n` +
            `export const a = [pulumi, analyzeKeyPolicy, require("node:path") as unknown];\n`;
        assert.deepEqual(await errorsOf(eslint, code, "audit/cli.ts"), []);
    });

    it("the engine and the tests may import each other's and shipped code (the floors bind shipped code only)", async () => {
        const code = `import { analyzeKeyPolicy } from "../../policypack/judge";\nexport const a = analyzeKeyPolicy;\n`;
        assert.deepEqual(await errorsOf(eslint, code, "tests/judge/x.test.ts"), []);
    });
});
