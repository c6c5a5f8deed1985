/**
 * Start-up benchmark: spawn to port ready, and resident memory, per pack, through the engine harness
 * (the CLI's launch), interleaved across packs; plus a step-by-step breakdown of where start-up goes.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PolicyPackClient } from "../../engine/analyzer";
import { memoryOf } from "./proc";
import type { PackSpec } from "./packs";
import { ROOT } from "./packs";
import { median, rotate } from "./stats";

/** One start of one pack. */
export interface StartSample {
    round: number;
    /** Spawn to the port line (the harness's measurement). */
    spawnToPortMs: number;
    /** Handshake .. Configure, after the port (the rest of the CLI's start-up sequence). */
    startupCallsMs: number;
    /** VmRSS / VmHWM of the pack process once Configure answered. */
    rssMiB: number;
    hwmMiB: number;
}

/** Samples and medians of one pack. */
export interface StartResult {
    id: string;
    label: string;
    samples: StartSample[];
    median: { spawnToPortMs: number; startupCallsMs: number; rssMiB: number; hwmMiB: number };
    policies: number;
}

const STACK = { project: "emr-bench", stack: "bench", dryRun: true };

/** Starts each pack `rounds` times, interleaved (each round starts with a different pack). */
export async function measureStartup(
    packs: readonly PackSpec[],
    rounds: number,
    log: (s: string) => void,
): Promise<StartResult[]> {
    const samples = new Map<string, StartSample[]>(packs.map((p) => [p.id, []]));
    const policies = new Map<string, number>();
    for (let round = 0; round < rounds; round++) {
        for (const spec of rotate(packs, round)) {
            const pack = await PolicyPackClient.launch({ packDir: spec.dir, stack: STACK, startTimeoutMs: 120_000 });
            try {
                const mem = memoryOf(pack.pid);
                if (pack.info.name !== spec.expectedName) {
                    throw new Error(
                        `pack ${spec.id} at ${spec.dir} reported name ${pack.info.name}, expected ${spec.expectedName}`,
                    );
                }
                policies.set(spec.id, pack.info.policies.length);
                const sample: StartSample = {
                    round,
                    spawnToPortMs: pack.timings.spawnToPortMs,
                    startupCallsMs: pack.timings.calls.reduce((s, c) => s + c.ms, 0),
                    rssMiB: mem?.rssMiB ?? Number.NaN,
                    hwmMiB: mem?.hwmMiB ?? Number.NaN,
                };
                samples.get(spec.id)?.push(sample);
                log(
                    `  start ${round + 1}/${rounds} ${spec.id.padEnd(8)} ${sample.spawnToPortMs.toFixed(0).padStart(6)} ms  ${sample.rssMiB.toFixed(0)} MiB`,
                );
            } finally {
                await pack.close();
            }
        }
    }
    return packs.map((spec) => {
        const s = samples.get(spec.id) ?? [];
        return {
            id: spec.id,
            label: spec.label,
            samples: s,
            policies: policies.get(spec.id) ?? 0,
            median: {
                spawnToPortMs: median(s.map((x) => x.spawnToPortMs)),
                startupCallsMs: median(s.map((x) => x.startupCallsMs)),
                rssMiB: median(s.map((x) => x.rssMiB)),
                hwmMiB: median(s.map((x) => x.hwmMiB)),
            },
        };
    });
}

/** One step of run-policy-pack's start-up, as bench/startupProbe.js measured it. */
export interface ProbeStep {
    step: string;
    ms: number;
    rssMiB: number;
}

/** The start-up breakdown of one pack (median over runs per step). */
export interface Breakdown {
    id: string;
    bootMs: number;
    steps: ProbeStep[];
    /** Modules loaded by the time the port was printed, per package (or per folder for the pack's own files). */
    modules: Record<string, number>;
    runs: number;
}

/** Runs bench/startupProbe.js `runs` times for a pack and takes the median of each step. */
export function startupBreakdown(spec: PackSpec, runs: number, preload?: string): Breakdown {
    const out = path.join(os.tmpdir(), `bench-probe-${process.pid}-${spec.id}.json`);
    const all: { bootMs: number; steps: ProbeStep[]; modules: Record<string, number> }[] = [];
    for (let i = 0; i < runs; i++) {
        execFileSync(
            process.execPath,
            [path.join(ROOT, "bench/startupProbe.js"), spec.dir, out, ...(preload ? [preload] : [])],
            {
                cwd: spec.dir,
                stdio: ["ignore", "ignore", "pipe"],
                timeout: 120_000,
            },
        );
        all.push(JSON.parse(fs.readFileSync(out, "utf8")) as (typeof all)[number]);
        fs.rmSync(out, { force: true });
    }
    const first = all[0];
    if (!first) {
        throw new Error("startupBreakdown: no runs");
    }
    return {
        id: spec.id,
        runs,
        bootMs: median(all.map((a) => a.bootMs)),
        steps: first.steps.map((s, i) => ({
            step: s.step,
            ms: median(all.map((a) => a.steps[i]?.ms ?? Number.NaN)),
            rssMiB: median(all.map((a) => a.steps[i]?.rssMiB ?? Number.NaN)),
        })),
        modules: first.modules,
    };
}
