/**
 * The provider plugin's gRPC service: `@pulumi/pulumi`'s own server for what it does right, this module's
 * handlers for what it does not.
 *
 * `provider.main` of `@pulumi/pulumi` (pinned at 3.248.0) serves the whole ResourceProvider service and sets
 * up the Pulumi runtime for Construct and Call from each request (config, monitor, engine), which a
 * component package must not re-implement. But its Configure ignores the configuration, its CheckConfig and
 * DiffConfig answer UNIMPLEMENTED (the engine then accepts any configuration unchecked), its Diff never sends
 * a detailed diff, and its CRUD handlers log stack traces and answer errors with UNKNOWN (which the engine
 * reads as "the resource's state may be corrupt" after an update or delete). The `Provider` interface it calls
 * has no hook for any of that.
 *
 * How the two are joined: `main` builds its service object (an instance of an unexported class) and hands it
 * to `grpc.Server.prototype.addService` synchronously, before its first `await`. {@link serve} wraps
 * `addService` of the `@grpc/grpc-js` that `@pulumi/pulumi` loads for exactly the duration of that synchronous
 * call, and replaces the ResourceProvider implementation by a composition: the methods this plugin serves
 * ({@link SERVED_METHODS}: config, Check, Diff and CRUD) from {@link DiskEncryptionProviderService}, every
 * other method (GetPluginInfo, GetSchema, Construct, Call, Invoke, Attach, Cancel, Parameterize...) bound
 * to the SDK's own object. Why this and not a separate server: Construct and Attach share state inside the
 * SDK's object (the engine address), the port line and argument parsing stay the SDK's, and nothing of the
 * SDK is copied. If a future SDK stops calling `addService` that way, start-up fails with a message naming
 * the cause (never a plugin that silently skips its configuration); the tests over gRPC pin every served
 * method and the SDK's untouched behaviour (tests/provider).
 */
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as providerTypes from "@pulumi/pulumi/provider";
import type * as provprotoTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as provrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import { PACKAGE_NAME } from "../components/packageInfo";
import { DISK_ENCRYPTION_TYPE } from "../policypack/judge/constants";
import { awsAccess, type AwsAccess } from "./access";
import { configureBag, diffProviderConfig, parseProviderConfig, type ProviderConfig } from "./config";
import { checkSetting, createSetting, deleteSetting, diffSetting, readSetting, updateSetting } from "./resource";
import type { Wire } from "./wire";

/** The ResourceProvider methods this module serves; every other one is the SDK's. */
export const SERVED_METHODS = [
    "checkConfig",
    "diffConfig",
    "configure",
    "check",
    "diff",
    "create",
    "read",
    "update",
    "delete",
] as const;

/** The modules the service uses, loaded from the `@pulumi/pulumi` the plugin runs with. */
export interface Runtime {
    grpc: typeof grpcTypes;
    provrpc: typeof provrpcTypes;
    provproto: typeof provprotoTypes;
    structpb: typeof structTypes;
    emptypb: typeof emptyTypes;
    provider: typeof providerTypes;
}

/** Loads {@link Runtime} from the `@pulumi/pulumi` this file resolves (gRPC stubs must be the SDK's own). */
export function loadRuntime(): Runtime {
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const from = (m: string): string => require.resolve(m, { paths: [pulumiDir] });
    return {
        grpc: require(from("@grpc/grpc-js")) as typeof grpcTypes,
        provrpc: require(path.join(pulumiDir, "proto", "provider_grpc_pb")) as typeof provrpcTypes,
        provproto: require(path.join(pulumiDir, "proto", "provider_pb")) as typeof provprotoTypes,
        structpb: require(from("google-protobuf/google/protobuf/struct_pb")) as typeof structTypes,
        emptypb: require(from("google-protobuf/google/protobuf/empty_pb")) as typeof emptyTypes,
        provider: require(path.join(pulumiDir, "provider")) as typeof providerTypes,
    };
}

type Callback<T> = (error: Partial<grpcTypes.StatusObject> | null, value?: T | null) => void;
type Call<T> = { request: T };

/** A failed call: the gRPC status and a message that never carries a secret. */
class CallError extends Error {
    constructor(
        public readonly code: number,
        message: string,
    ) {
        super(message);
    }
}

/**
 * The handlers this plugin serves. One instance per plugin process (the engine starts one process per
 * provider resource), holding that provider's configuration once Configure has run.
 */
