/**
 * A provider plugin driven the way the Pulumi CLI drives one: a process started with the engine's address
 * as its argument, its port read from the first line of its stdout (nothing may come before it), then the
 * ResourceProvider service over gRPC with the stubs `@pulumi/pulumi` ships. A loopback Engine service
 * records what the plugin logs. Used by the plugin's tests and by the start-up benchmark.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as enginePbTypes from "@pulumi/pulumi/proto/engine_pb";
import type * as engineGrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as providerPbTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as providerGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "..");

/** The plugin executable the CLI runs from a plugin folder. */
export const PLUGIN_EXECUTABLE = path.join(ROOT, "pulumi-resource-emr-serverless-disk-encryption");

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [ROOT] }));
const from = (m: string): string => require.resolve(m, { paths: [pulumiDir] });

/** The protocol stubs of the `@pulumi/pulumi` the plugin runs with. */
export const stubs = {
    grpc: require(from("@grpc/grpc-js")) as typeof grpcTypes,
    providerPb: require(path.join(pulumiDir, "proto", "provider_pb")) as typeof providerPbTypes,
    providerGrpc: require(path.join(pulumiDir, "proto", "provider_grpc_pb")) as typeof providerGrpcTypes,
    pluginPb: require(path.join(pulumiDir, "proto", "plugin_pb")) as typeof pluginPbTypes,
    enginePb: require(path.join(pulumiDir, "proto", "engine_pb")) as typeof enginePbTypes,
    engineGrpc: require(path.join(pulumiDir, "proto", "engine_grpc_pb")) as typeof engineGrpcTypes,
    structPb: require(from("google-protobuf/google/protobuf/struct_pb")) as typeof structPbTypes,
    emptyPb: require(from("google-protobuf/google/protobuf/empty_pb")) as typeof emptyPbTypes,
};

/** A JSON bag as it travels in a Struct. */
export type Bag = Record<string, unknown>;

/** Bag to Struct. */
export function toStruct(bag: Bag): structPbTypes.Struct {
    return stubs.structPb.Struct.fromJavaScript(bag as Record<string, structPbTypes.JavaScriptValue>);
}

/** Struct (possibly absent) to bag. */
export function fromStruct(s: structPbTypes.Struct | undefined): Bag {
    return (s?.toJavaScript() ?? {}) as Bag;
}

/** One Log call the plugin made to the engine. */
export interface EngineLog {
    severity: number;
    message: string;
    urn: string;
}

/** The Engine service the plugin is given the address of: records logs, answers nothing else. */
export class FakeEngine {
    public readonly logs: EngineLog[] = [];
    private server: grpcTypes.Server | undefined;
    public address = "";

    /** Starts on a loopback port. */
    public async start(): Promise<void> {
        const server = new stubs.grpc.Server();
        const impl = {
            log: (
                call: grpcTypes.ServerUnaryCall<enginePbTypes.LogRequest, emptyPbTypes.Empty>,
                cb: grpcTypes.sendUnaryData<emptyPbTypes.Empty>,
            ) => {
                this.logs.push({
                    severity: call.request.getSeverity(),
                    message: call.request.getMessage(),
                    urn: call.request.getUrn(),
                });
                cb(null, new stubs.emptyPb.Empty());
            },
        };
        server.addService(stubs.engineGrpc.EngineService, impl as unknown as grpcTypes.UntypedServiceImplementation);
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", stubs.grpc.ServerCredentials.createInsecure(), (err, p) =>
                err ? reject(err) : resolve(p),
            ),
        );
        this.server = server;
        this.address = `127.0.0.1:${port}`;
    }

    /** Stops the server. */
    public async stop(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        if (server) {
            await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
        }
    }
}

/** A failed call: the gRPC status code and message. */
export class PluginCallError extends Error {
    constructor(
        public readonly method: string,
        public readonly code: number,
        public readonly details: string,
    ) {
        super(`${method} failed with gRPC status ${code}: ${details}`);
        this.name = "PluginCallError";
    }
}

/** How to start a plugin: the command and its arguments before the engine address. */
export interface PluginCommand {
    command: string;
    args: string[];
    /** Working directory (the CLI uses the program's). Default: the repository root. */
    cwd?: string;
    /** Extra environment. */
    env?: Record<string, string>;
    /** The whole environment instead of this process's (plus `env`). */
    baseEnv?: NodeJS.ProcessEnv;
}

