#!/usr/bin/env node
/**
 * Builds the compiled JavaScript this package runs and ships, only where its sources changed.
 *
 *   node scripts/build.js [--force] [--check] [project ...]     (projects: components policypack audit engine)
 *
 * Each project is compiled like `tsc -p <its tsconfig>` (through the TypeScript API, one process, parsed
 * declaration files shared between projects; type errors fail the build and leave it stale). A stamp
 * (bin/.build-stamp.json) records, per project, the TypeScript version, a hash of each tsconfig file, of each
 * source file the compiler read (outside node_modules), the list of .ts files in the project's directories, and
 * the files it emitted. A project is stale when any of those differs or an emitted file is missing; `--check`
 * exits 1 naming what is stale instead of building. The compiled commands (bin/engine/cli.js, bin/audit/cli.js)
 * ask `staleReasons` before they run, in a checkout: they never run stale code silently.
 *
 * Plain JavaScript with no dependency but `typescript` (loaded only to build): it must run before anything is
 * compiled.
 */
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const STAMP = path.join("bin", ".build-stamp.json");

/** The compiled projects, in build order: tsconfig, and the directories whose .ts files are its sources. */
const PROJECTS = [
    { name: "components", tsconfig: "tsconfig.build.json", dirs: ["components"] },
    { name: "policypack", tsconfig: "policypack/tsconfig.json", dirs: ["policypack"] },
    { name: "audit", tsconfig: "audit/tsconfig.json", dirs: ["audit"] },
    { name: "engine", tsconfig: "engine/tsconfig.json", dirs: ["engine"] },
];

const rel = (root, file) => path.relative(root, file).split(path.sep).join("/");

function hashFile(file) {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** The .ts sources (no declaration files) under `dir`, outside node_modules and bin, sorted. */
function listSources(root, dir) {
    const out = [];
    const walk = (d) => {
        let entries;
        try {
            entries = fs.readdirSync(d, { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) {
                if (e.name !== "node_modules" && e.name !== "bin" && !e.name.startsWith(".")) {
                    walk(p);
                }
            } else if (/\.(m|c)?ts$/.test(e.name) && !/\.d\.(m|c)?ts$/.test(e.name)) {
                out.push(rel(root, p));
            }
        }
    };
    walk(path.join(root, dir));
    return out.sort();
}

/** The tsconfig file and every file it extends (relative paths), following relative `extends` only. */
function configChain(root, tsconfig) {
    const chain = [];
    for (let file = path.join(root, tsconfig); file && fs.existsSync(file);) {
        chain.push(rel(root, file));
        const text = fs.readFileSync(file, "utf8");
        const m = /"extends"\s*:\s*"([^"]+)"/.exec(text);
        file = m && m[1].startsWith(".") ? path.resolve(path.dirname(file), m[1]) : undefined;
        if (file && !file.endsWith(".json")) {
            file = `${file}.json`;
        }
    }
    return chain;
}

function typescriptVersion(root) {
    try {
        return JSON.parse(fs.readFileSync(path.join(root, "node_modules", "typescript", "package.json"), "utf8"))
            .version;
    } catch {
        return undefined;
    }
}

function readStamp(root) {
    try {
        return JSON.parse(fs.readFileSync(path.join(root, STAMP), "utf8"));
    } catch {
        return undefined;
    }
}

/**
 * Why each of `names` (default: every project) is stale, `[]` when all are up to date. Each reason names the
 * project and the first difference found (a changed or new file, a missing output, ...).
 */
function staleReasons(root = ROOT, names = PROJECTS.map((p) => p.name)) {
    const stamp = readStamp(root);
    const ts = typescriptVersion(root);
    const reasons = [];
    for (const name of names) {
        const project = PROJECTS.find((p) => p.name === name);
        if (!project) {
            throw new Error(
                `unknown project ${JSON.stringify(name)} (projects: ${PROJECTS.map((p) => p.name).join(", ")})`,
            );
        }
        const reason = staleReason(root, project, stamp && stamp.projects && stamp.projects[name], ts);
        if (reason) {
            reasons.push(`${name}: ${reason}`);
        }
    }
    return reasons;
}

function staleReason(root, project, entry, ts) {
    if (!entry) {
        return "not built yet";
    }
    if (ts !== undefined && entry.typescript !== ts) {
        return `built with TypeScript ${entry.typescript}, now ${ts}`;
    }
    for (const [file, hash] of Object.entries(entry.config)) {
        if (!fs.existsSync(path.join(root, file)) || hashFile(path.join(root, file)) !== hash) {
            return `${file} changed`;
        }
    }
    for (const [file, hash] of Object.entries(entry.inputs)) {
        if (!fs.existsSync(path.join(root, file))) {
            return `${file} was removed`;
        }
        if (hashFile(path.join(root, file)) !== hash) {
            return `${file} changed`;
        }
    }
    for (const dir of project.dirs) {
        const now = listSources(root, dir);
        const then = new Set(entry.sources[dir] || []);
        const added = now.find((f) => !then.has(f));
        if (added) {
            return `${added} is new`;
        }
        if (now.length !== then.size) {
            return `a source file under ${dir}/ was removed`;
        }
    }
    const missing = entry.outputs.find((f) => !fs.existsSync(path.join(root, f)));
    if (missing) {
        return `${missing} is missing`;
    }
    return undefined;
}

