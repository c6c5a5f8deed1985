/**
 * How the plugin is started and packaged: its executable (what `pulumi plugin install ... --file <folder>` and
 * a `plugins.providers` path run), the Node.js language host's way for `pulumi package add` (run-plugin on the
 * PulumiPlugin.yaml folder), what `npm pack` ships, and the joint between the SDK's server and this plugin's
 * handlers, including what the pinned SDK answers on its own (so that a change of the SDK shows up here).
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    assertBuildIsFresh,
    FakeEngine,
    PACKAGED_PLUGIN,
    PLUGIN_EXECUTABLE,
    PluginCallError,
    ProviderPlugin,
    ROOT,
    stubs,
    type PluginCommand,
} from "../../harness/providerPlugin";
import {
    composeImplementation,
    DiskEncryptionProviderService,
    SERVED_METHODS,
    serve,
    type Runtime,
} from "../../provider/server";

const PROVIDER_URN = "urn:pulumi:dev::emr::pulumi:providers:emr-serverless-disk-encryption::default";
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    name: string;
    version: string;
    main: string;
    workspaces: string[];
    peerDependencies: Record<string, string>;
    files: string[];
    pulumi: { resource: boolean; name: string; version: string };
};

describe("provider plugin: start-up and packaging", function () {
    this.timeout(120_000);
    const engine = new FakeEngine();
    let tmp = "";

    before(async () => {
        assertBuildIsFresh();
        await engine.start();
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "emr-plugin-launch-"));
    });
    after(async () => {
        await engine.stop();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** Starts `cmd`, checks the port line, GetPluginInfo and one served method, and stops it. */
    async function startsAndServes(cmd: PluginCommand): Promise<void> {
        const plugin = await ProviderPlugin.launch(cmd, engine.address);
        try {
            assert.ok(plugin.port > 0);
            assert.equal(await plugin.getPluginInfo(), manifest.version);
            const r = await plugin.checkConfig(PROVIDER_URN, {}, { regoin: "x" });
            assert.deepEqual(
                r.failures.map((f) => f.property),
                ["regoin"],
                "this plugin's CheckConfig, not the SDK's UNIMPLEMENTED",
            );
        } finally {
            await plugin.close();
        }
    }

    it("the executable starts the plugin: the port is the first stdout line, GetPluginInfo answers the package version", async () => {
        const stat = fs.statSync(PLUGIN_EXECUTABLE);
        assert.ok((stat.mode & 0o111) !== 0, "pulumi-resource-emr-serverless-disk-encryption is executable");
        await startsAndServes({ ...PACKAGED_PLUGIN, cwd: tmp });
    });

    it("the executable also runs from a folder into which the package was installed as a dependency", async () => {
        const folder = path.join(tmp, "plugin-folder");
        fs.mkdirSync(path.join(folder, "node_modules"), { recursive: true });
        fs.copyFileSync(PLUGIN_EXECUTABLE, path.join(folder, path.basename(PLUGIN_EXECUTABLE)));
        fs.chmodSync(path.join(folder, path.basename(PLUGIN_EXECUTABLE)), 0o755);
        fs.symlinkSync(ROOT, path.join(folder, "node_modules", manifest.name), "dir");
        await startsAndServes({ command: path.join(folder, path.basename(PLUGIN_EXECUTABLE)), args: [], cwd: tmp });
    });

    it("the executable says what is missing when there is no compiled provider next to it", () => {
        const folder = path.join(tmp, "empty-folder");
        fs.mkdirSync(folder);
        const exe = path.join(folder, path.basename(PLUGIN_EXECUTABLE));
        fs.copyFileSync(PLUGIN_EXECUTABLE, exe);
        fs.chmodSync(exe, 0o755);
        let stderr = "";
        try {
            execFileSync(exe, ["127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
            assert.fail("expected a failure");
        } catch (e) {
            stderr = String((e as { stderr?: Buffer }).stderr ?? "");
        }
        assert.match(stderr, /no compiled provider in .*Run npm run build/);
    });

    it("the language host's way (pulumi package add): run-plugin on the PulumiPlugin.yaml folder serves this plugin", async () => {
        // What pulumi-language-nodejs RunPlugin executes: node <@pulumi/pulumi/cmd/run-plugin> <program dir> <args>,
        // in the user's project directory; run-plugin requires the folder (its package.json main).
        const runPlugin = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-plugin");
        await startsAndServes({ command: process.execPath, args: [runPlugin, path.join(ROOT, "provider")], cwd: tmp });
    });

    it("the PulumiPlugin.yaml folder: runtime nodejs, a package.json whose main is the compiled entry, a workspace of the package root", () => {
        const yaml = require("js-yaml") as { load(text: string): unknown };
        const plugin = yaml.load(fs.readFileSync(path.join(ROOT, "provider", "PulumiPlugin.yaml"), "utf8")) as {
            runtime: unknown;
        };
        assert.equal(plugin.runtime, "nodejs");
        const folder = JSON.parse(fs.readFileSync(path.join(ROOT, "provider", "package.json"), "utf8")) as {
            main: string;
            dependencies?: unknown;
        };
        assert.equal(path.resolve(ROOT, "provider", folder.main), path.join(ROOT, "bin", "provider", "index.js"));
        // The plugin runs in its own process: it depends on the SDKs the package only names as peers of a program.
        assert.deepEqual(
            folder.dependencies,
            {
                "@pulumi/aws": manifest.peerDependencies["@pulumi/aws"],
                "@pulumi/pulumi": manifest.peerDependencies["@pulumi/pulumi"],
            },
            "the plugin's own dependencies are the package's peer ranges",
        );
        assert.ok(manifest.workspaces.includes("provider"), "the language host installs at the workspace root");
        assert.equal(manifest.main, "bin/components/index.js", "the package's own main stays the component library");
    });

    it("package.json names the plugin (name and version of the package) and npm pack ships what it needs", () => {
        assert.deepEqual(manifest.pulumi, { resource: true, name: manifest.name, version: manifest.version });
        const [packed] = JSON.parse(
            execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" }),
        ) as { files: { path: string; mode: number }[] }[];
        const files = new Map((packed?.files ?? []).map((f) => [f.path, f.mode]));
        for (const f of [
            "pulumi-resource-emr-serverless-disk-encryption",
            "bin/provider/index.js",
            "bin/provider/server.js",
            "bin/components/index.js",
            "provider/PulumiPlugin.yaml",
            "provider/package.json",
            "provider/schema.json",
            "package.json",
        ]) {
            assert.ok(files.has(f), `npm pack leaves out ${f}`);
        }
        assert.ok(
            ((files.get("pulumi-resource-emr-serverless-disk-encryption") ?? 0) & 0o111) !== 0,
            "shipped executable",
        );
        assert.ok(![...files.keys()].some((f) => f.startsWith("tests/")), "no tests in the package");
    });
});

