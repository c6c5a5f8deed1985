/**
 * The Pulumi CLI's side of the analyzer protocol, for a Node.js policy pack: launch the pack the way
 * `pulumi preview --policy-pack DIR` does, configure it, send `Analyze`/`AnalyzeStack`, read the
 * diagnostics, and shut it down. One copy, used by the offline preview, the tests and the benchmarks.
 *
 * Launch (pulumi/pulumi `sdk/go/common/resource/plugin/analyzer_plugin.go`, `NewPolicyAnalyzer`):
 * `node <@pulumi/pulumi>/cmd/run-policy-pack <engine-address> .` with the pack directory as working
 * directory, environment `PULUMI_CONFIG` + `PULUMI_NODEJS_{ORGANIZATION,PROJECT,STACK,DRY_RUN}` +
 * `PULUMI_{ORGANIZATION,PROJECT,STACK,DRY_RUN}`; the first stdout line must be the port.
 * Calls: Handshake (UNIMPLEMENTED tolerated), ConfigureStack (UNIMPLEMENTED tolerated), GetPluginInfo,
 * GetAnalyzerInfo, Configure (reconciled config), then per resource Remediate (UNIMPLEMENTED tolerated) and Analyze
 * on the remediated inputs, and AnalyzeStack.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcPbTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import {
    type EnforcementLevel,
    type JsonSchema,
    type JsonValue,
    type PolicyConfig,
    reconcilePolicyConfig,
} from "./policyConfig";
import { MissingDependencyError, packageOfSpecifier } from "./languageHost";
import { type PropertyMap, stripInternalKeys } from "./properties";

export type { EnforcementLevel, PolicyConfig } from "./policyConfig";

/** One policy verdict, as the CLI reports it. */
export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    /** The resource the verdict is about; empty for a stack-wide verdict that named none. */
    urn: string;
}

/**
 * One result of `Remediate` for a resource: either transformed inputs (`properties`, wire form) or, when the
 * remediation could not run (e.g. it read an unknown value at preview), a `diagnostic` the CLI shows as advisory.
 */
export interface Remediation {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    /** The resource's inputs after the remediation (wire form). */
    properties?: PropertyMap;
    /** Why the remediation did not run. */
    diagnostic?: string;
    /** The resource remediated. */
    urn: string;
}

/** A policy as `GetAnalyzerInfo` describes it. */
export interface PolicyInfo {
    name: string;
    displayName: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    policyType: "resource" | "stack" | "unknown";
    configSchema?: { properties: Record<string, JsonSchema>; required: string[] };
}

/** The pack as `GetAnalyzerInfo` describes it. */
export interface AnalyzerInfo {
    name: string;
    displayName: string;
    version: string;
    supportsConfig: boolean;
    policies: PolicyInfo[];
    initialConfig: Record<string, PolicyConfig>;
}

/** Resource options as the engine sends them (all optional; `options` itself is always sent). */
export interface ResourceOptions {
    protect?: boolean;
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs?: string[];
    aliases?: string[];
    parent?: string;
    customTimeouts?: { create?: number; update?: number; delete?: number };
}

/** A provider resource attached to a resource. */
export interface ProviderResource {
    type: string;
    name: string;
    urn: string;
    properties: PropertyMap;
}

/** What `Analyze` receives for one resource: its type, name, URN and inputs. */
export interface AnalyzerResource {
    type: string;
    name: string;
    urn: string;
    /** Engine-encoded values; keys starting with `__` are dropped before sending, as the engine does. */
    properties: PropertyMap;
    options?: ResourceOptions;
    provider?: ProviderResource;
}