/** This process's environment without any AWS_* variable (tests give the plugin only the ones they mean). */
export function envWithoutAws(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
}

/** This package's plugin, started by its executable. */
export const PACKAGED_PLUGIN: PluginCommand = { command: PLUGIN_EXECUTABLE, args: [] };

/** The part of `scripts/build.js` that says which compiled projects are stale (plain JavaScript, no types). */
interface BuildScript {
    staleReasons(root: string, names: string[]): string[];
}

/**
 * The compiled projects the plugin runs: the components project (which compiles `components/` and `provider/`
 * into `bin/`) and the policy pack, whose compiled judge the provider loads from `policypack/bin`.
 */
const PLUGIN_PROJECTS = ["components", "policypack"];

/**
 * Fails when the compiled provider is missing or stale: the same content-hash check as `scripts/build.js`, against
 * the stamp it records (`bin/.build-stamp.json`), so that a file rewritten with identical content (a rebase, a
 * checkout) is never stale and a changed one always is, whatever its modification time. The executable runs the
 * compiled JavaScript; `npm test` builds it in `pretest`, `npm run build` does it by hand. `root`: the checkout
 * (default: this one).
 */
export function assertBuildIsFresh(root: string = ROOT): void {
    const script = require(path.join(ROOT, "scripts", "build.js")) as BuildScript;
    const stale = script.staleReasons(root, PLUGIN_PROJECTS);
    if (stale.length > 0) {
        throw new Error(
            `the compiled provider in bin/ is out of date with its sources (${stale.join("; ")}): run npm run build ` +
                `(npm test builds it in pretest).`,
        );
    }
}

type Unary = (
    req: unknown,
    meta: grpcTypes.Metadata,
    opts: Partial<grpcTypes.CallOptions>,
    cb: (err: grpcTypes.ServiceError | null, resp: unknown) => void,
) => void;

/** A started plugin and its gRPC client. */
export class ProviderPlugin {
    private constructor(
        private readonly child: ChildProcess,
        public readonly client: providerGrpcTypes.ResourceProviderClient,
        public readonly port: number,
        public readonly spawnToPortMs: number,
        private readonly stderrText: () => string,
        private readonly stdoutText: () => string,
    ) {}

    /** The process id. */
    public get pid(): number {
        return this.child.pid ?? -1;
    }

    /** Everything the plugin wrote to stderr so far. */
    public stderr(): string {
        return this.stderrText();
    }

    /** Everything the plugin wrote to stdout after its port line. */
    public stdout(): string {
        return this.stdoutText();
    }

