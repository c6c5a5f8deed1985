/**
 * Start-up breakdown of a policy pack: repeats, step by step and in order, what
 * `@pulumi/pulumi/cmd/run-policy-pack` does before the pack prints its port, timing each step and the
 * process's resident memory after it. Plain JavaScript on purpose: it must run in a bare `node`
 * process (no ts-node of its own), as the CLI's does.
 *
 *   node bench/startupProbe.js <pack-dir> <out.json> [<module to require before the entry>]
 *
 * Writes `{ bootMs, steps: [{ step, ms, rssMiB }], modules: { group: count } }` to <out.json> and exits.
 */
"use strict";
const { performance } = require("node:perf_hooks");
const fs = require("node:fs");
const path = require("node:path");

const [packDir, outPath, preload] = process.argv.slice(2);
if (!packDir || !outPath) {
    throw new Error("usage: node bench/startupProbe.js <pack-dir> <out.json> [<module to require first>]");
}
const bootMs = performance.now();
const steps = [];
let last = performance.now();
function mark(step) {
    const now = performance.now();
    steps.push({ step, ms: now - last, rssMiB: process.memoryUsage().rss / 1048576 });
    last = now;
}
function fromPulumi(rel) {
    return require.resolve(`@pulumi/pulumi/${rel}`, { paths: [path.resolve(packDir)] });
}

function moduleGroups() {
    const groups = {};
    for (const file of Object.keys(require.cache)) {
        const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
        const group = m
            ? m[1].replace(/\\/g, "/")
            : path.relative(process.cwd(), file).split(path.sep).slice(0, 2).join("/");
        groups[group] = (groups[group] || 0) + 1;
    }
    return groups;
}

async function main() {
    process.chdir(packDir);
    const pulumiDir = path.dirname(fromPulumi("package.json"));
    require(require.resolve("source-map-support/register", { paths: [pulumiDir] }));
    mark("source-map-support/register");
    const v8Hooks = require(fromPulumi("runtime/closure/v8Hooks"));
    await v8Hooks.isInitializedAsync();
    mark("v8Hooks (inspector session)");
    require(fromPulumi("cmd/run-policy-pack/run"));
    mark("run-policy-pack/run.js and @pulumi/pulumi runtime");
    const tsutils = require(fromPulumi("tsutils"));
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    mark("typeScriptRequireStrings (requires typescript and ts-node)");
    const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
    const tsn = require(tsnodeRequire);
    require(typescriptRequire);
    tsn.register({
        typeCheck: true,
        skipProject: !fs.existsSync("tsconfig.json"),
        compiler: typescriptRequire,
        compilerOptions: {
            target: "ES2020",
            module: "nodenext",
            moduleResolution: "nodenext",
            sourceMap: "true",
            ...compilerOptions,
        },
    });
    mark("ts-node register (typeCheck: true)");
    require(require.resolve("@pulumi/policy", { paths: [process.cwd()] }));
    mark("require @pulumi/policy");
    if (preload) {
        require(path.resolve(preload));
        mark(`require ${preload} (the pack's policies)`);
    }
    // The entry constructs the PolicyPack, which prints the port when the gRPC server is bound.
    const write = process.stdout.write.bind(process.stdout);
    await new Promise((resolve, reject) => {
        process.stdout.write = (chunk, ...rest) => {
            if (/^\d+\s*$/.test(String(chunk))) {
                resolve();
                return true;
            }
            return write(chunk, ...rest);
        };
        try {
            const entry = require(path.resolve("."));
            void entry;
            mark("require the entry (new PolicyPack)");
        } catch (e) {
            reject(e);
        }
    });
    mark("gRPC server bound, port printed");
    fs.writeFileSync(outPath, JSON.stringify({ bootMs, steps, modules: moduleGroups() }));
    process.exit(0);
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
