/**
 * Throughput benchmark: AnalyzeStack on generated stacks and Analyze per resource, our pack against
 * the floor pack on the same stacks, through the engine harness; plus a per-policy attribution of
 * our AnalyzeStack cost (each stack policy alone) to show how each grows with the stack.
 */
import { performance } from "node:perf_hooks";
import { PolicyPackClient } from "../../engine/analyzer";
import type { Diagnostic, PolicyConfig } from "../../engine/analyzerTypes";
import { policies } from "../../policypack/policies";
import { cpuMsOf, memoryOf } from "./proc";
import type { PackSpec } from "./packs";
import { GROUP_SIZE, type GeneratedStack, checkStack, generateStack, typeCounts } from "./stack";
import { median, rotate } from "./stats";

const STACK = { project: "emr-bench", stack: "bench", dryRun: false };

/** One timed call (or loop of calls): wall time seen by the engine side and CPU time of the pack. */
export interface CallSample {
    /** From sending the request to the response (the harness's call timing; excludes building the request). */
    wallMs: number;
    /** User + system CPU of the pack process over the call (10 ms resolution). */
    packCpuMs: number;
}

/** AnalyzeStack samples of one pack on one stack size. */
export interface StackRun {
    pack: string;
    size: number;
    /** The pack's first AnalyzeStack at this size (JIT warm-up; not in the medians). */
    firstCall: CallSample;
    /** Later calls, each on a freshly salted copy of the stack. */
    samples: CallSample[];
    medianWallMs: number;
    medianPackCpuMs: number;
    diagnostics: number;
    /** VmHWM of the pack after the runs at this size. */
    hwmMiB: number;
}

/** Analyze over a set of resources, one call each. */
export interface AnalyzeRun {
    pack: string;
    /** The stack the resources were taken from. */
    stackSize: number;
    calls: number;
    /** Median single-call wall time. */
    medianCallMs: number;
    /** Total wall / calls. */
    meanCallMs: number;
    /** Pack CPU / calls. */
    packCpuPerCallMs: number;
    diagnostics: number;
}

/** A preview's order on one stack: Analyze on every resource, then AnalyzeStack, in the same process. */
export interface PreviewRun {
    pack: string;
    size: number;
    analyzeAllWallMs: number;
    analyzeAllPackCpuMs: number;
    /** The AnalyzeStack that followed (the pack's memoized analyses from Analyze are warm). */
    stack: CallSample;
}

/** Our stack policies one at a time: pack CPU per AnalyzeStack at each size. */
export interface PolicyAttribution {
    policy: string;
    /** size -> median pack CPU ms (wall in `wallMs`). */
    cpuMs: Record<number, number>;
    wallMs: Record<number, number>;
}

/** Everything the throughput benchmark measured. */
export interface ThroughputResult {
    sizes: number[];
    stackTypes: Record<number, Record<string, number>>;
    analyzeStack: StackRun[];
    analyze: AnalyzeRun[];
    preview: PreviewRun[];
    attribution: PolicyAttribution[];
    /** Validation problems (empty when our pack found every planted flaw and nothing on good resources). */
    problems: string[];
}

async function timed(
    pack: PolicyPackClient,
    f: () => Promise<Diagnostic[]>,
): Promise<{ sample: CallSample; ds: Diagnostic[] }> {
    const cpu0 = cpuMsOf(pack.pid);
    const before = pack.timings.calls.length;
    const t0 = performance.now();
    const ds = await f();
    const t1 = performance.now();
    const cpu1 = cpuMsOf(pack.pid);
    const call = pack.timings.calls[before];
    return { sample: { wallMs: call ? call.ms : t1 - t0, packCpuMs: cpu1 - cpu0 }, ds };
}

/** Checks what our pack reported on a generated stack: every planted flaw, nothing on the good keys. */
export function checkFindings(
    stack: GeneratedStack,
    fromStack: readonly Diagnostic[],
    fromAnalyze: readonly Diagnostic[],
    size: number,
): string[] {
    const problems: string[] = [];
    const all = [...fromStack, ...fromAnalyze];
    const found = new Set(all.map((d) => `${d.urn}\u0000${d.policyName}`));
    const missed = stack.planted.filter((p) => !found.has(`${p.urn}\u0000${p.policy}`));
    if (missed.length > 0) {
        const m = missed[0];
        problems.push(
            `size ${size}: our pack missed ${missed.length} of ${stack.planted.length} planted flaws, e.g. ${m?.flaw} on ${m?.urn} (expected ${m?.policy})`,
        );
    }
    if (fromStack.length === 0) {
        problems.push(`size ${size}: our pack's AnalyzeStack reported nothing (the stack policies did no work?)`);
    }
    const good = new Set(stack.goodKeyUrns);
    const onGood = all.filter((d) => good.has(d.urn));
    if (onGood.length > 0) {
        problems.push(
            `size ${size}: ${onGood.length} findings on resources of good groups, e.g. ${onGood[0]?.policyName}: ${onGood[0]?.message}`,
        );
    }
    return problems;
}