/**
 * Throws when any of `names` is stale, naming what changed and the command that rebuilds: what the compiled
 * commands call before they run, so that they never run code older than its sources.
 */
function assertFresh(root, names) {
    const stale = staleReasons(root, names);
    if (stale.length > 0) {
        throw new Error(
            `the compiled code in bin/ is older than its sources (${stale.join("; ")}): run \`npm run build\` ` +
                `(npm run preview:offline and npm run audit rebuild it themselves)`,
        );
    }
}

/** Compiles `projects` like `tsc -p`, sharing parsed files; returns the stamp entries of those that compiled. */
function compile(root, projects, log) {
    const ts = require(require.resolve("typescript", { paths: [root] }));
    const cache = new Map();
    const entries = {};
    let ok = true;
    for (const project of projects) {
        const started = Date.now();
        const configPath = path.join(root, project.tsconfig);
        const parsed = ts.getParsedCommandLineOfConfigFile(
            configPath,
            {},
            {
                ...ts.sys,
                onUnRecoverableConfigFileDiagnostic: (d) => {
                    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
                },
            },
        );
        const options = { ...parsed.options, listEmittedFiles: true };
        const host = ts.createCompilerHost(options);
        const getSourceFile = host.getSourceFile.bind(host);
        host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
            const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
            if (!cache.has(key) || shouldCreate) {
                cache.set(key, getSourceFile(fileName, languageVersion, onError, shouldCreate));
            }
            return cache.get(key);
        };
        const program = ts.createProgram({
            rootNames: parsed.fileNames,
            options,
            host,
            configFileParsingDiagnostics: parsed.errors,
        });
        const emitted = program.emit();
        const diagnostics = ts.sortAndDeduplicateDiagnostics([
            ...ts.getPreEmitDiagnostics(program),
            ...emitted.diagnostics,
        ]);
        if (diagnostics.length > 0) {
            process.stderr.write(
                ts.formatDiagnosticsWithColorAndContext(diagnostics, {
                    getCanonicalFileName: (f) => f,
                    getCurrentDirectory: () => root,
                    getNewLine: () => "\n",
                }),
            );
        }
        if (diagnostics.some((d) => d.category === ts.DiagnosticCategory.Error)) {
            log(`build: ${project.name} failed (${project.tsconfig}); it stays stale until it compiles`);
            ok = false;
            continue;
        }
        const inputs = {};
        for (const f of program.getSourceFiles()) {
            if (!f.isDeclarationFile && !f.fileName.split(/[\\/]/).includes("node_modules")) {
                inputs[rel(root, f.fileName)] = hashFile(f.fileName);
            }
        }
        const config = {};
        for (const file of configChain(root, project.tsconfig)) {
            config[file] = hashFile(path.join(root, file));
        }
        const sources = {};
        for (const dir of project.dirs) {
            sources[dir] = listSources(root, dir);
        }
        entries[project.name] = {
            typescript: ts.version,
            config,
            inputs,
            sources,
            outputs: (emitted.emittedFiles || []).map((f) => rel(root, path.resolve(root, f))).sort(),
        };
        log(`build: ${project.name} compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    return { entries, ok };
}

/** Builds the stale projects among `names` (all with `force`); returns the process's exit code. */
function build(root, names, { force = false, log = (s) => process.stderr.write(`${s}\n`) } = {}) {
    const wanted = PROJECTS.filter((p) => names.includes(p.name));
    const stale = force ? wanted.map((p) => `${p.name}: --force`) : staleReasons(root, names);
    if (stale.length === 0) {
        return 0;
    }
    const todo = wanted.filter((p) => stale.some((r) => r.startsWith(`${p.name}:`)));
    log(`build: ${stale.join("; ")}`);
    const { entries, ok } = compile(root, todo, log);
    const stamp = readStamp(root) || { projects: {} };
    Object.assign(stamp.projects, entries);
    fs.mkdirSync(path.dirname(path.join(root, STAMP)), { recursive: true });
    fs.writeFileSync(path.join(root, STAMP), `${JSON.stringify(stamp, null, 1)}\n`);
    return ok ? 0 : 1;
}

function main(argv) {
    const flags = argv.filter((a) => a.startsWith("--"));
    const names = argv.filter((a) => !a.startsWith("--"));
    for (const f of flags) {
        if (f !== "--force" && f !== "--check") {
            process.stderr.write(
                `usage: node scripts/build.js [--force] [--check] [${PROJECTS.map((p) => p.name).join("|")} ...]\n`,
            );
            return 2;
        }
    }
    const selected = names.length > 0 ? names : PROJECTS.map((p) => p.name);
    if (flags.includes("--check")) {
        const stale = staleReasons(ROOT, selected);
        for (const r of stale) {
            process.stderr.write(`stale: ${r}\n`);
        }
        return stale.length > 0 ? 1 : 0;
    }
    staleReasons(ROOT, selected); // validates the names before anything is built
    return build(ROOT, selected, { force: flags.includes("--force") });
}

module.exports = { PROJECTS, STAMP, staleReasons, assertFresh, build, listSources };

if (require.main === module) {
    try {
        process.exitCode = main(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`build: ${e.message}\n`);
        process.exitCode = 2;
    }
}
