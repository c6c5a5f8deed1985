/**
 * AnalyzeStack as a preview or update meets it: the first call in a fresh pack process, started as the CLI
 * starts it (so the call pays the JIT warm-up of everything it runs). Our pack and the floor are each started
 * anew for every sample, interleaved (the order alternates each round), and every round yields one ratio of
 * ours to the floor measured minutes apart at most, so a busy machine moves both sides alike. Also Analyze per
 * resource, both packs warm, interleaved the same way.
 */
import { performance } from "node:perf_hooks";
import { PolicyPackClient } from "../../engine/analyzer";
import type { Diagnostic } from "../../engine/analyzerTypes";
import type { PackSpec } from "./packs";
import { cpuMsOf, memoryOf } from "./proc";
import type { Progress } from "./progress";
import { type GeneratedStack, type StackMix, checkStack, generateStack } from "./stack";
import { median, rotate } from "./stats";
import { checkFindings, sampleResources } from "./throughput";

const STACK = { project: "emr-bench", stack: "bench", dryRun: false };

/** One stack the cold benchmark analyzes. */
export interface ColdCase {
    mix: StackMix;
    size: number;
}

/** One first AnalyzeStack call in a fresh process, the process's start, and two warm calls after it. */
export interface ColdSample {
    round: number;
    pack: string;
    mix: StackMix;
    size: number;
    /** Spawn to the port line, as the CLI starts the pack. */
    spawnToPortMs: number;
    /** Resident memory once the start-up calls (through Configure) were answered. */
    startRssMiB: number;
    /**
     * Our pack on the first case's mix only: warm AnalyzeStack calls after the first, on freshly salted stacks, `small` resources then `size`
     * again (how the call grows with the stack, without the first call's JIT warm-up).
     */
    warm?: { small: number; smallWallMs: number; bigWallMs: number; smallCpuMs: number; bigCpuMs: number };
    /** Request sent to response received, as the harness times the call. */
    wallMs: number;
    /** User + system CPU of the pack process during the call (10 ms resolution). */
    packCpuMs: number;
    diagnostics: number;
    /** "can't run policy ... during preview" notes among the diagnostics. */
    notes: number;
}

/** Analyze per resource in one round: the median call of each pack on the same resources. */
export interface AnalyzeRound {
    round: number;
    mix: StackMix;
    calls: number;
    oursMedianMs: number;
    floorMedianMs: number;
    oursCpuPerCallMs: number;
    floorCpuPerCallMs: number;
}

function isNote(d: Diagnostic): boolean {
    return d.message.startsWith("can't run policy");
}

async function launch(spec: PackSpec): Promise<PolicyPackClient> {
    return PolicyPackClient.launch({
        packDir: spec.dir,
        stack: STACK,
        startTimeoutMs: 120_000,
        callTimeoutMs: 600_000,
    });
}

/** The stacks of the cold benchmark, generated once (each process is fresh: nothing is memoized across samples). */
export function coldStacks(cases: readonly ColdCase[]): Map<string, GeneratedStack> {
    const out = new Map<string, GeneratedStack>();
    for (const c of cases) {
        out.set(`${c.mix}:${c.size}`, generateStack(c.size, `c${c.size}`, c.mix));
    }
    return out;
}

async function timedStack(
    pack: PolicyPackClient,
    stack: GeneratedStack,
): Promise<{ ds: Diagnostic[]; wallMs: number; cpuMs: number }> {
    const cpu0 = cpuMsOf(pack.pid);
    const before = pack.timings.calls.length;
    const t0 = performance.now();
    const ds = await pack.analyzeStack(stack.resources);
    const t1 = performance.now();
    return { ds, wallMs: pack.timings.calls[before]?.ms ?? t1 - t0, cpuMs: cpuMsOf(pack.pid) - cpu0 };
}

/**
 * `rounds` rounds; in each, every case is analyzed once by each pack, each in a fresh process, the packs' order
 * alternating by round and case. The process's start is recorded (spawn to port, memory), then the first
 * AnalyzeStack; on the first case, our pack then analyzes, warm, a salted stack of `small` resources and a salted
 * one of the case's size (how the call grows with the stack, without the first call's JIT warm-up). Checks our findings on every first call
 * (the planted flaws the stack policies report, nothing on good groups, the same count every round).
 */
