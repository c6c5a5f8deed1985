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
 * It also answers STS (`POST /`, query protocol; see `stsProtocol.ts`): AssumeRole with
 * {@link assumedCredentials}, and GetCallerIdentity with the account the signing access key belongs
 * to ({@link setAccount}), so a test can point `AWS_ENDPOINT_URL_STS` here.
 *
 * Tenancy: every application lives in one account and one region (default 111122223333,
 * us-east-1). A signed request sees an application only when its SigV4 credential scope names that
 * region and its access key belongs to that account; otherwise it gets the 404
 * `ResourceNotFoundException` the real service gives, which lets tests play a wrong region or
 * another account's credentials.
 *
 * Other scripted behaviour: credentials that expire once a given operation succeeded or after N
 * requests ({@link expireCredentials}), and a read-back lag after UpdateApplication during which
 * GetApplication still reports the previous setting ({@link readBackLagMs}).
 *
 * Errors are sent the way the SDK's REST-JSON protocol reads them: the status code, an
 * `x-amzn-errortype` header naming the error shape, and a JSON body with `message`.
 * Listens on 127.0.0.1 only.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { assumeRoleXml, callerIdentityXml, stsActionOf, stsErrorXml } from "./stsProtocol";

/** The account and region an application lives in unless the test says otherwise. */
export const DEFAULT_ACCOUNT = "111122223333";
export const DEFAULT_REGION = "us-east-1";

/** The operations the server understands. */
export type EmrOperation =
    | "GetApplication"
    | "UpdateApplication"
    | "StartApplication"
    | "StopApplication"
    | "AssumeRole"
    | "GetCallerIdentity";

/** The error a request signed with expired credentials gets. */
export type CredentialErrorType = "ExpiredTokenException" | "UnrecognizedClientException";

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
    /** `arn:aws:emr-serverless:<region>:<account>:/applications/<id>`. */
    arn: string;
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
    /** The fault applied, if any (`credentials` for an expired access key). */
    fault?: EmrFault["kind"] | "credentials";
    /** The region of the request's SigV4 credential scope, if signed. */
    region?: string;
    /** The access key id that signed the request, if signed. */
    accessKeyId?: string;
    /** The response body sent (JSON or XML), if any. */
    response?: string;
}

/** Options of the server. */
export interface EmrServerOptions {
    /** How long CREATING, STARTING and STOPPING last, in ms. Default 50. */
    transitionMs?: number;
    /** The error for UpdateApplication when the application is not CREATED or STOPPED. Default ValidationException (400). */
    busyUpdateError?: "ValidationException" | "ConflictException";
}

/** Where an application lives. */
export interface EmrApplicationLocation {
    /** Default {@link DEFAULT_REGION}. */
    region?: string;
    /** Default {@link DEFAULT_ACCOUNT}. */
    account?: string;
}

interface AppRecord {
    state: EmrApplicationState;
    config?: StoredDiskEncryption;
    /** What GetApplication reports instead of `config` until `until` (read-back lag). */
    stale?: { config?: StoredDiskEncryption; until: number };
    pending?: { to: EmrApplicationState; at: number };
    createdAt: number;
    region: string;
    account: string;
}

