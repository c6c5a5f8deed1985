/**
 * One Construct of EncryptedApplication over gRPC: this package's plugin, started as the CLI starts it, asked to
 * construct the component tests' `full` scenario (as output values, update mode) against the recording engine
 * of the Construct tests, timed from request to response. The peer, in the same run and interleaved by round:
 * the same component constructed under Pulumi runtime mocks in a child process (bench/lib/constructMocksChild.ts),
 * timed until its outputs and children resolved. The first Construct after the plugin started (which loads the
 * components and @pulumi/aws) is reported apart.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { PACKAGED_PLUGIN, ProviderPlugin, assertBuildIsFresh } from "../../harness/providerPlugin";
import { capturedScenarios, constructScenario } from "../../harness/provider/constructRun";
import { RecordingEngine } from "../../harness/provider/recordingEngine";
import { ROOT } from "./packs";
import { median, range, ratio } from "./stats";

/** Median and spread of one side's samples, in milliseconds. */
export interface ConstructSummary {
    medianMs: number;
    minMs: number;
    maxMs: number;
    samples: number;
}

/** The Construct benchmark's result. */
export interface ConstructResult {
    rounds: number;
    perRound: number;
    /** Registrations of one Construct (the component and its children). */
    registrations: number;
    /** The first Construct after the plugin started. */
    firstConstructMs: number;
    /** Plugin start (spawn to port) of this run. */
    spawnToPortMs: number;
    construct: ConstructSummary;
    mocks: ConstructSummary;
    /** Median Construct over median under mocks. */
    ratio: number;
    /** Smallest and largest ratio of the medians of one round. */
    roundRatios: { min: number; max: number };
    samples: { round: number; side: "construct" | "mocks"; ms: number }[];
    problems: string[];
}

function summary(xs: number[]): ConstructSummary {
    const { min, max } = range(xs);
    return { medianMs: median(xs), minMs: min, maxMs: max, samples: xs.length };
}

function mocksRound(count: number): number[] {
    const out = path.join(os.tmpdir(), `bench-construct-mocks-${process.pid}-${Date.now()}.json`);
    try {
        execFileSync(
            process.execPath,
            [
                "-r",
                "ts-node/register/transpile-only",
                path.join(ROOT, "bench/lib/constructMocksChild.ts"),
                String(count),
                out,
            ],
            {
                cwd: ROOT,
                stdio: ["ignore", "ignore", "pipe"],
                timeout: 300_000,
                env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
            },
        );
        return (JSON.parse(fs.readFileSync(out, "utf8")) as { samplesMs: number[] }).samplesMs;
    } finally {
        fs.rmSync(out, { force: true });
    }
}

/**
 * `rounds` rounds of `perRound` Constructs and `perRound` constructions under mocks (a fresh child process per
 * round; its first construction, which pays for loading, is dropped as the plugin's first Construct is).
 */
export async function measureConstruct(
    rounds: number,
    perRound: number,
    log: (s: string) => void,
): Promise<ConstructResult> {
    assertBuildIsFresh();
    const problems: string[] = [];
    const scenario = capturedScenarios().full;
    const engine = await RecordingEngine.start();
    const plugin = await ProviderPlugin.launch(PACKAGED_PLUGIN, engine.address);
    const samples: ConstructResult["samples"] = [];
    const roundRatios: number[] = [];
    let registrations = 0;
    let firstConstructMs = Number.NaN;
    let n = 0;
    try {
        await plugin.configure({});
        const once = async (): Promise<number> => {
            const t0 = performance.now();
            const run = await constructScenario(plugin, engine, scenario, false, "outputValues", `full-${n++}`);
            const ms = performance.now() - t0;
            if (run.error) {
                problems.push(`Construct failed: ${run.error.message}`);
            }
            registrations = run.monitor.length;
            return ms;
        };
        firstConstructMs = await once();
        for (let round = 0; round < rounds; round++) {
            const sides = round % 2 === 0 ? (["construct", "mocks"] as const) : (["mocks", "construct"] as const);
            const medians: Record<string, number> = {};
            for (const side of sides) {
                let ms: number[];
                if (side === "construct") {
                    ms = [];
                    for (let i = 0; i < perRound; i++) {
                        ms.push(await once());
                    }
                } else {
                    ms = mocksRound(perRound + 1).slice(1);
                }
                medians[side] = median(ms);
                samples.push(...ms.map((x) => ({ round, side, ms: x })));
            }
            roundRatios.push(ratio(medians.construct, medians.mocks));
            log(
                `  round ${round + 1}: Construct ${medians.construct.toFixed(0)} ms, mocks ${medians.mocks.toFixed(0)} ms`,
            );
        }
    } finally {
        await plugin.close();
        await engine.close();
    }
    if (registrations !== 10) {
        problems.push(`one Construct of the full scenario registered ${registrations} resources; expected 10`);
    }
    const construct = summary(samples.filter((s) => s.side === "construct").map((s) => s.ms));
    const mocks = summary(samples.filter((s) => s.side === "mocks").map((s) => s.ms));
    return {
        rounds,
        perRound,
        registrations,
        firstConstructMs,
        spawnToPortMs: plugin.spawnToPortMs,
        construct,
        mocks,
        ratio: ratio(construct.medianMs, mocks.medianMs),
        roundRatios: range(roundRatios),
        samples,
        problems,
    };
}
