/**
 * The offline preview's program runner: a child process (runtime mocks are process-global) that runs a
 * Pulumi program in preview mode under `pulumi.runtime.setMocks`, as a preview of an empty stack, and
 * records every registration the engine would see.
 *
 * Usage (internal): `node [nodeargs] bin/engine/previewRunner.js <request.json>`, spawned by the offline preview
 * with the program's directory as working directory and a pipe on fd 3, on which it writes one JSON message per
 * line ({@link RunnerMessage}): each registration as it completes, components' outputs, and a last "done" message.
 *
 * - The program is loaded as the Node.js language host loads it (`languageHost.ts`: the program's own
 *   `@pulumi/pulumi`, its TypeScript setup, its entry point), inside the root stack (`runInPulumiStack`).
 * - Resources: every registration is a create; the mock returns the inputs as state and no id, so the
 *   id and every computed output are unknown, as in a real preview.
 * - Invokes: aws:index/getCallerIdentity, getRegion, getPartition are answered from the request (account id and
 *   aws:region); anything else only from the fixtures, matched on token and exact arguments. An invoke nobody can
 *   answer is recorded and fails the program; nothing is made up.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumiTypes from "@pulumi/pulumi";
import { checkDynamicResource, isDynamicType, loadDynamicProvider, PROVIDER_KEY } from "./dynamicProvider";
import { MissingDependencyError, missingModuleError, type ProgramLoad, prepareProgram } from "./languageHost";
import type { JsonValue } from "./policyConfig";
import type { PropertyMap } from "./properties";
import {
    type InvokeFixture,
    type ProgramLoadInfo,
    type RecordedResource,
    RUNNER_CHANNEL_FD,
    type RunnerDone,
    type RunnerMessage,
    type RunnerRequest,
    type UnansweredInvoke,
} from "./previewTypes";

const TOKENS = {
    callerIdentity: "aws:index/getCallerIdentity:getCallerIdentity",
    region: "aws:index/getRegion:getRegion",
    partition: "aws:index/getPartition:getPartition",
};

/** The AWS partition of a region, and its DNS suffix. */
export function partitionOf(region: string): { partition: string; dnsSuffix: string; reverseDnsPrefix: string } {
    if (region.startsWith("cn-")) {
        return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" };
    }
    if (region.startsWith("us-gov-")) {
        return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
    }
    return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
}

/** JSON with sorted keys and no undefined: the form fixtures are compared in. */
export function canonical(v: unknown): string {
    return JSON.stringify(v, (_k, value: unknown) => {
        if (value && typeof value === "object" && !Array.isArray(value)) {
            return Object.fromEntries(
                Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
            );
        }
        return value;
    });
}

/** Drops undefined values (the SDK passes absent optional arguments as undefined). */
export function plainArgs(v: unknown): Record<string, JsonValue> {
    if (v === undefined || v === null) {
        return {};
    }
    return JSON.parse(JSON.stringify(v)) as Record<string, JsonValue>;
}

/** The fixture answering `token(args)`, if any. */
export function findFixture(
    fixtures: readonly InvokeFixture[],
    token: string,
    args: Record<string, JsonValue>,
): InvokeFixture | undefined {
    const want = canonical(args);
    return fixtures.find((f) => f.token === token && canonical(f.args ?? {}) === want);
}

/** The built-in answer for the invokes a preview of an AWS program needs, or why there is none. */
export function builtinInvoke(
    req: Pick<RunnerRequest, "accountId" | "region">,
    token: string,
    args: Record<string, JsonValue>,
): { result: Record<string, JsonValue> } | { reason: string } | undefined {
    const argRegion =
        typeof args["region"] === "string"
            ? args["region"]
            : typeof args["name"] === "string"
              ? args["name"]
              : undefined;
    const region = argRegion ?? req.region;
    switch (token) {
        case TOKENS.callerIdentity: {
            if (!req.accountId) {
                return {
                    reason: "no account id: pass --account-id 123456789012 or set aws:allowedAccountIds to one account",
                };
            }
            const p = partitionOf(region ?? "us-east-1").partition;
            return {
                result: {
                    accountId: req.accountId,
                    arn: `arn:${p}:iam::${req.accountId}:root`,
                    id: req.accountId,
                    userId: req.accountId,
                },
            };
        }
        case TOKENS.region:
            if (!region) {
                return {
                    reason: "aws:region is not set: pass --config aws:region=us-east-1 or set it in the stack config",
                };
            }
            return {
                result: {
                    name: region,
                    region,
                    id: region,
                    endpoint: `ec2.${region}.${partitionOf(region).dnsSuffix}`,
                    description: region,
                },
            };
        case TOKENS.partition: {
            if (!region) {
                return {
                    reason: "aws:region is not set: pass --config aws:region=us-east-1 or set it in the stack config",
                };
            }
            const p = partitionOf(region);
            return { result: { ...p, id: p.partition } };
        }
        default:
            return undefined;
    }
}

