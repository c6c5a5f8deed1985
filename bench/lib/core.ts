/**
 * The benchmark's core, what `npm run bench` runs by default (a few minutes even on a busy machine): start-up,
 * AnalyzeStack cold on both stack mixes at two sizes, Analyze per resource, and the judge in-process. Every
 * figure compared with a peer is a ratio taken round by round (the peer measured in the same round, interleaved)
 * and reported as its median with its spread over the rounds, with a verdict against its target that says "not
 * settled" when the spread is wider than the margin.
 */
import type { PackSpec } from "./packs";
import { type AnalyzeRound, type ColdCase, type ColdSample, measureAnalyze, measureColdStack } from "./cold";
import { type JudgeResult, measureJudge } from "./judge";
import type { Progress } from "./progress";
import { type StartResult, measureStartup } from "./startup";
import { STACK_MIXES } from "./stack";
import { type Spread, type Verdict, spreadOf, verdictOf } from "./stats";

/** One row of the results: a ratio of ours to a peer, with its spread and, when it has one, its target. */
export interface RatioRow {
    id: string;
    measure: string;
    /** Our absolute figure (median, with its unit), for this machine only. */
    ours: string;
    /** The peer's absolute figure (median, with its unit). */
    peer: string;
    ratio: Spread;
    /** Upper limit of the ratio, when it has a target. */
    limit?: number;
    verdict?: Verdict;
}

/** Everything the core measured. */
export interface CoreResult {
    rounds: number;
    size: number;
    small: number;
    /** Start-up of ours, the floor and the @pulumi/aws pattern (only with `withAwsPattern`). */
    startup: StartResult[];
    coldStack: ColdSample[];
    analyze: AnalyzeRound[];
    analyzeCalls: number;
    judge: JudgeResult;
    ratios: RatioRow[];
    problems: string[];
}

/** Core settings. */
export interface CoreSettings {
    rounds: number;
    /** The stack size of the first AnalyzeStack calls. */
    size: number;
    /** The smaller stack of the warm calls that show how AnalyzeStack grows. */
    small: number;
    analyzeCalls: number;
    judgeDocuments: number;
    judgePasses: number;
    /** Also start the @pulumi/aws pattern (a TypeScript pack type-checked by ts-node: 5 s or more per start). */
    withAwsPattern: boolean;
}

/** The phases the core runs, with their steps, for {@link Progress}. */
export function corePhases(s: CoreSettings): { name: string; steps: number; plannedSecondsPerStep: number }[] {
    return [
        ...(s.withAwsPattern ? [{ name: "start-up", steps: s.rounds * 3, plannedSecondsPerStep: 3 }] : []),
        {
            name: "AnalyzeStack, first call in a fresh process",
            steps: s.rounds * STACK_MIXES.length * 2,
            plannedSecondsPerStep: 5,
        },
        { name: "Analyze per resource", steps: s.rounds * STACK_MIXES.length, plannedSecondsPerStep: 3 },
        { name: "judge in-process", steps: 1, plannedSecondsPerStep: 15 },
    ];
}

const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : "n/a");
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const med = (xs: readonly number[]): number => spreadOf(xs).median;

function row(
    id: string,
    measure: string,
    ours: string,
    peer: string,
    ratios: readonly number[],
    limit?: number,
): RatioRow {
    const ratio = spreadOf(ratios);
    return limit === undefined
        ? { id, measure, ours, peer, ratio }
        : { id, measure, ours, peer, ratio, limit, verdict: verdictOf(ratio, limit) };
}

/** Ratios of `a` to `b` taken pair by pair (the same `key`: the same round, and mix). */
function paired<T>(a: readonly T[], b: readonly T[], key: (x: T) => string, value: (x: T) => number): number[] {
    const out: number[] = [];
    for (const x of a) {
        const y = b.find((z) => key(z) === key(x));
        if (y !== undefined && value(y) > 0) {
            out.push(value(x) / value(y));
        }
    }
    return out;
}

const byRound = (x: { round: number }): string => String(x.round);
const byRoundAndMix = (x: ColdSample): string => `${x.round}:${x.mix}`;

