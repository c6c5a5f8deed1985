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
 * - Resources: every registration is a create. By default ("placeholders") the mock returns the inputs plus a
 *   placeholder id and placeholder computed outputs (`./placeholders`), so every value built from them is known and
 *   judged as if created; an invoke whose arguments contain a placeholder gets an unknown result, as an invoke on a
 *   not-yet-created resource does in `pulumi preview`. With "unknowns" (the CLI's view) the mock returns the inputs
 *   and no id, so the id and every computed output are unknown, as in a real preview.
 * - Secrets: every value the program passes to `pulumi.secret` is recorded, so that the report can redact it.
 * - Invokes: aws:index/getCallerIdentity, getRegion, getPartition are answered from the request (account id and
 *   aws:region); anything else only from the fixtures, matched on token and exact arguments. An invoke nobody can
 *   answer is recorded and fails the program; nothing is made up.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pulumiTypes from "@pulumi/pulumi";
import { checkDynamicResource, isDynamicType, loadDynamicProvider, PROVIDER_KEY } from "./dynamicProvider";
import { MissingDependencyError, missingModuleError, type ProgramLoad, prepareProgram } from "./languageHost";
import { builtinInvoke, canonical, findFixture, plainArgs } from "./invokes";
import {
    childUrn,
    PlaceholderFactory,
    providerContext,
    type PlaceholderContext,
    type PlaceholderOutputs,
} from "./placeholders";
import { checkPackageResources, isPackageRecord } from "./providerCheck";
import { type PropertyMap, UNKNOWN } from "./properties";
import { secretLeaves } from "./redact";
import { skipPromiseLeakTracking } from "./sdkPromises";
import {
    type ProgramLoadInfo,
    type RecordedResource,
    RUNNER_CHANNEL_FD,
    type RunnerDone,
    type RunnerMessage,
    type RunnerRequest,
    type UnansweredInvoke,
} from "./previewTypes";

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

    // Placeholders for what creates compute (default); the explicit providers' region and account (for placeholders
    // and for the built-in invokes: a resource or an invoke with an explicit provider lives where it says).
    const placeholders =
        req.mode === "unknowns" ? undefined : new PlaceholderFactory(req.accountId ? [req.accountId] : []);
    const providerContexts = new Map<string, PlaceholderContext>();
    const made = new Map<string, PlaceholderOutputs>();
    let registering: RegisterRequestPb | undefined;
    const contextOf = (token: string, providerRef: string | undefined): PlaceholderContext => {
        const explicit = providerRef
            ? providerContexts.get(providerRef.slice(0, providerRef.lastIndexOf("::")))
            : undefined;
        return {
            region: explicit?.region ?? req.config[`${token.split(":")[0]}:region`],
            account: explicit?.account ?? req.accountId,
        };
    };
    // Each type's property names (inputs and outputs: the SDK's resource classes list their outputs as undefined), so
    // that a placeholder is made only for an output the type has.
    const propertyNames = new Map<string, ReadonlySet<string>>();
    if (placeholders) {
        const runtimeResource = require(path.join(pulumiDir, "runtime", "resource")) as {
            registerResource(...args: unknown[]): unknown;
        };
        const registerResource = runtimeResource.registerResource;
        runtimeResource.registerResource = (...args: unknown[]): unknown => {
            const [, , type, , , , , props] = args;
            if (typeof type === "string" && typeof props === "object" && props !== null && !propertyNames.has(type)) {
                propertyNames.set(type, new Set(Object.keys(props)));
            }
            return registerResource(...args);
        };
        // An invoke whose arguments hold a placeholder gets the SDK's unknown result, as one whose arguments come
        // from a resource not yet created does in `pulumi preview` (the SDK asks this before calling the monitor).
        const rpcInternals = require(path.join(pulumiDir, "runtime", "rpc")) as {
            containsUnknownValues(v: unknown): boolean;
        };
        const containsUnknownValues = rpcInternals.containsUnknownValues;
        rpcInternals.containsUnknownValues = (v: unknown): boolean => {
            if (containsUnknownValues(v)) {
                return true;
            }
            const found = placeholders.findIn(v);
            if (found.length > 0) {
                (result.placeholderInvokes ??= []).push(found);
                return true;
            }
            return false;
        };
    }
    // Values the program marks secret, for the report's redaction (what reaches a resource is wrapped on the wire;
    // this also catches a secret that only reaches one inside a larger value).
    const secretValues = new Set<string>();
    const exportsOfPulumi = pulumi as unknown as Record<string, unknown>;
    const secret = pulumi.secret;
    exportsOfPulumi["secret"] = <T>(value: pulumiTypes.Input<T>): pulumiTypes.Output<pulumiTypes.Unwrap<T>> => {
        const out = secret(value);
        (out as unknown as { promise(withUnknowns: boolean): Promise<unknown> }).promise(true).then(
            (v) => secretLeaves(v, secretValues),
            () => undefined,
        );
        return out;
    };

    const stackUrn = `urn:pulumi:${req.stack}::${req.project}::${STACK_TYPE}::${req.project}-${req.stack}`;
    await pulumi.runtime.setMocks(
        {
            call: (args: pulumiTypes.runtime.MockCallArgs): Record<string, unknown> => {
                touch();
                const callArgs = plainArgs(args.inputs);
                const where = contextOf(args.token, args.provider);
                const builtin = builtinInvoke({ accountId: where.account, region: where.region }, args.token, callArgs);
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
                const inputs = args.inputs as Record<string, unknown>;
                // The engine does not put the root stack's type into its children's URNs (see newUrn below).
                const parent = registering?.getParent() ?? "";
                const urn = childUrn(req.project, req.stack, parent === stackUrn ? "" : parent, args.type, args.name);
                if (args.type.startsWith("pulumi:providers:")) {
                    providerContexts.set(urn, providerContext(inputs));
                } else if (placeholders && args.custom) {
                    const p = placeholders.forCreate(
                        { urn, type: args.type, name: args.name, inputs, properties: propertyNames.get(args.type) },
                        contextOf(args.type, args.provider),
                    );
                    made.set(urn, p);
                    return { id: p.id || undefined, state: { ...inputs, ...p.outputs } };
                }
                // A create at preview: the inputs are known, the id and computed outputs are not.
                return { id: undefined, state: inputs };
            },
        },
        req.project,
        req.stack,
        true,
        req.organization,
    );

    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
    // The engine does not put the root stack's type into its children's URNs; the mock monitor would.
    const origNewUrn = monitor.newUrn?.bind(monitor);
    if (origNewUrn) {
        monitor.newUrn = (parent, type, name) => origNewUrn(parent === stackUrn ? "" : parent, type, name);
    }
    // Dynamic resources and this package's (settings and explicit providers), kept for their providers' checks;
    // every other registration is sent and forgotten.
    const dynamic: RecordedResource[] = [];
    const packageRecords: RecordedResource[] = [];
    const record = (rec: RecordedResource): void => {
        touch();
        if (rec.type === STACK_TYPE && !rec.parent) {
            return; // the root stack: the engine view adds it; its outputs are the stack outputs
        }
        if (rec.custom && !rec.read && isDynamicType(rec.type)) {
            dynamic.push(rec);
        } else if (isPackageRecord(rec)) {
            packageRecords.push(rec);
        }
        channel.send({ kind: "resource", resource: rec });
    };
    const origRegister = monitor.registerResource.bind(monitor);
    monitor.registerResource = (r: RegisterRequestPb, cb: Callback) => {
        // The mock monitor calls newResource synchronously: this is the registration it answers.
        registering = r;
        return origRegister(r, (err, resp) => {
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
                const p = made.get(rec.urn);
                if (p) {
                    rec.state = {
                        ...((resp.getObject?.()?.toJavaScript() ?? {}) as PropertyMap),
                        id: p.id || UNKNOWN.string,
                    };
                    rec.placeholders = p.placeholders;
                    if (Object.keys(p.unknown).length > 0) {
                        rec.unknownOutputs = p.unknown;
                    }
                }
                record(rec);
            }
            cb(err, resp);
        });
    };
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
        // This package's own resources are checked by its provider plugin's CheckConfig and Check.
        (result.checkFailures ??= []).push(...(await checkPackageResources(packageRecords, req.config)));
    }
    if (errors.length > 0) {
        result.error = errors.join("\n");
    }
    if (secretValues.size > 0) {
        result.secretValues = [...secretValues];
    }
    channel.finish({ kind: "done", done: result });
    process.exit(0);
}

main().catch((e: unknown) => {
    process.stderr.write(`offline preview runner failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(3);
});