/**
 * An evenly spread sample of `n` resources that still covers every position within a group (a plain
 * every-k-th sample of a 10,000 stack would pick the same resource type each time).
 */
export function sampleResources<T>(resources: readonly T[], n: number): T[] {
    if (resources.length <= n) {
        return [...resources];
    }
    const stride = resources.length / n;
    const out: T[] = [];
    for (let j = 0; j < n; j++) {
        const i = Math.min(resources.length - 1, Math.floor(j * stride) + (j % GROUP_SIZE));
        out.push(resources[i] as T);
    }
    return out;
}

function disableAllBut(ours: PolicyPackClient, keep: string | undefined): Record<string, PolicyConfig> {
    const cfg: Record<string, PolicyConfig> = {};
    for (const p of ours.info.policies) {
        if (p.name !== keep) {
            cfg[p.name] = { enforcementLevel: "disabled" };
        }
    }
    return cfg;
}

/**
 * Runs the throughput benchmark. `reps[size]` AnalyzeStack calls per pack per size, interleaved;
 * Analyze on `analyzeSample` resources of each stack.
 */
export async function measureThroughput(
    oursSpec: PackSpec,
    floorSpec: PackSpec,
    sizes: readonly number[],
    reps: Record<number, number>,
    analyzeSample: number,
    log: (s: string) => void,
): Promise<ThroughputResult> {
    const problems: string[] = [];
    const result: ThroughputResult = {
        sizes: [...sizes],
        stackTypes: {},
        analyzeStack: [],
        analyze: [],
        preview: [],
        attribution: [],
        problems,
    };
    const ours = await PolicyPackClient.launch({
        packDir: oursSpec.dir,
        stack: STACK,
        startTimeoutMs: 120_000,
        callTimeoutMs: 600_000,
    });
    const floor = await PolicyPackClient.launch({
        packDir: floorSpec.dir,
        stack: STACK,
        startTimeoutMs: 120_000,
        callTimeoutMs: 600_000,
    });
    const packs = [
        { id: "ours", client: ours },
        { id: "floor", client: floor },
    ];
    try {
        for (const size of sizes) {
            const stack = generateStack(size, `w${size}`);
            const bad = checkStack(stack, size);
            problems.push(...bad.map((b) => `generated stack of ${size}: ${b}`));
            result.stackTypes[size] = typeCounts(stack.resources);

            // First AnalyzeStack of each pack at this size (JIT warm-up; also the call whose findings are checked).
            const firstCall = new Map<string, CallSample>();
            const diagCount = new Map<string, number>();
            let oursStackDiags: Diagnostic[] = [];
            for (const p of packs) {
                const { sample, ds } = await timed(p.client, () => p.client.analyzeStack(stack.resources));
                firstCall.set(p.id, sample);
                diagCount.set(p.id, ds.length);
                if (p.id === "ours") {
                    oursStackDiags = ds;
                }
                log(
                    `  AnalyzeStack ${size} ${p.id.padEnd(6)} ${sample.wallMs.toFixed(0).padStart(6)} ms wall, ${sample.packCpuMs.toFixed(0)} ms pack CPU (first call)`,
                );
            }

            // Then `reps` calls, interleaved, each on a freshly salted copy (no memoized analyses across calls).
            const samples = new Map<string, CallSample[]>(packs.map((p) => [p.id, []]));
            const n = reps[size] ?? 3;
            for (let r = 0; r < n; r++) {
                const salted = generateStack(size, `s${size}r${r}`);
                for (const p of rotate(packs, r)) {
                    const { sample, ds } = await timed(p.client, () => p.client.analyzeStack(salted.resources));
                    samples.get(p.id)?.push(sample);
                    if (ds.length !== diagCount.get(p.id)) {
                        problems.push(
                            `size ${size}: ${p.id} reported ${ds.length} diagnostics on rep ${r}, ${diagCount.get(p.id)} on the first call`,
                        );
                    }
                    log(
                        `  AnalyzeStack ${size} ${p.id.padEnd(6)} ${sample.wallMs.toFixed(0).padStart(6)} ms wall, ${sample.packCpuMs.toFixed(0)} ms pack CPU`,
                    );
                }
            }
            for (const p of packs) {
                const s = samples.get(p.id) ?? [];
                result.analyzeStack.push({
                    pack: p.id,
                    size,
                    firstCall: firstCall.get(p.id) ?? { wallMs: Number.NaN, packCpuMs: Number.NaN },
                    samples: s,
                    medianWallMs: median(s.map((x) => x.wallMs)),
                    medianPackCpuMs: median(s.map((x) => x.packCpuMs)),
                    diagnostics: diagCount.get(p.id) ?? 0,
                    hwmMiB: memoryOf(p.client.pid)?.hwmMiB ?? Number.NaN,
                });
            }

            // Analyze per resource: every resource of the 1,000 stack; an evenly spaced sample of larger ones.
            const analyzeStack = generateStack(size, `a${size}`);
            const sample = sampleResources(analyzeStack.resources, analyzeSample);
            // Planted document flaws are reported by Analyze; check them on the whole stack for the smallest size.
            const checkAll = size === Math.min(...sizes);
            let oursAnalyzeDiags: Diagnostic[] = [];
            for (const p of rotate(packs, size)) {
                const resources = sample;
                const callTimes: number[] = [];
                const ds: Diagnostic[] = [];
                const cpu0 = cpuMsOf(p.client.pid);
                const t0 = performance.now();
                for (const r of resources) {
                    const before = p.client.timings.calls.length;
                    ds.push(...(await p.client.analyze(r)));
                    callTimes.push(p.client.timings.calls[before]?.ms ?? Number.NaN);
                }
                const total = performance.now() - t0;
                const cpu = cpuMsOf(p.client.pid) - cpu0;
                if (p.id === "ours") {
                    oursAnalyzeDiags = ds;
                }
                // Keep the harness's call log from growing without bound.
                p.client.timings.calls.length = 0;
                result.analyze.push({
                    pack: p.id,
                    stackSize: size,
                    calls: resources.length,
                    medianCallMs: median(callTimes),
                    meanCallMs: total / resources.length,
                    packCpuPerCallMs: cpu / resources.length,
                    diagnostics: ds.length,
                });
                log(
                    `  Analyze ${resources.length} of ${size} ${p.id.padEnd(6)} median ${median(callTimes).toFixed(2)} ms/call`,
                );
            }
            if (checkAll) {
                // Same URNs in every salted copy: Analyze's findings (on the `a` copy) count for the `w` copy's plants.
                problems.push(...checkFindings(stack, oursStackDiags, oursAnalyzeDiags, size));
            } else {
                const stackOnly = stack.planted.filter((p) => p.flaw !== "unbound-service" && p.flaw !== "open-grant");
                problems.push(...checkFindings({ ...stack, planted: stackOnly }, oursStackDiags, [], size));
            }
        }

        // A preview's order: Analyze on every resource (inputs), then AnalyzeStack (outputs) on the same stack.
        for (const size of sizes) {
            const stack = generateStack(size, `v${size}`);
            for (const p of rotate(packs, size + 1)) {
                const cpu0 = cpuMsOf(p.client.pid);
                const t0 = performance.now();
                for (const r of stack.resources) {
                    await p.client.analyze(r);
                }
                const analyzeAllWallMs = performance.now() - t0;
                const analyzeAllPackCpuMs = cpuMsOf(p.client.pid) - cpu0;
                p.client.timings.calls.length = 0;
                const { sample } = await timed(p.client, () => p.client.analyzeStack(stack.resources));
                result.preview.push({ pack: p.id, size, analyzeAllWallMs, analyzeAllPackCpuMs, stack: sample });
                log(
                    `  preview order ${size} ${p.id.padEnd(6)} Analyze all ${analyzeAllWallMs.toFixed(0)} ms, then AnalyzeStack ${sample.wallMs.toFixed(0)} ms`,
                );
            }
        }

        // Attribution: each of our stack policies alone, and none (the pack's fixed cost per AnalyzeStack).
        // GetAnalyzerInfo reports a policy with both validations as a resource policy; ask the source.
        const stackPolicies = policies
            .filter((p) => "validateStack" in p && p.validateStack !== undefined)
            .map((p) => p.name);
        let salt = 0;
        for (const policy of [undefined, ...stackPolicies]) {
            await ours.configure(disableAllBut(ours, policy));
            const entry: PolicyAttribution = { policy: policy ?? "(all disabled)", cpuMs: {}, wallMs: {} };
            for (const size of sizes) {
                const s: CallSample[] = [];
                for (let r = 0; r < Math.max(2, Math.min(3, reps[size] ?? 3)); r++) {
                    const stack = generateStack(size, `p${salt++}`);
                    s.push((await timed(ours, () => ours.analyzeStack(stack.resources))).sample);
                }
                entry.cpuMs[size] = median(s.map((x) => x.packCpuMs));
                entry.wallMs[size] = median(s.map((x) => x.wallMs));
            }
            log(
                `  attribution ${entry.policy}: ${sizes.map((z) => `${z}: ${entry.cpuMs[z]?.toFixed(0)} ms CPU`).join(", ")}`,
            );
            result.attribution.push(entry);
        }
        await ours.configure({});
    } finally {
        await ours.close();
        await floor.close();
    }
    return result;
}