export class DiskEncryptionProviderService {
    private config: ProviderConfig = {};
    private access: AwsAccess | undefined;

    constructor(
        private readonly rt: Runtime,
        private readonly pkg: string = PACKAGE_NAME,
    ) {}

    /** CheckConfig: per-key failures; the inputs are returned as given (the engine restores their secret bit). */
    checkConfig(call: Call<provprotoTypes.CheckRequest>, callback: Callback<provprotoTypes.CheckResponse>): void {
        this.run(callback, async () => {
            const news = struct(call.request.getNews());
            const { failures } = parseProviderConfig(news, { pkg: this.pkg });
            const resp = new this.rt.provproto.CheckResponse();
            resp.setInputs(this.rt.structpb.Struct.fromJavaScript(news as Record<string, structTypes.JavaScriptValue>));
            resp.setFailuresList(failures.map((f) => this.failure(f.property, f.reason)));
            return resp;
        });
    }

    /** DiffConfig: which keys changed; never a replacement (see `diffProviderConfig`). */
    diffConfig(call: Call<provprotoTypes.DiffRequest>, callback: Callback<provprotoTypes.DiffResponse>): void {
        this.run(callback, async () => {
            const { changed, kinds } = diffProviderConfig(previousInputs(call.request), struct(call.request.getNews()));
            const { DiffResponse, PropertyDiff } = this.rt.provproto;
            const resp = new DiffResponse();
            resp.setChanges(
                changed.length > 0 ? DiffResponse.DiffChanges.DIFF_SOME : DiffResponse.DiffChanges.DIFF_NONE,
            );
            resp.setDiffsList(changed);
            resp.setReplacesList([]);
            resp.setDeletebeforereplace(false);
            resp.setHasdetaileddiff(true);
            const detailed = resp.getDetaileddiffMap();
            for (const key of changed) {
                const d = new PropertyDiff();
                const kind = kinds[key];
                d.setKind(
                    kind === "add"
                        ? PropertyDiff.Kind.ADD
                        : kind === "delete"
                          ? PropertyDiff.Kind.DELETE
                          : PropertyDiff.Kind.UPDATE,
                );
                d.setInputdiff(true);
                detailed.set(key, d);
            }
            return resp;
        });
    }

    /**
     * Configure: takes the configuration (`args`, secrets kept; else the deprecated `variables`), refuses what
     * CheckConfig refuses plus credentials that are not secrets, and builds the identity the operations use.
     */
    configure(call: Call<provprotoTypes.ConfigureRequest>, callback: Callback<provprotoTypes.ConfigureResponse>): void {
        this.run(callback, async () => {
            const req = call.request;
            const args = req.hasArgs() ? struct(req.getArgs()) : undefined;
            const { bag, fromArgs } = configureBag(args, mapOf(req.getVariablesMap()), this.pkg);
            const { config, failures } = parseProviderConfig(bag, {
                pkg: this.pkg,
                requireSecretCredentials: fromArgs,
            });
            if (failures.length > 0) {
                throw new CallError(
                    this.rt.grpc.status.INVALID_ARGUMENT,
                    `${this.pkg} provider configuration refused:\n${failures.map((f) => `  - ${f.property}: ${f.reason}`).join("\n")}`,
                );
            }
            this.config = config;
            this.access = awsAccess(config);
            const resp = new this.rt.provproto.ConfigureResponse();
            resp.setAcceptsecrets(true);
            resp.setAcceptresources(true);
            resp.setAcceptoutputs(true);
            resp.setSupportspreview(false);
            return resp;
        });
    }

    /** Check of ApplicationDiskEncryption. */
    check(call: Call<provprotoTypes.CheckRequest>, callback: Callback<provprotoTypes.CheckResponse>): void {
        this.serveResource(call, callback, async (req) => {
            const { inputs, failures } = await checkSetting(struct(req.getNews()), this.config);
            const resp = new this.rt.provproto.CheckResponse();
            resp.setInputs(this.toStruct(inputs));
            resp.setFailuresList(failures.map((f) => this.failure(f.property, f.reason)));
            return resp;
        });
    }

