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
 * The pack's process is in `./packProcess`, the messages built and read in `./analyzerMessages`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcPbTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";
import {
    analyzeRequest,
    analyzeStackRequest,
    configureRequest,
    convertDiagnostics,
    convertInfo,
    convertRemediations,
} from "./analyzerMessages";
import type {
    AnalyzerInfo,
    AnalyzerResource,
    AnalyzerStackResource,
    Diagnostic,
    LaunchOptions,
    Remediation,
    Timings,
} from "./analyzerTypes";
import { loadStubs, packEnvironment, packMissingDependency, readPort, type Stubs, track } from "./packProcess";
import { type PolicyConfig, reconcilePolicyConfig } from "./policyConfig";

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
        this.info = convertInfo(ai);
        await this.configure(this.opts.policyPackConfig ?? {});
    }

    /**
     * Reconciles the pack's defaults, its initial config and `fileConfig` the way the CLI does, and sends the
     * result in `Configure` (one PolicyConfig per policy). Throws on invalid config, naming policy and property.
     */
    public async configure(fileConfig: Record<string, PolicyConfig>): Promise<void> {
        const reconciled = reconcilePolicyConfig(this.info.policies, this.info.initialConfig, fileConfig);
        const req = configureRequest(this.stubs, reconciled);
        await this.call("Configure", (cb) => this.client.configure(req, this.meta(), this.callOpts(), cb));
        this.config = reconciled;
    }

    /**
     * Sends `Remediate` for one resource (its inputs) and returns the remediations, in the order the pack ran them
     * (each one's `properties` already include the earlier ones'). A pack that does not implement Remediate
     * (UNIMPLEMENTED) has none.
     */
    public async remediate(r: AnalyzerResource): Promise<Remediation[]> {
        const req = analyzeRequest(this.stubs, r);
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
        return convertRemediations(resp, r.urn);
    }

    /** Sends `Analyze` for one resource (its inputs) and returns the diagnostics. */
    public async analyze(r: AnalyzerResource): Promise<Diagnostic[]> {
        const req = analyzeRequest(this.stubs, r);
        const resp = await this.call<analyzerPbTypes.AnalyzeResponse>("Analyze", (cb) =>
            this.client.analyze(req, this.meta(), this.callOpts(), cb),
        );
        // The engine attributes a diagnostic that names no resource to the resource analyzed.
        return convertDiagnostics(resp, r.urn);
    }

    /** Sends `AnalyzeStack` for the whole stack (outputs and relations) and returns the diagnostics. */
    public async analyzeStack(resources: readonly AnalyzerStackResource[]): Promise<Diagnostic[]> {
        const req = analyzeStackRequest(this.stubs, resources);
        const resp = await this.call<analyzerPbTypes.AnalyzeResponse>("AnalyzeStack", (cb) =>
            this.client.analyzeStack(req, this.meta(), this.callOpts(), cb),
        );
        return convertDiagnostics(resp);
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
