/**
 * One Construct through the plugin, against the recording engine, read back in the form the component tests record
 * under runtime mocks (`harness/components/runScenarios.ts`): registrations (type, name, parent,
 * dependencies, ignoreChanges, inputs), the component's value outputs, the invokes. Plus the wire forms a
 * program in another language sends: output values (secret, unknown, with dependencies), or the older forms
 * (secret wrappers and unknown sentinels).
 */
import * as pulumi from "@pulumi/pulumi";
import type { EncryptedApplication, EncryptedApplicationArgs } from "../../components";
import { scenarios } from "../components/scenarios";
import { readOutput } from "../../provider/constructInputs";
import { OUTPUT_NAMES, harnessConfig } from "../components/mockAnswers";

export { OUTPUT_NAMES };
import type { OutputRead, Registration } from "../components/runScenarios";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as providerPbTypes from "@pulumi/pulumi/proto/provider_pb";
import type { ProviderPlugin } from "../providerPlugin";
import {
    type MonitorRegistration,
    type RecordingEngine,
    type Wire,
    recordedInputs,
    withoutOutputValues,
} from "./recordingEngine";
import { OUTPUT_SIG, RESOURCE_SIG, SECRET_SIG, SIG, UNKNOWN, aliasPb, errorsPb, statusPb, stubs } from "./stubs";

export const PROJECT = "emr-serverless-encrypted";
export const STACK = "example";
export const ENCRYPTED_APPLICATION = "emr-serverless-disk-encryption:index:EncryptedApplication";
export const KEY_USAGE_MONITORING = "emr-serverless-disk-encryption:index:KeyUsageMonitoring";

/** How a value travels: as output values (current SDKs and engines), or in the older forms. */
export type WireForm = "outputValues" | "legacy";

/**
 * `value` as a program in another language sends it: Outputs become output values (secret, unknown, with
 * their dependencies' URNs), or, in the legacy form, plain values, secret wrappers and unknown sentinels.
 * `undefined` properties are left out.
 */
export async function toWire(value: unknown, form: WireForm): Promise<Wire | undefined> {
    if (value === undefined) {
        return undefined;
    }
    if (pulumi.Output.isInstance(value)) {
        const o = await readOutput(value as pulumi.Output<unknown>);
        const urns = await Promise.all([...o.resources].map(async (r) => String((await readOutput(r.urn)).value)));
        if (form === "legacy") {
            if (!o.known) {
                return UNKNOWN;
            }
            const inner = (await toWire(o.value, form)) ?? null;
            return o.secret ? { [SIG]: SECRET_SIG, value: inner } : inner;
        }
        const out: Record<string, Wire> = { [SIG]: OUTPUT_SIG };
        if (o.known) {
            out.value = (await toWire(o.value, form)) ?? null;
        }
        if (o.secret) {
            out.secret = true;
        }
        if (urns.length > 0) {
            out.dependencies = urns;
        }
        return out;
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(async (v) => (await toWire(v, form)) ?? null));
    }
    if (value !== null && typeof value === "object") {
        const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await toWire(v, form)]));
        return Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as Record<string, Wire>;
    }
    return value as Wire;
}

/** One Construct request (the fields the engine fills for a component). */
export interface ConstructCall {
    project: string;
    stack: string;
    organization?: string;
    dryRun: boolean;
    config?: Record<string, string>;
    configSecretKeys?: string[];
    monitorEndpoint: string;
    type: string;
    name: string;
    parent: string;
    inputs: Record<string, Wire>;
    inputDependencies?: Record<string, string[]>;
    providers?: Record<string, string>;
    dependencies?: string[];
    protect?: boolean;
    aliases?: string[];
}

/** What Construct returned. */
export interface ConstructReply {
    urn: string;
    state: Record<string, Wire>;
    stateDependencies: Record<string, string[]>;
}

/** A refused Construct: the gRPC status, the message, and the per-property errors the plugin sent. */
export class ConstructError extends Error {
    constructor(
        message: string,
        public readonly code: number,
        public readonly propertyErrors: { propertyPath: string; reason: string }[],
    ) {
        super(message);
        this.name = "ConstructError";
    }
}

function constructError(err: grpcTypes.ServiceError): ConstructError {
    const propertyErrors: { propertyPath: string; reason: string }[] = [];
    for (const bin of err.metadata?.get("grpc-status-details-bin") ?? []) {
        const status = statusPb.Status.deserializeBinary(new Uint8Array(bin as Buffer));
        for (const any of status.getDetailsList()) {
            if (any.getTypeName() === "pulumirpc.InputPropertiesError") {
                const details = errorsPb.InputPropertiesError.deserializeBinary(any.getValue_asU8());
                for (const e of details.getErrorsList()) {
                    propertyErrors.push({ propertyPath: e.getPropertyPath(), reason: e.getReason() });
                }
            }
        }
    }
    return new ConstructError(err.details || err.message, err.code, propertyErrors);
}

