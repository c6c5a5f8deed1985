/**
 * A provider plugin driven as the Pulumi CLI drives it: started with the engine's address as its argument,
 * its port read from the first line of its stdout, then called over gRPC (ResourceProvider service).
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";
import type * as providerGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as providerPbTypes from "@pulumi/pulumi/proto/provider_pb";
import type { Wire } from "./fakeEngine";
import { aliasPb, emptyPb, errorsPb, grpc, providerGrpc, providerPb, statusPb, structPb } from "./stubs";

export const ROOT = path.resolve(__dirname, "../../..");

/** How to start the plugin (everything before the engine address). */
export interface PluginCommand {
    command: string;
    args: string[];
    env?: Record<string, string>;
}

/** The test-only plugin that serves only Construct and GetSchema, run from the TypeScript sources. */
export const CONSTRUCT_ONLY_PLUGIN: PluginCommand = {
    command: process.execPath,
    args: ["-r", "ts-node/register/transpile-only", path.join(__dirname, "constructOnlyProvider.ts")],
    env: { TS_NODE_TRANSPILE_ONLY: "true" },
};

/** A refused gRPC call: the status, the message, and the per-property errors when the plugin sent them. */
export class PluginCallError extends Error {
    constructor(
        message: string,
        public readonly code: number,
        public readonly propertyErrors: { propertyPath: string; reason: string }[],
    ) {
        super(message);
        this.name = "PluginCallError";
    }
}

/** One Construct request (the fields the engine fills for a component). */
export interface ConstructCall {
    project: string;
    stack: string;
    organization?: string;
    dryRun: boolean;
    config?: Record<string, string>;
    configSecretKeys?: string[];
    monitorEndpoint: string;
    type: string;
    name: string;
    parent: string;
    inputs: Record<string, Wire>;
    inputDependencies?: Record<string, string[]>;
    providers?: Record<string, string>;
    dependencies?: string[];
    protect?: boolean;
    aliases?: string[];
}

/** What Construct returned. */
export interface ConstructReply {
    urn: string;
    state: Record<string, Wire>;
    stateDependencies: Record<string, string[]>;
}

function readPort(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
    return new Promise((resolve, reject) => {
        let buffer = "";
        const done = (err?: Error, port?: number): void => {
            clearTimeout(timer);
            child.stdout?.off("data", onData);
            child.off("exit", onExit);
            if (err) {
                reject(err);
            } else {
                resolve(port as number);
            }
        };
        const onData = (chunk: Buffer): void => {
            buffer += chunk.toString("utf8");
            const nl = buffer.indexOf("\n");
            if (nl >= 0) {
                const line = buffer.slice(0, nl).trim();
                if (/^\d+$/.test(line)) {
                    done(undefined, Number(line));
                } else {
                    done(new Error(`the plugin's first stdout line must be its port, got ${JSON.stringify(line)}`));
                }
            }
        };
        const onExit = (code: number | null): void =>
            done(new Error(`the plugin exited (code ${code}) before printing its port:\n${stderr()}`));
        const timer = setTimeout(
            () => done(new Error(`the plugin printed no port within ${timeoutMs} ms:\n${stderr()}`)),
            timeoutMs,
        );
        child.stdout?.on("data", onData);
        child.on("exit", onExit);
    });
}

function callError(err: grpcTypes.ServiceError): PluginCallError {
    const propertyErrors: { propertyPath: string; reason: string }[] = [];
    for (const bin of err.metadata?.get("grpc-status-details-bin") ?? []) {
        const status = statusPb.Status.deserializeBinary(new Uint8Array(bin as Buffer));
        for (const any of status.getDetailsList()) {
            if (any.getTypeName() === "pulumirpc.InputPropertiesError") {
                const details = errorsPb.InputPropertiesError.deserializeBinary(any.getValue_asU8());
                for (const e of details.getErrorsList()) {
                    propertyErrors.push({ propertyPath: e.getPropertyPath(), reason: e.getReason() });
                }
            }
        }
    }
    return new PluginCallError(err.details || err.message, err.code, propertyErrors);
}

