/**
 * The engine's side of Construct, played in-process: a ResourceMonitor (what a provider's Construct registers
 * its children with, and invokes through) and an Engine (logs), on one loopback gRPC server.
 *
 * It records every RegisterResource as the engine receives it (type, name, parent, dependencies, property
 * dependencies, inputs on the wire, provider references, aliases, options), every RegisterResourceOutputs,
 * Invoke and Log, and answers as the engine does: URNs built from the parent's type, created resources'
 * computed outputs in update mode (none at preview), invokes answered from the same world as the component
 * tests' runtime mocks (`harness/components/mockAnswers.ts`).
 */
import type * as grpcTypes from "@grpc/grpc-js";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as pulumi from "@pulumi/pulumi";
import type * as resourcePbTypes from "@pulumi/pulumi/proto/resource_pb";
import type * as enginePbTypes from "@pulumi/pulumi/proto/engine_pb";
import { createdResource, invokeResult } from "../components/mockAnswers";
import { OUTPUT_SIG, SECRET_SIG, SIG, UNKNOWN, resourceGrpc, resourcePb, stubs } from "./stubs";

const { emptyPb, engineGrpc, enginePb, grpc, structPb } = stubs;

/** A JSON value as it travels in a protobuf Struct. */
export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

/** One RegisterResource, as the engine received it. */
export interface MonitorRegistration {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    remote: boolean;
    parent: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** The inputs on the wire (output values, secrets, unknown sentinels as sent). */
    inputs: Record<string, Wire>;
    provider: string;
    providers: Record<string, string>;
    aliases: Wire[];
    protect: boolean;
    ignoreChanges: string[];
    version: string;
}

/** One Invoke. */
export interface RecordedInvoke {
    token: string;
    args: Record<string, unknown>;
    provider: string;
}

/** One Log. */
export interface RecordedLog {
    severity: number;
    message: string;
    urn: string;
}

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** Features the monitor reports, as a current engine does for these. */
const DEFAULT_FEATURES = ["secrets", "resourceReferences", "outputValues", "deletedWith", "aliasSpecs"];

/**
 * A wire value with output values turned into the older forms: a known value (wrapped as a secret when the
 * output was secret), or the unknown sentinel. What the runtime-mocks monitor receives, since it declines
 * output values.
 */
export function withoutOutputValues(v: Wire): Wire {
    if (Array.isArray(v)) {
        return v.map(withoutOutputValues);
    }
    if (v !== null && typeof v === "object") {
        if (v[SIG] === OUTPUT_SIG) {
            if (!("value" in v)) {
                return UNKNOWN;
            }
            const inner = withoutOutputValues(v.value);
            return v.secret === true ? { [SIG]: SECRET_SIG, value: inner } : inner;
        }
        if (v[SIG] === SECRET_SIG) {
            return { [SIG]: SECRET_SIG, value: withoutOutputValues(v.value) };
        }
        if (typeof v[SIG] === "string") {
            return v;
        }
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutOutputValues(x)]));
    }
    return v;
}

/**
 * The inputs of a registration in the form the component tests record under runtime mocks: the SDK's own
 * deserialization of the older wire forms, unknowns as "<unknown>", resources as "<resource>".
 */
export function recordedInputs(inputs: Record<string, Wire>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inputs)) {
        out[k] = plainRecord(rpc.deserializeProperty(withoutOutputValues(v), true));
    }
    return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

function plainRecord(value: unknown): unknown {
    if (pulumi.isUnknown(value)) {
        return "<unknown>";
    }
    if (Array.isArray(value)) {
        return value.map(plainRecord);
    }
    if (value !== null && typeof value === "object") {
        if (pulumi.Resource.isInstance(value)) {
            return "<resource>";
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainRecord(v)]));
    }
    return value;
}

function structValue(s: { toJavaScript(): unknown } | undefined): Record<string, Wire> {
    return (s?.toJavaScript() ?? {}) as Record<string, Wire>;
}

/** The engine side of Construct: one gRPC server with the ResourceMonitor and Engine services. */
export class RecordingEngine {
    public readonly registrations: MonitorRegistration[] = [];
    public readonly registeredOutputs = new Map<string, Record<string, Wire>>();
    public readonly invokes: RecordedInvoke[] = [];
    public readonly logs: RecordedLog[] = [];
    public readonly featuresAsked = new Set<string>();
    /** Calls this engine does not answer (a Construct that needs one fails, and the test says which). */
    public readonly unanswered: string[] = [];
    private preview = false;
    private project = "project";
    private stack = "stack";
    private features = new Set(DEFAULT_FEATURES);
    private readonly existing = new Map<string, { urn: string; id: string; state: Record<string, Wire> }>();

