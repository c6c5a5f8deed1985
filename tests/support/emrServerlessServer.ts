/**
 * A loopback stand-in for the EMR Serverless control plane (REST-JSON), for tests that drive the
 * real `@aws-sdk/client-emr-serverless` (point it here with `AWS_ENDPOINT_URL_EMR_SERVERLESS`).
 *
 * Speaks GetApplication (`GET /applications/{id}`), UpdateApplication (`PATCH /applications/{id}`),
 * StartApplication and StopApplication (`POST /applications/{id}/start|stop`). Applications move
 * through CREATING/STARTING/STOPPING over time (`transitionMs`), store and return
 * `diskEncryptionConfiguration`, and every request is recorded. Faults are scripted per operation:
 * throttling (429), 500/503, any modeled error, a slow response, a connection reset.
 *
 * It also answers STS AssumeRole (`POST /`, query protocol) with {@link assumedCredentials}, so a
 * test can point `AWS_ENDPOINT_URL_STS` here and check which credentials signed the EMR calls.
 *
 * Errors are sent the way the SDK's REST-JSON protocol reads them: the status code, an
 * `x-amzn-errortype` header naming the error shape, and a JSON body with `message`.
 * Listens on 127.0.0.1 only.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** The operations the server understands. */
export type EmrOperation =
    "GetApplication" | "UpdateApplication" | "StartApplication" | "StopApplication" | "AssumeRole";

/** Application states, as the API spells them. */
export type EmrApplicationState =
    "CREATING" | "CREATED" | "STARTING" | "STARTED" | "STOPPING" | "STOPPED" | "TERMINATED";

/** The stored disk-encryption setting. */
export interface StoredDiskEncryption {
    encryptionKeyArn?: string;
    encryptionContext?: Record<string, string>;
}

/** A snapshot of one application. */
export interface EmrApplicationSnapshot {
    applicationId: string;
    state: EmrApplicationState;
    diskEncryptionConfiguration?: StoredDiskEncryption;
}

/** One scripted fault. */
export type EmrFault =
    /** 429 with `ThrottlingException`. */
    | { kind: "throttle" }
    /** 500 `InternalServerException` or 503 `ServiceUnavailableException`. */
    | { kind: "server"; status: 500 | 503 }
    /** Any status and error shape, e.g. 409 `ConflictException`, 400 `ValidationException`, 404 `ResourceNotFoundException`. */
    | { kind: "error"; status: number; errorType: string; message?: string }
    /** Handle the request normally, but only after `delayMs` (past the client's timeout, typically). */
    | { kind: "slow"; delayMs: number }
    /** Destroy the connection without a response. */
    | { kind: "reset" };

/** One recorded request. */
export interface EmrRecordedRequest {
    op: EmrOperation | "Unknown";
    method: string;
    path: string;
    headers: http.IncomingHttpHeaders;
    body: string;
    /** Response status, or 0 for a reset. */
    status: number;
    /** Milliseconds since the server started. */
    at: number;
    /** The fault applied, if any. */
    fault?: EmrFault["kind"];
}

/** Options of the server. */
export interface EmrServerOptions {
    /** How long CREATING, STARTING and STOPPING last, in ms. Default 50. */
    transitionMs?: number;
    /** The error for UpdateApplication when the application is not CREATED or STOPPED. Default ValidationException (400). */
    busyUpdateError?: "ValidationException" | "ConflictException";
}

interface AppRecord {
    state: EmrApplicationState;
    config?: StoredDiskEncryption;
    pending?: { to: EmrApplicationState; at: number };
    createdAt: number;
}

const STATE_AFTER: Partial<Record<EmrApplicationState, EmrApplicationState>> = {
    CREATING: "CREATED",
    STARTING: "STARTED",
    STOPPING: "STOPPED",
};

/** The loopback EMR Serverless server. */
export class EmrServerlessServer {
    /** Every request received, in order. */
    public readonly requests: EmrRecordedRequest[] = [];
    /** When true, UpdateApplication answers 200 but does not store the setting (a setting that "did not take"). */
    public ignoreUpdates = false;
    /** The temporary credentials AssumeRole hands out. */
    public assumedCredentials = {
        accessKeyId: "ASIAASSUMEDROLEKEY01",
        secretAccessKey: "assumedSECRETdoNotLeak/0000000000000000",
        sessionToken: "assumed-session-token-0001",
    };
    /** Transition time in ms (may be changed between tests). */
    public transitionMs: number;
    private readonly busyUpdateError: "ValidationException" | "ConflictException";
    private readonly apps = new Map<string, AppRecord>();
    private readonly faults = new Map<EmrOperation, EmrFault[]>();
    private readonly sockets = new Set<import("node:net").Socket>();
    private server: http.Server | undefined;
    private started = 0;
    private baseUrl = "";

    /** @param options transition time and busy-update error shape. */
    constructor(options: EmrServerOptions = {}) {
        this.transitionMs = options.transitionMs ?? 50;
        this.busyUpdateError = options.busyUpdateError ?? "ValidationException";
    }