    /** Diff of ApplicationDiskEncryption, with a detailed diff. */
    diff(call: Call<provprotoTypes.DiffRequest>, callback: Callback<provprotoTypes.DiffResponse>): void {
        this.serveResource(call, callback, async (req) => {
            const { changes, replaces, detailed } = diffSetting(previousInputs(req), struct(req.getNews()));
            const { DiffResponse, PropertyDiff } = this.rt.provproto;
            const resp = new DiffResponse();
            resp.setChanges(changes ? DiffResponse.DiffChanges.DIFF_SOME : DiffResponse.DiffChanges.DIFF_NONE);
            resp.setReplacesList(replaces);
            resp.setDiffsList(Object.keys(detailed));
            resp.setDeletebeforereplace(false);
            resp.setHasdetaileddiff(true);
            const map = resp.getDetaileddiffMap();
            for (const [key, kind] of Object.entries(detailed)) {
                const d = new PropertyDiff();
                d.setKind(PropertyDiff.Kind[kind]);
                d.setInputdiff(true);
                map.set(key, d);
            }
            return resp;
        });
    }

    /** Create of ApplicationDiskEncryption. */
    create(call: Call<provprotoTypes.CreateRequest>, callback: Callback<provprotoTypes.CreateResponse>): void {
        this.serveResource(call, callback, async (req) => {
            const { id, outputs } = await createSetting(struct(req.getProperties()), this.configuredAccess());
            const resp = new this.rt.provproto.CreateResponse();
            resp.setId(id);
            resp.setProperties(this.toStruct(outputs));
            return resp;
        });
    }

    /** Read of ApplicationDiskEncryption (refresh and import). */
    read(call: Call<provprotoTypes.ReadRequest>, callback: Callback<provprotoTypes.ReadResponse>): void {
        this.serveResource(call, callback, async (req) => {
            const found = await readSetting(
                req.getId(),
                struct(req.getProperties()),
                struct(req.getInputs()),
                this.config,
                this.configuredAccess(),
            );
            const resp = new this.rt.provproto.ReadResponse();
            if (found) {
                resp.setId(found.id);
                resp.setProperties(this.toStruct(found.outputs));
                resp.setInputs(this.toStruct(found.inputs));
            }
            return resp;
        });
    }

    /** Update of ApplicationDiskEncryption. */
    update(call: Call<provprotoTypes.UpdateRequest>, callback: Callback<provprotoTypes.UpdateResponse>): void {
        this.serveResource(call, callback, async (req) => {
            const outputs = await updateSetting(
                req.getId(),
                previousInputs(req),
                struct(req.getNews()),
                this.configuredAccess(),
            );
            const resp = new this.rt.provproto.UpdateResponse();
            resp.setProperties(this.toStruct(outputs));
            return resp;
        });
    }

    /** Delete of ApplicationDiskEncryption. */
    delete(call: Call<provprotoTypes.DeleteRequest>, callback: Callback<emptyTypes.Empty>): void {
        this.serveResource(call, callback, async (req) => {
            await deleteSetting(req.getId(), struct(req.getProperties()), this.configuredAccess());
            return new this.rt.emptypb.Empty();
        });
    }

    private configuredAccess(): AwsAccess {
        if (!this.access) {
            throw new CallError(
                this.rt.grpc.status.FAILED_PRECONDITION,
                `the ${this.pkg} provider was not configured (the engine calls Configure before any operation).`,
            );
        }
        return this.access;
    }

    /** Answers a call on the custom resource: refuses a URN of another type, then runs `handler` (see {@link run}). */
    private serveResource<R extends { getUrn(): string }, T>(
        call: Call<R>,
        callback: Callback<T>,
        handler: (req: R) => Promise<T>,
    ): void {
        this.run(callback, async () => {
            this.assertType(call.request.getUrn());
            return handler(call.request);
        });
    }

    private assertType(urn: string): void {
        const type = urn.split("::")[2]?.split("$").pop();
        if (type !== undefined && type !== DISK_ENCRYPTION_TYPE) {
            throw new CallError(
                this.rt.grpc.status.INVALID_ARGUMENT,
                `the ${this.pkg} provider has no custom resource of type ${type}; its only one is ${DISK_ENCRYPTION_TYPE}.`,
            );
        }
    }

    private failure(property: string, reason: string): provprotoTypes.CheckFailure {
        const f = new this.rt.provproto.CheckFailure();
        f.setProperty(property);
        f.setReason(reason);
        return f;
    }

    private toStruct(v: Wire): structTypes.Struct {
        return this.rt.structpb.Struct.fromJavaScript(v as Record<string, structTypes.JavaScriptValue>);
    }

