/**
 * The layering floors are lint rules. A file that imports across a floor fails `npm run lint`, whether by `import`,
 * `export ... from`, `require` or `import()`; what it may import passes:
 * - shipped code (components, provider plugin, policy pack, audit, the package's entry) never imports the offline
 *   preview's engine, the benchmarks, the tests, the scripts or the shared test harness;
 * - the engine never imports the benchmarks, the tests, the scripts or the harness;
 * - the benchmarks and the scripts never import the tests;
 * - the shared test harness (harness/) never imports the tests or the benchmarks.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { ESLint } from "eslint";

const ROOT = path.resolve(__dirname, "..", "..");

/**
 * Each floor: files of the layer (existing files, a TypeScript and a JavaScript one where the layer has both: the
 * components' rules need them in the TypeScript project) and the top-level folders they may not import.
 */
const FLOORS: { files: string[]; forbidden: string[] }[] = [
    {
        files: [
            "components/diskEncryption.ts",
            "provider/server.ts",
            "policypack/index.ts",
            "audit/cli.ts",
            "index.ts",
        ],
        forbidden: ["engine", "bench", "tests", "scripts", "harness"],
    },
    { files: ["engine/cli.ts"], forbidden: ["bench", "tests", "scripts", "harness"] },
    {
        files: [
            "bench/run.ts",
            "bench/lib/construct.ts",
            "bench/startupProbe.js",
            "scripts/perfTable.ts",
            "scripts/build.js",
        ],
        forbidden: ["tests"],
    },
    { files: ["harness/policyPack.ts", "harness/corpus/index.ts"], forbidden: ["tests", "bench"] },
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

    for (const { files, forbidden } of FLOORS) {
        for (const file of files) {
            for (const dir of forbidden) {
                it(`${file} may not import ${dir}/ (import, export from, require, import())`, async () => {
                    const target = `${up(file, dir)}/anything`;
                    const forms = [
                        `import { a } from "${target}";\nexport const b = a;\n`,
                        `export { a } from "${target}";\n`,
                        `export const a = require("${target}");\n`,
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
    }

    it("shipped code may import shipped code and packages", async () => {
        const code =
            `import * as pulumi from "@pulumi/pulumi";\n` +
            `import { analyzeKeyPolicy } from "${up("audit/cli.ts", "policypack")}/judge";\n` +
            `export const a = [pulumi, analyzeKeyPolicy, require("node:path") as unknown];\n`;
        assert.deepEqual(await errorsOf(eslint, code, "audit/cli.ts"), []);
    });

    it("the tests may import the harness, the benchmarks, the engine and shipped code", async () => {
        const code =
            `import { analyzeKeyPolicy } from "../../policypack/judge";\n` +
            `import { loadCorpus } from "../../harness/corpus";\n` +
            `import { median } from "../../bench/lib/stats";\n` +
            `export const a = [analyzeKeyPolicy, loadCorpus, median, require("../../engine/cli") as unknown];\n`;
        assert.deepEqual(await errorsOf(eslint, code, "tests/judge/x.test.ts"), []);
    });

    it("the benchmarks and scripts may import the harness, the engine and shipped code", async () => {
        for (const file of ["bench/lib/construct.ts", "scripts/perfTable.ts"]) {
            const code =
                `import { loadCorpus } from "${up(file, "harness")}/corpus";\n` +
                `import { analyzeKeyPolicy } from "${up(file, "policypack")}/judge";\n` +
                `export const a = [loadCorpus, analyzeKeyPolicy, import("${up(file, "engine")}/cli")];\n`;
            assert.deepEqual(await errorsOf(eslint, code, file), [], file);
        }
    });

    it("the harness may import the engine and shipped code", async () => {
        const code =
            `import { builtinInvoke } from "../../engine/invokes";\n` +
            `import { analyzeKeyPolicy } from "../../policypack/judge";\n` +
            `export const a = [builtinInvoke, analyzeKeyPolicy];\n`;
        assert.deepEqual(await errorsOf(eslint, code, "harness/components/mockAnswers.ts"), []);
    });
});
