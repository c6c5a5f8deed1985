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
 * exits 1 naming what is stale instead of building; what a project emitted before and no project emits now is
 * removed. The compiled commands (bin/engine/cli.js, audit/bin/audit/cli.js) ask `staleReasons` before they run,
 * in a checkout: they never run stale code silently.
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

/**
 * The compiled projects, in build order: tsconfig, the directories whose .ts files are its sources, and the
 * projects it links to. A project that links to another compiles against that project's sources but emits no copy
 * of them: its compiled `require`s and declaration imports of them point at the linked project's compiled output
 * (as its tsconfig's outDir and rootDir place it), so that the package ships that code once. The policy pack's judge is compiled once, into
 * policypack/bin/judge (inside the pack, which `pulumi policy publish` packs alone), and the component, the provider
 * plugin and the offline preview load it from there. The audit command is a package of its own (audit/package.json)
 * and carries its own compiled copy in audit/bin.
 */
const PROJECTS = [
    {
        name: "components",
        tsconfig: "tsconfig.build.json",
        dirs: ["components", "provider"],
        links: ["policypack"],
    },
    { name: "policypack", tsconfig: "policypack/tsconfig.json", dirs: ["policypack"] },
    { name: "audit", tsconfig: "audit/tsconfig.json", dirs: ["audit"] },
    { name: "engine", tsconfig: "engine/tsconfig.json", dirs: ["engine"], links: ["policypack"] },
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

/** Where `tsconfig` (parsed into `options`) emits the JavaScript of a source file (absolute paths). */
function outputPlace(tsconfig, options) {
    const outDir = options.outDir || path.dirname(tsconfig);
    const rootDir = options.rootDir || path.dirname(tsconfig);
    return (source) => path.join(outDir, path.relative(rootDir, source));
}

/**
 * The links of `project`: for each linked project, the directory of its sources, of its compiled output, and
 * where it emits a source file (absolute paths).
 */
function linksOf(root, project, parse) {
    return (project.links || []).map((name) => {
        const linked = PROJECTS.find((p) => p.name === name);
        const tsconfig = path.join(root, linked.tsconfig);
        const place = outputPlace(tsconfig, parse(tsconfig).options);
        const sources = path.join(root, linked.dirs[0]);
        return { sources, out: path.dirname(place(path.join(sources, "index.ts"))), place };
    });
}

const inside = (dir, file) => file === dir || file.startsWith(dir + path.sep);

/**
 * Transformers that point each relative module specifier naming a linked project's source at that project's
 * compiled output, as seen from the file being emitted (`outputOf(sourceFile)`): `require("...")` calls in the
 * JavaScript, and imports, exports and `import("...")` types in the declarations.
 */
function linkTransformers(ts, links, outputOf) {
    const retarget = (sourceFile, specifier) => {
        if (!specifier.startsWith("./") && !specifier.startsWith("../")) {
            return undefined;
        }
        const target = path.resolve(path.dirname(sourceFile.fileName), specifier);
        const link = links.find((l) => inside(l.sources, target) && !inside(l.out, target));
        if (!link) {
            return undefined;
        }
        const compiled = link.place(target);
        const from = path.dirname(outputOf(sourceFile.fileName));
        const rel = path.relative(from, compiled).split(path.sep).join("/");
        return rel.startsWith(".") ? rel : `./${rel}`;
    };
    const factory = (context) => (sourceFile) => {
        const f = context.factory;
        const literal = (node) => {
            const to = node && ts.isStringLiteral(node) ? retarget(sourceFile, node.text) : undefined;
            return to === undefined ? undefined : f.createStringLiteral(to);
        };
        const visit = (node) => {
            if (ts.isCallExpression(node) && node.arguments.length === 1) {
                const callee = node.expression;
                const isRequire = ts.isIdentifier(callee) && callee.text === "require";
                const to =
                    isRequire || callee.kind === ts.SyntaxKind.ImportKeyword ? literal(node.arguments[0]) : undefined;
                if (to) {
                    return f.updateCallExpression(node, callee, node.typeArguments, [to]);
                }
            } else if (ts.isImportDeclaration(node)) {
                const to = literal(node.moduleSpecifier);
                if (to) {
                    return f.updateImportDeclaration(node, node.modifiers, node.importClause, to, node.attributes);
                }
            } else if (ts.isExportDeclaration(node)) {
                const to = literal(node.moduleSpecifier);
                if (to) {
                    return f.updateExportDeclaration(
                        node,
                        node.modifiers,
                        node.isTypeOnly,
                        node.exportClause,
                        to,
                        node.attributes,
                    );
                }
            } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
                const to = literal(node.argument.literal);
                if (to) {
                    return f.updateImportTypeNode(
                        node,
                        f.updateLiteralTypeNode(node.argument, to),
                        node.attributes,
                        node.qualifier,
                        ts.visitNodes(node.typeArguments, visit),
                        node.isTypeOf,
                    );
                }
            }
            return ts.visitEachChild(node, visit, context);
        };
        return ts.visitNode(sourceFile, visit);
    };
    return { after: [factory], afterDeclarations: [factory] };
}