interface CredentialExpiry {
    /** Only this access key expires; undefined = every key. */
    accessKeyId?: string;
    /** Expire once a request of this operation succeeded. */
    afterOp?: EmrOperation;
    /** Expire after this many more requests (counted whatever their outcome). */
    afterRequests?: number;
    errorType: CredentialErrorType;
    active: boolean;
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
    /**
     * After an UpdateApplication that changes the setting, GetApplication keeps reporting the
     * previous setting for this many ms (eventual consistency). Default 0.
     */
    public readBackLagMs = 0;
    private readonly busyUpdateError: "ValidationException" | "ConflictException";
    private readonly apps = new Map<string, AppRecord>();
    private readonly faults = new Map<EmrOperation, EmrFault[]>();
    private readonly sockets = new Set<import("node:net").Socket>();
    private readonly accounts = new Map<string, string>();
    private expiry: CredentialExpiry | undefined;
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
        this.readBackLagMs = 0;
        this.accounts.clear();
        this.expiry = undefined;
    }

    /** Makes `accessKeyId` belong to `account` (unknown keys belong to {@link DEFAULT_ACCOUNT}). */
    setAccount(accessKeyId: string, account: string): void {
        this.accounts.set(accessKeyId, account);
    }

    /**
     * Makes credentials expire: once a request of `trigger.afterOp` succeeded, or after
     * `trigger.afterRequests` more requests, every request signed with `accessKeyId` (default: any
     * key) is refused with `errorType` (EMR Serverless: 403 `ExpiredTokenException` or
     * `UnrecognizedClientException`; STS: `ExpiredToken` or `InvalidClientTokenId`).
     */
    expireCredentials(
        trigger: { afterOp: EmrOperation } | { afterRequests: number },
        options: { accessKeyId?: string; errorType?: CredentialErrorType } = {},
    ): void {
        this.expiry = {
            ...trigger,
            accessKeyId: options.accessKeyId,
            errorType: options.errorType ?? "ExpiredTokenException",
            active: "afterRequests" in trigger && trigger.afterRequests <= 0,
        };
    }

    /**
     * Adds an application. A transitional state (CREATING, STARTING, STOPPING) settles after
     * `transitionMs`.
     */
    addApplication(
        id: string,
        state: EmrApplicationState,
        config?: StoredDiskEncryption,
        where: EmrApplicationLocation = {},
    ): void {
        const rec: AppRecord = {
            state,
            createdAt: Date.now(),
            region: where.region ?? DEFAULT_REGION,
            account: where.account ?? DEFAULT_ACCOUNT,
        };
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
        const snap: EmrApplicationSnapshot = { applicationId: id, state: rec.state, arn: arnOf(id, rec) };
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
        else op = stsActionOf(method, path, body) ?? "Unknown";
        const scope = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ""));
        const record: EmrRecordedRequest = {
            op,
            method,
            path,
            headers: req.headers,
            body,
            status: 0,
            at: Date.now() - this.started,
        };
        if (scope) {
            record.accessKeyId = scope[1];
            record.region = scope[2];
        }
        this.requests.push(record);

        if (op !== "Unknown" && this.credentialsExpired(record)) {
            record.fault = "credentials";
            return this.credentialError(res, record, op);
        }

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
        if (op === "AssumeRole" || op === "GetCallerIdentity") {
            return this.sts(res, record, op);
        }
        if (op === "Unknown" || !m) {
            return this.error(res, record, 404, "UnknownOperationException", `No route for ${method} ${path}`);
        }
        const id = decodeURIComponent(m[1]);
        const rec = this.apps.get(id);
        if (!rec || !this.visible(rec, record)) {
            return this.error(res, record, 404, "ResourceNotFoundException", `Application ${id} does not exist.`);
        }
        this.settle(rec);
        switch (op) {
            case "GetApplication":
                return this.json(res, record, 200, { application: this.view(id, rec, true) });
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
                    const previous = rec.config;
                    if (
                        !dec.encryptionKeyArn &&
                        (!dec.encryptionContext || Object.keys(dec.encryptionContext).length === 0)
                    ) {
                        rec.config = undefined;
                    } else {
                        rec.config = clone(dec);
                    }
                    if (this.readBackLagMs > 0 && JSON.stringify(previous) !== JSON.stringify(rec.config)) {
                        // Reads keep showing what was there before the first change of the window.
                        const shown = rec.stale && Date.now() < rec.stale.until ? rec.stale.config : previous;
                        rec.stale = { config: shown, until: Date.now() + this.readBackLagMs };
                    }
                }
                // The writer sees its own write; later reads may lag (see readBackLagMs).
                return this.json(res, record, 200, { application: this.view(id, rec, false) });
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

    /** The account `accessKeyId` belongs to. */
    private accountOf(accessKeyId: string): string {
        return this.accounts.get(accessKeyId) ?? DEFAULT_ACCOUNT;
    }

    /** Whether a request may see `rec` (unsigned requests see everything). */
    private visible(rec: AppRecord, record: EmrRecordedRequest): boolean {
        if (!record.accessKeyId || !record.region) {
            return true;
        }
        return record.region === rec.region && this.accountOf(record.accessKeyId) === rec.account;
    }

    /** Whether `record`'s credentials have expired; counts the request toward an `afterRequests` trigger. */
    private credentialsExpired(record: EmrRecordedRequest): boolean {
        const x = this.expiry;
        if (!x || (x.accessKeyId !== undefined && x.accessKeyId !== record.accessKeyId)) {
            return false;
        }
        if (x.active) {
            return true;
        }
        if (x.afterRequests !== undefined) {
            x.afterRequests--;
            if (x.afterRequests <= 0) {
                x.active = true;
            }
        }
        return false;
    }

    /** Arms an `afterOp` expiry once that operation succeeded with matching credentials. */
    private noteSuccess(record: EmrRecordedRequest): void {
        const x = this.expiry;
        if (
            x &&
            !x.active &&
            x.afterOp === record.op &&
            record.status >= 200 &&
            record.status < 300 &&
            (x.accessKeyId === undefined || x.accessKeyId === record.accessKeyId)
        ) {
            x.active = true;
        }
    }

    private credentialError(res: http.ServerResponse, record: EmrRecordedRequest, op: EmrOperation): void {
        const expired = this.expiry?.errorType !== "UnrecognizedClientException";
        const message = expired
            ? "The security token included in the request is expired"
            : "The security token included in the request is invalid.";
        if (op === "AssumeRole" || op === "GetCallerIdentity") {
            const status = expired ? 400 : 403;
            return this.xml(
                res,
                record,
                status,
                stsErrorXml(
                    status,
                    expired ? "ExpiredToken" : "InvalidClientTokenId",
                    message,
                    `req-${this.requests.length}`,
                ),
            );
        }
        return this.error(res, record, 403, this.expiry?.errorType ?? "ExpiredTokenException", message);
    }

    private sts(res: http.ServerResponse, record: EmrRecordedRequest, op: "AssumeRole" | "GetCallerIdentity"): void {
        const requestId = `sts-${this.requests.length}`;
        if (op === "AssumeRole") {
            const form = new URLSearchParams(record.body);
            // The temporary credentials belong to the role's account (unless a test said otherwise).
            const roleAccount = /^arn:[^:]+:iam::(\d{12}):/.exec(form.get("RoleArn") ?? "")?.[1];
            if (roleAccount && !this.accounts.has(this.assumedCredentials.accessKeyId)) {
                this.accounts.set(this.assumedCredentials.accessKeyId, roleAccount);
            }
            return this.xml(
                res,
                record,
                200,
                assumeRoleXml(
                    this.assumedCredentials,
                    form.get("RoleArn") ?? "",
                    form.get("RoleSessionName") ?? "session",
                    requestId,
                ),
            );
        }
        if (!record.accessKeyId) {
            return this.xml(
                res,
                record,
                403,
                stsErrorXml(403, "MissingAuthenticationToken", "Request is missing Authentication Token", requestId),
            );
        }
        const account = this.accountOf(record.accessKeyId);
        return this.xml(
            res,
            record,
            200,
            callerIdentityXml(
                { account, arn: `arn:aws:iam::${account}:user/deployer`, userId: "AIDAEXAMPLEDEPLOYER" },
                requestId,
            ),
        );
    }

    private xml(res: http.ServerResponse, record: EmrRecordedRequest, status: number, text: string): void {
        record.status = status;
        record.response = text;
        res.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(text) });
        res.end(text);
        this.noteSuccess(record);
    }

    /** The application as the API shows it; `reader` = a read that may lag behind the last update. */
    private view(id: string, rec: AppRecord, reader: boolean): Record<string, unknown> {
        const app: Record<string, unknown> = {
            applicationId: id,
            name: `app-${id}`,
            arn: arnOf(id, rec),
            releaseLabel: "emr-7.9.0",
            type: "SPARK",
            state: rec.state,
            createdAt: Math.floor(rec.createdAt / 1000),
            updatedAt: Math.floor(Date.now() / 1000),
        };
        const config = reader && rec.stale && Date.now() < rec.stale.until ? rec.stale.config : rec.config;
        if (config) {
            app.diskEncryptionConfiguration = clone(config);
        }
        return app;
    }

    private json(res: http.ServerResponse, record: EmrRecordedRequest, status: number, payload: unknown): void {
        record.status = status;
        const text = JSON.stringify(payload);
        record.response = text;
        res.writeHead(status, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(text),
            "x-amzn-requestid": `req-${this.requests.length}`,
        });
        res.end(text);
        this.noteSuccess(record);
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
        record.response = text;
        res.writeHead(status, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(text),
            "x-amzn-errortype": `${errorType}:http://internal.amazon.com/coral/com.amazonaws.emrserverless/`,
            "x-amzn-requestid": `req-${this.requests.length}`,
        });
        res.end(text);
    }
}

function arnOf(id: string, rec: AppRecord): string {
    return `arn:aws:emr-serverless:${rec.region}:${rec.account}:/applications/${id}`;
}

function clone<T>(v: T): T {
    return JSON.parse(JSON.stringify(v)) as T;
}