function hash(text: string): string {
    let h = 0x811c9dc5;
    let out = "";
    for (let round = 0; round < 4; round++) {
        for (const c of `${round}:${text}`) {
            h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
        }
        out += h.toString(16).padStart(8, "0");
    }
    return out;
}

/**
 * Test-only ("update" mode): deterministic computed outputs for a created resource, as after `pulumi up`.
 * Ids and ARNs follow each service's format so that ARN checks can run; they name nothing real.
 */
export function simulatedOutputs(
    type: string,
    name: string,
    account: string,
    region: string,
): { id: string; outputs: Record<string, string> } {
    const h = hash(`${type}::${name}`);
    const p = partitionOf(region).partition;
    switch (type) {
        case "aws:kms/key:Key": {
            const keyId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
            return { id: keyId, outputs: { keyId, arn: `arn:${p}:kms:${region}:${account}:key/${keyId}` } };
        }
        case "aws:emrserverless/application:Application": {
            const id = `00${h.slice(0, 14)}`;
            return { id, outputs: { arn: `arn:${p}:emr-serverless:${region}:${account}:/applications/${id}` } };
        }
        case "aws:iam/role:Role":
            return {
                id: name,
                outputs: {
                    name,
                    arn: `arn:${p}:iam::${account}:role/${name}`,
                    uniqueId: `AROA${h.slice(0, 17).toUpperCase()}`,
                },
            };
        case "aws:iam/policy:Policy":
            return {
                id: `arn:${p}:iam::${account}:policy/${name}`,
                outputs: { arn: `arn:${p}:iam::${account}:policy/${name}` },
            };
        case "aws:kms/alias:Alias":
            return { id: name, outputs: { arn: `arn:${p}:kms:${region}:${account}:${name}` } };
        default:
            return { id: `${name}-${h.slice(0, 8)}`, outputs: {} };
    }
}

interface PropertyDependenciesPb {
    getUrnsList(): string[];
}
interface StructLike {
    toJavaScript(): Record<string, unknown>;
}
interface RegisterRequestPb {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): StructLike | undefined;
    getProtect(): boolean;
    getDependenciesList(): string[];
    getProvider(): string;
    getPropertydependenciesMap(): { forEach(f: (v: PropertyDependenciesPb, k: string) => void): void };
    getDeletebeforereplace(): boolean;
    getDeletebeforereplacedefined(): boolean;
    getVersion(): string;
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
}
interface ReadRequestPb {
    getId(): string;
    getType(): string;
    getName(): string;
    getParent(): string;
    getProperties(): StructLike | undefined;
    getDependenciesList(): string[];
    getProvider(): string;
    getVersion(): string;
}
interface OutputsRequestPb {
    getUrn(): string;
    getOutputs(): StructLike | undefined;
}
type Callback = (
    err: unknown,
    resp: { getUrn(): string; getObject?(): StructLike | undefined; getId?(): string } | undefined,
) => void;
interface MonitorLike {
    registerResource(req: RegisterRequestPb, cb: Callback): unknown;
    readResource(req: ReadRequestPb, cb: Callback): unknown;
    registerResourceOutputs(req: OutputsRequestPb, cb: (err: unknown, resp: unknown) => void): unknown;
    /** The mock monitor's URN builder (`MockMonitor.newUrn`). */
    newUrn?: (parent: string, type: string, name: string) => string;
}

/** The ts-node registration a `-r ts-node/register` put in place (ts-node 10 keeps it on `process`). */
interface TsNodeService {
    enabled(on?: boolean): boolean;
}

const STACK_TYPE = "pulumi:pulumi:Stack";

function message(e: unknown): string {
    if (e instanceof Error) {
        return e.message || String(e);
    }
    return String(e);
}

/**
 * When the runner itself runs from TypeScript sources (the test suite), the ts-node that compiles it is
 * registered with the repository's options: switch it off and drop its environment before the program is loaded,
 * so that the program is compiled (or not) only as the language host would.
 */
