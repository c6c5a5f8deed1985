/**
 * The policy pack's process, launched the way `pulumi preview --policy-pack DIR` does: the gRPC stubs from the
 * `@pulumi/pulumi` the pack resolves, the environment the CLI gives it, the port line it must print first, and
 * what a failed start means.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcPbTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import type { StackContext } from "./analyzerTypes";
import { MissingDependencyError, packageOfSpecifier } from "./languageHost";

/** The generated gRPC and protobuf modules, and the pack runner's path. */
export interface Stubs {
    grpc: typeof grpcTypes;
    analyzerPb: typeof analyzerPbTypes;
    analyzerGrpcPb: typeof analyzerGrpcPbTypes;
    pluginPb: typeof pluginPbTypes;
    structPb: typeof structPbTypes;
    emptyPb: typeof emptyPbTypes;
    runPolicyPack: string;
}

/** Loads the gRPC stubs from the same `@pulumi/pulumi` the pack resolves. */
export function loadStubs(packDir: string): Stubs {
    let pkgJson: string;
    try {
        pkgJson = require.resolve("@pulumi/pulumi/package.json", { paths: [path.resolve(packDir)] });
    } catch {
        throw new Error(
            `policy pack at ${packDir}: @pulumi/pulumi cannot be resolved from it; run npm install in the pack ` +
                `(or the workspace root)`,
        );
    }
    const dir = path.dirname(pkgJson);
    const from = (m: string): string => require.resolve(m, { paths: [dir] });
    return {
        grpc: require(from("@grpc/grpc-js")) as typeof grpcTypes,
        analyzerPb: require(path.join(dir, "proto", "analyzer_pb")) as typeof analyzerPbTypes,
        analyzerGrpcPb: require(path.join(dir, "proto", "analyzer_grpc_pb")) as typeof analyzerGrpcPbTypes,
        pluginPb: require(path.join(dir, "proto", "plugin_pb")) as typeof pluginPbTypes,
        structPb: require(from("google-protobuf/google/protobuf/struct_pb")) as typeof structPbTypes,
        emptyPb: require(from("google-protobuf/google/protobuf/empty_pb")) as typeof emptyPbTypes,
        runPolicyPack: path.join(dir, "cmd", "run-policy-pack"),
    };
}

/** The environment the CLI gives a Node.js policy pack (`constructEnv`). */
export function packEnvironment(stack: StackContext): Record<string, string> {
    const env: Record<string, string> = {};
    const set = (k: string, v: string | undefined): void => {
        if (v !== undefined && v !== "") {
            env[k] = v;
        }
    };
    if (stack.config && Object.keys(stack.config).length > 0) {
        set("PULUMI_CONFIG", JSON.stringify(stack.config));
    }
    set("PULUMI_NODEJS_ORGANIZATION", stack.organization);
    set("PULUMI_NODEJS_PROJECT", stack.project);
    set("PULUMI_NODEJS_STACK", stack.stack);
    set("PULUMI_NODEJS_DRY_RUN", String(stack.dryRun));
    set("PULUMI_ORGANIZATION", stack.organization);
    set("PULUMI_PROJECT", stack.project);
    set("PULUMI_STACK", stack.stack);
    set("PULUMI_DRY_RUN", String(stack.dryRun));
    return env;
}
/** Pack processes still running; killed if this process exits without closing them. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
export function track(child: ChildProcess): void {
    liveChildren.add(child);
    child.once("exit", () => liveChildren.delete(child));
    if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.once("exit", () => {
            for (const c of liveChildren) {
                c.kill("SIGKILL");
            }
        });
    }
}

/** A failure to start the pack: the reason, and what the pack wrote to stderr. */
export class PolicyPackStartError extends Error {
    constructor(
        message: string,
        public readonly stderr: string,
    ) {
        super(stderr.trim() ? `${message}\n--- policy pack stderr ---\n${stderr.trim()}` : message);
        this.name = "PolicyPackStartError";
    }
}

/**
 * A pack that died because a package it imports is not installed (e.g. `@pulumi/policy`): one line naming the
 * package and the install command, instead of the pack's stack trace; undefined for any other failure.
 */
export function packMissingDependency(packDir: string, stderr: string): MissingDependencyError | undefined {
    const m = /Cannot find module '([^']+)'/.exec(stderr);
    const pkg = m ? packageOfSpecifier(m[1] as string) : undefined;
    if (!pkg) {
        return undefined;
    }
    return new MissingDependencyError(
        pkg,
        `the policy pack at ${packDir} needs ${pkg}, which is not installed where the pack can resolve it: ` +
            `run \`npm install ${pkg}\` in ${packDir} or in the project that contains it`,
    );
}

/** Waits for the first stdout line; it must be a bare port number. */
export function readPort(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
        let buffer = "";
        let done = false;
        const finish = (err: Error | undefined, port?: number): void => {
            if (done) {
                return;
            }
            done = true;
            clearTimeout(timer);
            child.stdout?.off("data", onData);
            child.off("exit", onExit);
            child.off("error", onError);
            if (err) {
                reject(err);
            } else {
                resolve(port as number);
            }
        };
        const onData = (chunk: Buffer): void => {
            buffer += chunk.toString("utf8");
            const nl = buffer.indexOf("\n");
            if (nl < 0) {
                return;
            }
            const line = buffer.slice(0, nl).trim();
            if (!/^\d+$/.test(line)) {
                finish(
                    new PolicyPackStartError(
                        `policy pack's first stdout line must be its port number, got ${JSON.stringify(line)}; ` +
                            `nothing may print to stdout before the pack starts serving`,
                        stderr(),
                    ),
                );
                return;
            }
            finish(undefined, Number(line));
        };
        const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
            setImmediate(() =>
                finish(
                    new PolicyPackStartError(
                        `policy pack exited (code ${code}, signal ${signal}) before printing its port`,
                        stderr(),
                    ),
                ),
            );
        };
        const onError = (e: Error): void =>
            finish(new PolicyPackStartError(`could not start policy pack: ${e.message}`, stderr()));
        const timer = setTimeout(
            () => finish(new PolicyPackStartError(`policy pack printed no port within ${timeoutMs} ms`, stderr())),
            timeoutMs,
        );
        child.stdout?.on("data", onData);
        child.once("exit", onExit);
        child.once("error", onError);
    });
}

/** The resident set size of a process in KiB, from /proc/<pid>/status (Linux), or undefined. */
export function readRssKiB(pid: number): number | undefined {
    try {
        const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
        const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
        return m ? Number(m[1]) : undefined;
    } catch {
        return undefined;
    }
}
