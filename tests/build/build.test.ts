/**
 * scripts/build.js: a project is compiled when, and only when, what it was built from changed, and the compiled
 * commands' check names what is stale and how to rebuild. Exercised on a copy of the policy pack project.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

interface BuildScript {
    STAMP: string;
    staleReasons(root: string, names?: string[]): string[];
    assertFresh(root: string, names: string[]): void;
    build(root: string, names: string[], opts?: { force?: boolean; log?: (s: string) => void }): number;
}
const script = require(path.join(ROOT, "scripts", "build.js")) as BuildScript;

describe("build: compiled code is rebuilt exactly when its sources change", function () {
    this.timeout(180_000);
    let root: string;
    const logs: string[] = [];
    const build = (force = false): number => script.build(root, ["policypack"], { force, log: (s) => logs.push(s) });
    const stale = (): string[] => script.staleReasons(root, ["policypack"]);
    const edit = (file: string, f: (text: string) => string): void =>
        fs.writeFileSync(path.join(root, file), f(fs.readFileSync(path.join(root, file), "utf8")));

    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "build-test-"));
        fs.cpSync(path.join(ROOT, "policypack"), path.join(root, "policypack"), {
            recursive: true,
            filter: (src) => !/[\\/]policypack[\\/](bin|node_modules)$/.test(src),
        });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("a project never built is stale, and building it writes its outputs and a stamp that makes it fresh", () => {
        assert.deepEqual(stale(), ["policypack: not built yet"]);
        assert.equal(build(), 0);
        assert.ok(fs.existsSync(path.join(root, "policypack", "bin", "index.js")));
        assert.ok(fs.existsSync(path.join(root, script.STAMP)));
        assert.deepEqual(stale(), []);
        assert.doesNotThrow(() => script.assertFresh(root, ["policypack"]));
    });

    it("a fresh project is not compiled again", () => {
        logs.length = 0;
        const before = fs.statSync(path.join(root, "policypack", "bin", "index.js")).mtimeMs;
        assert.equal(build(), 0);
        assert.deepEqual(logs, []);
        assert.equal(fs.statSync(path.join(root, "policypack", "bin", "index.js")).mtimeMs, before);
    });

    it("a changed source is named, the compiled command refuses to run, and a rebuild makes it fresh", () => {
        edit("policypack/judge/constants.ts", (t) => `${t}\nexport const ADDED_BY_TEST = 1;\n`);
        assert.deepEqual(stale(), ["policypack: policypack/judge/constants.ts changed"]);
        assert.throws(
            () => script.assertFresh(root, ["policypack"]),
            /older than its sources \(policypack: policypack\/judge\/constants\.ts changed\): run `npm run build`/,
        );
        assert.equal(build(), 0);
        assert.deepEqual(stale(), []);
        assert.match(
            fs.readFileSync(path.join(root, "policypack", "bin", "judge", "constants.js"), "utf8"),
            /ADDED_BY_TEST/,
        );
    });

    it("content decides, not modification times: touching a file changes nothing", () => {
        const file = path.join(root, "policypack", "index.ts");
        const later = new Date(Date.now() + 60_000);
        fs.utimesSync(file, later, later);
        assert.deepEqual(stale(), []);
    });

    it("a new source file, a changed tsconfig and a missing output each make the project stale", () => {
        // Each change undone: the stamp compares content, so undoing it makes the project fresh again, unbuilt.
        const extra = path.join(root, "policypack", "judge", "extra.ts");
        fs.writeFileSync(extra, "export const extra = 2;\n");
        assert.deepEqual(stale(), ["policypack: policypack/judge/extra.ts is new"]);
        fs.rmSync(extra);
        assert.deepEqual(stale(), []);

        const tsconfig = path.join(root, "policypack", "tsconfig.json");
        const original = fs.readFileSync(tsconfig, "utf8");
        fs.writeFileSync(
            tsconfig,
            original.replace('"sourceMap": false', '"sourceMap": false, "removeComments": true'),
        );
        assert.deepEqual(stale(), ["policypack: policypack/tsconfig.json changed"]);
        fs.writeFileSync(tsconfig, original);
        assert.deepEqual(stale(), []);

        const output = path.join(root, "policypack", "bin", "policies", "index.js");
        const compiled = fs.readFileSync(output);
        fs.rmSync(output);
        assert.deepEqual(stale(), ["policypack: policypack/bin/policies/index.js is missing"]);
        fs.writeFileSync(output, compiled);
        assert.deepEqual(stale(), []);
    });

    it("a type error fails the build (exit 1) and leaves the project stale", () => {
        fs.writeFileSync(path.join(root, "policypack", "judge", "extra.ts"), 'export const extra: number = "two";\n');
        const stderr = process.stderr.write;
        process.stderr.write = (() => true) as typeof process.stderr.write;
        let code: number;
        try {
            code = build();
        } finally {
            process.stderr.write = stderr;
        }
        assert.equal(code, 1);
        assert.deepEqual(stale(), ["policypack: policypack/judge/extra.ts is new"]);
        assert.ok(logs.some((l) => /policypack failed/.test(l)));
    });

    it("names unknown projects instead of guessing", () => {
        assert.throws(
            () => script.staleReasons(root, ["pack"]),
            /unknown project "pack" \(projects: components, policypack, audit, engine\)/,
        );
    });
});