    /** Starts `cmd` with `engineAddress` as its last argument and waits for the port line. */
    public static async launch(cmd: PluginCommand, engineAddress: string, timeoutMs = 60_000): Promise<ProviderPlugin> {
        const started = performance.now();
        const child = spawn(cmd.command, [...cmd.args, engineAddress], {
            cwd: cmd.cwd ?? ROOT,
            env: { ...(cmd.baseEnv ?? process.env), ...(cmd.env ?? {}) },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        let stdout = "";
        child.stderr?.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
        const port = await new Promise<number>((resolve, reject) => {
            let first = "";
            let done = false;
            const finish = (err: Error | undefined, p?: number): void => {
                if (done) {
                    return;
                }
                done = true;
                clearTimeout(timer);
                child.off("exit", onExit);
                if (err) {
                    child.kill("SIGKILL");
                    reject(err);
                } else {
                    resolve(p as number);
                }
            };
            const onData = (chunk: Buffer): void => {
                if (done) {
                    stdout += chunk.toString("utf8");
                    return;
                }
                first += chunk.toString("utf8");
                const nl = first.indexOf("\n");
                if (nl < 0) {
                    return;
                }
                const line = first.slice(0, nl).trim();
                stdout += first.slice(nl + 1);
                if (!/^\d+$/.test(line)) {
                    finish(
                        new Error(
                            `the plugin's first stdout line must be its port, got ${JSON.stringify(line)}\n${stderr}`,
                        ),
                    );
                } else {
                    finish(undefined, Number(line));
                }
            };
            const onExit = (code: number | null): void =>
                finish(new Error(`the plugin exited (code ${code}) before printing its port\n${stderr}`));
            const timer = setTimeout(
                () => finish(new Error(`the plugin printed no port within ${timeoutMs} ms\n${stderr}`)),
                timeoutMs,
            );
            child.stdout?.on("data", onData);
            child.once("exit", onExit);
        });
        const spawnToPortMs = performance.now() - started;
        const client = new stubs.providerGrpc.ResourceProviderClient(
            `127.0.0.1:${port}`,
            stubs.grpc.credentials.createInsecure(),
        );
        return new ProviderPlugin(
            child,
            client,
            port,
            spawnToPortMs,
            () => stderr,
            () => stdout,
        );
    }

    /** Calls a unary method by its name (e.g. `checkConfig`); rejects with {@link PluginCallError}. */
    public call<Resp>(method: string, req: unknown, timeoutMs = 120_000): Promise<Resp> {
        const fn = (this.client as unknown as Record<string, Unary>)[method];
        if (typeof fn !== "function") {
            throw new Error(`no method ${method} on the ResourceProvider client`);
        }
        return new Promise((resolve, reject) => {
            fn.call(this.client, req, new stubs.grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, resp) => {
                if (err) {
                    reject(new PluginCallError(method, err.code, err.details));
                } else {
                    resolve(resp as Resp);
                }
            });
        });
    }

    /** GetPluginInfo: the version. */
    public async getPluginInfo(): Promise<string> {
        const r = await this.call<pluginPbTypes.PluginInfo>("getPluginInfo", new stubs.emptyPb.Empty());
        return r.getVersion();
    }

    /** GetSchema (version 0): the schema text. */
    public async getSchema(): Promise<string> {
        const req = new stubs.providerPb.GetSchemaRequest();
        req.setVersion(0);
        const r = await this.call<providerPbTypes.GetSchemaResponse>("getSchema", req);
        return r.getSchema();
    }

    /** CheckConfig of the provider resource `urn`. */
    public async checkConfig(urn: string, olds: Bag, news: Bag): Promise<CheckReply> {
        const req = new stubs.providerPb.CheckRequest();
        req.setUrn(urn);
        req.setOlds(toStruct(olds));
        req.setNews(toStruct(news));
        return checkReply(await this.call<providerPbTypes.CheckResponse>("checkConfig", req));
    }

    /** DiffConfig of the provider resource `urn`. */
    public async diffConfig(urn: string, olds: Bag, news: Bag, oldInputs?: Bag): Promise<DiffReply> {
        const req = new stubs.providerPb.DiffRequest();
        req.setUrn(urn);
        req.setOlds(toStruct(olds));
        req.setNews(toStruct(news));
        req.setOldInputs(toStruct(oldInputs ?? olds));
        return diffReply(await this.call<providerPbTypes.DiffResponse>("diffConfig", req));
    }

    /** Configure, as the engine sends it: typed `args` (secrets kept) and the `variables` map. */
    public async configure(args: Bag, variables: Record<string, string> = {}): Promise<ConfigureReply> {
        const req = new stubs.providerPb.ConfigureRequest();
        req.setArgs(toStruct(args));
        for (const [k, v] of Object.entries(variables)) {
            req.getVariablesMap().set(k, v);
        }
        req.setAcceptsecrets(true);
        req.setAcceptresources(true);
        req.setSendsOldInputs(true);
        req.setSendsOldInputsToDelete(true);
        const r = await this.call<providerPbTypes.ConfigureResponse>("configure", req);
        return {
            acceptSecrets: r.getAcceptsecrets(),
            acceptResources: r.getAcceptresources(),
            acceptOutputs: r.getAcceptoutputs(),
            supportsPreview: r.getSupportspreview(),
        };
    }

    /** Check of a resource. */
    public async check(urn: string, olds: Bag, news: Bag): Promise<CheckReply> {
        const req = new stubs.providerPb.CheckRequest();
        req.setUrn(urn);
        req.setOlds(toStruct(olds));
        req.setNews(toStruct(news));
        return checkReply(await this.call<providerPbTypes.CheckResponse>("check", req));
    }

    /** Diff of a resource (`olds` are the old outputs; `oldInputs` default to them). */
    public async diff(id: string, urn: string, olds: Bag, news: Bag, oldInputs?: Bag): Promise<DiffReply> {
        const req = new stubs.providerPb.DiffRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(toStruct(olds));
        req.setNews(toStruct(news));
        req.setOldInputs(toStruct(oldInputs ?? olds));
        return diffReply(await this.call<providerPbTypes.DiffResponse>("diff", req));
    }

    /** Create of a resource. */
    public async create(urn: string, properties: Bag): Promise<{ id: string; properties: Bag }> {
        const req = new stubs.providerPb.CreateRequest();
        req.setUrn(urn);
        req.setProperties(toStruct(properties));
        const r = await this.call<providerPbTypes.CreateResponse>("create", req);
        return { id: r.getId(), properties: fromStruct(r.getProperties()) };
    }

    /** Read of a resource (refresh: old outputs and inputs; import: both empty). */
    public async read(id: string, urn: string, properties: Bag, inputs: Bag): Promise<ReadReply> {
        const req = new stubs.providerPb.ReadRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setProperties(toStruct(properties));
        req.setInputs(toStruct(inputs));
        const r = await this.call<providerPbTypes.ReadResponse>("read", req);
        return { id: r.getId(), properties: fromStruct(r.getProperties()), inputs: fromStruct(r.getInputs()) };
    }

    /** Update of a resource. */
    public async update(id: string, urn: string, olds: Bag, news: Bag, oldInputs?: Bag): Promise<Bag> {
        const req = new stubs.providerPb.UpdateRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setOlds(toStruct(olds));
        req.setNews(toStruct(news));
        req.setOldInputs(toStruct(oldInputs ?? olds));
        const r = await this.call<providerPbTypes.UpdateResponse>("update", req);
        return fromStruct(r.getProperties());
    }

    /** Delete of a resource. */
    public async delete(id: string, urn: string, properties: Bag, oldInputs?: Bag): Promise<void> {
        const req = new stubs.providerPb.DeleteRequest();
        req.setId(id);
        req.setUrn(urn);
        req.setProperties(toStruct(properties));
        req.setOldInputs(toStruct(oldInputs ?? properties));
        await this.call("delete", req);
    }

    /** Stops the plugin (SIGKILL after a grace period) and closes the client. */
    public async close(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) {
            return;
        }
        await new Promise<void>((resolve) => {
            const timer = setTimeout(() => this.child.kill("SIGKILL"), 3_000);
            this.child.once("exit", () => {
                clearTimeout(timer);
                resolve();
            });
            this.child.kill("SIGTERM");
        });
    }
}