    /**
     * Runs a handler and answers. Errors carry only their message, with every secret of the request redacted,
     * and no stack trace. Their code is ABORTED unless the handler chose one: every operation converges from
     * whatever AWS holds, so a failed one leaves nothing to reconcile, and the engine treats every code but
     * UNKNOWN, INTERNAL and DATA_LOSS as recoverable (those three flag a failed update or delete as possibly
     * corrupt, `maybeCorrupt` in the update's summary).
     */
    private run<T>(callback: Callback<T>, handler: () => Promise<T>): void {
        handler().then(
            (value) => callback(null, value),
            (e: unknown) => {
                const code = e instanceof CallError ? e.code : this.rt.grpc.status.ABORTED;
                const message = e instanceof Error ? e.message : String(e);
                callback({ code, details: message }, null);
            },
        );
    }
}

/** A Struct (possibly absent) as plain JavaScript. */
function struct(s: structTypes.Struct | undefined): Wire {
    return (s?.toJavaScript() ?? {}) as Wire;
}

/**
 * What a Diff or Update compares the new inputs against: the old inputs, or the old state when the engine sends no
 * old inputs.
 */
function previousInputs(req: {
    getOldInputs(): structTypes.Struct | undefined;
    getOlds(): structTypes.Struct | undefined;
}): Wire {
    const oldInputs = struct(req.getOldInputs());
    return Object.keys(oldInputs).length > 0 ? oldInputs : struct(req.getOlds());
}

/** A protobuf string map as a Map. */
function mapOf(m: { forEach(cb: (v: string, k: string) => void): void }): Map<string, string> {
    const out = new Map<string, string>();
    m.forEach((v, k) => out.set(k, v));
    return out;
}

/** The implementation grpc-js registers: ours for {@link SERVED_METHODS}, the SDK's object for the rest. */
export function composeImplementation(
    serviceDefinition: Readonly<Record<string, unknown>>,
    sdkImplementation: object,
    ours: DiskEncryptionProviderService,
): Record<string, (...args: unknown[]) => unknown> {
    const composed: Record<string, (...args: unknown[]) => unknown> = {};
    const sdk = sdkImplementation as Record<string, unknown>;
    const served = SERVED_METHODS as readonly string[];
    for (const name of Object.keys(serviceDefinition)) {
        if (served.includes(name)) {
            const handler = (ours as unknown as Record<string, (...args: unknown[]) => unknown>)[name];
            composed[name] = handler.bind(ours);
        } else if (typeof sdk[name] === "function") {
            composed[name] = (sdk[name] as (...args: unknown[]) => unknown).bind(sdkImplementation);
        }
    }
    return composed;
}

/** What the SDK's server needs from this plugin: its version, its schema, and Construct. */
export interface SdkProviderParts {
    version: string;
    getSchema: () => Promise<string>;
    construct: NonNullable<providerTypes.Provider["construct"]>;
}

/**
 * Starts the plugin: the SDK's `main` with {@link SdkProviderParts}, its ResourceProvider implementation
 * composed with {@link DiskEncryptionProviderService} (see the module comment). Resolves when serving (the port
 * is on stdout). `args` are the plugin's arguments (the engine address first).
 */
export function serve(args: string[], parts: SdkProviderParts, rt: Runtime = loadRuntime()): Promise<void> {
    const ours = new DiskEncryptionProviderService(rt);
    const proto = rt.grpc.Server.prototype as unknown as {
        addService(service: object, implementation: object): void;
    };
    const original = proto.addService;
    let composed = false;
    proto.addService = function (this: unknown, service: object, implementation: object): void {
        if (service === rt.provrpc.ResourceProviderService && !composed) {
            composed = true;
            implementation = composeImplementation(rt.provrpc.ResourceProviderService, implementation, ours);
        }
        original.call(this, service, implementation);
    };
    let started: Promise<void>;
    try {
        started = rt.provider.main(parts, args);
    } finally {
        proto.addService = original;
    }
    if (!composed) {
        return Promise.reject(
            new Error(
                `${PACKAGE_NAME} provider: @pulumi/pulumi's provider.main did not register the ResourceProvider service synchronously, ` +
                    "so the configuration, Check, Diff and CRUD handlers could not be installed. This plugin supports @pulumi/pulumi 3.248.0; " +
                    "reinstall the package's own dependencies (npm ci).",
            ),
        );
    }
    return started;
}