function leaveOwnTypeScript(): void {
    if (!__filename.endsWith(".ts")) {
        return;
    }
    const key = Symbol.for("ts-node.register.instance");
    (process as unknown as Record<symbol, TsNodeService | undefined>)[key]?.enabled(false);
    for (const k of Object.keys(process.env)) {
        if (k.startsWith("TS_NODE_")) {
            delete process.env[k];
        }
    }
}

/**
 * The SDK wraps every internal promise for its leak detector and captures a stack trace for each: tens of promises
 * per resource, each holding its trace until it settles, most of the SDK's time and a third of its memory under
 * mocks. The traces are only printed with PULUMI_DEBUG_PROMISE_LEAKS, and the detector only speaks when the
 * process exits ("N promises were still active"), which is not part of what the offline preview reports. Without
 * that variable, the wrapper returns the promise as it is: what the program computes and registers is unchanged.
 */
export function skipPromiseLeakTracking(sdkDir: string): boolean {
    if (process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) {
        return false;
    }
    const debuggable = require(path.join(sdkDir, "runtime", "debuggable")) as {
        debuggablePromise?: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
    };
    if (typeof debuggable.debuggablePromise !== "function") {
        return false;
    }
    debuggable.debuggablePromise = <T>(p: Promise<T>): Promise<T> => p;
    return true;
}

/** What the report says about how the program was loaded. */
function loadInfo(load: ProgramLoad): ProgramLoadInfo {
    const ts = load.typescript;
    return {
        entry: load.program,
        esm: load.esm,
        ...(ts
            ? {
                  typescript: {
                      version: ts.compilerVersion,
                      bundled: /[\\/]vendor[\\/]typescript@/.test(ts.compiler),
                      transpileOnly: ts.transpileOnly === true,
                      module: String(ts.compilerOptions["module"] ?? ""),
                      esmHooks: ts.esmHooks,
                  },
              }
            : {}),
    };
}

/**
 * Writes the runner's messages, one JSON line each, to the parent's channel (fd 3), synchronously: each
 * registration leaves as it completes, even while the program keeps the event loop busy, and a parent that reads
 * slower holds the program back instead of letting lines pile up here.
 */
class Channel {
    constructor(private readonly fd: number) {}

    send(m: RunnerMessage): void {
        const data = Buffer.from(`${JSON.stringify(m)}\n`, "utf8");
        for (let off = 0; off < data.length;) {
            try {
                off += fs.writeSync(this.fd, data, off);
            } catch (e) {
                const code = (e as { code?: string }).code;
                if (code === "EPIPE") {
                    process.exit(1); // the preview that started this runner is gone: nobody reads the result
                }
                if (code !== "EAGAIN") {
                    throw e;
                }
                Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
            }
        }
    }

    /** Sends the last message and closes the channel. */
    finish(m: RunnerMessage): void {
        this.send(m);
        fs.closeSync(this.fd);
    }
}

