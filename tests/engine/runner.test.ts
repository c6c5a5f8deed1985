/**
 * The program runner's process: a run that does not finish says why (a timeout, the heap limit, a signal, an early
 * exit), and what keeps large programs fast holds: registrations reach the policy passes while the program runs, the
 * engine view grows by what each registration adds, the policy passes overlap yet report in the plan's order, and
 * the SDK's per-promise stack traces are not collected.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyPackClient } from "../../engine/analyzer";
import type { Diagnostic, Remediation } from "../../engine/analyzerTypes";
import { parseArgs } from "../../engine/cli";
import { EngineViewBuilder, type EngineResource, engineView } from "../../engine/engineView";
import { PolicyPipeline } from "../../engine/policyPasses";
import type { RecordedResource } from "../../engine/previewTypes";
import type { PropertyMap } from "../../engine/properties";
import { classifyRunnerEnd, runProgram, RunnerFailure } from "../../engine/runner";
import { captureProgram, prepareProgramRun } from "../../engine/programRun";
import { rmSandbox, sandbox } from "./sandbox";

/** A JavaScript program (no TypeScript registered) whose index.js is `body`. */
function jsProgram(body: string, nodeargs?: string): Record<string, string> {
    const options = `    options:\n        typescript: false\n${nodeargs ? `        nodeargs: "${nodeargs}"\n` : ""}`;
    return {
        "Pulumi.yaml": `name: runner-test\nruntime:\n    name: nodejs\n${options}`,
        "package.json": JSON.stringify({ name: "runner-test", private: true }),
        "index.js": `"use strict";\nconst pulumi = require("@pulumi/pulumi");\n${body}\n`,
    };
}

const THING = `class Thing extends pulumi.CustomResource {
    constructor(name, args) {
        super("test:index:Thing", name, args);
    }
}`;

