/**
 * What `npm pack` ships, read from `npm pack --dry-run --json` (nothing written, no network) over the compiled code
 * `npm test` builds first: the component package carries the policy pack's judge once, compiled inside the pack
 * (policypack/bin/judge, where its component, provider plugin and offline preview load it from), and no TypeScript
 * sources; the audit command is a package of its own that carries its own compiled judge; each package's run-time
 * dependencies are exactly the packages its shipped code requires, so the KMS client is the audit's, not the
 * component's. Every package, and every folder distributed as a unit (the policy pack, the provider plugin folder),
 * carries the project's licence.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

interface Manifest {
    name: string;
    license?: string;
    private?: boolean;
    workspaces?: string[];
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
}

interface Packed {
    /** The package's folder in the checkout. */
    dir: string;
    manifest: Manifest;
    /** The packed paths, relative to the package's folder. */
    files: string[];
}

/** `npm pack --dry-run --json` of the root package, or of one of its workspaces. */
function pack(workspace?: string): Packed {
    const args = ["pack", "--dry-run", "--json", "--ignore-scripts", ...(workspace ? ["-w", workspace] : [])];
    const [packed] = JSON.parse(execFileSync(NPM, args, { cwd: ROOT, encoding: "utf8" })) as {
        files: { path: string }[];
    }[];
    assert.ok(packed, `npm ${args.join(" ")} listed no package`);
    const dir = path.join(ROOT, workspace ?? "");
    return {
        dir,
        manifest: JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest,
        files: packed.files.map((f) => f.path).sort(),
    };
}

/** The judge's modules, as paths below policypack/judge without extension (`arn`, `keyPolicy`, ...). */
function judgeModules(): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) {
                walk(p);
            } else if (/\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name)) {
                out.push(path.relative(path.join(ROOT, "policypack", "judge"), p).replace(/\.ts$/, ""));
            }
        }
    };
    walk(path.join(ROOT, "policypack", "judge"));
    return out.map((m) => m.split(path.sep).join("/")).sort();
}

/** Each packed copy of each judge module (compiled or source, not its declarations), by module. */
function judgeCopies(files: string[]): Map<string, string[]> {
    const copies = new Map<string, string[]>(judgeModules().map((m) => [m, []]));
    for (const f of files) {
        const m = /(?:^|\/)judge\/(.+)\.(?:js|ts)$/.exec(f);
        if (m && !f.endsWith(".d.ts")) {
            const list = copies.get(m[1] as string);
            assert.ok(list, `${f} is packed under a judge/ folder but is no module of policypack/judge`);
            list.push(f);
        }
    }
    return copies;
}