/** Sends Construct to the plugin as the engine does (output values accepted, the stack's config). */
export function construct(plugin: ProviderPlugin, call: ConstructCall): Promise<ConstructReply> {
    const { providerPb, structPb } = stubs;
    const req = new providerPb.ConstructRequest();
    req.setProject(call.project);
    req.setStack(call.stack);
    req.setOrganization(call.organization ?? "organization");
    req.setDryrun(call.dryRun);
    req.setParallel(16);
    req.setMonitorendpoint(call.monitorEndpoint);
    req.setType(call.type);
    req.setName(call.name);
    req.setParent(call.parent);
    req.setInputs(structPb.Struct.fromJavaScript(call.inputs));
    req.setAcceptsOutputValues(true);
    req.setProtect(call.protect ?? false);
    req.setDependenciesList(call.dependencies ?? []);
    req.setConfigsecretkeysList(call.configSecretKeys ?? []);
    for (const [k, v] of Object.entries(call.config ?? {})) {
        req.getConfigMap().set(k, v);
    }
    for (const [k, urns] of Object.entries(call.inputDependencies ?? {})) {
        const d = new providerPb.ConstructRequest.PropertyDependencies();
        d.setUrnsList(urns);
        req.getInputdependenciesMap().set(k, d);
    }
    for (const [k, ref] of Object.entries(call.providers ?? {})) {
        req.getProvidersMap().set(k, ref);
    }
    req.setAliasesList(
        (call.aliases ?? []).map((urn) => {
            const a = new aliasPb.Alias();
            a.setUrn(urn);
            return a;
        }),
    );
    return new Promise((resolve, reject) => {
        plugin.client.construct(req, (err: grpcTypes.ServiceError | null, resp: providerPbTypes.ConstructResponse) => {
            if (err) {
                reject(constructError(err));
                return;
            }
            const stateDependencies: Record<string, string[]> = {};
            resp.getStatedependenciesMap().forEach((d, k) => {
                stateDependencies[k] = d.getUrnsList();
            });
            resolve({
                urn: resp.getUrn(),
                state: (resp.getState()?.toJavaScript() ?? {}) as Record<string, Wire>,
                stateDependencies,
            });
        });
    });
}

/** `<type>::<name>` of a URN (the innermost type of a `parent$child` qualified type), as the mocks harness. */
export function urnRef(urn: string): string {
    const parts = urn.split("::");
    return `${parts[2].split("$").pop()}::${parts[3]}`;
}

function urnName(urn: string): string {
    return urn === "" ? "" : (urn.split("::").pop() ?? urn);
}

/** A registration in the mocks harness's form (the component's own parent is the caller's business). */
export function asRecorded(r: MonitorRegistration, componentUrn: string): Registration {
    return {
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.urn === componentUrn ? "" : urnName(r.parent),
        dependencies: r.dependencies.map(urnRef).sort(),
        ignoreChanges: r.ignoreChanges,
        inputs: recordedInputs(r.inputs),
        provider: r.provider,
    };
}

function containsUnknown(v: Wire): boolean {
    if (v === UNKNOWN) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(containsUnknown);
    }
    if (v !== null && typeof v === "object") {
        return Object.values(v).some(containsUnknown);
    }
    return false;
}

/** A value of the returned state without secret wrappers; resource references as "<resource>". */
function plainState(v: Wire): unknown {
    if (Array.isArray(v)) {
        return v.map(plainState);
    }
    if (v !== null && typeof v === "object") {
        if (v[SIG] === SECRET_SIG) {
            return plainState(v.value);
        }
        if (v[SIG] === RESOURCE_SIG) {
            return "<resource>";
        }
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainState(x)]));
    }
    return v;
}

/**
 * An output of the returned state as a program reads it: absent is unknown at preview and undefined after
 * an update; a value containing an unknown is unknown.
 */
export function readStateOutput(state: Record<string, Wire>, name: string, preview: boolean): OutputRead {
    if (!(name in state)) {
        return preview ? { known: false } : { known: true };
    }
    const v = withoutOutputValues(state[name]);
    if (containsUnknown(v)) {
        return { known: false };
    }
    return { known: true, value: plainState(v) };
}

