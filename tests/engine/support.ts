/** Shared by the engine tests. */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "../..");
/** The real policy pack (compiled to policypack/bin by `npm run pretest`). */
export const REAL_PACK = path.join(ROOT, "policypack");

/** Fails clearly when the real pack has not been compiled. */
export function assertPackBuilt(): void {
    const main = path.join(REAL_PACK, "bin", "index.js");
    if (!fs.existsSync(main)) {
        throw new Error(`${main} is missing: run \`npm run pretest\` (tsc -p policypack/tsconfig.json) first`);
    }
}

/** What one run of the offline preview command printed, and its exit code. */
export interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs `npm run preview:offline -- <args>` as CI does (from the repository root). */
export function preview(args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(ROOT, "engine", "cli.ts"), ...args],
            {
                cwd: ROOT,
                env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", INIT_CWD: ROOT },
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
        child.on("error", reject);
        child.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
}

/** Runs `jobs` at most `n` at a time; each result is available as soon as it is done. */
export function limited<T>(n: number, jobs: (() => Promise<T>)[]): Promise<T>[] {
    let running = 0;
    const queue: (() => void)[] = [];
    return jobs.map(
        (job) =>
            new Promise<T>((resolve, reject) => {
                const start = (): void => {
                    running++;
                    job()
                        .then(resolve, reject)
                        .finally(() => {
                            running--;
                            queue.shift()?.();
                        });
                };
                if (running < n) {
                    start();
                } else {
                    queue.push(start);
                }
            }),
    );
}