/** A Check or CheckConfig answer. */
export interface CheckReply {
    inputs: Bag;
    failures: { property: string; reason: string }[];
}

/** A Diff or DiffConfig answer; `detailed` maps each property to its kind's name (e.g. `UPDATE_REPLACE`). */
export interface DiffReply {
    changes: "DIFF_UNKNOWN" | "DIFF_NONE" | "DIFF_SOME";
    replaces: string[];
    diffs: string[];
    deleteBeforeReplace: boolean;
    hasDetailedDiff: boolean;
    detailed: Record<string, string>;
}

/** What Configure answered. */
export interface ConfigureReply {
    acceptSecrets: boolean;
    acceptResources: boolean;
    acceptOutputs: boolean;
    supportsPreview: boolean;
}

/** A Read answer (empty id and properties: the resource is gone). */
export interface ReadReply {
    id: string;
    properties: Bag;
    inputs: Bag;
}

function checkReply(r: providerPbTypes.CheckResponse): CheckReply {
    return {
        inputs: fromStruct(r.getInputs()),
        failures: r.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
}

function diffReply(r: providerPbTypes.DiffResponse): DiffReply {
    const changeNames = ["DIFF_UNKNOWN", "DIFF_NONE", "DIFF_SOME"] as const;
    const kindNames = Object.fromEntries(
        Object.entries(stubs.providerPb.PropertyDiff.Kind).map(([name, n]) => [n as number, name]),
    ) as Record<number, string>;
    const detailed: Record<string, string> = {};
    r.getDetaileddiffMap().forEach((d, k) => {
        detailed[k] = kindNames[d.getKind()] ?? String(d.getKind());
    });
    return {
        changes: changeNames[r.getChanges()] ?? "DIFF_UNKNOWN",
        replaces: r.getReplacesList(),
        diffs: r.getDiffsList(),
        deleteBeforeReplace: r.getDeletebeforereplace(),
        hasDetailedDiff: r.getHasdetaileddiff(),
        detailed,
    };
}