/** What one Construct did. */
export interface ConstructRun {
    reply?: ConstructReply;
    error?: ConstructError | Error;
    /** Every registration, as the engine received it. */
    monitor: MonitorRegistration[];
    /** The same in the mocks harness's form, sorted by type and name. */
    registrations: Registration[];
    outputs: Record<string, OutputRead>;
    calls: string[];
    logs: { severity: number; message: string }[];
}

/** Waits until no registration has arrived for 150 ms (at most 5 s). */
async function settle(engine: RecordingEngine): Promise<void> {
    let last = -1;
    for (let waited = 0; waited < 5_000 && engine.registrations.length !== last; waited += 150) {
        last = engine.registrations.length;
        await new Promise((r) => setTimeout(r, 150));
    }
}

/** Constructs `type` named `name` with `inputs` (wire form) in a fresh deployment of the fake engine. */
export async function runConstruct(
    plugin: ProviderPlugin,
    engine: RecordingEngine,
    call: Partial<ConstructCall> & { type: string; name: string; inputs: Record<string, Wire>; dryRun: boolean },
    features?: string[],
): Promise<ConstructRun> {
    engine.reset({ preview: call.dryRun, project: PROJECT, stack: STACK, features });
    let reply: ConstructReply | undefined;
    let error: ConstructError | Error | undefined;
    try {
        reply = await construct(plugin, {
            project: PROJECT,
            stack: STACK,
            monitorEndpoint: engine.address,
            parent: engine.stackUrn(),
            config: harnessConfig(),
            ...call,
        });
    } catch (e) {
        error = e as Error;
        // A refusal inside the component answers at once; registrations already under way still arrive.
        await settle(engine);
    }
    const componentUrn = engine.urn(call.parent ?? engine.stackUrn(), call.type, call.name);
    const monitor = [...engine.registrations];
    const registrations = monitor
        .map((r) => asRecorded(r, componentUrn))
        .sort((a, b) => `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`));
    const outputs: Record<string, OutputRead> = {};
    if (reply) {
        for (const name of OUTPUT_NAMES) {
            outputs[name] = readStateOutput(reply.state, name, call.dryRun);
        }
    }
    return {
        reply,
        error,
        monitor,
        registrations,
        outputs,
        calls: engine.invokes.map((i) => i.token),
        logs: engine.logs.filter((l) => l.severity > 0),
    };
}

/** What a mocks scenario passes: the name, the arguments, and the explicit providers. */
export interface CapturedScenario {
    name: string;
    args: EncryptedApplicationArgs;
    providers: pulumi.ProviderResource[];
}

/** The arguments and options each mocks scenario passes, captured without constructing anything. */
export function capturedScenarios(): Record<string, CapturedScenario> {
    const captured: Record<string, CapturedScenario> = {};
    for (const [key, build] of Object.entries(scenarios)) {
        class Capture {
            constructor(name: string, args: EncryptedApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
                const providers = opts?.providers;
                captured[key] = { name, args, providers: Array.isArray(providers) ? providers : [] };
            }
        }
        build(Capture as unknown as typeof EncryptedApplication);
    }
    return captured;
}

/** The providers map of a Construct request (`<package>` to its provider's URN and id), as the engine sends it. */
async function providerRefs(
    providers: pulumi.ProviderResource[],
): Promise<Record<string, { urn: string; id: string }>> {
    const refs: Record<string, { urn: string; id: string }> = {};
    for (const p of providers) {
        const pkg = (p as unknown as { getPackage(): string }).getPackage();
        refs[pkg] = { urn: String((await readOutput(p.urn)).value), id: String((await readOutput(p.id)).value) };
    }
    return refs;
}

/**
 * Constructs a captured scenario as a program in another language would send it (`form`), with its explicit
 * providers in the request's providers map (and known to the engine, which the plugin's SDK asks for them).
 */
export async function constructScenario(
    plugin: ProviderPlugin,
    engine: RecordingEngine,
    scenario: CapturedScenario,
    preview: boolean,
    form: WireForm,
    name = scenario.name,
): Promise<ConstructRun> {
    const inputs = (await toWire(scenario.args, form)) as Record<string, Wire>;
    const refs = await providerRefs(scenario.providers);
    for (const { urn, id } of Object.values(refs)) {
        engine.addExisting(urn, id);
    }
    return runConstruct(plugin, engine, {
        type: ENCRYPTED_APPLICATION,
        name,
        inputs,
        dryRun: preview,
        providers: Object.fromEntries(Object.entries(refs).map(([pkg, r]) => [pkg, `${r.urn}::${r.id}`])),
    });
}