/** What `AnalyzeStack` receives for one resource: its outputs and its relations, as URNs. */
export interface AnalyzerStackResource extends AnalyzerResource {
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

/** The stack the pack runs for (what the CLI passes in the environment and in ConfigureStack). */
export interface StackContext {
    organization?: string;
    project: string;
    stack: string;
    dryRun: boolean;
    /** Stack configuration, `<namespace>:<key>` to its string value (objects as JSON text). */
    config?: Record<string, string>;
    /** Which config keys are secrets. */
    secretKeys?: string[];
    tags?: Record<string, string>;
}

/** Options for {@link PolicyPackClient.launch}. */
export interface LaunchOptions {
    /** The policy pack directory (with PulumiPolicy.yaml and package.json). */
    packDir: string;
    stack: StackContext;
    /** Parsed `--policy-pack-config` entries (see `parsePolicyPackConfig`). */
    policyPackConfig?: Record<string, PolicyConfig>;
    /** Milliseconds to wait for the port line; default 60 000. */
    startTimeoutMs?: number;
    /** Per-call deadline in milliseconds; default 60 000. */
    callTimeoutMs?: number;
    /** Called after each RPC with its name and duration. */
    onCall?: (method: string, ms: number) => void;
    /** Extra environment for the pack process. */
    env?: Record<string, string>;
}

/** Timings measured by the harness. */
export interface Timings {
    /** From spawn to the port line on stdout. */
    spawnToPortMs: number;
    /** Every RPC made so far, in order. */
    calls: { method: string; ms: number }[];
}

interface Stubs {
    grpc: typeof grpcTypes;
    analyzerPb: typeof analyzerPbTypes;
    analyzerGrpcPb: typeof analyzerGrpcPbTypes;
    pluginPb: typeof pluginPbTypes;
    structPb: typeof structPbTypes;
    emptyPb: typeof emptyPbTypes;
    runPolicyPack: string;
}

/** Loads the gRPC stubs from the same `@pulumi/pulumi` the pack resolves. */
function loadStubs(packDir: string): Stubs {
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

const LEVEL_BY_ENUM: Record<number, EnforcementLevel> = {
    0: "advisory",
    1: "mandatory",
    2: "disabled",
    3: "remediate",
};
const ENUM_BY_LEVEL: Record<EnforcementLevel, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };

function levelOf(n: number): EnforcementLevel {
    const level = LEVEL_BY_ENUM[n];
    if (!level) {
        throw new Error(`policy pack returned an invalid enforcement level ${n}`);
    }
    return level;
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
function track(child: ChildProcess): void {
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
function readPort(child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<number> {
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

function toStruct(stubs: Stubs, props: PropertyMap): structPbTypes.Struct {
    const clean = (stripInternalKeys(props) ?? {}) as Record<string, structPbTypes.JavaScriptValue>;
    return stubs.structPb.Struct.fromJavaScript(clean);
}

/**
 * A running policy pack, connected over gRPC. Create with {@link PolicyPackClient.launch}; always
 * {@link PolicyPackClient.close} it (also on failure paths).
 */
export class PolicyPackClient {
    /** The pack's process id (for RSS measurement via /proc/<pid>/status). */
    public readonly pid: number;
    /** Measured timings. */
    public readonly timings: Timings;
    /** What GetAnalyzerInfo returned. */
    public info!: AnalyzerInfo;
    /** The plugin version GetPluginInfo returned. */
    public pluginVersion = "";
    /** The config most recently sent in Configure, per policy. */
    public config: Record<string, PolicyConfig> = {};
    private closed = false;
    private exited = false;
    private stderrText = "";
    private stdoutText = "";

    private constructor(
        private readonly stubs: Stubs,
        private readonly child: ChildProcess,
        private readonly client: analyzerGrpcPbTypes.AnalyzerClient,
        private readonly opts: LaunchOptions,
        spawnToPortMs: number,
        stderrText: () => string,
    ) {
        this.pid = child.pid as number;
        this.timings = { spawnToPortMs, calls: [] };
        this.stderrText = stderrText();
        child.stderr?.on("data", (c: Buffer) => {
            this.stderrText += c.toString("utf8");
        });
        child.stdout?.on("data", (c: Buffer) => {
            this.stdoutText += c.toString("utf8");
        });
        child.once("exit", () => {
            this.exited = true;
        });
    }

    /** What the pack has written to stderr so far. */
    public get stderr(): string {
        return this.stderrText;
    }

    /** What the pack has written to stdout after its port line. */
    public get stdout(): string {
        return this.stdoutText;
    }

    /**
     * Starts the pack and runs the CLI's start-up sequence: Handshake, ConfigureStack, GetPluginInfo,
     * GetAnalyzerInfo, Configure. Kills the process if any step fails.
     */
    public static async launch(opts: LaunchOptions): Promise<PolicyPackClient> {
        const packDir = path.resolve(opts.packDir);
        const stubs = loadStubs(packDir);
        const started = performance.now();
        const child = spawn(process.execPath, [stubs.runPolicyPack, "127.0.0.1:0", "."], {
            cwd: packDir,
            env: { ...process.env, ...packEnvironment(opts.stack), ...(opts.env ?? {}) },
            stdio: ["ignore", "pipe", "pipe"],
        });
        track(child);
        let stderr = "";
        child.stderr?.on("data", (c: Buffer) => {
            stderr += c.toString("utf8");
        });
        let port: number;
        try {
            port = await readPort(child, opts.startTimeoutMs ?? 60_000, () => stderr);
        } catch (e) {
            child.kill("SIGKILL");
            throw packMissingDependency(packDir, stderr) ?? e;
        }
        const spawnToPortMs = performance.now() - started;
        const maxMessage = 1024 * 1024 * 400;
        const grpcClient = new stubs.analyzerGrpcPb.AnalyzerClient(
            `127.0.0.1:${port}`,
            stubs.grpc.credentials.createInsecure(),
            { "grpc.max_receive_message_length": maxMessage, "grpc.max_send_message_length": maxMessage },
        );
        const pack = new PolicyPackClient(stubs, child, grpcClient, opts, spawnToPortMs, () => stderr);
        try {
            await pack.startUp(packDir);
        } catch (e) {
            await pack.close();
            throw e;
        }
        return pack;
    }

    private async startUp(packDir: string): Promise<void> {
        const { analyzerPb, emptyPb } = this.stubs;
        const hs = new analyzerPb.AnalyzerHandshakeRequest();
        hs.setEngineAddress("127.0.0.1:0");
        hs.setRootDirectory(packDir);
        hs.setProgramDirectory(packDir);
        await this.tolerateUnimplemented(() =>
            this.call("Handshake", (cb) => this.client.handshake(hs, this.meta(), this.callOpts(), cb)),
        );

        const st = this.opts.stack;
        const cs = new analyzerPb.AnalyzerStackConfigureRequest();
        cs.setStack(st.stack);
        cs.setProject(st.project);
        cs.setOrganization(st.organization ?? "");
        cs.setDryRun(st.dryRun);
        for (const [k, v] of Object.entries(st.config ?? {})) {
            cs.getConfigMap().set(k, v);
        }
        cs.setConfigSecretKeysList(st.secretKeys ?? []);
        for (const [k, v] of Object.entries(st.tags ?? {})) {
            cs.getTagsMap().set(k, v);
        }
        await this.tolerateUnimplemented(() =>
            this.call("ConfigureStack", (cb) => this.client.configureStack(cs, this.meta(), this.callOpts(), cb)),
        );

        const pi = await this.call<pluginPbTypes.PluginInfo>("GetPluginInfo", (cb) =>
            this.client.getPluginInfo(new emptyPb.Empty(), this.meta(), this.callOpts(), cb),
        );
        this.pluginVersion = pi.getVersion();

        const ai = await this.call<analyzerPbTypes.AnalyzerInfo>("GetAnalyzerInfo", (cb) =>
            this.client.getAnalyzerInfo(new emptyPb.Empty(), this.meta(), this.callOpts(), cb),
        );
        this.info = this.convertInfo(ai);
        await this.configure(this.opts.policyPackConfig ?? {});
    }

    private convertInfo(ai: analyzerPbTypes.AnalyzerInfo): AnalyzerInfo {
        const types: Record<number, PolicyInfo["policyType"]> = { 1: "resource", 2: "stack" };
        const policies: PolicyInfo[] = ai.getPoliciesList().map((p) => {
            const schema = p.getConfigschema();
            return {
                name: p.getName(),
                displayName: p.getDisplayname(),
                description: p.getDescription(),
                enforcementLevel: levelOf(p.getEnforcementlevel()),
                policyType: types[p.getPolicyType()] ?? "unknown",
                ...(schema
                    ? {
                          configSchema: {
                              properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, JsonSchema>,
                              required: schema.getRequiredList(),
                          },
                      }
                    : {}),
            };
        });
        policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const initialConfig: Record<string, PolicyConfig> = {};
        ai.getInitialconfigMap().forEach((v, k) => {
            const props = v.getProperties()?.toJavaScript() as Record<string, JsonValue> | undefined;
            initialConfig[k] = {
                enforcementLevel: levelOf(v.getEnforcementlevel()),
                ...(props && Object.keys(props).length > 0 ? { properties: props } : {}),
            };
        });
        return {
            name: ai.getName(),
            displayName: ai.getDisplayname(),
            version: ai.getVersion(),
            supportsConfig: ai.getSupportsconfig(),
            policies,
            initialConfig,
        };
    }

    /**
     * Reconciles the pack's defaults, its initial config and `fileConfig` the way the CLI does, and sends the
     * result in `Configure` (one PolicyConfig per policy). Throws on invalid config, naming policy and property.
     */
    public async configure(fileConfig: Record<string, PolicyConfig>): Promise<void> {
        const reconciled = reconcilePolicyConfig(this.info.policies, this.info.initialConfig, fileConfig);
        const { analyzerPb, structPb } = this.stubs;
        const req = new analyzerPb.ConfigureAnalyzerRequest();
        for (const [name, c] of Object.entries(reconciled)) {
            const pc = new analyzerPb.PolicyConfig();
            pc.setEnforcementlevel(ENUM_BY_LEVEL[c.enforcementLevel ?? "advisory"] as analyzerPbTypes.EnforcementLevel);
            pc.setProperties(
                structPb.Struct.fromJavaScript((c.properties ?? {}) as Record<string, structPbTypes.JavaScriptValue>),
            );
            req.getPolicyconfigMap().set(name, pc);
        }
        await this.call("Configure", (cb) => this.client.configure(req, this.meta(), this.callOpts(), cb));
        this.config = reconciled;
    }

    private buildOptions(
        o: ResourceOptions | undefined,
        parent: string | undefined,
    ): analyzerPbTypes.AnalyzerResourceOptions {
        const { analyzerPb } = this.stubs;
        const opts = new analyzerPb.AnalyzerResourceOptions();
        opts.setProtect(o?.protect ?? false);
        opts.setIgnorechangesList(o?.ignoreChanges ?? []);
        opts.setDeletebeforereplace(o?.deleteBeforeReplace ?? false);
        opts.setDeletebeforereplacedefined(o?.deleteBeforeReplace !== undefined);
        opts.setAdditionalsecretoutputsList(o?.additionalSecretOutputs ?? []);
        opts.setAliasesList(o?.aliases ?? []);
        const ct = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
        ct.setCreate(o?.customTimeouts?.create ?? 0);
        ct.setUpdate(o?.customTimeouts?.update ?? 0);
        ct.setDelete(o?.customTimeouts?.delete ?? 0);
        opts.setCustomtimeouts(ct);
        const p = o?.parent ?? parent;
        if (p) {
            opts.setParent(p);
        }
        return opts;
    }

    private buildProvider(p: ProviderResource | undefined): analyzerPbTypes.AnalyzerProviderResource | undefined {
        if (!p) {
            return undefined;
        }
        const prov = new this.stubs.analyzerPb.AnalyzerProviderResource();
        prov.setType(p.type);
        prov.setName(p.name);
        prov.setUrn(p.urn);
        prov.setProperties(toStruct(this.stubs, p.properties));
        return prov;
    }

    /**
     * Sends `Remediate` for one resource (its inputs) and returns the remediations, in the order the pack ran them
     * (each one's `properties` already include the earlier ones'). A pack that does not implement Remediate
     * (UNIMPLEMENTED) has none.
     */
    public async remediate(r: AnalyzerResource): Promise<Remediation[]> {
        const req = this.analyzeRequest(r);
        let resp: analyzerPbTypes.RemediateResponse | undefined;
        try {
            resp = await this.call<analyzerPbTypes.RemediateResponse>("Remediate", (cb) =>
                this.client.remediate(req, this.meta(), this.callOpts(), cb),
            );
        } catch (e) {
            if ((e as { code?: number }).code === this.stubs.grpc.status.UNIMPLEMENTED) {
                return [];
            }
            throw e;
        }
        return resp.getRemediationsList().map((m) => {
            const props = m.getProperties();
            return {
                policyName: m.getPolicyname(),
                policyPackName: m.getPolicypackname(),
                policyPackVersion: m.getPolicypackversion(),
                description: m.getDescription(),
                ...(props ? { properties: props.toJavaScript() as PropertyMap } : {}),
                ...(m.getDiagnostic() ? { diagnostic: m.getDiagnostic() } : {}),
                urn: r.urn,
            };
        });
    }

    /** Sets what `Analyze` and `AnalyzeStack` both send of a resource: type, name, URN, properties, options, provider. */
    private setResource<M extends analyzerPbTypes.AnalyzeRequest | analyzerPbTypes.AnalyzerResource>(
        msg: M,
        r: AnalyzerResource,
    ): M {
        msg.setType(r.type);
        msg.setName(r.name);
        msg.setUrn(r.urn);
        msg.setProperties(toStruct(this.stubs, r.properties));
        msg.setOptions(this.buildOptions(r.options, undefined));
        const prov = this.buildProvider(r.provider);
        if (prov) {
            msg.setProvider(prov);
        }
        return msg;
    }

    private analyzeRequest(r: AnalyzerResource): analyzerPbTypes.AnalyzeRequest {
        return this.setResource(new this.stubs.analyzerPb.AnalyzeRequest(), r);
    }

    /** Sends `Analyze` for one resource (its inputs) and returns the diagnostics. */
    public async analyze(r: AnalyzerResource): Promise<Diagnostic[]> {
        const req = this.analyzeRequest(r);
        const resp = await this.call<analyzerPbTypes.AnalyzeResponse>("Analyze", (cb) =>
            this.client.analyze(req, this.meta(), this.callOpts(), cb),
        );
        // The engine attributes a diagnostic that names no resource to the resource analyzed.
        return this.convertDiagnostics(resp, r.urn);
    }

    /** Sends `AnalyzeStack` for the whole stack (outputs and relations) and returns the diagnostics. */
    public async analyzeStack(resources: readonly AnalyzerStackResource[]): Promise<Diagnostic[]> {
        const { analyzerPb } = this.stubs;
        const req = new analyzerPb.AnalyzeStackRequest();
        req.setResourcesList(
            resources.map((r) => {
                const ar = this.setResource(new analyzerPb.AnalyzerResource(), r);
                if (r.parent) {
                    ar.setParent(r.parent);
                }
                ar.setDependenciesList(r.dependencies ?? []);
                for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                    if (urns.length === 0) {
                        continue; // the engine omits properties with no dependencies
                    }
                    const pd = new analyzerPb.AnalyzerPropertyDependencies();
                    pd.setUrnsList(urns);
                    ar.getPropertydependenciesMap().set(k, pd);
                }
                return ar;
            }),
        );
        const resp = await this.call<analyzerPbTypes.AnalyzeResponse>("AnalyzeStack", (cb) =>
            this.client.analyzeStack(req, this.meta(), this.callOpts(), cb),
        );
        return this.convertDiagnostics(resp);
    }

    private convertDiagnostics(resp: analyzerPbTypes.AnalyzeResponse, defaultUrn = ""): Diagnostic[] {
        return resp.getDiagnosticsList().map((d) => ({
            policyName: d.getPolicyname(),
            policyPackName: d.getPolicypackname(),
            policyPackVersion: d.getPolicypackversion(),
            description: d.getDescription(),
            message: d.getMessage(),
            enforcementLevel: levelOf(d.getEnforcementlevel()),
            urn: d.getUrn() || defaultUrn,
        }));
    }

    private meta(): grpcTypes.Metadata {
        return new this.stubs.grpc.Metadata();
    }

    private callOpts(): grpcTypes.CallOptions {
        return { deadline: Date.now() + (this.opts.callTimeoutMs ?? 60_000) };
    }

    private async tolerateUnimplemented(f: () => Promise<unknown>): Promise<void> {
        try {
            await f();
        } catch (e) {
            if ((e as { code?: number }).code !== this.stubs.grpc.status.UNIMPLEMENTED) {
                throw e;
            }
        }
    }

    private call<T>(
        method: string,
        invoke: (cb: (err: grpcTypes.ServiceError | null, resp: T) => void) => unknown,
    ): Promise<T> {
        if (this.closed) {
            return Promise.reject(new Error(`${method}: the policy pack client is closed`));
        }
        const started = performance.now();
        return new Promise<T>((resolve, reject) => {
            invoke((err, resp) => {
                const ms = performance.now() - started;
                this.timings.calls.push({ method, ms });
                this.opts.onCall?.(method, ms);
                if (err) {
                    const e = new Error(
                        `${method} failed: ${err.details || err.message}` +
                            (this.stderrText.trim() ? `\n--- policy pack stderr ---\n${this.stderrText.trim()}` : ""),
                    ) as Error & { code?: number };
                    e.code = err.code;
                    reject(e);
                } else {
                    resolve(resp);
                }
            });
        });
    }

    /**
     * Shuts the pack down: Cancel (UNIMPLEMENTED tolerated), close the channel, SIGTERM, and SIGKILL after
     * `graceMs` if it is still running. Safe to call twice.
     */
    public async close(graceMs = 2000): Promise<void> {
        if (this.closed) {
            return;
        }
        try {
            if (!this.exited) {
                await Promise.race([
                    this.tolerateUnimplemented(() =>
                        this.call("Cancel", (cb) =>
                            this.client.cancel(
                                new this.stubs.emptyPb.Empty(),
                                this.meta(),
                                { deadline: Date.now() + 1000 },
                                cb,
                            ),
                        ),
                    ).catch(() => undefined),
                    new Promise((r) => setTimeout(r, 1000)),
                ]);
            }
        } finally {
            this.closed = true;
            this.client.close();
            await new Promise<void>((resolve) => {
                if (this.exited || this.child.exitCode !== null || this.child.signalCode !== null) {
                    resolve();
                    return;
                }
                const timer = setTimeout(() => {
                    this.child.kill("SIGKILL");
                }, graceMs);
                this.child.once("exit", () => {
                    clearTimeout(timer);
                    resolve();
                });
                this.child.kill("SIGTERM");
            });
        }
    }
}

/** True when any diagnostic is mandatory (what makes `pulumi preview` fail). */
export function hasMandatory(diags: readonly Diagnostic[]): boolean {
    return diags.some((d) => d.enforcementLevel === "mandatory" || d.enforcementLevel === "remediate");
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