/** Compiles `projects` like `tsc -p`, sharing parsed files; returns the stamp entries of those that compiled. */
function compile(root, projects, log) {
    const ts = require(require.resolve("typescript", { paths: [root] }));
    const cache = new Map();
    const entries = {};
    const parse = (configPath) =>
        ts.getParsedCommandLineOfConfigFile(
            configPath,
            {},
            {
                ...ts.sys,
                onUnRecoverableConfigFileDiagnostic: (d) => {
                    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
                },
            },
        );
    let ok = true;
    for (const project of projects) {
        const started = Date.now();
        const configPath = path.join(root, project.tsconfig);
        const parsed = parse(configPath);
        const options = parsed.options;
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
        // A linked project's sources are type-checked with this project but emitted only by their own project.
        const links = linksOf(root, project, parse);
        const outputOf = outputPlace(configPath, options);
        const skipped = links.map((l) => outputOf(l.sources));
        const written = [];
        const writeFile = (fileName, text, bom, onError, sources, data) => {
            const file = path.resolve(fileName);
            if (!skipped.some((dir) => inside(dir, file))) {
                written.push(file);
                host.writeFile(fileName, text, bom, onError, sources, data);
            }
        };
        const emitted =
            links.length > 0
                ? program.emit(undefined, writeFile, undefined, false, linkTransformers(ts, links, outputOf))
                : program.emit(undefined, writeFile);
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
            outputs: written.map((f) => rel(root, f)).sort(),
        };
        log(`build: ${project.name} compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    return { entries, ok };
}

/** Removes `dir` and its parents below `root` while they are empty. */
function removeEmptyParents(root, dir) {
    for (let d = dir; inside(root, d) && d !== root; d = path.dirname(d)) {
        try {
            fs.rmdirSync(d);
        } catch {
            return;
        }
    }
}

/**
 * Builds the stale projects among `names` and the projects they link to, whose output they load (all of them with
 * `force`); returns the process's exit code.
 */
function build(root, requested, { force = false, log = (s) => process.stderr.write(`${s}\n`) } = {}) {
    const names = PROJECTS.filter(
        (p) =>
            requested.includes(p.name) ||
            PROJECTS.some((q) => requested.includes(q.name) && (q.links || []).includes(p.name)),
    ).map((p) => p.name);
    const wanted = PROJECTS.filter((p) => names.includes(p.name));
    const stale = force ? wanted.map((p) => `${p.name}: --force`) : staleReasons(root, names);
    if (stale.length === 0) {
        return 0;
    }
    const todo = wanted.filter((p) => stale.some((r) => r.startsWith(`${p.name}:`)));
    log(`build: ${stale.join("; ")}`);
    const { entries, ok } = compile(root, todo, log);
    const stamp = readStamp(root) || { projects: {} };
    const before = Object.keys(entries).flatMap((name) => (stamp.projects[name] && stamp.projects[name].outputs) || []);
    Object.assign(stamp.projects, entries);
    // What a project emitted before and no project emits now (a removed source, a moved output) goes, so that
    // nothing stale is left in bin/ to be packed.
    const now = new Set(Object.values(stamp.projects).flatMap((entry) => entry.outputs));
    for (const file of before) {
        if (!now.has(file)) {
            fs.rmSync(path.join(root, file), { force: true });
            removeEmptyParents(root, path.dirname(path.join(root, file)));
        }
    }
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
