/**
 * The package as a user gets it: `npm pack`, installed into a fresh program outside the repository (from the
 * local npm cache, else the registry), then the README's program and commands run from that installation. Skipped,
 * with the reason printed, only when the registry is needed and cannot be reached.
 */
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PreviewReport } from "../../engine/preview";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(ROOT, "tests", "fixtures", "keyPolicies");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
/** npm's codes for a registry it could not reach. */
const UNREACHABLE =
    /code (ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)|network request/;

/** The first ```ts block after `heading` in the README: what a user copies. */
export function readmeProgram(heading: string): string {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const at = readme.indexOf(heading);
    assert.ok(at >= 0, `README has no "${heading}"`);
    const m = /```ts\n([^]*?)```/.exec(readme.slice(at));
    assert.ok(m, `no TypeScript block after "${heading}" in the README`);
    return m[1] as string;
}

/** This process's environment without what `npm test` adds for its own script (npm_package_*, lifecycle...). */
function userEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
        const npmInternal = k.startsWith("npm_") && !/^npm_config_(cache|registry|userconfig)$/.test(k);
        if (!npmInternal && k !== "INIT_CWD" && !k.startsWith("TS_NODE_")) {
            env[k] = v;
        }
    }
    return { ...env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
    return spawnSync(cmd, args, {
        cwd,
        env: { ...userEnv(), ...env },
        encoding: "utf8",
        timeout: 300_000,
        maxBuffer: 64 * 1024 * 1024,
    });
}

