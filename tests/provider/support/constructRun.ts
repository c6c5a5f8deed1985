/**
 * One Construct through the plugin, against the fake engine, read back in the form the component tests record
 * under runtime mocks (`tests/components/harness/runScenarios.ts`): registrations (type, name, parent,
 * dependencies, ignoreChanges, inputs), the component's value outputs, the invokes. Plus the wire forms a
 * program in another language sends: output values (secret, unknown, with dependencies), or the older forms
 * (secret wrappers and unknown sentinels).
 */
import * as pulumi from "@pulumi/pulumi";
import { readOutput } from "../../../provider/constructInputs";
import type { OutputRead, Registration } from "../../components/harness/runScenarios";
import {
    type FakeEngine,
    type MonitorRegistration,
    type Wire,
    recordedInputs,
    withoutOutputValues,
} from "./fakeEngine";
import { type ConstructCall, type ConstructReply, PluginCallError, type PluginProcess } from "./pluginProcess";
import { OUTPUT_SIG, RESOURCE_SIG, SECRET_SIG, SIG, UNKNOWN } from "./stubs";

export const PROJECT = "emr-serverless-encrypted";
export const STACK = "example";
export const ENCRYPTED_APPLICATION = "emr-serverless-disk-encryption:index:EncryptedApplication";
export const KEY_USAGE_MONITORING = "emr-serverless-disk-encryption:index:KeyUsageMonitoring";

/** The value outputs the mocks harness reads. */
export const OUTPUT_NAMES = [
    "applicationId",
    "applicationArn",
    "keyArn",
    "jobRoleArn",
    "jobRunConfigurationOverrides",
    "livySessionConf",
    "requiredKeyPolicyStatements",
];

/** The stack config the mocks harness sets (the AWS provider's region, profile and assumed role). */
export const STACK_CONFIG: Record<string, string> = {
    "aws:region": "us-east-1",
    "aws:profile": "analytics",
    "aws:assumeRoles": JSON.stringify([
        {
            roleArn: "arn:aws:iam::111122223333:role/deployer",
            sessionName: "pulumi",
            externalId: "ext-1",
            tags: { a: "b" },
        },
    ]),
};

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
    error?: PluginCallError | Error;
    /** Every registration, as the engine received it. */
    monitor: MonitorRegistration[];
    /** The same in the mocks harness's form, sorted by type and name. */
    registrations: Registration[];
    outputs: Record<string, OutputRead>;
    calls: string[];
    logs: { severity: number; message: string }[];
}

/** Constructs `type` named `name` with `inputs` (wire form) in a fresh deployment of the fake engine. */
export async function runConstruct(
    plugin: PluginProcess,
    engine: FakeEngine,
    call: Partial<ConstructCall> & { type: string; name: string; inputs: Record<string, Wire>; dryRun: boolean },
    features?: string[],
): Promise<ConstructRun> {
    engine.reset({ preview: call.dryRun, project: PROJECT, stack: STACK, features });
    let reply: ConstructReply | undefined;
    let error: PluginCallError | Error | undefined;
    try {
        reply = await plugin.construct({
            project: PROJECT,
            stack: STACK,
            monitorEndpoint: engine.address,
            parent: engine.stackUrn(),
            config: STACK_CONFIG,
            ...call,
        });
    } catch (e) {
        error = e as Error;
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