/** The string literals of `require("...")` calls in a compiled file. */
function requiresOf(text: string): string[] {
    return [...text.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] as string);
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or undefined for Node.js's own. */
function packageOf(specifier: string): string | undefined {
    if (specifier.startsWith("node:") || builtinModules.includes(specifier)) {
        return undefined;
    }
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Every packed .js file's requires: bare ones by package, relative ones that name no packed file. */
function requiresOfPackage(p: Packed): { packages: Map<string, string[]>; unresolved: string[] } {
    const packed = new Set(p.files);
    const packages = new Map<string, string[]>();
    const unresolved: string[] = [];
    for (const file of p.files.filter((f) => f.endsWith(".js"))) {
        for (const spec of requiresOf(fs.readFileSync(path.join(p.dir, file), "utf8"))) {
            if (spec.startsWith("./") || spec.startsWith("../")) {
                const target = path.posix.join(path.posix.dirname(file), spec);
                if (![target, `${target}.js`, `${target}/index.js`].some((t) => packed.has(t))) {
                    unresolved.push(`${file}: require("${spec}")`);
                }
            } else {
                const name = packageOf(spec);
                if (name) {
                    packages.set(name, [...(packages.get(name) ?? []), file]);
                }
            }
        }
    }
    return { packages, unresolved };
}

describe("what npm pack ships", function () {
    this.timeout(120_000);
    let component: Packed;
    let audit: Packed;
    let policypack: Packed;

    before(() => {
        component = pack();
        audit = pack("audit");
        policypack = pack("policypack");
        for (const [p, entry] of [
            [component, "policypack/bin/judge/index.js"],
            [audit, "bin/audit/cli.js"],
        ] as const) {
            assert.ok(p.files.includes(entry), `${p.manifest.name} packs no ${entry}: run npm run build first`);
        }
    });

    it("the component package carries each judge module once, compiled inside the policy pack", () => {
        const modules = judgeModules();
        assert.ok(modules.includes("index") && modules.length > 1, `judge modules: ${modules.join(", ")}`);
        for (const [m, copies] of judgeCopies(component.files)) {
            assert.deepEqual(copies, [`policypack/bin/judge/${m}.js`], `judge module ${m}`);
        }
    });

    it("the component package ships no TypeScript sources, only compiled JavaScript and its declarations", () => {
        const sources = component.files.filter((f) => /\.(m|c)?ts$/.test(f) && !/\.d\.(m|c)?ts$/.test(f));
        assert.deepEqual(sources, []);
        for (const f of ["policypack/package.json", "policypack/PulumiPolicy.yaml", "provider/PulumiPlugin.yaml"]) {
            assert.ok(component.files.includes(f), `${f} is not packed`);
        }
    });

    it("every relative require of the shipped JavaScript names a packed file", () => {
        assert.deepEqual(requiresOfPackage(component).unresolved, []);
        assert.deepEqual(requiresOfPackage(audit).unresolved, []);
        // The component's compiled code reaches the judge in the policy pack's output, not a copy of its own.
        const setting = fs.readFileSync(path.join(ROOT, "bin", "components", "jobOverrides.js"), "utf8");
        assert.ok(requiresOf(setting).includes("../../policypack/bin/judge/setting"), "bin/components/jobOverrides.js");
    });

    it("the component's dependencies are what its shipped code requires, without the KMS client", () => {
        const required = requiresOfPackage(component).packages;
        const declared = { ...component.manifest.dependencies, ...component.manifest.peerDependencies };
        for (const [name, files] of required) {
            assert.ok(name in declared, `${name} is required by ${files.join(", ")} but not declared`);
        }
        for (const name of Object.keys(component.manifest.dependencies ?? {})) {
            assert.ok(required.has(name), `${name} is a dependency that no shipped file requires`);
        }
        assert.equal(component.manifest.dependencies?.["@aws-sdk/client-kms"], undefined);
        assert.equal(
            component.files.some((f) => f.startsWith("bin/audit/")),
            false,
            "the audit is not in the component",
        );
    });

    it("every package carries the project's licence, the same text, and declares it", () => {
        const licence = fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8");
        assert.match(licence, /Apache License\s+Version 2\.0/);
        for (const p of [component, audit, policypack]) {
            assert.ok(p.files.includes("LICENSE"), `${p.manifest.name}: npm pack leaves out LICENSE`);
            assert.equal(
                fs.readFileSync(path.join(p.dir, "LICENSE"), "utf8"),
                licence,
                `${path.relative(ROOT, path.join(p.dir, "LICENSE"))} differs from LICENSE: copy it over`,
            );
            assert.equal(p.manifest.license, "Apache-2.0", `${p.manifest.name}: license`);
        }
    });

    it("each workspace folder (policy pack, provider plugin, audit) has the licence, packed with the component", () => {
        const licence = fs.readFileSync(path.join(ROOT, "LICENSE"), "utf8");
        const workspaces = component.manifest.workspaces ?? [];
        assert.deepEqual([...workspaces].sort(), ["audit", "policypack", "provider"]);
        for (const dir of workspaces) {
            const file = path.join(ROOT, dir, "LICENSE");
            assert.ok(fs.existsSync(file), `${dir}/LICENSE is missing: copy LICENSE there`);
            assert.equal(fs.readFileSync(file, "utf8"), licence, `${dir}/LICENSE differs from LICENSE: copy it over`);
            const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, dir, "package.json"), "utf8")) as Manifest;
            assert.equal(manifest.license, "Apache-2.0", `${dir}/package.json: license`);
            // A folder the component package ships (the policy pack, the provider plugin) ships with its licence.
            if (component.files.some((f) => f.startsWith(`${dir}/`))) {
                assert.ok(
                    component.files.includes(`${dir}/LICENSE`),
                    `the component package leaves out ${dir}/LICENSE`,
                );
            }
        }
        assert.ok(component.files.includes("policypack/LICENSE") && component.files.includes("provider/LICENSE"));
    });

    it("the audit is its own package: its command, its own judge, and the KMS client among its dependencies", () => {
        assert.equal(audit.manifest.name, "emr-serverless-disk-encryption-audit");
        assert.deepEqual(Object.keys((audit.manifest as { bin?: object }).bin ?? {}), ["emr-disk-encryption-audit"]);
        for (const [m, copies] of judgeCopies(audit.files)) {
            assert.deepEqual(copies, [`bin/policypack/judge/${m}.js`], `judge module ${m}`);
        }
        const required = requiresOfPackage(audit).packages;
        assert.ok(required.has("@aws-sdk/client-kms"), "the audit requires the KMS client");
        assert.deepEqual(
            [...required.keys()].sort(),
            Object.keys(audit.manifest.dependencies ?? {}).sort(),
            "the audit's dependencies are what its shipped code requires (no Pulumi SDK)",
        );
        assert.equal(audit.manifest.peerDependencies, undefined);
    });
});
