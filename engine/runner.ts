/**
 * The offline preview's side of the program runner (`previewRunner.ts`): spawn it as the language host spawns a
 * program (`node <nodeargs> ...` in the program's working directory, with the host's environment), read its
 * registrations as they complete, bound its run time, and say precisely why a run ended without a result
 * (a timeout, a signal, the V8 heap limit, a crash).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { installHint, MissingDependencyError } from "./languageHost";
import {
    RUNNER_CHANNEL_FD,
    type RecordedResource,
    type RunnerDone,
    type RunnerMessage,
    type RunnerRequest,
    type RunnerResult,
} from "./previewTypes";

/** The default limit on the program's run time, in seconds (`--timeout`). */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** Why the runner ended without a result. */
export type RunnerFailureKind = "timeout" | "out-of-memory" | "killed" | "crashed";

/** The runner ended without a result: the message says which way and what to do. */
export class RunnerFailure extends Error {
    constructor(
        public readonly kind: RunnerFailureKind,
        message: string,
        /** The end of the runner's stderr. */
        public readonly stderr: string,
    ) {
        super(message);
        this.name = "RunnerFailure";
    }
}

/** How {@link runProgram} runs the runner. */
export interface RunProgramOptions {
    /** Seconds before the run is stopped (default {@link DEFAULT_TIMEOUT_SECONDS}). */
    timeoutSeconds?: number;
    /** Arguments for node before the runner (Pulumi.yaml `runtime.options.nodeargs`). */
    nodeArgs?: readonly string[];
    /** Environment added to this process's (the language host's `PULUMI_NODEJS_*`). */
    env?: Readonly<Record<string, string>>;
    /** Called for each registration as soon as the runner reports it. */
    onResource?: (r: RecordedResource) => void;
}

/** The part of a stream's text kept for messages (the end: where errors are). */
const TAIL_BYTES = 64 * 1024;

function appendTail(tail: string, chunk: string): string {
    const s = tail + chunk;
    return s.length > TAIL_BYTES ? s.slice(s.length - TAIL_BYTES) : s;
}

/** True when `stderr` shows V8 giving up at its heap limit (the language host looks for the same lines). */
export function isOutOfMemory(stderr: string): boolean {
    return (
        stderr.includes("JavaScript heap out of memory") ||
        stderr.includes("Reached heap limit") ||
        stderr.includes("<--- Last few GCs --->")
    );
}

/** The last `n` non-empty lines of `text`. */
function lastLines(text: string, n: number): string {
    return text
        .split("\n")
        .filter((l) => l.trim() !== "")
        .slice(-n)
        .join("\n");
}

/**
 * The message for a runner that ended without its "done" message (pure): a timeout we imposed, the V8 heap limit,
 * a signal from outside, or an exit code.
 */
export function classifyRunnerEnd(end: {
    code: number | null;
    signal: NodeJS.Signals | null;
    timedOut: boolean;
    timeoutSeconds: number;
    stderr: string;
    nodeArgs: readonly string[];
}): RunnerFailure {
    const tail = lastLines(end.stderr, 20);
    const withTail = (m: string): string => (tail ? `${m}\n--- program stderr (last lines) ---\n${tail}` : m);
    if (end.timedOut) {
        return new RunnerFailure(
            "timeout",
            `timeout: the program did not finish within ${end.timeoutSeconds} s (the offline preview's --timeout ` +
                `limit) and was stopped; raise it with --timeout SECONDS, or look for a promise that never settles`,
            end.stderr,
        );
    }
    if (isOutOfMemory(end.stderr)) {
        const limit = end.nodeArgs.find((a) => a.startsWith("--max-old-space-size"));
        return new RunnerFailure(
            "out-of-memory",
            `out of memory: the program reached the V8 heap limit (${limit ?? "node's default"}) and was stopped; ` +
                `raise it in Pulumi.yaml with runtime.options.nodeargs: "--max-old-space-size=<MiB>" ` +
                `(as for pulumi preview)`,
            end.stderr,
        );
    }
    if (end.signal) {
        return new RunnerFailure(
            "killed",
            withTail(
                `the program runner was killed by ${end.signal} (not by the offline preview: another process or ` +
                    `the system, e.g. its out-of-memory killer)`,
            ),
            end.stderr,
        );
    }
    return new RunnerFailure(
        "crashed",
        withTail(`the program runner exited with code ${end.code} before reporting a result`),
        end.stderr,
    );
}

/**
 * The directory of the program's own `@pulumi/pulumi`, resolved from its working directory as the language host
 * resolves `@pulumi/pulumi/cmd/run`; throws a one-line {@link MissingDependencyError} naming the install command.
 */
export function resolveProgramSdk(pwd: string): string {
    try {
        return path.dirname(path.dirname(path.dirname(require.resolve("@pulumi/pulumi/cmd/run", { paths: [pwd] }))));
    } catch {
        throw new MissingDependencyError(
            "@pulumi/pulumi",
            `the program needs @pulumi/pulumi, which is not installed for ${pwd}: ` +
                `${installHint("@pulumi/pulumi", pwd)} (pulumi preview needs it too)`,
        );
    }
}

