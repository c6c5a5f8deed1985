/**
 * The packages as a user gets them: `npm pack` of the component package and of the audit package (`-w audit`),
 * installed into a fresh program outside the repository that already
 * depends on its own `@pulumi/pulumi` and `@pulumi/aws` (the versions this checkout is tested with: the oldest
 * supported on the lockfile's leg, the newest on the newest leg of .ci/run), from the local npm cache, else the
 * registry; then the README's program and commands run from that installation. Skipped, with the reason printed,
 * only when the registry is needed and cannot be reached.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { PreviewReport } from "../../engine/previewReport";
import { EmrServerlessServer } from "../support/emrServerlessServer";
import { startKmsServer } from "../support/kmsServer";

const ROOT = path.resolve(__dirname, "../..");
const FIXTURES = path.join(ROOT, "tests", "fixtures", "keyPolicies");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
/** npm's codes for a registry it could not reach. */
const UNREACHABLE =
    /code (ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)|network request/;

/** The SDKs a user's program brings: the package declares them as peer dependencies. */
const PEERS = ["@pulumi/pulumi", "@pulumi/aws"] as const;
/** The AWS SDK's warning about the Node.js version it runs on (`emitWarningIfUnsupportedVersion`). */
const NODE_VERSION_WARNING = /NodeVersionSupportWarning|will require node >=\d+|You are running node v\d/;
/** The oldest Node.js line the newest AWS SDK releases support without a warning. */
const AWS_SDK_NODE_LINE = 22;

/** The version of `name` installed for this checkout (what the suite runs on). */
export function installedVersion(name: string, from: string = ROOT): string {
    const pkg = JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [from] }), "utf8")) as {
        version: string;
    };
    return pkg.version;
}

/** Every copy of `name` installed under `dir`, nested ones included: the package.json paths and their versions. */
export function installedCopies(dir: string, name: string): { at: string; version: string }[] {
    const found: { at: string; version: string }[] = [];
    const walk = (nodeModules: string): void => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(nodeModules, { withFileTypes: true });
        } catch {
            return;
        }
        const pkgJson = path.join(nodeModules, ...name.split("/"), "package.json");
        if (fs.existsSync(pkgJson)) {
            found.push({
                at: pkgJson,
                version: (JSON.parse(fs.readFileSync(pkgJson, "utf8")) as { version: string }).version,
            });
        }
        for (const e of entries) {
            if (!e.isDirectory() || e.name === ".bin") {
                continue;
            }
            const pkgs = e.name.startsWith("@")
                ? fs.readdirSync(path.join(nodeModules, e.name)).map((n) => path.join(nodeModules, e.name, n))
                : [path.join(nodeModules, e.name)];
            for (const pkg of pkgs) {
                walk(path.join(pkg, "node_modules"));
            }
        }
    };
    walk(path.join(dir, "node_modules"));
    return found;
}

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

