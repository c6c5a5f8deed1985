/**
 * A loopback AWS KMS endpoint for tests: speaks the AWS JSON 1.1 protocol the real SDK client uses
 * (`POST /` with `X-Amz-Target: TrentService.<Operation>`, `content-type: application/x-amz-json-1.1`,
 * errors as a JSON body with `__type` and the `x-amzn-errortype` header), so the SDK is exercised end to
 * end. Point a client at it with `AWS_ENDPOINT_URL_KMS=<url>`. Implements DescribeKey and GetKeyPolicy.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** One key the fake KMS knows. */
export interface FakeKmsKey {
    /** The full key ARN; the key id is its last path segment. */
    arn: string;
    /** Default `SYMMETRIC_DEFAULT`. */
    keySpec?: string;
    /** Default `ENCRYPT_DECRYPT`. */
    keyUsage?: string;
    /** Default `Enabled`; `Enabled` is derived from it. */
    keyState?: string;
    /** The `default` key policy, as a JSON string. */
    policy: string;
}

/** An error the server answers with instead of the operation's result. */
export interface KmsFault {
    /** The AWS error code, e.g. `AccessDeniedException`, `NotFoundException`. */
    type: string;
    message: string;
    /** HTTP status; default 400. */
    status?: number;
}

/** A request the server received. */
export interface KmsRequestRecord {
    operation: string;
    body: Record<string, unknown>;
    authorization: string | undefined;
}

/** A running fake KMS. */
export interface KmsServer {
    /** `http://127.0.0.1:<port>` */
    url: string;
    /** Keys by ARN; tests may replace entries between calls. */
    keys: Map<string, FakeKmsKey>;
    /** Faults by operation name (`DescribeKey`, `GetKeyPolicy`), returned on every call until removed. */
    faults: Map<string, KmsFault>;
    requests: KmsRequestRecord[];
    close(): Promise<void>;
}

function keyIdOf(arn: string): string {
    return arn.slice(arn.lastIndexOf("/") + 1);
}

function findKey(keys: Map<string, FakeKmsKey>, keyId: unknown): FakeKmsKey | undefined {
    if (typeof keyId !== "string") {
        return undefined;
    }
    for (const key of keys.values()) {
        if (key.arn === keyId || keyIdOf(key.arn) === keyId) {
            return key;
        }
    }
    return undefined;
}

function send(res: http.ServerResponse, status: number, body: unknown, errorType?: string): void {
    const headers: http.OutgoingHttpHeaders = {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": "00000000-0000-0000-0000-000000000000",
    };
    if (errorType) {
        headers["x-amzn-errortype"] = errorType;
    }
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
}

function fail(res: http.ServerResponse, fault: KmsFault): void {
    send(res, fault.status ?? 400, { __type: fault.type, message: fault.message }, fault.type);
}

/** Starts a fake KMS on 127.0.0.1 (random port) knowing `keys`. */
export async function startKmsServer(keys: FakeKmsKey[] = []): Promise<KmsServer> {
    const state = {
        keys: new Map(keys.map((k) => [k.arn, k] as [string, FakeKmsKey])),
        faults: new Map<string, KmsFault>(),
        requests: [] as KmsRequestRecord[],
    };
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const target = String(req.headers["x-amz-target"] ?? "");
            const contentType = String(req.headers["content-type"] ?? "");
            if (req.method !== "POST" || req.url !== "/" || !target.startsWith("TrentService.")) {
                fail(res, {
                    type: "UnknownOperationException",
                    message: `unexpected ${req.method} ${req.url} ${target}`,
                });
                return;
            }
            if (contentType !== "application/x-amz-json-1.1") {
                fail(res, { type: "SerializationException", message: `unexpected content-type ${contentType}` });
                return;
            }
            const operation = target.slice("TrentService.".length);
            let body: Record<string, unknown>;
            try {
                body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
            } catch {
                fail(res, { type: "SerializationException", message: "body is not JSON" });
                return;
            }
            const auth = req.headers.authorization;
            state.requests.push({ operation, body, authorization: auth });
            const fault = state.faults.get(operation);
            if (fault) {
                fail(res, fault);
                return;
            }
            const key = findKey(state.keys, body.KeyId);
            if (!key) {
                fail(res, { type: "NotFoundException", message: `Key '${String(body.KeyId)}' does not exist` });
                return;
            }
            if (operation === "DescribeKey") {
                const keyState = key.keyState ?? "Enabled";
                const parts = key.arn.split(":");
                send(res, 200, {
                    KeyMetadata: {
                        AWSAccountId: parts[4],
                        Arn: key.arn,
                        KeyId: keyIdOf(key.arn),
                        CreationDate: 1.7e9,
                        Enabled: keyState === "Enabled",
                        KeyState: keyState,
                        KeySpec: key.keySpec ?? "SYMMETRIC_DEFAULT",
                        CustomerMasterKeySpec: key.keySpec ?? "SYMMETRIC_DEFAULT",
                        KeyUsage: key.keyUsage ?? "ENCRYPT_DECRYPT",
                        KeyManager: "CUSTOMER",
                        Origin: "AWS_KMS",
                        MultiRegion: false,
                    },
                });
                return;
            }
            if (operation === "GetKeyPolicy") {
                send(res, 200, { Policy: key.policy, PolicyName: "default" });
                return;
            }
            fail(res, { type: "UnknownOperationException", message: `operation ${operation} is not implemented here` });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        ...state,
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.closeAllConnections();
                server.close((e) => (e ? reject(e) : resolve()));
            }),
    };
}