describe("provider plugin: the SDK's server and this plugin's handlers", function () {
    this.timeout(120_000);
    const engine = new FakeEngine();

    before(async () => engine.start());
    after(async () => engine.stop());

    it("the pinned SDK alone: CheckConfig and DiffConfig UNIMPLEMENTED, Diff without a detailed diff (what this plugin serves itself)", async () => {
        const sdk = await ProviderPlugin.launch(
            { command: process.execPath, args: [path.join(__dirname, "support", "sdkDiffProvider.js")] },
            engine.address,
        );
        try {
            for (const p of [sdk.checkConfig(PROVIDER_URN, {}, {}), sdk.diffConfig(PROVIDER_URN, {}, {})]) {
                const e = await p.then(
                    () => undefined,
                    (x: unknown) => x,
                );
                assert.ok(e instanceof PluginCallError, "expected UNIMPLEMENTED");
                assert.equal(e.code, stubs.grpc.status.UNIMPLEMENTED);
            }
            const d = await sdk.diff("id", "urn:pulumi:dev::p::t:index:R::r", { a: 1 }, { a: 2 });
            assert.deepEqual(d.replaces, ["applicationId"]);
            assert.equal(d.hasDetailedDiff, false);
            assert.deepEqual(d.detailed, {});
            const c = await sdk.configure({ region: "x" });
            assert.equal(c.acceptSecrets, true, "the SDK's Configure answers without reading the configuration");
        } finally {
            await sdk.close();
        }
    });

    it("composition: the served methods are this plugin's; every other one is the SDK object's, bound to it", () => {
        const calls: string[] = [];
        const sdkObject = {
            name: "sdk",
            construct(this: { name: string }) {
                calls.push(`construct:${this.name}`);
            },
            getPluginInfo(this: { name: string }) {
                calls.push(`getPluginInfo:${this.name}`);
            },
            check() {
                calls.push("sdk-check");
            },
        };
        const ours = new DiskEncryptionProviderService({} as Runtime);
        const composed = composeImplementation(stubs.providerGrpc.ResourceProviderService, sdkObject, ours);
        composed.construct?.();
        composed.getPluginInfo?.();
        assert.deepEqual(calls, ["construct:sdk", "getPluginInfo:sdk"]);
        for (const m of SERVED_METHODS) {
            assert.equal(typeof composed[m], "function", m);
            assert.notEqual(composed[m], sdkObject[m as keyof typeof sdkObject], `${m} is not the SDK's`);
        }
        assert.equal(composed.handshake, undefined, "what neither serves stays unimplemented");
    });

    it("start-up fails closed, naming the cause, when the SDK's main does not register the service synchronously", async () => {
        class FakeServer {
            addService(): void {}
        }
        const original = FakeServer.prototype.addService;
        const rt = {
            grpc: { Server: FakeServer },
            provrpc: { ResourceProviderService: stubs.providerGrpc.ResourceProviderService },
            provider: { main: async () => undefined },
        } as unknown as Runtime;
        await assert.rejects(
            serve(
                [],
                { version: "0", getSchema: async () => "{}", construct: async () => ({ urn: "", state: {} }) },
                rt,
            ),
            /did not register the ResourceProvider service synchronously.*supports @pulumi\/pulumi 3\.248\.0/s,
        );
        assert.equal(FakeServer.prototype.addService, original, "the wrapper is removed afterwards");
    });
});
