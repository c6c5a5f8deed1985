/**
 * `npm run bench:compare -- <git revision>`: the cold AnalyzeStack of the policy pack at a revision against the
 * working tree's, with the floor pack as the yardstick, interleaved in one run. A change's effect on the pack's
 * cost is then measured on the same machine minutes apart, not read off two runs of `npm run bench` hours apart
 * under different load.
 *
 * The revision's policypack/ is copied into a temporary directory (bench/lib/checkout.ts), compiled there with the
 * project's TypeScript, and run against the project's node_modules. Each round, for the bench
 * mix and the preview mix of 10,000 resources (bench/lib/stack.ts), each of the three packs is started anew and
 * answers one AnalyzeStack (its first call, as a preview or update meets it), in an order that rotates by round.
 * Prints the pack CPU of each and the ratios round by round (median, min..max), and writes them to
 * bench/compare.json (BENCH_COMPARE_RESULTS to write elsewhere). Knobs: BENCH_COMPARE_ROUNDS (default 5, at
 * least 3). Exits non-zero when the two packs report different diagnostics (a change that makes the pack cheaper
 * must not change what it finds).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PolicyPackClient } from "../engine/analyzer";
import type { Diagnostic } from "../engine/analyzerTypes";
import { checkout } from "./lib/checkout";
import { ROOT, buildPacks, packSpecs } from "./lib/packs";
import { cpuMsOf } from "./lib/proc";
import { STACK_MIXES, generateStack } from "./lib/stack";
import { type Spread, formatSpread, rotate, spreadOf, table } from "./lib/stats";

const ROUNDS = Math.max(3, Number(process.env.BENCH_COMPARE_ROUNDS ?? 5));
const SIZE = 10_000;
const RESULTS = path.resolve(process.env.BENCH_COMPARE_RESULTS ?? path.join(ROOT, "bench/compare.json"));

function log(s: string): void {
    process.stderr.write(`${s}\n`);
}

/** The pack at `revision`, compiled in a copy of its policypack/ (in `tree`, from {@link checkout}); returns its directory. */
function packAt(tree: string): string {
    const dir = path.join(tree, "policypack");
    const tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
    execFileSync(process.execPath, [tsc, "-p", path.join(dir, "tsconfig.json")], { cwd: dir, stdio: "pipe" });
    return dir;
}

/** A diagnostic as a comparable line. */
function key(d: Diagnostic): string {
    return `${d.policyName}\u0000${d.urn}\u0000${d.message}`;
}

async function coldCall(
    dir: string,
    resources: Parameters<PolicyPackClient["analyzeStack"]>[0],
): Promise<{ cpuMs: number; diagnostics: string[] }> {
    const pack = await PolicyPackClient.launch({
        packDir: dir,
        stack: { project: "emr-bench", stack: "bench", dryRun: false },
        startTimeoutMs: 120_000,
        callTimeoutMs: 600_000,
    });
    try {
        const cpu0 = cpuMsOf(pack.pid);
        const ds = await pack.analyzeStack(resources);
        return { cpuMs: cpuMsOf(pack.pid) - cpu0, diagnostics: ds.map(key).sort() };
    } finally {
        await pack.close();
    }
}

async function main(): Promise<number> {
    const revision = process.argv[2];
    if (!revision) {
        log("usage: npm run bench:compare -- <git revision to compare the working tree's pack with>");
        return 2;
    }
    log(`building the working tree's pack and the floor, and the pack at ${revision} ...`);
    buildPacks();
    const tmp = checkout(revision, "bench-compare-", ["policypack"]);
    const problems: string[] = [];
    const cpu: Record<string, number[]> = {};
    const ratios: Record<string, number[]> = {};
    try {
        const floor = packSpecs(undefined).find((p) => p.id === "floor")?.dir ?? "";
        const packs = [
            { id: revision, dir: packAt(tmp) },
            { id: "working tree", dir: path.join(ROOT, "policypack") },
            { id: "floor", dir: floor },
        ];
        const stacks = STACK_MIXES.map((mix) => generateStack(SIZE, `c${SIZE}`, mix));
        for (let round = 0; round < ROUNDS; round++) {
            for (const [mi, mix] of STACK_MIXES.entries()) {
                const stack = stacks[mi];
                const got = new Map<string, { cpuMs: number; diagnostics: string[] }>();
                for (const p of rotate(packs, round + mi)) {
                    const r = await coldCall(p.dir, stack.resources);
                    got.set(p.id, r);
                    (cpu[`${mix}: ${p.id}`] ??= []).push(r.cpuMs);
                    log(`round ${round + 1}/${ROUNDS}, ${mix} mix, ${p.id}: ${r.cpuMs.toFixed(0)} ms pack CPU`);
                }
                const before = got.get(revision);
                const after = got.get("working tree");
                const base = got.get("floor");
                if (!before || !after || !base) {
                    throw new Error("a pack gave no answer");
                }
                if (before.diagnostics.join("\n") !== after.diagnostics.join("\n")) {
                    problems.push(`round ${round + 1}, ${mix} mix: the two packs' diagnostics differ`);
                }
                (ratios[`${mix}: ${revision} / floor`] ??= []).push(before.cpuMs / base.cpuMs);
                (ratios[`${mix}: working tree / floor`] ??= []).push(after.cpuMs / base.cpuMs);
                (ratios[`${mix}: working tree / ${revision}`] ??= []).push(after.cpuMs / before.cpuMs);
            }
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    const spreads = (m: Record<string, number[]>): Record<string, Spread> =>
        Object.fromEntries(Object.entries(m).map(([k, v]) => [k, spreadOf(v)]));
    const cpuSpreads = spreads(cpu);
    const ratioSpreads = spreads(ratios);
    const out = [
        `Cold AnalyzeStack of ${SIZE} resources, pack CPU, ${ROUNDS} interleaved rounds: median (min..max)`,
        table(
            ["pack", "pack CPU ms"],
            Object.entries(cpuSpreads).map(([k, s]) => [k, formatSpread(s, 0, "")]),
        ),
        "",
        table(
            ["ratio", "median (min..max)"],
            Object.entries(ratioSpreads).map(([k, s]) => [k, formatSpread(s)]),
        ),
        ...(problems.length > 0 ? ["", "PROBLEMS:", ...problems.map((p) => `  - ${p}`)] : []),
    ];
    process.stdout.write(`${out.join("\n")}\n`);
    fs.writeFileSync(
        RESULTS,
        `${JSON.stringify({ generatedAt: new Date().toISOString(), revision, rounds: ROUNDS, size: SIZE, cpuMs: cpu, ratios, cpuSpreads, ratioSpreads, problems }, null, 2)}\n`,
    );
    log(`wrote ${path.relative(ROOT, RESULTS)}`);
    return problems.length > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        log(`comparison failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        process.exit(2);
    },
);