describe("counting the installed copies of a package", () => {
    it("finds the top-level copy and copies nested under scoped and unscoped packages, with their versions", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "copies-"));
        try {
            const put = (rel: string, version: string): void => {
                fs.mkdirSync(path.join(dir, rel), { recursive: true });
                fs.writeFileSync(path.join(dir, rel, "package.json"), JSON.stringify({ name: "x", version }));
            };
            put("node_modules/@pulumi/pulumi", "3.276.0");
            put("node_modules/@pulumi/aws", "7.48.0");
            put("node_modules/@scope/lib/node_modules/@pulumi/pulumi", "3.248.0");
            put("node_modules/lib/node_modules/dep/node_modules/@pulumi/pulumi", "3.200.0");
            put("node_modules/@pulumi/pulumi-other", "1.0.0");
            const copies = installedCopies(dir, "@pulumi/pulumi").map((c) => [path.relative(dir, c.at), c.version]);
            assert.deepEqual(copies.sort(), [
                [path.join("node_modules/@pulumi/pulumi/package.json"), "3.276.0"],
                [path.join("node_modules/@scope/lib/node_modules/@pulumi/pulumi/package.json"), "3.248.0"],
                [path.join("node_modules/lib/node_modules/dep/node_modules/@pulumi/pulumi/package.json"), "3.200.0"],
            ]);
            assert.deepEqual(
                installedCopies(dir, "@pulumi/aws").map((c) => c.version),
                ["7.48.0"],
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

function runAsync(
    cmd: string,
    args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd, env: { ...userEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
}

describe("the packed package installed into a program outside the repository", function () {
    this.timeout(600_000);
    let work: string;
    let program: string;
    let skipReason: string | undefined;

    before(function () {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "packed-install-"));
        const tarballs = [[], ["-w", "audit"]].map((workspace) => {
            const packed = run(NPM, ["pack", ...workspace, "--pack-destination", work], ROOT);
            assert.equal(packed.status, 0, `npm pack ${workspace.join(" ")} failed:\n${packed.stderr}`);
            const tarball = path.join(work, packed.stdout.trim().split("\n").pop() as string);
            assert.ok(fs.existsSync(tarball), `npm pack wrote no ${tarball}`);
            return tarball;
        });

        program = path.join(work, "my-program");
        fs.mkdirSync(program);
        // The program's own SDKs, declared before it installs the package, as a user's program has them.
        const own = Object.fromEntries(PEERS.map((p) => [p, installedVersion(p)]));
        fs.writeFileSync(
            path.join(program, "package.json"),
            JSON.stringify({ name: "my-program", private: true, dependencies: own }),
        );
        fs.writeFileSync(path.join(program, "Pulumi.yaml"), "name: my-program\nruntime: nodejs\n");
        fs.writeFileSync(path.join(program, "index.ts"), readmeProgram("## Using the package in your own program"));

        let installed = run(NPM, ["install", "--offline", ...tarballs], program);
        if (installed.status !== 0 && /ENOTCACHED/.test(installed.stderr)) {
            installed = run(NPM, ["install", "--prefer-offline", ...tarballs], program);
        }
        if (installed.status !== 0 && UNREACHABLE.test(installed.stderr)) {
            skipReason =
                "the npm registry cannot be reached and the local npm cache lacks some of the package's dependencies: " +
                (installed.stderr.split("\n").find((l) => UNREACHABLE.test(l)) ?? "").trim();
            process.stdout.write(`      SKIPPED: ${skipReason}\n`);
            return;
        }
        assert.equal(installed.status, 0, `npm install of the packed tarballs failed:\n${installed.stderr}`);
    });
    beforeEach(function () {
        if (skipReason) {
            this.skip();
        }
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    const bin = (name: string): string => path.join(program, "node_modules", ".bin", name);

    it("ships compiled JavaScript and the pack without its sources, its tsconfig.json or the build stamp", () => {
        const pkg = path.join(program, "node_modules", "emr-serverless-disk-encryption");
        for (const f of ["bin/components/index.js", "bin/engine/cli.js", "policypack/bin/index.js"]) {
            assert.ok(fs.existsSync(path.join(pkg, f)), `${f} missing from the package`);
        }
        for (const f of [
            "policypack/tsconfig.json",
            "policypack/index.ts",
            "bin/.build-stamp.json",
            "scripts/build.js",
            "engine/cli.ts",
            "bin/audit/cli.js",
            "bin/policypack",
        ]) {
            assert.equal(fs.existsSync(path.join(pkg, f)), false, `${f} should not be in the package`);
        }
        const audit = path.join(program, "node_modules", "emr-serverless-disk-encryption-audit");
        assert.ok(fs.existsSync(path.join(audit, "bin", "audit", "cli.js")), "the audit package's command");
        // The audit package brings no Pulumi SDK of its own: the program's are the only copies (next test).
        assert.equal(fs.existsSync(path.join(audit, "node_modules", "@pulumi")), false);
        assert.equal(
            fs.existsSync(path.join(program, "node_modules", "typescript")),
            false,
            "the program has no typescript",
        );
    });

    it("leaves the program one copy of @pulumi/pulumi and of @pulumi/aws: its own versions", () => {
        for (const p of PEERS) {
            const copies = installedCopies(program, p);
            assert.deepEqual(
                copies.map((c) => path.relative(program, c.at)),
                [path.join("node_modules", p, "package.json")],
                `${p}: one copy expected, found ${JSON.stringify(copies)}`,
            );
            assert.equal(copies[0]?.version, installedVersion(p), p);
        }
        // npm agrees: nothing invalid or missing among the peers, and the package uses the program's copies.
        const ls = run(NPM, ["ls", ...PEERS, "--all", "--json"], program);
        assert.equal(ls.status, 0, ls.stderr + ls.stdout);
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

    it("audits a live application with the installed audit command, with no Node.js version warning on a supported line", async () => {
        const emr = new EmrServerlessServer();
        await emr.start();
        const kms = await startKmsServer();
        try {
            const app = "00fabcdexample09";
            const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
            emr.addApplication(app, "CREATED", { encryptionKeyArn: key });
            kms.keys.set(key, {
                arn: key,
                policy: fs.readFileSync(path.join(FIXTURES, "good-aws-guide.json"), "utf8"),
            });
            const r = await runAsync(
                process.execPath,
                [bin("emr-disk-encryption-audit"), "--application", app, "--region", "us-east-1", "--json"],
                program,
                {
                    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
                    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    AWS_EC2_METADATA_DISABLED: "true",
                    AWS_CONFIG_FILE: path.join(program, "no-such-aws-config"),
                    AWS_SHARED_CREDENTIALS_FILE: path.join(program, "no-such-aws-credentials"),
                    AWS_ENDPOINT_URL_EMR_SERVERLESS: emr.url,
                    AWS_ENDPOINT_URL_KMS: kms.url,
                    // Whatever the caller's environment says, warnings are printed and the SDK's is not switched off.
                    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "false",
                    NODE_NO_WARNINGS: "0",
                    NODE_OPTIONS: "",
                },
            );
            // The real SDK clients were built and spoke to the servers (the warning is emitted when they are built).
            assert.ok(emr.count("GetApplication") >= 1, r.stderr);
            assert.ok(kms.requests.length >= 1, r.stderr);
            const report = JSON.parse(r.stdout) as { checks: { id: string; status: string }[] };
            assert.equal(report.checks.find((c) => c.id === "disk-encryption")?.status, "pass", r.stdout);
            const major = Number(process.versions.node.split(".")[0]);
            if (major >= AWS_SDK_NODE_LINE) {
                assert.doesNotMatch(r.stderr, NODE_VERSION_WARNING);
            } else {
                // On an older line the SDK does warn: the pattern above matches its real words.
                assert.match(r.stderr, NODE_VERSION_WARNING);
            }
        } finally {
            await emr.stop();
            await kms.close();
        }
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