/** A running plugin and its gRPC client. */
export class PluginProcess {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: providerGrpcTypes.ResourceProviderClient,
        /** Milliseconds from spawn to the port on stdout. */
        public readonly spawnToPortMs: number,
        private readonly stderrText: () => string,
    ) {}

    /** Starts the plugin with `engineAddress` as its argument, as the CLI does. */
    public static async launch(cmd: PluginCommand, engineAddress: string, timeoutMs = 60_000): Promise<PluginProcess> {
        const started = performance.now();
        const child = spawn(cmd.command, [...cmd.args, engineAddress], {
            cwd: ROOT,
            env: { ...process.env, ...(cmd.env ?? {}) },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr?.on("data", (c: Buffer) => {
            stderr += c.toString("utf8");
        });
        const exitKill = (): void => {
            child.kill("SIGKILL");
        };
        process.once("exit", exitKill);
        child.once("exit", () => process.off("exit", exitKill));
        let port: number;
        try {
            port = await readPort(child, timeoutMs, () => stderr);
        } catch (e) {
            child.kill("SIGKILL");
            throw e;
        }
        const spawnToPortMs = performance.now() - started;
        const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new PluginProcess(child, client, spawnToPortMs, () => stderr);
    }

    /** What the plugin wrote to stderr so far. */
    public stderr(): string {
        return this.stderrText();
    }

    private unary<Resp>(name: "getPluginInfo" | "getSchema" | "configure" | "construct", req: unknown): Promise<Resp> {
        const method = this.client[name] as unknown as (
            req: unknown,
            cb: (err: grpcTypes.ServiceError | null, resp: Resp) => void,
        ) => unknown;
        return new Promise((resolve, reject) => {
            method.call(this.client, req, (err, resp) => (err ? reject(callError(err)) : resolve(resp)));
        });
    }

    public async getPluginInfo(): Promise<string> {
        const resp = await this.unary<pluginPbTypes.PluginInfo>("getPluginInfo", new emptyPb.Empty());
        return resp.getVersion();
    }

    public async getSchema(): Promise<string> {
        const req = new providerPb.GetSchemaRequest();
        req.setVersion(0);
        const resp = await this.unary<providerPbTypes.GetSchemaResponse>("getSchema", req);
        return resp.getSchema();
    }

    /** Configure, with `variables` (`<pkg>:<key>` to string) and `args` (wire values). */
    public async configure(
        variables: Record<string, string> = {},
        args: Record<string, Wire> = {},
    ): Promise<{ acceptSecrets: boolean; acceptResources: boolean; acceptOutputs: boolean }> {
        const req = new providerPb.ConfigureRequest();
        const vars = req.getVariablesMap();
        for (const [k, v] of Object.entries(variables)) {
            vars.set(k, v);
        }
        req.setArgs(structPb.Struct.fromJavaScript(args));
        req.setAcceptsecrets(true);
        req.setAcceptresources(true);
        const resp = await this.unary<providerPbTypes.ConfigureResponse>("configure", req);
        return {
            acceptSecrets: resp.getAcceptsecrets(),
            acceptResources: resp.getAcceptresources(),
            acceptOutputs: resp.getAcceptoutputs(),
        };
    }

    public async construct(call: ConstructCall): Promise<ConstructReply> {
        const req = new providerPb.ConstructRequest();
        req.setProject(call.project);
        req.setStack(call.stack);
        req.setOrganization(call.organization ?? "organization");
        req.setDryrun(call.dryRun);
        req.setParallel(16);
        req.setMonitorendpoint(call.monitorEndpoint);
        req.setType(call.type);
        req.setName(call.name);
        req.setParent(call.parent);
        req.setInputs(structPb.Struct.fromJavaScript(call.inputs));
        req.setAcceptsOutputValues(true);
        req.setProtect(call.protect ?? false);
        req.setDependenciesList(call.dependencies ?? []);
        req.setConfigsecretkeysList(call.configSecretKeys ?? []);
        const config = req.getConfigMap();
        for (const [k, v] of Object.entries(call.config ?? {})) {
            config.set(k, v);
        }
        const deps = req.getInputdependenciesMap();
        for (const [k, urns] of Object.entries(call.inputDependencies ?? {})) {
            const d = new providerPb.ConstructRequest.PropertyDependencies();
            d.setUrnsList(urns);
            deps.set(k, d);
        }
        const providers = req.getProvidersMap();
        for (const [k, ref] of Object.entries(call.providers ?? {})) {
            providers.set(k, ref);
        }
        req.setAliasesList(
            (call.aliases ?? []).map((urn) => {
                const a = new aliasPb.Alias();
                a.setUrn(urn);
                return a;
            }),
        );
        const resp = await this.unary<providerPbTypes.ConstructResponse>("construct", req);
        const stateDependencies: Record<string, string[]> = {};
        resp.getStatedependenciesMap().forEach((d, k) => {
            stateDependencies[k] = d.getUrnsList();
        });
        return {
            urn: resp.getUrn(),
            state: (resp.getState()?.toJavaScript() ?? {}) as Record<string, Wire>,
            stateDependencies,
        };
    }

    /** Stops the plugin (the CLI kills its plugins at the end of a deployment). */
    public async close(): Promise<void> {
        this.client.close();
        if (this.child.exitCode === null && this.child.signalCode === null) {
            const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
            this.child.kill("SIGTERM");
            await exited;
        }
    }
}