export async function measureColdStack(
    ours: PackSpec,
    floor: PackSpec,
    cases: readonly ColdCase[],
    small: number,
    rounds: number,
    progress: Progress,
): Promise<{ samples: ColdSample[]; problems: string[] }> {
    const stacks = coldStacks(cases);
    const problems: string[] = [];
    const samples: ColdSample[] = [];
    for (const c of cases) {
        const stack = stacks.get(`${c.mix}:${c.size}`) as GeneratedStack;
        problems.push(...checkStack(stack, c.size).map((p) => `generated ${c.mix} stack of ${c.size}: ${p}`));
    }
    for (let round = 0; round < rounds; round++) {
        for (const [ci, c] of cases.entries()) {
            const stack = stacks.get(`${c.mix}:${c.size}`) as GeneratedStack;
            for (const spec of rotate([ours, floor], round + ci)) {
                const growth = spec.id === ours.id && ci === 0;
                const pack = await launch(spec);
                let sample: ColdSample;
                let ds: Diagnostic[];
                try {
                    const startRssMiB = memoryOf(pack.pid)?.rssMiB ?? Number.NaN;
                    const first = await timedStack(pack, stack);
                    ds = first.ds;
                    const warmSmall = growth
                        ? await timedStack(pack, generateStack(small, `w${round}s`, c.mix))
                        : undefined;
                    const warmBig = growth
                        ? await timedStack(pack, generateStack(c.size, `w${round}b`, c.mix))
                        : undefined;
                    sample = {
                        round,
                        pack: spec.id,
                        mix: c.mix,
                        size: c.size,
                        spawnToPortMs: pack.timings.spawnToPortMs,
                        startRssMiB,
                        ...(warmSmall && warmBig
                            ? {
                                  warm: {
                                      small,
                                      smallWallMs: warmSmall.wallMs,
                                      bigWallMs: warmBig.wallMs,
                                      smallCpuMs: warmSmall.cpuMs,
                                      bigCpuMs: warmBig.cpuMs,
                                  },
                              }
                            : {}),
                        wallMs: first.wallMs,
                        packCpuMs: first.cpuMs,
                        diagnostics: ds.length,
                        notes: ds.filter(isNote).length,
                    };
                } finally {
                    await pack.close();
                }
                samples.push(sample);
                if (spec.id === ours.id) {
                    const stackPlanted = stack.planted.filter(
                        (p) => p.flaw !== "unbound-service" && p.flaw !== "open-grant",
                    );
                    problems.push(
                        ...checkFindings({ ...stack, planted: stackPlanted }, ds, [], c.size).map(
                            (p) => `${c.mix} mix, round ${round}: ${p}`,
                        ),
                    );
                    const first = samples.find((s) => s.pack === ours.id && s.mix === c.mix && s.size === c.size);
                    if (first && first.diagnostics !== sample.diagnostics) {
                        problems.push(
                            `${c.mix} mix, size ${c.size}: ${sample.diagnostics} diagnostics in round ${round}, ` +
                                `${first.diagnostics} in round ${first.round}`,
                        );
                    }
                }
                progress.step(
                    `${c.mix} ${c.size} ${spec.id}: start ${sample.spawnToPortMs.toFixed(0)} ms; first call ` +
                        `${sample.wallMs.toFixed(0)} ms wall, ${sample.packCpuMs.toFixed(0)} ms CPU, ${ds.length} ` +
                        `diagnostics` +
                        (sample.warm
                            ? `; warm ${small}: ${sample.warm.smallWallMs.toFixed(0)} ms, ${c.size}: ` +
                              `${sample.warm.bigWallMs.toFixed(0)} ms`
                            : ""),
                );
            }
        }
    }
    return { samples, problems };
}

/**
 * Analyze on `calls` resources of a `size` stack of each mix (an even sample covering every resource type), both
 * packs started once and warmed on the same resources, then `rounds` interleaved rounds.
 */
export async function measureAnalyze(
    ours: PackSpec,
    floor: PackSpec,
    mixes: readonly StackMix[],
    size: number,
    calls: number,
    rounds: number,
    progress: Progress,
): Promise<AnalyzeRound[]> {
    const packs = [
        { id: ours.id, client: await launch(ours) },
        { id: floor.id, client: await launch(floor) },
    ];
    const out: AnalyzeRound[] = [];
    try {
        const resources = new Map(
            mixes.map((m) => [m, sampleResources(generateStack(size, `a${size}`, m).resources, calls)]),
        );
        for (const p of packs) {
            for (const m of mixes) {
                for (const r of resources.get(m) ?? []) {
                    await p.client.analyze(r);
                }
            }
            p.client.timings.calls.length = 0;
        }
        for (let round = 0; round < rounds; round++) {
            for (const [mi, m] of mixes.entries()) {
                const rs = resources.get(m) ?? [];
                const med: Record<string, number> = {};
                const cpu: Record<string, number> = {};
                for (const p of rotate(packs, round + mi)) {
                    const times: number[] = [];
                    const cpu0 = cpuMsOf(p.client.pid);
                    for (const r of rs) {
                        const before = p.client.timings.calls.length;
                        await p.client.analyze(r);
                        times.push(p.client.timings.calls[before]?.ms ?? Number.NaN);
                    }
                    cpu[p.id] = (cpuMsOf(p.client.pid) - cpu0) / rs.length;
                    med[p.id] = median(times);
                    p.client.timings.calls.length = 0;
                }
                const entry: AnalyzeRound = {
                    round,
                    mix: m,
                    calls: rs.length,
                    oursMedianMs: med[ours.id] ?? Number.NaN,
                    floorMedianMs: med[floor.id] ?? Number.NaN,
                    oursCpuPerCallMs: cpu[ours.id] ?? Number.NaN,
                    floorCpuPerCallMs: cpu[floor.id] ?? Number.NaN,
                };
                out.push(entry);
                progress.step(
                    `${m}: ours ${entry.oursMedianMs.toFixed(3)} ms, floor ${entry.floorMedianMs.toFixed(3)} ms per call`,
                );
            }
        }
    } finally {
        for (const p of packs) {
            await p.client.close();
        }
    }
    return out;
}