    /** `http://127.0.0.1:<port>` once started. */
    get url(): string {
        if (!this.baseUrl) {
            throw new Error("EmrServerlessServer: call start() first.");
        }
        return this.baseUrl;
    }

    /** Listens on an ephemeral loopback port. */
    async start(): Promise<void> {
        this.started = Date.now();
        const server = http.createServer((req, res) => void this.handle(req, res));
        server.on("connection", (s) => {
            this.sockets.add(s);
            s.on("close", () => this.sockets.delete(s));
        });
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve());
        });
        this.server = server;
        this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    }

    /** Closes the server and every open connection. */
    async stop(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        for (const s of this.sockets) {
            s.destroy();
        }
        if (server) {
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    }

    /** Forgets applications, faults and requests (between tests). */
    reset(): void {
        this.apps.clear();
        this.faults.clear();
        this.requests.length = 0;
        this.ignoreUpdates = false;
    }

    /**
     * Adds an application. A transitional state (CREATING, STARTING, STOPPING) settles after
     * `transitionMs`.
     */
    addApplication(id: string, state: EmrApplicationState, config?: StoredDiskEncryption): void {
        const rec: AppRecord = { state, createdAt: Date.now() };
        if (config) {
            rec.config = clone(config);
        }
        this.apps.set(id, rec);
        this.enter(rec, state);
    }

    /** Sets an application's state now (e.g. a job started it behind the provider's back). */
    setState(id: string, state: EmrApplicationState): void {
        const rec = this.mustGet(id);
        this.enter(rec, state);
    }

    /** Removes an application (later calls get ResourceNotFoundException). */
    removeApplication(id: string): void {
        this.apps.delete(id);
    }

    /** The application's current state and setting, or undefined when it does not exist. */
    application(id: string): EmrApplicationSnapshot | undefined {
        const rec = this.apps.get(id);
        if (!rec) {
            return undefined;
        }
        this.settle(rec);
        const snap: EmrApplicationSnapshot = { applicationId: id, state: rec.state };
        if (rec.config) {
            snap.diskEncryptionConfiguration = clone(rec.config);
        }
        return snap;
    }

    /** Queues faults for the next requests of `op`, in order (one fault per request). */
    script(op: EmrOperation, ...faults: EmrFault[]): void {
        const queue = this.faults.get(op) ?? [];
        queue.push(...faults);
        this.faults.set(op, queue);
    }

    /** Queues the same fault `times` times. */
    scriptTimes(op: EmrOperation, times: number, fault: EmrFault): void {
        this.script(op, ...Array.from({ length: times }, () => fault));
    }

    /** Faults still queued for `op`. */
    pendingFaults(op: EmrOperation): number {
        return this.faults.get(op)?.length ?? 0;
    }

    /** Number of recorded requests, optionally of one operation. */
    count(op?: EmrOperation): number {
        return op ? this.requests.filter((r) => r.op === op).length : this.requests.length;
    }

    /** The operations received, in order. */
    operations(): string[] {
        return this.requests.map((r) => r.op);
    }

    private mustGet(id: string): AppRecord {
        const rec = this.apps.get(id);
        if (!rec) {
            throw new Error(`EmrServerlessServer: no application ${id}.`);
        }
        return rec;
    }

    private enter(rec: AppRecord, state: EmrApplicationState): void {
        rec.state = state;
        const to = STATE_AFTER[state];
        rec.pending = to ? { to, at: Date.now() + this.transitionMs } : undefined;
    }

    private settle(rec: AppRecord): void {
        if (rec.pending && Date.now() >= rec.pending.at) {
            rec.state = rec.pending.to;
            rec.pending = undefined;
        }
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const c of req) {
            chunks.push(c as Buffer);
        }
        const body = Buffer.concat(chunks).toString("utf8");
        const path = (req.url ?? "/").split("?")[0];
        const method = req.method ?? "GET";
        const m = /^\/applications\/([^/]+)(?:\/(start|stop))?$/.exec(path);
        let op: EmrOperation | "Unknown" = "Unknown";
        if (m && !m[2] && method === "GET") op = "GetApplication";
        else if (m && !m[2] && method === "PATCH") op = "UpdateApplication";
        else if (m && m[2] === "start" && method === "POST") op = "StartApplication";
        else if (m && m[2] === "stop" && method === "POST") op = "StopApplication";
        else if (path === "/" && method === "POST" && /(?:^|&)Action=AssumeRole(?:&|$)/.test(body)) op = "AssumeRole";
        const record: EmrRecordedRequest = {
            op,
            method,
            path,
            headers: req.headers,
            body,
            status: 0,
            at: Date.now() - this.started,
        };
        this.requests.push(record);

        const fault = op === "Unknown" ? undefined : this.faults.get(op)?.shift();
        if (fault) {
            record.fault = fault.kind;
            switch (fault.kind) {
                case "reset":
                    req.socket.destroy();
                    return;
                case "throttle":
                    return this.error(res, record, 429, "ThrottlingException", "Rate exceeded");
                case "server":
                    return fault.status === 500
                        ? this.error(res, record, 500, "InternalServerException", "Internal error (scripted)")
                        : this.error(res, record, 503, "ServiceUnavailableException", "Service unavailable (scripted)");
                case "error":
                    return this.error(
                        res,
                        record,
                        fault.status,
                        fault.errorType,
                        fault.message ?? `${fault.errorType} (scripted)`,
                    );
                case "slow":
                    await new Promise((r) => setTimeout(r, fault.delayMs));
                    if (req.socket.destroyed) {
                        return;
                    }
                    break;
            }
        }
        if (op === "AssumeRole") {
            return this.assumeRole(res, record);
        }
        if (op === "Unknown" || !m) {
            return this.error(res, record, 404, "UnknownOperationException", `No route for ${method} ${path}`);
        }
        const id = decodeURIComponent(m[1]);
        const rec = this.apps.get(id);
        if (!rec) {
            return this.error(res, record, 404, "ResourceNotFoundException", `Application ${id} does not exist.`);
        }
        this.settle(rec);
        switch (op) {
            case "GetApplication":
                return this.json(res, record, 200, { application: this.view(id, rec) });
            case "UpdateApplication": {
                if (rec.state !== "CREATED" && rec.state !== "STOPPED") {
                    const status = this.busyUpdateError === "ConflictException" ? 409 : 400;
                    return this.error(
                        res,
                        record,
                        status,
                        this.busyUpdateError,
                        `Application ${id} must be in one of the following states: CREATED, STOPPED. Current state: ${rec.state}`,
                    );
                }
                let parsed: { diskEncryptionConfiguration?: StoredDiskEncryption };
                try {
                    parsed = JSON.parse(body || "{}") as { diskEncryptionConfiguration?: StoredDiskEncryption };
                } catch {
                    return this.error(res, record, 400, "ValidationException", "Malformed JSON body");
                }
                const dec = parsed.diskEncryptionConfiguration;
                if (dec !== undefined && !this.ignoreUpdates) {
                    if (
                        !dec.encryptionKeyArn &&
                        (!dec.encryptionContext || Object.keys(dec.encryptionContext).length === 0)
                    ) {
                        rec.config = undefined;
                    } else {
                        rec.config = clone(dec);
                    }
                }
                return this.json(res, record, 200, { application: this.view(id, rec) });
            }
            case "StartApplication":
                if (rec.state === "CREATED" || rec.state === "STOPPED") {
                    this.enter(rec, "STARTING");
                } else if (rec.state !== "STARTED" && rec.state !== "STARTING") {
                    return this.error(
                        res,
                        record,
                        409,
                        "ConflictException",
                        `Application ${id} cannot be started in state ${rec.state}`,
                    );
                }
                return this.json(res, record, 200, {});
            case "StopApplication":
                if (rec.state === "STARTED" || rec.state === "STARTING") {
                    this.enter(rec, "STOPPING");
                } else if (rec.state !== "STOPPED" && rec.state !== "CREATED" && rec.state !== "STOPPING") {
                    return this.error(
                        res,
                        record,
                        409,
                        "ConflictException",
                        `Application ${id} cannot be stopped in state ${rec.state}`,
                    );
                }
                return this.json(res, record, 200, {});
        }
    }

    private assumeRole(res: http.ServerResponse, record: EmrRecordedRequest): void {
        const c = this.assumedCredentials;
        const xml =
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>' +
            `<AccessKeyId>${c.accessKeyId}</AccessKeyId><SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>` +
            `<SessionToken>${c.sessionToken}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>` +
            "<AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/deployer/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>" +
            "</AssumeRoleResult><ResponseMetadata><RequestId>sts-1</RequestId></ResponseMetadata></AssumeRoleResponse>";
        record.status = 200;
        res.writeHead(200, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml) });
        res.end(xml);
    }

    private view(id: string, rec: AppRecord): Record<string, unknown> {
        const app: Record<string, unknown> = {
            applicationId: id,
            name: `app-${id}`,
            arn: `arn:aws:emr-serverless:us-east-1:111122223333:/applications/${id}`,
            releaseLabel: "emr-7.9.0",
            type: "SPARK",
            state: rec.state,
            createdAt: Math.floor(rec.createdAt / 1000),
            updatedAt: Math.floor(Date.now() / 1000),
        };
        if (rec.config) {
            app.diskEncryptionConfiguration = clone(rec.config);
        }
        return app;
    }

    private json(res: http.ServerResponse, record: EmrRecordedRequest, status: number, payload: unknown): void {
        record.status = status;
        const text = JSON.stringify(payload);
        res.writeHead(status, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(text),
            "x-amzn-requestid": `req-${this.requests.length}`,
        });
        res.end(text);
    }

    private error(
        res: http.ServerResponse,
        record: EmrRecordedRequest,
        status: number,
        errorType: string,
        message: string,
    ): void {
        record.status = status;
        const text = JSON.stringify({ message });
        res.writeHead(status, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(text),
            "x-amzn-errortype": `${errorType}:http://internal.amazon.com/coral/com.amazonaws.emrserverless/`,
            "x-amzn-requestid": `req-${this.requests.length}`,
        });
        res.end(text);
    }
}

function clone<T>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
}
