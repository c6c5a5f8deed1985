/**
 * The offline preview runs programs as users have them, as the Node.js language host of their `@pulumi/pulumi`
 * runs them: TypeScript with or without its own `typescript` and `tsconfig.json` (type-checked unless turned off),
 * JavaScript (`typescript: false`, Pulumi.yaml `main`, package.json `main`), ES modules; and a dependency it cannot
 * find is named in one line with the command that installs it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PolicyPackClient } from "../../engine/analyzer";
import { MissingDependencyError } from "../../engine/languageHost";
import { runPreview } from "../../engine/preview";
import { EXIT, type PreviewReport } from "../../engine/previewReport";
import { rmSandbox, sandbox } from "./sandbox";
import { ROOT } from "./support";

const PROGRAMS = path.join(__dirname, "programs");
const ECHO_PACK = path.join(__dirname, "packs", "echo");
const TS_VERSION = (
    JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/typescript/package.json"), "utf8")) as {
        version: string;
    }
).version;
/** The language host's switch for ts-node's transpile-only mode (used where type checking is not the point). */
const TRANSPILE_ONLY = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };

/** The sizes the test programs gave their `test:index:Thing`s (the echo pack refuses each: `bad: true`). */
function thingSizes(report: PreviewReport): unknown[] {
    return report.steps.filter((s) => s.type === "test:index:Thing").map((s) => s.inputs["size"]);
}

/** Node.js strips TypeScript types from the modules it imports (on by default from Node.js 22.18 and 23.6). */
const NODE_STRIPS_TYPES = Boolean((process.features as { typescript?: string | false }).typescript);

