/**
 * Runs the EncryptedApplication scenarios under Pulumi runtime mocks in ONE mode (update or
 * preview) and writes what was registered (type, name, parent, dependencies, inputs) and the
 * component's outputs to a JSON file. Run in a child process per mode, because
 * `pulumi.runtime.setMocks` is process-global:
 *
 *   node -r ts-node/register/transpile-only harness/components/runScenarios.ts <update|preview> <out.json>
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { OUTPUT_NAMES, createdResource, harnessConfig, invokeResult } from "./mockAnswers";

const mode = process.argv[2];
const outPath = process.argv[3];
if ((mode !== "update" && mode !== "preview") || !outPath) {
    throw new Error("usage: runScenarios.ts <update|preview> <out.json>");
}
const preview = mode === "preview";

export { ACCOUNT, APP_ID, NEW_KEY_ID, REGION } from "./mockAnswers";
const UNKNOWN = "<unknown>";

/** One registration as the engine would see it. */
export interface Registration {
    type: string;
    name: string;
    custom: boolean;
    parent: string;
    dependencies: string[];
    ignoreChanges: string[];
    inputs: unknown;
    /** The provider reference (`<provider URN>::<id>`), empty for the default provider (recorded under mocks). */
    provider?: string;
}

/** One scenario's result. */
export interface ScenarioResult {
    constructionError?: string;
    registrationsAtConstruction: number;
    registrations: Registration[];
    outputs: Record<string, OutputRead>;
    calls: string[];
}

let registrations: Registration[] = [];
let calls: string[] = [];

/** JSON-safe copy with unknowns replaced by "<unknown>". */
function plain(value: unknown): unknown {
    if (pulumi.isUnknown(value)) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map(plain);
    }
    if (value !== null && typeof value === "object") {
        if (pulumi.Resource.isInstance(value)) {
            return "<resource>";
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

const pending = new Map<string, unknown>();

pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
            pending.set(`${args.type}::${args.name}`, plain(args.inputs));
            const state: Record<string, unknown> = { ...args.inputs };
            if (preview) {
                // The engine knows no computed outputs at preview (not even the id).
                return { id: undefined, state };
            }
            const { id, computed } = createdResource(args.type, args.name);
            return { id, state: { ...state, ...computed } };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            calls.push(args.token);
            return invokeResult(args.token, args.inputs as Record<string, unknown>);
        },
    },
    "emr-serverless-encrypted",
    "example",
    preview,
);

// The stack config of the component tests (the example stack's, and the identity of both providers).
pulumi.runtime.setAllConfig(harnessConfig());

// Record parent and dependencies from the request the mock monitor receives.
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getDependenciesList(): string[];
    getIgnorechangesList(): string[];
    getProvider(): string;
}
type RegisterFn = (req: RegisterRequest, cb: (err: unknown, resp: unknown) => void) => unknown;
const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: RegisterFn };
const originalRegister = monitor.registerResource.bind(monitor);
monitor.registerResource = (req, cb) => {
    const key = `${req.getType()}::${req.getName()}`;
    const record: Registration = {
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        parent: urnName(req.getParent()),
        dependencies: req.getDependenciesList().map(urnRef).sort(),
        ignoreChanges: req.getIgnorechangesList(),
        inputs: undefined,
        provider: req.getProvider(),
    };
    registrations.push(record);
    return originalRegister(req, (err: unknown, resp: unknown): void => {
        record.inputs = pending.get(key);
        cb(err, resp);
    });
};

/** `<type>::<name>` of a URN (the innermost type of a `parent$child` qualified type). */
function urnRef(urn: string): string {
    const parts = urn.split("::");
    return `${parts[2].split("$").pop()}::${parts[3]}`;
}

function urnName(urn: string): string {
    return urn === "" ? "" : (urn.split("::").pop() ?? urn);
}

process.on("unhandledRejection", () => {
    /* refusals inside apply reject the outputs; the scenario records them */
});

interface OutputInternals {
    isKnown: Promise<boolean>;
    promise(withUnknowns?: boolean): Promise<unknown>;
}

async function settle(): Promise<void> {
    let last = -1;
    let stable = 0;
    while (stable < 3) {
        await new Promise((r) => setTimeout(r, 10));
        if (registrations.length === last) {
            stable++;
        } else {
            stable = 0;
            last = registrations.length;
        }
    }
}

/** What an output resolved to. */
export interface OutputRead {
    known: boolean;
    value?: unknown;
    error?: string;
    pending?: boolean;
}

async function readOutput(o: unknown): Promise<OutputRead> {
    if (o === undefined) {
        return { known: true, value: undefined };
    }
    const out = o as OutputInternals;
    try {
        const value = await out.promise(true);
        const known = await out.isKnown;
        return known ? { known, value: plain(value) } : { known };
    } catch (e) {
        return { known: false, error: (e as Error).message };
    }
}

const t0 = Date.now();

async function main(): Promise<void> {
    // Imported after setMocks, as the mocks require.
    const { EncryptedApplication } = await import("../../components");
    const { scenarios } = await import("./scenarios");
    const results: Record<string, ScenarioResult> = {};
    let started = Date.now();
    if (process.env.HARNESS_DEBUG) {
        console.error(`imports: ${Date.now() - t0} ms`);
    }
    for (const [name, build] of Object.entries(scenarios)) {
        started = Date.now();
        registrations = [];
        calls = [];
        const result: ScenarioResult = { registrationsAtConstruction: 0, registrations: [], outputs: {}, calls: [] };
        let component: InstanceType<typeof EncryptedApplication> | undefined;
        try {
            component = build(EncryptedApplication);
        } catch (e) {
            result.constructionError = (e as Error).message;
        }
        // Registration is asynchronous: let any request started during construction arrive.
        await new Promise((r) => setTimeout(r, 30));
        result.registrationsAtConstruction = registrations.length;
        if (component) {
            // An output whose resource was never registered (its registration refused) never
            // resolves: read all outputs together, and call those still pending after 300 ms "pending".
            const internals = component as unknown as Record<string, unknown>;
            const read = await Promise.all(
                OUTPUT_NAMES.map((o) =>
                    Promise.race([
                        readOutput(internals[o]),
                        new Promise<OutputRead>((r) => setTimeout(() => r({ known: false, pending: true }), 300)),
                    ]),
                ),
            );
            OUTPUT_NAMES.forEach((o, i) => (result.outputs[o] = read[i]));
        }
        await settle();
        result.registrations = registrations;
        result.calls = calls;
        results[name] = result;
        if (process.env.HARNESS_DEBUG) {
            console.error(`${name}: ${Date.now() - started} ms`);
        }
    }
    // The example program (root index.ts) with the example stack config.
    registrations = [];
    calls = [];
    const example: ScenarioResult = { registrationsAtConstruction: 0, registrations: [], outputs: {}, calls: [] };
    try {
        const program = (await import("../../index")) as unknown as Record<string, unknown>;
        const read = await Promise.all(OUTPUT_NAMES.map((o) => readOutput(program[o])));
        OUTPUT_NAMES.forEach((o, i) => (example.outputs[o] = read[i]));
    } catch (e) {
        example.constructionError = (e as Error).message;
    }
    await settle();
    example.registrations = registrations;
    example.calls = calls;
    results.exampleProgram = example;
    fs.writeFileSync(outPath, JSON.stringify({ mode, results }, null, 1));
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
