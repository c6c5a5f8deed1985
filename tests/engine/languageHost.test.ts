/**
 * The CLI's and the Node.js language host's rules, mirrored: runtime options, nodeargs split like a shell, the
 * working directory and entry from `main`, and the one-line messages for what a program cannot load.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    hostEnvironment,
    missingModuleError,
    packageOfSpecifier,
    parseRuntimeOptions,
    pwdAndEntry,
    splitShellWords,
} from "../../engine/languageHost";
import { packMissingDependency } from "../../engine/packProcess";
import { count, progressLine } from "../../engine/progress";

const moduleError = (message: string, code = "MODULE_NOT_FOUND"): Error => Object.assign(new Error(message), { code });

describe("language host: runtime options", () => {
    it("defaults to TypeScript, no tsconfig, no node arguments", () => {
        assert.deepEqual(parseRuntimeOptions({}), { typescript: true, nodeargs: [] });
        assert.deepEqual(hostEnvironment(parseRuntimeOptions({})), { PULUMI_NODEJS_TYPESCRIPT: "true" });
    });

    it("reads typescript, tsconfig and nodeargs, and sets the host's environment from them", () => {
        const o = parseRuntimeOptions({
            typescript: false,
            tsconfig: "tsconfig.pulumi.json",
            nodeargs: "--max-old-space-size=4096 --trace-warnings",
        });
        assert.deepEqual(o, {
            typescript: false,
            tsconfig: "tsconfig.pulumi.json",
            nodeargs: ["--max-old-space-size=4096", "--trace-warnings"],
        });
        assert.deepEqual(hostEnvironment(o), { PULUMI_NODEJS_TSCONFIG_PATH: "tsconfig.pulumi.json" });
    });

    it("refuses options of the wrong type, naming the option", () => {
        assert.throws(
            () => parseRuntimeOptions({ typescript: "false" }),
            /runtime\.options\.typescript must be a boolean/,
        );
        assert.throws(() => parseRuntimeOptions({ tsconfig: 3 }), /runtime\.options\.tsconfig must be a string/);
        assert.throws(
            () => parseRuntimeOptions({ nodeargs: ["--inspect"] }),
            /runtime\.options\.nodeargs must be a string/,
        );
    });
});

describe("language host: nodeargs split like a shell", () => {
    const cases: [string, string[]][] = [
        ["", []],
        ["  --a   --b  ", ["--a", "--b"]],
        ["--require './set up.js'", ["--require", "./set up.js"]],
        ['--title "a \\"quoted\\" name"', ["--title", 'a "quoted" name']],
        ["a\\ b c", ["a b", "c"]],
        ["--x='' y", ["--x=", "y"]],
        ["'it''s'", ["its"]],
    ];
    for (const [text, words] of cases) {
        it(`${JSON.stringify(text)} -> ${JSON.stringify(words)}`, () => {
            assert.deepEqual(splitShellWords(text), words);
        });
    }
    it("refuses an unterminated quote", () => {
        assert.throws(() => splitShellWords("--require 'x"), /unterminated single quote/);
        assert.throws(() => splitShellWords('--require "x'), /unterminated double quote/);
    });
});

describe("language host: working directory and entry from main", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pwd-main-"));
        fs.mkdirSync(path.join(dir, "src", "app"), { recursive: true });
        fs.writeFileSync(path.join(dir, "src", "main.ts"), "");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("no main: the project directory and '.'", () => {
        assert.deepEqual(pwdAndEntry(dir, undefined), { pwd: dir, entry: "." });
    });
    it("main naming a file: its directory and its name", () => {
        assert.deepEqual(pwdAndEntry(dir, "src/main.ts"), { pwd: path.join(dir, "src"), entry: "main.ts" });
    });
    it("main naming a directory: that directory and '.'", () => {
        assert.deepEqual(pwdAndEntry(dir, "src/app"), { pwd: path.join(dir, "src", "app"), entry: "." });
    });
    it("main that does not exist: the CLI's error", () => {
        assert.throws(() => pwdAndEntry(dir, "src/nope.ts"), /project 'main' could not be read/);
    });
});

describe("language host: what a program cannot load, in one line", () => {
    it("names the package of a specifier, scoped or not, and nothing for paths or built-ins", () => {
        assert.equal(packageOfSpecifier("@pulumi/aws/s3"), "@pulumi/aws");
        assert.equal(packageOfSpecifier("lodash/fp"), "lodash");
        assert.equal(packageOfSpecifier("./lib"), undefined);
        assert.equal(packageOfSpecifier("/abs/path"), undefined);
        assert.equal(packageOfSpecifier("node:fs"), undefined);
    });

    it("a CommonJS require of a missing package", () => {
        const e = missingModuleError(
            moduleError("Cannot find module '@pulumi/aws'\nRequire stack:\n- /p/index.ts"),
            "/p",
        );
        assert.equal(e?.dependency, "@pulumi/aws");
        assert.equal(
            e?.message,
            "the program needs @pulumi/aws, which is not installed for /p: run `npm install @pulumi/aws` in /p",
        );
    });

    it("an ES module import of a missing package", () => {
        const e = missingModuleError(
            moduleError("Cannot find package 'yaml' imported from /p/index.js", "ERR_MODULE_NOT_FOUND"),
            "/p",
        );
        assert.equal(e?.dependency, "yaml");
    });

    it("this package: its own installation instructions", () => {
        const e = missingModuleError(
            moduleError("Cannot find module 'emr-serverless-disk-encryption'"),
            "/p",
            "emr-serverless-disk-encryption",
        );
        assert.match(e?.message ?? "", /npm install <the emr-serverless-disk-encryption tarball or git URL>/);
    });

    it("a missing relative file, with the file that imports it", () => {
        const e = missingModuleError(
            moduleError("Cannot find module './util'\nRequire stack:\n- /p/index.ts\n- /x.js"),
            "/p",
        );
        assert.equal(e?.message, "the program imports ./util (from /p/index.ts), which does not exist");
    });

    it("any other error is not a missing dependency", () => {
        assert.equal(missingModuleError(new Error("Cannot find module 'x'"), "/p"), undefined);
        assert.equal(missingModuleError(moduleError("something else"), "/p"), undefined);
        assert.equal(missingModuleError("Cannot find module 'x'", "/p"), undefined);
    });

    it("a policy pack that cannot load a package says which and how to install it", () => {
        const e = packMissingDependency(
            "/pack",
            "Error: Cannot find module '@pulumi/policy'\nRequire stack:\n- /pack/bin/index.js",
        );
        assert.equal(e?.dependency, "@pulumi/policy");
        assert.doesNotMatch(e?.message ?? "", /\n/);
        assert.equal(packMissingDependency("/pack", "TypeError: x is not a function"), undefined);
    });
});

describe("progress lines", () => {
    it("group thousands and round the elapsed time", () => {
        assert.equal(count(0), "0");
        assert.equal(count(1234567), "1,234,567");
        assert.equal(
            progressLine("running the program", { registered: 10000, analyzed: 9876 }, 61_499),
            "offline preview: running the program: 10,000 resources registered, 9,876 analyzed (61 s)",
        );
    });
});