describe("offline preview: programs as users have them", function () {
    this.timeout(300_000);
    let pack: PolicyPackClient;
    const dirs: string[] = [];

    before(async () => {
        pack = await PolicyPackClient.launch({
            packDir: ECHO_PACK,
            stack: { project: "p", stack: "dev", dryRun: true },
        });
    });
    after(async () => {
        await pack?.close();
        dirs.forEach(rmSandbox);
    });

    const preview = (programDir: string, programEnv: Record<string, string> = {}): Promise<PreviewReport> =>
        runPreview({ programDir, packDir: ECHO_PACK, programEnv }, pack);

    /** A program judged: loaded, its resource registered and refused by the pack (exit 1, not 2). */
    function assertJudged(report: PreviewReport, size: number): void {
        assert.equal(report.programError, undefined, report.programError);
        assert.deepEqual(thingSizes(report), [size]);
        assert.equal(report.exitCode, EXIT.mandatoryViolation);
        assert.ok(report.diagnostics.some((d) => d.policyName === "deny-bad"));
    }

    it("type-checks a TypeScript program with its own typescript and tsconfig.json, under the tsconfig's options", async () => {
        const report = await preview(path.join(PROGRAMS, "ts-own-tsconfig"));
        assertJudged(report, 3);
        assert.deepEqual(report.program?.typescript, {
            version: TS_VERSION,
            bundled: false,
            transpileOnly: false,
            module: "commonjs",
            esmHooks: false,
        });
    });

    it("fails a program with a type error (exit 2, the compiler's message) unless noCheck or PULUMI_NODEJS_TRANSPILE_ONLY turns checking off", async () => {
        const dir = sandbox(path.join(PROGRAMS, "ts-own-tsconfig"));
        dirs.push(dir);
        fs.appendFileSync(path.join(dir, "index.ts"), `export const wrong: number = "three";\n`);
        const checked = await preview(dir);
        assert.equal(checked.exitCode, EXIT.error);
        assert.match(checked.programError ?? "", /index\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable/);
        assert.deepEqual(thingSizes(checked), []);

        const byEnv = await preview(dir, TRANSPILE_ONLY);
        assertJudged(byEnv, 3);
        assert.equal(byEnv.program?.typescript?.transpileOnly, true);

        const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, "tsconfig.json"), "utf8")) as {
            compilerOptions: Record<string, unknown>;
        };
        tsconfig.compilerOptions["noCheck"] = true;
        fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
        const byTsconfig = await preview(dir);
        assertJudged(byTsconfig, 3);
        assert.equal(byTsconfig.program?.typescript?.transpileOnly, true);
    });

    it("compiles TypeScript without its own typescript or tsconfig.json with the SDK's bundled TypeScript 3.8.3 and commonjs, type-checked", async () => {
        const dir = sandbox(path.join(PROGRAMS, "ts-no-tsconfig"), {
            without: ["typescript", "ts-node"],
            copy: ["@pulumi/pulumi"],
        });
        dirs.push(dir);
        const report = await preview(dir);
        assertJudged(report, 1);
        assert.deepEqual(report.program?.typescript, {
            version: "3.8.3",
            bundled: true,
            transpileOnly: false,
            module: "commonjs",
            esmHooks: false,
        });
    });

    it("compiles TypeScript with a tsconfig.json but without its own typescript with the bundled TypeScript", async () => {
        const dir = sandbox(path.join(PROGRAMS, "ts-tsconfig-no-typescript"), {
            without: ["typescript", "ts-node"],
            copy: ["@pulumi/pulumi"],
        });
        dirs.push(dir);
        const report = await preview(dir, TRANSPILE_ONLY);
        assertJudged(report, 2);
        assert.deepEqual(report.program?.typescript, {
            version: "3.8.3",
            bundled: true,
            transpileOnly: true,
            module: "commonjs",
            esmHooks: false,
        });
    });

    it("runs a JavaScript program with typescript: false without registering TypeScript", async () => {
        const report = await preview(path.join(PROGRAMS, "js-typescript-false"));
        assertJudged(report, 4);
        assert.equal(report.program?.typescript, undefined);
        assert.equal(report.program?.entry, path.join(PROGRAMS, "js-typescript-false"));
    });

    it("runs the JavaScript file Pulumi.yaml main names, in that file's directory", async () => {
        // The program reads size.txt relative to its working directory: src/, as the CLI sets it.
        const report = await preview(path.join(PROGRAMS, "js-main"));
        assertJudged(report, 5);
        assert.equal(report.program?.entry, path.join(PROGRAMS, "js-main", "src", "program.js"));
    });

    it("runs the JavaScript file package.json main names, and calls the function it exports", async () => {
        const report = await preview(path.join(PROGRAMS, "js-package-main"));
        assertJudged(report, 6);
        assert.equal(report.program?.entry, path.join(PROGRAMS, "js-package-main", "lib", "entry.js"));
        assert.equal(report.program?.esm, false);
    });

    it("imports ES modules: JavaScript with a default export, and TypeScript through ts-node's ESM hooks", async () => {
        const js = await preview(path.join(PROGRAMS, "esm-js"));
        assertJudged(js, 7);
        assert.equal(js.program?.esm, true);
        const ts = await preview(path.join(PROGRAMS, "esm-ts"), TRANSPILE_ONLY);
        assertJudged(ts, 8);
        assert.equal(ts.program?.esm, true);
        assert.equal(ts.program?.typescript?.esmHooks, true);
        assert.equal(ts.program?.typescript?.module, "nodenext");
    });
});

