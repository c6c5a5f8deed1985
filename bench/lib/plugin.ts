/**
 * Provider plugin start-up: this package's plugin against a no-op Node.js provider (`provider.main` with an
 * empty provider, bench/plugins/noop), both started the way the CLI starts a plugin (their executable, the
 * engine address as argument, the port read from the first stdout line), interleaved in the same run. Each
 * start is timed from spawn to port, then checked with GetPluginInfo; resident memory is read once it answered.
 */
import * as path from "node:path";
import {
    assertBuildIsFresh,
    FakeEngine,
    PACKAGED_PLUGIN,
    ProviderPlugin,
    type PluginCommand,
} from "../../harness/providerPlugin";
import { memoryOf } from "./proc";
import { ROOT } from "./packs";
import { median, range, ratio, rotate } from "./stats";

/** The two plugins measured. */
export type PluginId = "package" | "noop";

/** One start of one plugin. */
export interface PluginStartSample {
    round: number;
    plugin: PluginId;
    spawnToPortMs: number;
    rssMiB: number;
}

/** Median and spread of one plugin's starts. */
export interface PluginStartSummary {
    medianMs: number;
    minMs: number;
    maxMs: number;
    medianRssMiB: number;
}

/** The result: samples, each plugin's summary, the ratio of medians and the spread of per-round ratios. */
export interface PluginStartResult {
    rounds: number;
    samples: PluginStartSample[];
    package: PluginStartSummary;
    noop: PluginStartSummary;
    /** Median start of the package's plugin over the no-op's. */
    ratio: number;
    /** Smallest and largest ratio of the two starts of one round. */
    roundRatios: { min: number; max: number };
}

const PLUGINS: Readonly<Record<PluginId, PluginCommand>> = {
    package: PACKAGED_PLUGIN,
    noop: { command: path.join(ROOT, "bench", "plugins", "noop", "pulumi-resource-noop"), args: [] },
};

/** Starts each plugin `rounds` times, interleaved (each round starts with the other one than the last). */
export async function measurePluginStartup(rounds: number, log: (s: string) => void): Promise<PluginStartResult> {
    assertBuildIsFresh();
    const engine = new FakeEngine();
    await engine.start();
    const samples: PluginStartSample[] = [];
    try {
        for (let round = 0; round < rounds; round++) {
            for (const id of rotate(["package", "noop"] as const, round)) {
                const plugin = await ProviderPlugin.launch({ ...PLUGINS[id], cwd: ROOT }, engine.address);
                try {
                    await plugin.getPluginInfo();
                    const sample = {
                        round,
                        plugin: id,
                        spawnToPortMs: plugin.spawnToPortMs,
                        rssMiB: memoryOf(plugin.pid)?.rssMiB ?? Number.NaN,
                    };
                    samples.push(sample);
                    log(
                        `  plugin start ${round + 1}/${rounds} ${id.padEnd(8)} ${sample.spawnToPortMs.toFixed(0).padStart(6)} ms`,
                    );
                } finally {
                    await plugin.close();
                }
            }
        }
    } finally {
        await engine.stop();
    }
    const summary = (id: PluginId): PluginStartSummary => {
        const mine = samples.filter((s) => s.plugin === id);
        const { min, max } = range(mine.map((s) => s.spawnToPortMs));
        return {
            medianMs: median(mine.map((s) => s.spawnToPortMs)),
            minMs: min,
            maxMs: max,
            medianRssMiB: median(mine.map((s) => s.rssMiB)),
        };
    };
    const perRound = Array.from({ length: rounds }, (_, round) => {
        const of = (id: PluginId) =>
            samples.find((s) => s.round === round && s.plugin === id)?.spawnToPortMs ?? Number.NaN;
        return ratio(of("package"), of("noop"));
    });
    const pkg = summary("package");
    const noop = summary("noop");
    return {
        rounds,
        samples,
        package: pkg,
        noop,
        ratio: ratio(pkg.medianMs, noop.medianMs),
        roundRatios: range(perRound),
    };
}
