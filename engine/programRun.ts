/**
 * Preparing a program for the offline preview as the CLI and the Node.js language host would (project, stack
 * config, fixtures, account id), running it under mocks, and what its run showed to be secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type EngineResource, engineView } from "./engineView";
import { hostEnvironment, parseRuntimeOptions, pwdAndEntry } from "./languageHost";
import { loadStackConfig, readProject } from "./project";
import { configSecrets, wireSecrets } from "./redact";
import type { InvokeFixture, RunnerRequest, RunnerResult } from "./previewTypes";
import { ownPackageName, resolveProgramSdk, type RunProgramOptions, runProgram } from "./runner";

/** Reads a fixtures file: a JSON array of `{token, args, result}`. Throws naming the entry and the fix. */
export function readInvokeFixtures(file: string): InvokeFixture[] {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`--invokes ${file}: cannot read JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(raw)) {
        throw new Error(`--invokes ${file}: expected a JSON array of {"token", "args", "result"} entries`);
    }
    raw.forEach((f: unknown, i) => {
        const e = f as Partial<InvokeFixture> | null;
        if (!e || typeof e.token !== "string" || typeof e.result !== "object" || e.result === null) {
            throw new Error(
                `--invokes ${file}: entry #${i + 1} needs a string "token", an "args" object and a "result" object`,
            );
        }
        if (e.args !== undefined && (typeof e.args !== "object" || e.args === null || Array.isArray(e.args))) {
            throw new Error(`--invokes ${file}: entry #${i + 1} "args" must be an object`);
        }
    });
    return (raw as InvokeFixture[]).map((f) => ({ ...f, args: f.args ?? {} }));
}

/** Picks the account id: the flag, else `aws:allowedAccountIds` when it names exactly one account. */
export function accountIdFrom(flag: string | undefined, config: Readonly<Record<string, string>>): string | undefined {
    if (flag) {
        if (!/^\d{12}$/.test(flag)) {
            throw new Error(`--account-id ${JSON.stringify(flag)}: expected a 12-digit AWS account id`);
        }
        return flag;
    }
    const allowed = config["aws:allowedAccountIds"];
    if (allowed) {
        try {
            const ids = JSON.parse(allowed) as unknown;
            if (Array.isArray(ids) && ids.length === 1 && typeof ids[0] === "string") {
                return ids[0];
            }
        } catch {
            return undefined;
        }
    }
    return undefined;
}

/** How to run a program: its project, stack and config, the fixtures its invokes read, and the runner's limits. */
export interface ProgramOptions {
    /** The Pulumi project directory (Pulumi.yaml). */
    programDir: string;
    /** Stack name; default: the only `Pulumi.<stack>.yaml` in the directory, else "dev". */
    stack?: string;
    /** Organization; default "organization" (the CLI's default for a local backend). */
    organization?: string;
    /** `key=value` config pairs (bare keys are namespaced with the project). */
    config?: string[];
    /** `key=value` pairs marked secret. */
    secretConfig?: string[];
    /** Account id for aws:index/getCallerIdentity. */
    accountId?: string;
    /** A fixtures file for other invokes and reads. */
    invokesFile?: string;
    /**
     * Leave computed outputs unknown, as `pulumi preview` does for a new stack (the pack then notes it cannot judge
     * what depends on them). Default: placeholders, judged as if created.
     */
    unknowns?: boolean;
    /** Seconds the program may run before it is stopped (`--timeout`; default 300). */
    timeoutSeconds?: number;
    /** Environment for the program on top of this process's (as if the preview were started with it). */
    programEnv?: Readonly<Record<string, string>>;
}

/** The stack when none is given: the only `Pulumi.<stack>.yaml` in the directory, else "dev". */
export function defaultStack(programDir: string): string {
    const stacks = fs
        .readdirSync(programDir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined);
    return stacks.length === 1 ? stacks[0] : "dev";
}

/** A program ready to run: its project, its stack config, and what the runner is given. */
export interface PreparedProgram {
    project: string;
    stack: string;
    organization: string;
    config: Record<string, string>;
    secretKeys: string[];
    req: RunnerRequest;
    /** How the runner is started (the language host's node arguments and environment, the time limit). */
    run: Omit<RunProgramOptions, "onResource">;
}

/**
 * Reads the project and its config and prepares the runner's request as the CLI and the Node.js language host
 * would: the working directory and entry from `main`, the runtime options, the program's own `@pulumi/pulumi`.
 * Throws naming the file, the option or the missing dependency.
 */
export function prepareProgramRun(opts: ProgramOptions): PreparedProgram {
    const programDir = path.resolve(opts.programDir);
    const stack = opts.stack ?? defaultStack(programDir);
    const project = readProject(programDir);
    const runtime = parseRuntimeOptions(project.runtimeOptions, path.join(programDir, "Pulumi.yaml"));
    const { config, secretKeys } = loadStackConfig(programDir, project, stack, opts.config, opts.secretConfig);
    const invokes = opts.invokesFile ? readInvokeFixtures(opts.invokesFile) : [];
    const organization = opts.organization ?? "organization";
    const { pwd, entry } = pwdAndEntry(programDir, project.main);
    const ownPackage = ownPackageName();
    const req: RunnerRequest = {
        programDir,
        pwd,
        entry,
        sdkDir: resolveProgramSdk(pwd),
        ...(ownPackage ? { ownPackage } : {}),
        project: project.name,
        stack,
        organization,
        config,
        secretKeys,
        accountId: accountIdFrom(opts.accountId, config),
        region: config["aws:region"],
        invokes,
        mode: opts.unknowns ? "unknowns" : "placeholders",
    };
    return {
        project: project.name,
        stack,
        organization,
        config,
        secretKeys,
        req,
        run: {
            timeoutSeconds: opts.timeoutSeconds,
            nodeArgs: runtime.nodeargs,
            env: { ...(opts.programEnv ?? {}), ...hostEnvironment(runtime) },
        },
    };
}

/** A program's registrations and the engine's view of them (see {@link captureProgram}). */
export interface CapturedProgram {
    project: string;
    stack: string;
    organization: string;
    config: Record<string, string>;
    secretKeys: string[];
    result: RunnerResult & { stderr: string };
    view: EngineResource[];
    programMs: number;
}

/**
 * Reads the project and its config, runs the program under mocks and builds the engine's view: with placeholders for
 * what creates compute, or (`unknowns`) with those outputs unknown.
 */
export async function captureProgram(opts: ProgramOptions): Promise<CapturedProgram> {
    const prepared = prepareProgramRun(opts);
    const { project, stack, config, secretKeys } = prepared;
    const result = await runProgram(prepared.req, prepared.run);
    return {
        project,
        stack,
        organization: prepared.organization,
        config,
        secretKeys,
        result,
        view: engineView(project, stack, config, result, secretKeys),
        programMs: result.ms,
    };
}

/** Every value the captured run showed to be secret (see `./redact`). */
export function knownSecrets(captured: Pick<CapturedProgram, "config" | "secretKeys" | "result">): Set<string> {
    const out = new Set<string>();
    configSecrets(captured.config, captured.secretKeys, out);
    for (const r of captured.result.resources) {
        wireSecrets(r.inputs, out);
        wireSecrets(r.state, out);
        wireSecrets(r.outputs, out);
    }
    wireSecrets(captured.result.stackOutputs, out);
    for (const v of captured.result.secretValues ?? []) {
        out.add(v);
    }
    return out;
}