describe("offline preview: a missing dependency is one line naming it and its install command", function () {
    this.timeout(180_000);
    let pack: PolicyPackClient;
    const dirs: string[] = [];
    before(async () => {
        pack = await PolicyPackClient.launch({
            packDir: ECHO_PACK,
            stack: { project: "needs-things", stack: "dev", dryRun: true },
        });
    });
    after(async () => {
        await pack?.close();
        dirs.forEach(rmSandbox);
    });

    const tsProgram = (imports: string): Record<string, string> => ({
        "Pulumi.yaml": "name: needs-things\nruntime: nodejs\nmain: index.ts\n",
        "package.json": JSON.stringify({ name: "needs-things", private: true }),
        "tsconfig.json": JSON.stringify({ compilerOptions: { noCheck: true } }),
        "index.ts": `${imports}\nexport const ok = true;\n`,
    });

    /** The error runPreview throws for the program `dir`. */
    async function failure(dir: string): Promise<Error> {
        dirs.push(dir);
        try {
            await runPreview({ programDir: dir, packDir: ECHO_PACK }, pack);
        } catch (e) {
            return e as Error;
        }
        assert.fail("the preview did not fail");
    }

    function assertOneLine(e: Error, dependency: string, install: RegExp): void {
        assert.ok(e instanceof MissingDependencyError, `${e.name}: ${e.message}`);
        assert.equal(e.dependency, dependency);
        assert.doesNotMatch(e.message, /\n/);
        assert.match(e.message, install);
    }

    it("@pulumi/pulumi: the program's directory resolves none", async () => {
        const dir = sandbox(tsProgram(`import * as pulumi from "@pulumi/pulumi";`), { noModules: true });
        const e = await failure(dir);
        assertOneLine(e, "@pulumi/pulumi", /run `npm install @pulumi\/pulumi` in /);
    });

    it("@pulumi/aws, imported by the program", async () => {
        const dir = sandbox(tsProgram(`import * as aws from "@pulumi/aws";\nvoid aws;`), { without: ["@pulumi/aws"] });
        const e = await failure(dir);
        assertOneLine(
            e,
            "@pulumi/aws",
            /the program needs @pulumi\/aws, which is not installed .*npm install @pulumi\/aws/,
        );
    });

    it("this package, with its own installation instructions", async () => {
        const dir = sandbox(
            tsProgram(
                `import { EncryptedApplication } from "emr-serverless-disk-encryption";\nvoid EncryptedApplication;`,
            ),
        );
        const e = await failure(dir);
        assertOneLine(
            e,
            "emr-serverless-disk-encryption",
            /npm install <the emr-serverless-disk-encryption tarball or git URL>/,
        );
    });

    it("a relative module that does not exist, with the file that imports it", async () => {
        const dir = sandbox(tsProgram(`import { thing } from "./missing";\nvoid thing;`));
        const e = await failure(dir);
        assertOneLine(e, "./missing", /the program imports \.\/missing \(from .*index\.ts\), which does not exist/);
    });

    it("ts-node, for a TypeScript ES module whose project has typescript but no ts-node, where Node.js does not strip types", async () => {
        const dir = sandbox(path.join(PROGRAMS, "esm-ts"), { without: ["ts-node"], copy: ["@pulumi/pulumi"] });
        if (NODE_STRIPS_TYPES) {
            // Node.js imports the module itself, as it does under the language host: the program runs.
            dirs.push(dir);
            const report = await runPreview({ programDir: dir, packDir: ECHO_PACK }, pack);
            assert.equal(report.programError, undefined);
            assert.ok(report.program?.esm, "loaded as an ES module");
            return;
        }
        const e = await failure(dir);
        assertOneLine(e, "ts-node", /TypeScript ES module .*npm install --save-dev ts-node typescript/);
    });

    it("the command prints that one line on stderr, no stack trace, and exits 2", async () => {
        const dir = sandbox(tsProgram(`import * as pulumi from "@pulumi/pulumi";`), { noModules: true });
        dirs.push(dir);
        const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
            const child = spawn(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", path.join(ROOT, "engine", "cli.ts"), "--program", dir],
                { cwd: ROOT, env: { ...process.env, INIT_CWD: ROOT }, stdio: ["ignore", "pipe", "pipe"] },
            );
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
            child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
            child.on("error", reject);
            child.on("exit", (code) => resolve({ code, stdout, stderr }));
        });
        assert.equal(run.code, EXIT.error);
        assert.equal(run.stdout, "");
        assert.match(
            run.stderr,
            /^error: the program needs @pulumi\/pulumi, which is not installed for .*npm install @pulumi\/pulumi.*\n$/,
        );
        assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    });
});