    /** `host:port` of the server (the engine address a plugin is started with, and the monitor endpoint). */
    public address = "";

    private constructor(private readonly server: grpcTypes.Server) {}

    /** Starts the server on a loopback port. */
    public static async start(): Promise<RecordingEngine> {
        const server = new grpc.Server();
        const engine = new RecordingEngine(server);
        const self = (): RecordingEngine => engine;
        server.addService(resourceGrpc.ResourceMonitorService, {
            supportsFeature: (call: Unary<resourcePbTypes.SupportsFeatureRequest>, cb: Callback) =>
                self().supportsFeature(call, cb),
            registerResource: (call: Unary<resourcePbTypes.RegisterResourceRequest>, cb: Callback) =>
                self().registerResource(call, cb),
            registerResourceOutputs: (call: Unary<resourcePbTypes.RegisterResourceOutputsRequest>, cb: Callback) =>
                self().registerResourceOutputs(call, cb),
            invoke: (call: Unary<resourcePbTypes.ResourceInvokeRequest>, cb: Callback) => self().invoke(call, cb),
            readResource: (_call: unknown, cb: Callback) => self().refuse("ResourceMonitor.ReadResource", cb),
            call: (_call: unknown, cb: Callback) => self().refuse("ResourceMonitor.Call", cb),
            registerPackage: (_call: unknown, cb: Callback) => self().refuse("ResourceMonitor.RegisterPackage", cb),
        } as unknown as grpcTypes.UntypedServiceImplementation);
        server.addService(engineGrpc.EngineService, {
            log: (call: Unary<enginePbTypes.LogRequest>, cb: Callback) => {
                const r = call.request;
                self().logs.push({ severity: r.getSeverity(), message: r.getMessage(), urn: r.getUrn() });
                cb(null, new emptyPb.Empty());
            },
            getRootResource: (_call: unknown, cb: Callback) => {
                const resp = new enginePb.GetRootResourceResponse();
                resp.setUrn(self().stackUrn());
                cb(null, resp);
            },
            setRootResource: (_call: unknown, cb: Callback) => cb(null, new enginePb.SetRootResourceResponse()),
        } as unknown as grpcTypes.UntypedServiceImplementation);
        const port = await new Promise<number>((resolve, reject) =>
            server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
                err ? reject(err) : resolve(p),
            ),
        );
        engine.address = `127.0.0.1:${port}`;
        return engine;
    }

    /** Starts a new deployment: clears the records and sets the mode, stack and the features reported. */
    public reset(opts: { preview: boolean; project: string; stack: string; features?: string[] }): void {
        this.registrations.length = 0;
        this.registeredOutputs.clear();
        this.invokes.length = 0;
        this.logs.length = 0;
        this.unanswered.length = 0;
        this.featuresAsked.clear();
        this.preview = opts.preview;
        this.project = opts.project;
        this.stack = opts.stack;
        this.features = new Set(opts.features ?? DEFAULT_FEATURES);
    }

    /** The URN of the deployment's root stack resource. */
    public stackUrn(): string {
        return `urn:pulumi:${this.stack}::${this.project}::${ROOT_STACK_TYPE}::${this.project}-${this.stack}`;
    }

    /** A URN as the engine builds it: the parent's qualified type (unless the root stack) `$` the type. */
    public urn(parent: string, type: string, name: string): string {
        const parentType = parent === "" ? "" : parent.split("::")[2];
        const qualified = parentType === "" || parentType === ROOT_STACK_TYPE ? type : `${parentType}$${type}`;
        return `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    }

    public close(): Promise<void> {
        return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
    }

    private refuse(method: string, cb: Callback): void {
        this.unanswered.push(method);
        cb({ code: grpc.status.UNIMPLEMENTED, details: `this test engine does not answer ${method}` }, null);
    }

    private supportsFeature(call: Unary<resourcePbTypes.SupportsFeatureRequest>, cb: Callback): void {
        const id = call.request.getId();
        this.featuresAsked.add(id);
        const resp = new resourcePb.SupportsFeatureResponse();
        resp.setHassupport(this.features.has(id));
        cb(null, resp);
    }

    private registerResource(call: Unary<resourcePbTypes.RegisterResourceRequest>, cb: Callback): void {
        const req = call.request;
        const urn = this.urn(req.getParent(), req.getType(), req.getName());
        if (this.registrations.some((r) => r.urn === urn)) {
            cb({ code: grpc.status.INVALID_ARGUMENT, details: `Duplicate resource URN '${urn}'` }, null);
            return;
        }
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        const providers: Record<string, string> = {};
        req.getProvidersMap().forEach((ref, key) => {
            providers[key] = ref;
        });
        const inputs = structValue(req.getObject());
        const reg: MonitorRegistration = {
            urn,
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            remote: req.getRemote(),
            parent: req.getParent(),
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            inputs,
            provider: req.getProvider(),
            providers,
            aliases: req.getAliasesList().map((a) => a.toObject() as unknown as Wire),
            protect: req.getProtect() === true,
            ignoreChanges: req.getIgnorechangesList(),
            version: req.getVersion(),
        };
        this.registrations.push(reg);
        const resp = new resourcePb.RegisterResourceResponse();
        resp.setUrn(urn);
        const state = withoutOutputValues(inputs) as Record<string, Wire>;
        if (reg.custom && !this.preview) {
            const { id, computed } = createdResource(reg.type, reg.name);
            resp.setId(id);
            resp.setObject(structPb.Struct.fromJavaScript({ ...state, ...(computed as Record<string, Wire>) }));
        } else {
            // At preview the engine knows no computed output, not even the id.
            resp.setObject(structPb.Struct.fromJavaScript(state));
        }
        cb(null, resp);
    }

    private registerResourceOutputs(call: Unary<resourcePbTypes.RegisterResourceOutputsRequest>, cb: Callback): void {
        const req = call.request;
        this.registeredOutputs.set(req.getUrn(), structValue(req.getOutputs()));
        cb(null, new emptyPb.Empty());
    }

    /** Resources of the stack that exist before the deployment (such as the program's AWS provider). */
    public addExisting(urn: string, id: string, state: Record<string, Wire> = {}): void {
        this.existing.set(urn, { urn, id, state });
    }

    private invoke(call: Unary<resourcePbTypes.ResourceInvokeRequest>, cb: Callback): void {
        const req = call.request;
        const wire = structValue(req.getArgs());
        if (req.getTok() === "pulumi:pulumi:getResource") {
            // How the SDK rehydrates a resource reference (e.g. the program's provider passed to Construct).
            const urn = String(wire.urn);
            const registered = this.registrations.find((r) => r.urn === urn);
            const found = registered
                ? { urn, id: "", state: withoutOutputValues(registered.inputs) }
                : this.existing.get(urn);
            if (found === undefined) {
                cb({ code: grpc.status.NOT_FOUND, details: `unknown resource ${urn}` }, null);
                return;
            }
            cb(null, invokeResponse(found as unknown as Record<string, Wire>));
            return;
        }
        const args = Object.fromEntries(
            Object.entries(wire).map(([k, v]) => [k, rpc.deserializeProperty(withoutOutputValues(v), true)]),
        );
        this.invokes.push({ token: req.getTok(), args, provider: req.getProvider() });
        try {
            const result = invokeResult(req.getTok(), args);
            cb(null, invokeResponse(result as Record<string, Wire>));
        } catch (e) {
            cb({ code: grpc.status.UNKNOWN, details: (e as Error).message }, null);
        }
    }
}

/**
 * An Invoke answer of the type the loaded SDK's ResourceMonitor service declares: `provider_pb.InvokeResponse` in
 * older SDKs, `resource_pb.ResourceInvokeResponse` in newer ones (grpc-js refuses to serialize any other class).
 */
function invokeResponse(ret: Record<string, Wire>): unknown {
    const service = resourceGrpc.ResourceMonitorService as unknown as {
        invoke: { responseType: new () => { setReturn(value: InstanceType<typeof structPb.Struct>): void } };
    };
    const resp = new service.invoke.responseType();
    resp.setReturn(structPb.Struct.fromJavaScript(ret));
    return resp;
}

interface Unary<T> {
    request: T;
}
type Callback = (err: Partial<grpcTypes.StatusObject> | null, resp: unknown) => void;
