/**
 * The offline preview's program runner: a child process (runtime mocks are process-global) that runs a
 * Pulumi program in preview mode under `pulumi.runtime.setMocks`, as a preview of an empty stack, and
 * records every registration the engine would see.
 *
 * Usage (internal): `node -r ts-node/register/transpile-only engine/previewRunner.ts <request.json> <result.json>`
 *
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
import {
    childUrn,
    partitionOfRegion,
    PlaceholderFactory,
    providerContext,
    type PlaceholderContext,
    type PlaceholderOutputs,
} from "./placeholders";
import { checkPackageResources } from "./providerCheck";
import type { JsonValue } from "./policyConfig";
import { type PropertyMap, UNKNOWN } from "./properties";
import { secretLeaves } from "./redact";
import type { InvokeFixture, RecordedResource, RunnerRequest, RunnerResult, UnansweredInvoke } from "./previewTypes";

const TOKENS = {
    callerIdentity: "aws:index/getCallerIdentity:getCallerIdentity",
    region: "aws:index/getRegion:getRegion",
    partition: "aws:index/getPartition:getPartition",
};

/** The AWS partition of a region (as placeholder ARNs have it), and its DNS suffix. */
export function partitionOf(region: string): { partition: string; dnsSuffix: string; reverseDnsPrefix: string } {
    const partition = partitionOfRegion(region);
    return partition === "aws-cn"
        ? { partition, dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" }
        : { partition, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
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
}

/** The parts of `@pulumi/pulumi/tsutils` (the language host's TypeScript helpers) the runner reuses. */
interface PulumiTsUtils {
    loadTypeScriptCompilerOptions(tsConfigPath: string): Record<string, unknown>;
    typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string };
}

/** The ts-node registration a `-r ts-node/register` put in place (ts-node 10 keeps it on `process`). */
interface TsNodeService {
    enabled(on?: boolean): boolean;
}

/**
 * Registers TypeScript for the user's program the way `pulumi preview`'s Node.js language host does
 * (`@pulumi/pulumi/cmd/run/run.js`), independently of how the runner itself was compiled: the program's
 * `tsconfig.json` when there is one in the program directory, else no project file at all (`skipProject`), with
 * the host's default compiler options (`target` ES2020, `module`/`moduleResolution` nodenext) under whatever the
 * tsconfig sets. Type checking is off (the host type-checks unless told otherwise; the offline preview only needs
 * the registrations). The ts-node instance that compiled the runner (registered with the repository's tsconfig)
 * is disabled first, so it does not compile the program with the wrong options.
 */
export function registerProgramTypeScript(pulumiDir: string, programDir: string): void {
    const tsutils = require(path.join(pulumiDir, "tsutils")) as PulumiTsUtils;
    const tsConfigPath = path.join(programDir, "tsconfig.json");
    const skipProject = !fs.existsSync(tsConfigPath);
    const fromTsConfig = skipProject ? {} : tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
    const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
    const instanceKey = Symbol.for("ts-node.register.instance");
    const current = (process as unknown as Record<symbol, TsNodeService | undefined>)[instanceKey];
    current?.enabled(false);
    const tsNode = require(tsnodeRequire) as { register(opts: Record<string, unknown>): TsNodeService };
    tsNode.register({
        compiler: typescriptRequire,
        transpileOnly: true,
        project: tsConfigPath,
        skipProject,
        compilerOptions: {
            target: "ES2020",
            module: "nodenext",
            moduleResolution: "nodenext",
            sourceMap: true,
            ...fromTsConfig,
        },
    });
}

function message(e: unknown): string {
    if (e instanceof Error) {
        return e.message || String(e);
    }
    return String(e);
}

async function main(): Promise<void> {
    const [requestFile, resultFile] = process.argv.slice(2);
    const req = JSON.parse(fs.readFileSync(requestFile, "utf8")) as RunnerRequest;
    process.chdir(req.programDir);
    process.env["PULUMI_CONFIG"] = JSON.stringify(req.config);
    process.env["PULUMI_CONFIG_SECRET_KEYS"] = JSON.stringify(req.secretKeys);
    process.env["PULUMI_NODEJS_PROJECT"] = req.project;
    process.env["PULUMI_NODEJS_STACK"] = req.stack;
    process.env["PULUMI_NODEJS_ORGANIZATION"] = req.organization;
    process.env["PULUMI_NODEJS_DRY_RUN"] = "true";

    let pulumiEntry: string;
    try {
        pulumiEntry = require.resolve("@pulumi/pulumi", { paths: [req.programDir] });
    } catch {
        throw new Error(
            `@pulumi/pulumi cannot be resolved from the program directory ${req.programDir}; ` +
                `run npm install there (pulumi preview needs the program's own dependencies too)`,
        );
    }
    const pulumiDir = path.dirname(pulumiEntry);
    const pulumi = require(pulumiEntry) as typeof pulumiTypes;
    const settings = require(path.join(pulumiDir, "runtime", "settings")) as { waitForRPCs(): Promise<void> };
    const rpc = require(path.join(pulumiDir, "runtime", "rpc")) as {
        serializeProperties(label: string, props: unknown): Promise<Record<string, unknown>>;
    };

    const result: RunnerResult = { resources: [], invokes: [], unanswered: [], stackOutputs: {} };
    let lastActivity = Date.now();
    const touch = (): void => {
        lastActivity = Date.now();
    };
    const errors: string[] = [];
    const onError = (e: unknown): void => {
        const m = message(e);
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
                const urn = childUrn(req.project, req.stack, registering?.getParent() ?? "", args.type, args.name);
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
    const byUrn = new Map<string, RecordedResource>();
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
                byUrn.set(rec.urn, rec);
                result.resources.push(rec);
            }
            cb(err, resp);
        });
    };
    const origRead = monitor.readResource.bind(monitor);
    monitor.readResource = (r: ReadRequestPb, cb: Callback) =>
        origRead(r, (err, resp) => {
            if (!err && resp) {
                const rec: RecordedResource = {
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
                };
                byUrn.set(rec.urn, rec);
                result.resources.push(rec);
            }
            cb(err, resp);
        });
    const origOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (r: OutputsRequestPb, cb: (err: unknown, resp: unknown) => void) => {
        touch();
        const rec = byUrn.get(r.getUrn());
        if (rec) {
            rec.outputs = (r.getOutputs()?.toJavaScript() ?? {}) as PropertyMap;
        }
        return origOutputs(r, cb);
    };

    let exported: unknown;
    try {
        registerProgramTypeScript(pulumiDir, req.programDir);
        exported = require(req.entry);
        const mod = exported as { default?: unknown } | undefined;
        if (typeof exported === "function") {
            exported = await (exported as () => unknown)();
        } else if (mod && typeof mod.default === "function" && Object.keys(mod).length === 1) {
            exported = await (mod.default as () => unknown)();
        }
    } catch (e) {
        onError(e);
    }
    // Wait for the registrations to drain. After an error (e.g. an unanswered invoke) whatever depends on it never
    // settles, so stop once nothing has happened for a second. The interval also keeps the event loop alive: under
    // mocks nothing else may, while promises are pending.
    let drained = false;
    void settings.waitForRPCs().then(
        () => (drained = true),
        (e: unknown) => {
            onError(e);
            drained = true;
        },
    );
    const started = Date.now();
    await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
            const idle = Date.now() - lastActivity > 1000;
            if (drained || (errors.length > 0 && idle) || Date.now() - started > 60_000) {
                if (!drained && errors.length === 0) {
                    onError(new Error("the program did not finish registering resources within 60 s"));
                }
                clearInterval(poll);
                resolve();
            }
        }, 25);
    });
    // Let rejections raised by the last registrations reach the handlers.
    await new Promise((r) => setTimeout(r, 50));
    // Stack outputs; skipped after an error (outputs downstream of a failed call never settle). The timer
    // keeps the event loop alive and bounds the wait.
    if (errors.length === 0 && exported && typeof exported === "object") {
        let outTimer: NodeJS.Timeout | undefined;
        result.stackOutputs = await Promise.race([
            rpc.serializeProperties("stack outputs", exported).then(
                (v) => v as PropertyMap,
                () => ({}),
            ),
            new Promise<PropertyMap>((resolve) => {
                outTimer = setTimeout(() => resolve({}), 10_000);
            }),
        ]);
        clearTimeout(outTimer);
    }
    // The engine calls the provider's Check for every custom resource at preview; for a dynamic resource that is
    // the serialized provider's own `check`, run here as the dynamic-provider host would (create: olds = {}).
    if (errors.length === 0) {
        const loaded = new Map<string, Awaited<ReturnType<typeof loadDynamicProvider>>>();
        for (const rec of result.resources) {
            const text = rec.inputs[PROVIDER_KEY];
            if (!rec.custom || rec.read || !isDynamicType(rec.type) || typeof text !== "string") {
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
        (result.checkFailures ??= []).push(...(await checkPackageResources(result.resources, req.config)));
    }
    if (errors.length > 0) {
        result.error = errors.join("\n");
    }
    if (secretValues.size > 0) {
        result.secretValues = [...secretValues];
    }
    fs.writeFileSync(resultFile, JSON.stringify(result));
    process.exit(0);
}

if (require.main === module) {
    main().catch((e: unknown) => {
        process.stderr.write(`offline preview runner failed: ${e instanceof Error ? e.stack : String(e)}\n`);
        process.exit(3);
    });
}
