/**
 * `npm run bench:commands [-- --base <git revision>] [--runs N]`: how long the README's commands take, end to end as
 * a user types them (`npm run preview:offline`, `npm run audit -- --key-policy <file> --application-arn <arn>`),
 * here and, with --base, in a copy of another revision of this repository (same node_modules), run alternately.
 * Prints median, min and max over N runs after one warm-up each (which may build), and writes
 * bench/commands.json.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { checkout } from "./lib/checkout";
import { loadAverage, machine } from "./lib/machine";
import { median, range, table } from "./lib/stats";
import { APP_ARN as APP } from "../harness/fixtures";

const ROOT = path.resolve(__dirname, "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

interface Command {
    name: string;
    args: string[];
    /** Exit codes that mean the command worked (a violation is a verdict, not a failure). */
    ok: number[];
}

const COMMANDS: Command[] = [
    { name: "npm run preview:offline", args: ["run", "--silent", "preview:offline"], ok: [0] },
    {
        name: "npm run audit -- --key-policy <file> --application-arn <arn>",
        args: [
            "run",
            "--silent",
            "audit",
            "--",
            "--key-policy",
            path.join(ROOT, "tests", "fixtures", "keyPolicies", "good-aws-guide.json"),
            "--application-arn",
            APP,
        ],
        ok: [0],
    },
];

function timed(cwd: string, c: Command): number {
    const started = performance.now();
    const r = spawnSync(NPM, c.args, {
        cwd,
        encoding: "utf8",
        env: { ...process.env, npm_config_update_notifier: "false" },
    });
    const ms = performance.now() - started;
    if (!c.ok.includes(r.status ?? -1)) {
        throw new Error(`${c.name} in ${cwd} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
    }
    return ms;
}

function main(): void {
    const mach = machine();
    const started = performance.now();
    const argv = process.argv.slice(2);
    const flag = (name: string): string | undefined => {
        const i = argv.indexOf(name);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const runs = Number(flag("--runs") ?? 5);
    const base = flag("--base");
    const trees: { label: string; dir: string }[] = [{ label: "this checkout", dir: ROOT }];
    if (base) {
        trees.push({ label: `revision ${base}`, dir: checkout(base, "bench-commands-base-") });
    }
    const samples: Record<string, Record<string, number[]>> = {};
    try {
        for (const c of COMMANDS) {
            for (const t of trees) {
                process.stderr.write(`warm-up: ${c.name} (${t.label}) ...\n`);
                timed(t.dir, c);
                (samples[c.name] ??= {})[t.label] = [];
            }
            for (let i = 0; i < runs; i++) {
                for (const t of i % 2 === 0 ? trees : [...trees].reverse()) {
                    samples[c.name]?.[t.label]?.push(timed(t.dir, c));
                }
            }
        }
    } finally {
        for (const t of trees.slice(1)) {
            fs.rmSync(t.dir, { recursive: true, force: true });
        }
    }
    const rows: string[][] = [];
    for (const c of COMMANDS) {
        for (const t of trees) {
            const xs = samples[c.name]?.[t.label] ?? [];
            const r = range(xs);
            rows.push([
                c.name,
                t.label,
                (median(xs) / 1000).toFixed(2),
                (r.min / 1000).toFixed(2),
                (r.max / 1000).toFixed(2),
            ]);
        }
    }
    const loadAverageAtEnd = loadAverage();
    process.stdout.write(
        `Machine: ${mach.nproc} CPUs, ${mach.cpu}, node ${mach.node}, load average ${mach.loadAverageAtStart} at ` +
            `the start, ${loadAverageAtEnd} at the end; ${runs} runs each after a warm-up, alternated\n`,
    );
    process.stdout.write(`${table(["command", "tree", "median s", "min s", "max s"], rows)}\n`);
    fs.writeFileSync(
        path.join(ROOT, "bench", "commands.json"),
        `${JSON.stringify(
            {
                generatedAt: new Date().toISOString(),
                machine: { ...mach, loadAverageAtEnd },
                totalSeconds: (performance.now() - started) / 1000,
                runs,
                base,
                trees: trees.map((t) => t.label),
                samples,
            },
            null,
            2,
        )}\n`,
    );
}

main();