async function main(): Promise<void> {
    const [requestFile] = process.argv.slice(2);
    const req = JSON.parse(fs.readFileSync(requestFile, "utf8")) as RunnerRequest;
    const channel = new Channel(RUNNER_CHANNEL_FD);
    process.chdir(req.pwd);
    process.env["PULUMI_CONFIG"] = JSON.stringify(req.config);
    process.env["PULUMI_CONFIG_SECRET_KEYS"] = JSON.stringify(req.secretKeys);
    process.env["PULUMI_NODEJS_PROJECT"] = req.project;
    process.env["PULUMI_NODEJS_STACK"] = req.stack;
    process.env["PULUMI_NODEJS_ORGANIZATION"] = req.organization;
    process.env["PULUMI_NODEJS_ROOT_DIRECTORY"] = req.programDir;
    process.env["PULUMI_NODEJS_DRY_RUN"] = "true";

    const result: RunnerDone = { invokes: [], unanswered: [], stackOutputs: {}, warnings: [] };
    const pulumiDir = req.sdkDir;
    const pulumi = require(pulumiDir) as typeof pulumiTypes;
    const settings = require(path.join(pulumiDir, "runtime", "settings")) as { waitForRPCs(): Promise<void> };
    const stackModule = require(path.join(pulumiDir, "runtime", "stack")) as {
        runInPulumiStack(init: () => Promise<unknown>): Promise<unknown>;
    };
    skipPromiseLeakTracking(pulumiDir);

    let lastActivity = Date.now();
    const touch = (): void => {
        lastActivity = Date.now();
    };
    const errors: string[] = [];
    const onError = (e: unknown): void => {
        const missing = missingModuleError(e, req.pwd, req.ownPackage);
        if (missing && !result.missing) {
            result.missing = { dependency: missing.dependency, message: missing.message };
        }
        const m = missing && !(e instanceof MissingDependencyError) ? missing.message : message(e);
        if (!errors.includes(m)) {
            errors.push(m);
        }
    };
    process.on("unhandledRejection", onError);
    process.on("uncaughtException", onError);

    const unanswered = (u: UnansweredInvoke): Error => {
        if (!result.unanswered.some((x) => x.token === u.token && canonical(x.args) === canonical(u.args))) {
            result.unanswered.push(u);
        }
        // The SDK reports a failed invoke by the gRPC error's `details`.
        const e = new Error(`offline preview: cannot answer ${u.token}(${canonical(u.args)}): ${u.reason}`);
        return Object.assign(e, { details: e.message });
    };

    await pulumi.runtime.setMocks(
        {
            call: (args: pulumiTypes.runtime.MockCallArgs): Record<string, unknown> => {
                touch();
                const callArgs = plainArgs(args.inputs);
                const builtin = builtinInvoke(req, args.token, callArgs);
                if (builtin && "result" in builtin) {
                    result.invokes.push({ token: args.token, args: callArgs, source: "config" });
                    return builtin.result;
                }
                const fixture = findFixture(req.invokes, args.token, callArgs);
                if (fixture) {
                    result.invokes.push({ token: args.token, args: callArgs, source: "fixture" });
                    return fixture.result;
                }
                throw unanswered({
                    token: args.token,
                    args: callArgs,
                    reason: builtin ? builtin.reason : "no fixture matches this token and these arguments",
                });
            },
            newResource: (args: pulumiTypes.runtime.MockResourceArgs): pulumiTypes.runtime.MockResourceResult => {
                touch();
                if (args.id) {
                    const readArgs = { id: args.id };
                    const fixture = findFixture(req.invokes, args.type, readArgs);
                    if (!fixture) {
                        throw unanswered({
                            token: args.type,
                            args: readArgs,
                            reason: "no fixture for this read of an existing resource",
                        });
                    }
                    result.invokes.push({ token: args.type, args: readArgs, source: "fixture" });
                    return { id: args.id, state: fixture.result };
                }
                if (req.mode === "update" && args.custom) {
                    const sim = simulatedOutputs(
                        args.type,
                        args.name,
                        req.accountId ?? "111122223333",
                        req.region ?? "us-east-1",
                    );
                    return { id: sim.id, state: { ...(args.inputs as Record<string, unknown>), ...sim.outputs } };
                }
                // A create at preview: the inputs are known, the id and computed outputs are not.
                return { id: undefined, state: args.inputs as Record<string, unknown> };
            },
        },
        req.project,
        req.stack,
        req.mode !== "update",
        req.organization,
    );

    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
    const stackUrn = `urn:pulumi:${req.stack}::${req.project}::${STACK_TYPE}::${req.project}-${req.stack}`;
    // The engine does not put the root stack's type into its children's URNs; the mock monitor would.
    const origNewUrn = monitor.newUrn?.bind(monitor);
    if (origNewUrn) {
        monitor.newUrn = (parent, type, name) => origNewUrn(parent === stackUrn ? "" : parent, type, name);
    }
    // Dynamic resources, kept for their provider's check; every other registration is sent and forgotten.
    const dynamic: RecordedResource[] = [];
    const record = (rec: RecordedResource): void => {
        touch();
        if (rec.type === STACK_TYPE && !rec.parent) {
            return; // the root stack: the engine view adds it; its outputs are the stack outputs
        }
        if (rec.custom && !rec.read && isDynamicType(rec.type)) {
            dynamic.push(rec);
        }
        channel.send({ kind: "resource", resource: rec });
    };
    const origRegister = monitor.registerResource.bind(monitor);
    monitor.registerResource = (r: RegisterRequestPb, cb: Callback) =>
        origRegister(r, (err, resp) => {
            if (!err && resp) {
                const propertyDependencies: Record<string, string[]> = {};
                r.getPropertydependenciesMap().forEach((v, k) => {
                    propertyDependencies[k] = v.getUrnsList();
                });
                const rec: RecordedResource = {
                    urn: resp.getUrn(),
                    type: r.getType(),
                    name: r.getName(),
                    custom: r.getCustom(),
                    parent: r.getParent(),
                    inputs: (r.getObject()?.toJavaScript() ?? {}) as PropertyMap,
                    dependencies: r.getDependenciesList(),
                    propertyDependencies,
                    provider: r.getProvider(),
                    version: r.getVersion(),
                    protect: r.getProtect(),
                    ignoreChanges: r.getIgnorechangesList(),
                    additionalSecretOutputs: r.getAdditionalsecretoutputsList(),
                    ...(r.getDeletebeforereplacedefined() ? { deleteBeforeReplace: r.getDeletebeforereplace() } : {}),
                };
                if (req.mode === "update" && rec.custom) {
                    rec.state = {
                        ...((resp.getObject?.()?.toJavaScript() ?? {}) as PropertyMap),
                        id: resp.getId?.() ?? "",
                    };
                }
                record(rec);
            }
            cb(err, resp);
        });
    const origRead = monitor.readResource.bind(monitor);
    monitor.readResource = (r: ReadRequestPb, cb: Callback) =>
        origRead(r, (err, resp) => {
            if (!err && resp) {
                record({
                    urn: resp.getUrn(),
                    type: r.getType(),
                    name: r.getName(),
                    custom: true,
                    parent: r.getParent(),
                    inputs: (r.getProperties()?.toJavaScript() ?? {}) as PropertyMap,
                    dependencies: r.getDependenciesList(),
                    propertyDependencies: {},
                    provider: r.getProvider(),
                    version: r.getVersion(),
                    protect: false,
                    ignoreChanges: [],
                    additionalSecretOutputs: [],
                    read: true,
                    id: r.getId(),
                });
            }
            cb(err, resp);
        });
    const origOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (r: OutputsRequestPb, cb: (err: unknown, resp: unknown) => void) => {
        touch();
        const outputs = (r.getOutputs()?.toJavaScript() ?? {}) as PropertyMap;
        if (r.getUrn() === stackUrn) {
            result.stackOutputs = outputs;
        } else {
            channel.send({ kind: "outputs", urn: r.getUrn(), outputs });
        }
        return origOutputs(r, cb);
    };

    // Load and run the program as the language host would, inside the root stack (`runInPulumiStack`), then wait
    // for the registrations to drain. After an error (e.g. an unanswered invoke) whatever depends on it never
    // settles, so stop once nothing has happened for a second. The interval also keeps the event loop alive: under
    // mocks nothing else may, while promises are pending. A program that never finishes is stopped by the parent's
    // --timeout.
    leaveOwnTypeScript();
    let finished = false;
    void (async () => {
        try {
            const load = prepareProgram(pulumiDir, req.entry);
            result.warnings.push(...load.warnings);
            result.load = loadInfo(load);
            await stackModule.runInPulumiStack(load.run);
        } catch (e) {
            onError(e);
        } finally {
            finished = true;
        }
    })();
    await new Promise<void>((resolve) => {
        let draining = false;
        let drained = false;
        const poll = setInterval(() => {
            if (finished && !draining) {
                draining = true;
                settings.waitForRPCs().then(
                    () => (drained = true),
                    (e: unknown) => {
                        onError(e);
                        drained = true;
                    },
                );
            }
            if (drained || (errors.length > 0 && Date.now() - lastActivity > 1000)) {
                clearInterval(poll);
                resolve();
            }
        }, 25);
    });
    // Let rejections raised by the last registrations reach the handlers.
    await new Promise((r) => setTimeout(r, 50));
    // The engine calls the provider's Check for every custom resource at preview; for a dynamic resource that is
    // the serialized provider's own `check`, run here as the dynamic-provider host would (create: olds = {}).
    if (errors.length === 0) {
        const loaded = new Map<string, Awaited<ReturnType<typeof loadDynamicProvider>>>();
        for (const rec of dynamic) {
            const text = rec.inputs[PROVIDER_KEY];
            if (typeof text !== "string") {
                continue;
            }
            try {
                let provider = loaded.get(text);
                if (!provider) {
                    provider = await loadDynamicProvider(text, pulumiDir, req.project);
                    loaded.set(text, provider);
                }
                for (const f of await checkDynamicResource(provider, rec.inputs)) {
                    (result.checkFailures ??= []).push({ urn: rec.urn, type: rec.type, name: rec.name, ...f });
                }
            } catch (e) {
                onError(
                    new Error(`${rec.type} resource '${rec.name}': the dynamic provider's check failed: ${message(e)}`),
                );
            }
        }
    }
    if (errors.length > 0) {
        result.error = errors.join("\n");
    }
    channel.finish({ kind: "done", done: result });
    process.exit(0);
}

if (require.main === module) {
    main().catch((e: unknown) => {
        process.stderr.write(`offline preview runner failed: ${e instanceof Error ? e.stack : String(e)}\n`);
        process.exit(3);
    });
}