describe("the packed package installed into a program outside the repository", function () {
    this.timeout(600_000);
    let work: string;
    let program: string;
    let skipReason: string | undefined;

    before(function () {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "packed-install-"));
        const packed = run(NPM, ["pack", "--pack-destination", work], ROOT);
        assert.equal(packed.status, 0, `npm pack failed:\n${packed.stderr}`);
        const tarball = path.join(work, packed.stdout.trim().split("\n").pop() as string);
        assert.ok(fs.existsSync(tarball), `npm pack wrote no ${tarball}`);

        program = path.join(work, "my-program");
        fs.mkdirSync(program);
        fs.writeFileSync(path.join(program, "package.json"), JSON.stringify({ name: "my-program", private: true }));
        fs.writeFileSync(path.join(program, "Pulumi.yaml"), "name: my-program\nruntime: nodejs\n");
        fs.writeFileSync(path.join(program, "index.ts"), readmeProgram("## Using the package in your own program"));

        let installed = run(NPM, ["install", "--offline", tarball], program);
        if (installed.status !== 0 && /ENOTCACHED/.test(installed.stderr)) {
            installed = run(NPM, ["install", "--prefer-offline", tarball], program);
        }
        if (installed.status !== 0 && UNREACHABLE.test(installed.stderr)) {
            skipReason =
                "the npm registry cannot be reached and the local npm cache lacks some of the package's dependencies: " +
                (installed.stderr.split("\n").find((l) => UNREACHABLE.test(l)) ?? "").trim();
            process.stdout.write(`      SKIPPED: ${skipReason}\n`);
            return;
        }
        assert.equal(installed.status, 0, `npm install of the packed tarball failed:\n${installed.stderr}`);
    });
    beforeEach(function () {
        if (skipReason) {
            this.skip();
        }
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    const bin = (name: string): string => path.join(program, "node_modules", ".bin", name);

    it("ships compiled JavaScript and the pack without its tsconfig.json or the build stamp", () => {
        const pkg = path.join(program, "node_modules", "emr-serverless-disk-encryption");
        for (const f of [
            "bin/components/index.js",
            "bin/engine/cli.js",
            "bin/audit/cli.js",
            "policypack/bin/index.js",
        ]) {
            assert.ok(fs.existsSync(path.join(pkg, f)), `${f} missing from the package`);
        }
        for (const f of ["policypack/tsconfig.json", "bin/.build-stamp.json", "scripts/build.js", "engine/cli.ts"]) {
            assert.equal(fs.existsSync(path.join(pkg, f)), false, `${f} should not be in the package`);
        }
        assert.equal(
            fs.existsSync(path.join(program, "node_modules", "typescript")),
            false,
            "the program has no typescript",
        );
    });

    it("previews the README's program with the README's command: its resources planned, judged by the shipped pack", () => {
        // Transpile-only (the language host's switch): type checking with the bundled TypeScript is tested on a small
        // program in tests/engine/programs.test.ts; here it would spend seconds on @pulumi/aws's declarations.
        const r = run(
            "node",
            [
                bin("emr-disk-encryption-preview"),
                "--config",
                "aws:region=us-east-1",
                "--account-id",
                "111122223333",
                "--json",
            ],
            program,
            { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
        );
        assert.equal(r.status, 0, r.stderr + r.stdout);
        const report = JSON.parse(r.stdout) as PreviewReport;
        assert.equal(report.programError, undefined);
        assert.equal(
            report.policyPack?.dir,
            path.join(program, "node_modules", "emr-serverless-disk-encryption", "policypack"),
        );
        const types = report.steps.map((s) => s.type);
        for (const t of [
            "emr-serverless-disk-encryption:index:EncryptedApplication",
            "aws:kms/keyPolicy:KeyPolicy",
            "aws:emrserverless/application:Application",
        ]) {
            assert.ok(types.includes(t), `${t} not planned: ${types.join(", ")}`);
        }
        // No typescript in the program: the language host's bundled TypeScript, as pulumi preview would use.
        assert.equal(report.program?.typescript?.bundled, true);
        assert.equal(report.program?.typescript?.module, "commonjs");
    });

    it("blocks a wrong program built on the installed package (exit 1, the mandatory violations named)", () => {
        const wrong = path.join(program, "wrong");
        fs.mkdirSync(wrong);
        fs.writeFileSync(path.join(wrong, "Pulumi.yaml"), "name: wrong\nruntime: nodejs\nmain: index.ts\n");
        fs.copyFileSync(
            path.join(ROOT, "examples", "insecure-key", "Pulumi.dev.yaml"),
            path.join(wrong, "Pulumi.dev.yaml"),
        );
        const source = fs
            .readFileSync(path.join(ROOT, "examples", "insecure-key", "index.ts"), "utf8")
            .replace(/from "\.\.\/\.\.\/components\/diskEncryption"/, 'from "emr-serverless-disk-encryption"');
        assert.match(source, /from "emr-serverless-disk-encryption"/);
        fs.writeFileSync(path.join(wrong, "index.ts"), source);
        const r = run("node", [bin("emr-disk-encryption-preview"), "--program", "wrong"], program, {
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        });
        assert.equal(r.status, 1, r.stderr + r.stdout);
        assert.match(r.stdout, /\[mandatory\]\s+disallow-asymmetric-emr-serverless-keys/);
        assert.match(r.stdout, /\[mandatory\]\s+enforce-emr-serverless-service-conditions/);
    });

    it("audits a key-policy file with the installed audit command", () => {
        const app = "arn:aws:emr-serverless:us-east-1:111122223333:/applications/00fabcdexample09";
        const good = run(
            "node",
            [
                bin("emr-disk-encryption-audit"),
                "--key-policy",
                path.join(FIXTURES, "good-aws-guide.json"),
                "--application-arn",
                app,
            ],
            program,
        );
        assert.equal(good.status, 0, good.stderr + good.stdout);
        const bad = run(
            "node",
            [
                bin("emr-disk-encryption-audit"),
                "--key-policy",
                path.join(FIXTURES, "bad-wildcard-source-arn.json"),
                "--application-arn",
                app,
            ],
            program,
        );
        assert.equal(bad.status, 1, bad.stderr + bad.stdout);
    });
});