/** This package's root: the nearest directory above this module with a package.json (from sources or bin/). */
export function packageRoot(): string {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "package.json"))) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            return path.resolve(__dirname, "..");
        }
    }
}

/** This package's name (for install hints). */
export function ownPackageName(): string | undefined {
    try {
        return (JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { name?: string })
            .name;
    } catch {
        return undefined;
    }
}

/** Splits a stream of text into lines, calling `onLine` for each complete line. */
function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
    let pending = "";
    return {
        push(chunk: string): void {
            pending += chunk;
            let start = 0;
            for (let nl = pending.indexOf("\n", start); nl >= 0; nl = pending.indexOf("\n", start)) {
                onLine(pending.slice(start, nl));
                start = nl + 1;
            }
            pending = pending.slice(start);
        },
        end(): void {
            if (pending.trim() !== "") {
                onLine(pending);
            }
            pending = "";
        },
    };
}

/**
 * Runs the program in a child process under mocks and returns what it registered. Throws a {@link RunnerFailure}
 * when the runner ends without a result (timeout, out of memory, killed, crashed).
 */
export async function runProgram(
    req: RunnerRequest,
    opts: RunProgramOptions = {},
): Promise<RunnerResult & { stderr: string; ms: number }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offline-preview-"));
    const reqFile = path.join(dir, "request.json");
    fs.writeFileSync(reqFile, JSON.stringify(req));
    const ext = path.extname(__filename);
    const runner = path.join(__dirname, `previewRunner${ext}`);
    const env: NodeJS.ProcessEnv = { ...process.env, ...(opts.env ?? {}) };
    const fromSource = ext === ".ts";
    if (fromSource) {
        // Only the test suite runs the engine from its sources: the runner is compiled by ts-node (transpile-only,
        // this repository's tsconfig), which it switches off before it loads the program. Options ts-node reads from
        // the environment would also apply to the program's ts-node when it is the same module: only the project
        // file is given that way (the program's registration names its own).
        for (const k of Object.keys(env)) {
            if (k.startsWith("TS_NODE_")) {
                delete env[k];
            }
        }
        env["TS_NODE_PROJECT"] = path.join(__dirname, "..", "tsconfig.json");
    }
    const nodeArgs = opts.nodeArgs ?? [];
    const args = [
        ...nodeArgs,
        ...(fromSource ? ["-r", require.resolve("ts-node/register/transpile-only")] : []),
        runner,
        reqFile,
    ];
    const timeoutSeconds = opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    const resources: RecordedResource[] = [];
    const byUrn = new Map<string, RecordedResource>();
    let done: RunnerDone | undefined;
    let protocolError: string | undefined;
    let stderr = "";
    let stdout = "";
    const started = performance.now();
    try {
        const end = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; timedOut: boolean }>(
            (resolve, reject) => {
                const child = spawn(process.execPath, args, {
                    cwd: req.pwd,
                    env,
                    stdio: ["ignore", "pipe", "pipe", "pipe"],
                });
                let timedOut = false;
                const timer = setTimeout(() => {
                    timedOut = true;
                    child.kill("SIGKILL");
                }, timeoutSeconds * 1000);
                const lines = lineSplitter((line) => {
                    if (protocolError || line === "") {
                        return;
                    }
                    let m: RunnerMessage;
                    try {
                        m = JSON.parse(line) as RunnerMessage;
                    } catch (e) {
                        protocolError = `unreadable message from the program runner: ${(e as Error).message}`;
                        return;
                    }
                    if (m.kind === "resource") {
                        resources.push(m.resource);
                        byUrn.set(m.resource.urn, m.resource);
                        opts.onResource?.(m.resource);
                    } else if (m.kind === "outputs") {
                        const rec = byUrn.get(m.urn);
                        if (rec) {
                            rec.outputs = m.outputs;
                        }
                    } else if (m.kind === "done") {
                        done = m.done;
                    }
                });
                const channel = child.stdio[RUNNER_CHANNEL_FD] as NodeJS.ReadableStream;
                channel.setEncoding("utf8");
                channel.on("data", (c: string) => lines.push(c));
                child.stderr?.setEncoding("utf8");
                child.stdout?.setEncoding("utf8");
                child.stderr?.on("data", (c: string) => (stderr = appendTail(stderr, c)));
                child.stdout?.on("data", (c: string) => (stdout = appendTail(stdout, c)));
                child.on("error", (e) => {
                    clearTimeout(timer);
                    reject(e);
                });
                // "close": the process has exited and its pipes are drained (every message is in).
                child.on("close", (code, signal) => {
                    clearTimeout(timer);
                    lines.end();
                    resolve({ code, signal, timedOut });
                });
            },
        );
        const ms = performance.now() - started;
        if (protocolError) {
            throw new RunnerFailure("crashed", protocolError, stderr);
        }
        if (!done) {
            throw classifyRunnerEnd({ ...end, timeoutSeconds, stderr, nodeArgs });
        }
        const finished: RunnerDone = done;
        if (finished.missing) {
            throw new MissingDependencyError(finished.missing.dependency, finished.missing.message);
        }
        return { ...finished, resources, stderr: stderr + stdout, ms };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