describe("offline preview: a run that does not finish says why", function () {
    this.timeout(120_000);
    const dirs: string[] = [];
    after(() => dirs.forEach(rmSandbox));

    /** How the runner ends for the program `files` (the run alone: no policy pack is needed to fail). */
    async function failure(files: Record<string, string>, timeoutSeconds?: number): Promise<RunnerFailure> {
        const dir = sandbox(files);
        dirs.push(dir);
        const prepared = prepareProgramRun({ programDir: dir, timeoutSeconds });
        try {
            await runProgram(prepared.req, prepared.run);
        } catch (e) {
            assert.ok(e instanceof RunnerFailure, String(e));
            return e;
        }
        assert.fail("the run did not fail");
    }

    it("a program that never finishes is stopped at --timeout: the message says timeout, the limit and the flag", async () => {
        const e = await failure(jsProgram(`module.exports = () => new Promise(() => undefined);`), 2);
        assert.equal(e.kind, "timeout");
        assert.match(e.message, /^timeout: the program did not finish within 2 s .*raise it with --timeout SECONDS/);
    });

    it("a program that exhausts the V8 heap is out of memory: the limit and the nodeargs option that raises it", async () => {
        const grow = `const keep = [];\nfor (;;) { keep.push(new Array(1e5).fill(keep.length)); }`;
        const e = await failure(jsProgram(grow, "--max-old-space-size=64"));
        assert.equal(e.kind, "out-of-memory");
        assert.match(
            e.message,
            /^out of memory: .*\(--max-old-space-size=64\).*nodeargs: "--max-old-space-size=<MiB>"/,
        );
    });

    it("a runner killed by a signal from elsewhere names the signal", async () => {
        const e = await failure(jsProgram(`process.kill(process.pid, "SIGKILL");`));
        assert.equal(e.kind, "killed");
        assert.match(e.message, /^the program runner was killed by SIGKILL \(not by the offline preview/);
    });

    it("a runner that exits before reporting names its exit code and shows the end of its stderr", async () => {
        const e = await failure(jsProgram(`console.error("giving up now");\nprocess.exit(7);`));
        assert.equal(e.kind, "crashed");
        assert.match(e.message, /^the program runner exited with code 7 before reporting a result\n[^]*giving up now/);
    });

    it("the classification is the limit we imposed before anything else, then the heap, then the signal", () => {
        const base = { code: null, signal: "SIGKILL" as const, timeoutSeconds: 5, nodeArgs: [] };
        const oom =
            "<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory";
        assert.equal(classifyRunnerEnd({ ...base, timedOut: true, stderr: oom }).kind, "timeout");
        assert.equal(classifyRunnerEnd({ ...base, timedOut: false, stderr: oom }).kind, "out-of-memory");
        assert.equal(classifyRunnerEnd({ ...base, timedOut: false, stderr: "" }).kind, "killed");
        assert.equal(
            classifyRunnerEnd({ ...base, signal: null, code: 1, timedOut: false, stderr: "" }).kind,
            "crashed",
        );
        assert.match(classifyRunnerEnd({ ...base, timedOut: false, stderr: oom }).message, /node's default/);
    });

    it("--timeout takes a positive number of seconds and refuses anything else", () => {
        assert.equal(parseArgs(["--timeout", "90"], process.cwd()).timeoutSeconds, 90);
        assert.equal(parseArgs(["--timeout", "0.5"], process.cwd()).timeoutSeconds, 0.5);
        for (const bad of ["0", "-3", "ten", "1e3", ""]) {
            assert.throws(() => parseArgs(["--timeout", bad], process.cwd()), /--timeout|needs a value/, bad);
        }
    });

    it("path flags resolve against the working directory, need a value, and leave the other options alone", () => {
        const cwd = path.join(path.sep, "work", "project");
        const opts = parseArgs(
            ["--program", "app", "--policy-pack", "../pack", "--policy-pack-config", "c.json", "--invokes", "/i.json"],
            cwd,
        );
        assert.equal(opts.programDir, path.join(cwd, "app"));
        assert.equal(opts.packDir, path.resolve(cwd, "../pack"));
        assert.equal(opts.policyPackConfigFile, path.join(cwd, "c.json"));
        assert.equal(opts.invokesFile, path.resolve("/i.json"));
        assert.deepEqual([opts.stack, opts.accountId, opts.json], [undefined, undefined, false]);
        for (const flag of ["--program", "--policy-pack", "--policy-pack-config", "--invokes"]) {
            assert.throws(() => parseArgs([flag], cwd), new RegExp(`${flag} needs a value`));
            assert.throws(() => parseArgs([flag, "--json"], cwd), new RegExp(`${flag} needs a value`));
        }
        assert.throws(() => parseArgs(["--programs", "x"], cwd), /unknown option "--programs"/);
        assert.throws(() => parseArgs(["constructor"], cwd), /unknown option "constructor"/);
    });
});

describe("offline preview: what keeps large programs fast", function () {
    this.timeout(120_000);
    const dirs: string[] = [];
    after(() => dirs.forEach(rmSandbox));

    it("each registration reaches the parent while the program is still running", async () => {
        // The program registers a first resource, then waits for a file that only the parent writes when that
        // registration has reached it; it registers a second one afterwards. Collected at the end, it would wait
        // forever (and the run would time out).
        const dir = sandbox(
            jsProgram(
                `${THING}\nconst fs = require("node:fs");\n` +
                    `module.exports = async () => {\n` +
                    `    new Thing("first", { size: 1 });\n` +
                    `    while (!fs.existsSync("seen-first")) { await new Promise((r) => setTimeout(r, 20)); }\n` +
                    `    new Thing("second", { size: 2 });\n` +
                    `};`,
            ),
        );
        dirs.push(dir);
        const prepared = prepareProgramRun({ programDir: dir });
        const seen: string[] = [];
        const result = await runProgram(prepared.req, {
            ...prepared.run,
            timeoutSeconds: 60,
            onResource: (r) => {
                seen.push(r.name);
                if (r.name === "first") {
                    fs.writeFileSync(path.join(dir, "seen-first"), "");
                }
            },
        });
        assert.equal(result.error, undefined, result.error);
        assert.deepEqual(
            seen.filter((n) => n !== "default"),
            ["first", "second"],
        );
    });

    it("the SDK's promise wrapper collects no stack traces (PULUMI_DEBUG_PROMISE_LEAKS keeps them)", async () => {
        const probe =
            `const debuggable = require("@pulumi/pulumi/runtime/debuggable");\n` +
            `const p = Promise.resolve(1);\n` +
            `module.exports = { passedThrough: debuggable.debuggablePromise(p, "probe") === p };`;
        const dir = sandbox(jsProgram(probe));
        dirs.push(dir);
        const outputs = async (programEnv: Record<string, string>): Promise<PropertyMap | undefined> =>
            (await captureProgram({ programDir: dir, programEnv })).view[0]?.properties;
        assert.deepEqual(await outputs({}), { passedThrough: true });
        assert.deepEqual(await outputs({ PULUMI_DEBUG_PROMISE_LEAKS: "1" }), { passedThrough: false });
    });

    it("the engine view grows by what each registration adds, and ends as the view of the whole recording", () => {
        const rec = (name: string, extra: Partial<RecordedResource> = {}): RecordedResource => ({
            urn: `urn:pulumi:dev::p::test:index:Thing::${name}`,
            type: "test:index:Thing",
            name,
            custom: true,
            parent: "",
            inputs: { n: name },
            dependencies: [],
            propertyDependencies: {},
            provider: "",
            version: "",
            protect: false,
            ignoreChanges: [],
            additionalSecretOutputs: [],
            ...extra,
        });
        const component = rec("c", {
            custom: false,
            type: "test:index:Group",
            urn: "urn:pulumi:dev::p::test:index:Group::c",
        });
        const builder = new EngineViewBuilder("p", "dev", { "test:region": "x" });
        assert.deepEqual(
            builder.add(rec("a")).map((e) => e.type),
            ["pulumi:providers:test", "test:index:Thing"],
        );
        assert.deepEqual(
            builder.add(rec("b")).map((e) => e.name),
            ["b"],
        );
        assert.equal(builder.add(component).length, 1);
        component.outputs = { size: 2 };
        const view = builder.view({ out: 1 });
        assert.deepEqual(
            view,
            engineView(
                "p",
                "dev",
                { "test:region": "x" },
                {
                    resources: [rec("a"), rec("b"), component],
                    stackOutputs: { out: 1 },
                },
            ),
        );
        assert.deepEqual(view.find((e) => e.name === "c")?.properties, { size: 2 });
    });

    it("Remediate and Analyze overlap across resources, at most the window at once, and report in the plan's order", async () => {
        let inFlight = 0;
        let maxInFlight = 0;
        const releases: (() => void)[] = [];
        const stackSeen: EngineResource[][] = [];
        const fake = {
            remediate: async (r: { urn: string; properties: PropertyMap }): Promise<Remediation[]> => {
                inFlight++;
                maxInFlight = Math.max(maxInFlight, inFlight);
                await new Promise<void>((resolve) => releases.push(resolve));
                inFlight--;
                return r.urn.endsWith("::r1")
                    ? [
                          {
                              policyName: "fix",
                              policyPackName: "p",
                              policyPackVersion: "1",
                              description: "d",
                              properties: { ...r.properties, fixed: true },
                              urn: r.urn,
                          },
                      ]
                    : [];
            },
            analyze: async (r: { urn: string; properties: PropertyMap }): Promise<Diagnostic[]> => [
                {
                    policyName: "saw",
                    policyPackName: "p",
                    policyPackVersion: "1",
                    description: "",
                    message: JSON.stringify(r.properties),
                    enforcementLevel: "advisory",
                    urn: r.urn,
                },
            ],
            analyzeStack: async (view: EngineResource[]): Promise<Diagnostic[]> => {
                stackSeen.push(view);
                return [];
            },
        } as unknown as PolicyPackClient;
        const view: EngineResource[] = Array.from({ length: 10 }, (_, i) => ({
            op: "create",
            custom: true,
            type: "test:index:Thing",
            name: `r${i}`,
            urn: `urn:pulumi:dev::p::test:index:Thing::r${i}`,
            inputs: { i },
            properties: { i },
        }));
        const pipeline = new PolicyPipeline(Promise.resolve(fake), 4);
        view.forEach((r) => pipeline.push(r));
        const finished = pipeline.finish(view);
        // Answer in reverse order of arrival, as long as calls are waiting.
        while (pipeline.analyzed < view.length) {
            await new Promise((r) => setImmediate(r));
            releases
                .splice(0)
                .reverse()
                .forEach((release) => release());
        }
        const result = await finished;
        assert.equal(maxInFlight, 4);
        assert.deepEqual(
            result.diagnostics.map((d) => d.urn),
            view.map((r) => r.urn),
        );
        assert.equal(result.diagnostics[1]?.message, JSON.stringify({ i: 1, fixed: true }));
        assert.deepEqual(stackSeen[0]?.[1]?.properties, { i: 1, fixed: true });
        assert.deepEqual(
            result.remediations.map((m) => m.changedKeys),
            [["fixed"]],
        );
    });
});