/** The ratio rows of a core run. */
export function coreRatios(
    startup: readonly StartResult[],
    cold: readonly ColdSample[],
    analyze: readonly AnalyzeRound[],
    judge: JudgeResult,
    size: number,
    small: number,
): RatioRow[] {
    const rows: RatioRow[] = [];
    // Start-up: every fresh process of the AnalyzeStack phase, paired with the floor's of the same round and mix.
    const oursStarts = cold.filter((x) => x.pack === "ours");
    const floorStarts = cold.filter((x) => x.pack === "floor");
    if (oursStarts.length > 0 && floorStarts.length > 0) {
        rows.push(
            row(
                "startup-time-floor",
                "Start-up, spawn to port",
                `${f0(med(oursStarts.map((x) => x.spawnToPortMs)))} ms`,
                `floor ${f0(med(floorStarts.map((x) => x.spawnToPortMs)))} ms`,
                paired(oursStarts, floorStarts, byRoundAndMix, (x) => x.spawnToPortMs),
                1.3,
            ),
            row(
                "startup-rss-floor",
                "Start-up memory (RSS)",
                `${f0(med(oursStarts.map((x) => x.startRssMiB)))} MiB`,
                `floor ${f0(med(floorStarts.map((x) => x.startRssMiB)))} MiB`,
                paired(oursStarts, floorStarts, byRoundAndMix, (x) => x.startRssMiB),
                1.3,
            ),
        );
    }
    const ours = startup.find((x) => x.id === "ours");
    const awsTs = startup.find((x) => x.id === "aws-ts");
    if (ours && awsTs) {
        rows.push(
            row(
                "startup-time-aws",
                "Start-up, spawn to port, against the @pulumi/aws pattern",
                `${f0(ours.median.spawnToPortMs)} ms`,
                `aws-ts ${f0(awsTs.median.spawnToPortMs)} ms`,
                paired(ours.samples, awsTs.samples, byRound, (x) => x.spawnToPortMs),
                0.5,
            ),
            row(
                "startup-rss-aws",
                "Start-up memory (RSS), against the @pulumi/aws pattern",
                `${f0(ours.median.rssMiB)} MiB`,
                `aws-ts ${f0(awsTs.median.rssMiB)} MiB`,
                paired(ours.samples, awsTs.samples, byRound, (x) => x.rssMiB),
                0.5,
            ),
        );
    }
    for (const mix of STACK_MIXES) {
        const of = (pack: string): ColdSample[] => cold.filter((x) => x.pack === pack && x.mix === mix);
        const o = of("ours");
        const f = of("floor");
        if (o.length === 0 || f.length === 0) {
            continue;
        }
        rows.push(
            row(
                `analyzeStack-${mix}-${size}`,
                `AnalyzeStack ${size.toLocaleString("en-US")} resources, ${mix} mix, first call in a fresh process (wall)`,
                `${f0(med(o.map((x) => x.wallMs)))} ms`,
                `floor ${f0(med(f.map((x) => x.wallMs)))} ms`,
                paired(o, f, byRound, (x) => x.wallMs),
                1.3,
            ),
            row(
                `analyzeStack-${mix}-${size}-cpu`,
                "  the same, pack CPU (the work the call costs, which load on the machine moves less)",
                `${f0(med(o.map((x) => x.packCpuMs)))} ms`,
                `floor ${f0(med(f.map((x) => x.packCpuMs)))} ms`,
                paired(o, f, byRound, (x) => x.packCpuMs),
                1.3,
            ),
        );
        const warm = o.flatMap((x) => (x.warm ? [x.warm] : []));
        if (warm.length === 0) {
            continue;
        }
        rows.push(
            row(
                `growth-${mix}`,
                `  growth ${small.toLocaleString("en-US")} → ${size.toLocaleString("en-US")} resources, our pack ` +
                    `(later calls in the same process, pack CPU; linear = ${size / small}x)`,
                `${f0(med(warm.map((x) => x.smallCpuMs)))} → ${f0(med(warm.map((x) => x.bigCpuMs)))} ms CPU`,
                `wall ${f0(med(warm.map((x) => x.smallWallMs)))} → ${f0(med(warm.map((x) => x.bigWallMs)))} ms`,
                warm.map((x) => x.bigCpuMs / x.smallCpuMs),
                (size / small) * 1.5,
            ),
        );
    }
    for (const mix of STACK_MIXES) {
        const rounds = analyze.filter((a) => a.mix === mix);
        if (rounds.length === 0) {
            continue;
        }
        rows.push(
            row(
                `analyze-${mix}`,
                `Analyze, per call, ${mix} mix (median call of ${rounds[0]?.calls} resources per round)`,
                `${f2(med(rounds.map((a) => a.oursMedianMs)))} ms`,
                `floor ${f2(med(rounds.map((a) => a.floorMedianMs)))} ms`,
                rounds.map((a) => a.oursMedianMs / a.floorMedianMs),
                1.2,
            ),
        );
    }
    const judgeQ = judge.samples.judgeQuestions ?? [];
    const simQ = judge.samples.simulatorQuestions ?? [];
    if (simQ.length > 0) {
        rows.push(
            row(
                "judge-vs-simulator",
                "The same six questions per key policy: our evaluator against the simulator",
                `${f2(med(judgeQ))} µs`,
                `iam-simulate ${f2(med(simQ))} µs`,
                judgeQ.map((x, i) => x / (simQ[i] ?? Number.NaN)),
            ),
        );
    }
    return rows;
}

/** Runs the core: (with the @pulumi/aws pattern, start-up), AnalyzeStack cold, Analyze per resource, the judge. */
export async function runCore(
    packs: { ours: PackSpec; floor: PackSpec; awsTs?: PackSpec },
    s: CoreSettings,
    progress: Progress,
): Promise<CoreResult> {
    const problems: string[] = [];
    let startup: StartResult[] = [];
    if (s.withAwsPattern && packs.awsTs) {
        progress.begin("start-up");
        startup = await measureStartup([packs.ours, packs.floor, packs.awsTs], s.rounds, (line) =>
            progress.step(line.trim()),
        );
        progress.end();
    }

    progress.begin("AnalyzeStack, first call in a fresh process");
    const cases: ColdCase[] = STACK_MIXES.map((mix) => ({ mix, size: s.size }));
    const cold = await measureColdStack(packs.ours, packs.floor, cases, s.small, s.rounds, progress);
    problems.push(...cold.problems);
    progress.end();

    progress.begin("Analyze per resource");
    const analyze = await measureAnalyze(
        packs.ours,
        packs.floor,
        STACK_MIXES,
        s.size,
        s.analyzeCalls,
        s.rounds,
        progress,
    );
    progress.end();

    progress.begin("judge in-process");
    const judge = measureJudge(s.judgeDocuments, s.judgePasses);
    problems.push(...judge.problems);
    progress.step(`${f2(judge.analyzeUncachedUsPerDoc)} µs per key policy (whole analysis, memo bypassed)`);
    progress.end();

    return {
        rounds: s.rounds,
        size: s.size,
        small: s.small,
        startup,
        coldStack: cold.samples,
        analyze,
        analyzeCalls: s.analyzeCalls,
        judge,
        ratios: coreRatios(startup, cold.samples, analyze, judge, s.size, s.small),
        problems,
    };
}
