/**
 * What the offline preview's program runner receives and returns (JSON files between two processes).
 */
import type { CheckFailureRecord } from "./dynamicProvider";
import type { JsonValue } from "./policyConfig";
import type { PropertyMap } from "./properties";

/** One recorded answer for an invoke (or a `.get()` read): token, exact arguments, result. */
export interface InvokeFixture {
    /** The function token, e.g. `aws:kms/getKey:getKey`; for a resource read, the resource type. */
    token: string;
    /** The arguments, compared exactly (after dropping undefined); for a read, `{ "id": "<id>" }`. */
    args: Record<string, JsonValue>;
    /** What the function returns (or the read resource's state). */
    result: Record<string, JsonValue>;
}

/** The runner's input. */
export interface RunnerRequest {
    /** The project directory (Pulumi.yaml). */
    programDir: string;
    /** The program's working directory: the project directory, or `main`'s directory (the CLI's `getPwdMain`). */
    pwd: string;
    /** The entry argument the language host passes: "." or `main`'s file name (relative to `pwd`). */
    entry: string;
    /** The directory of the program's own `@pulumi/pulumi` (resolved from `pwd`). */
    sdkDir: string;
    /** This package's name, for the install hint when a program misses it. */
    ownPackage?: string;
    project: string;
    stack: string;
    organization: string;
    config: Record<string, string>;
    secretKeys: string[];
    /** For aws:index/getCallerIdentity. */
    accountId?: string;
    /** For aws:index/getRegion and getPartition (from aws:region). */
    region?: string;
    invokes: InvokeFixture[];
    /**
     * "placeholders" (default): creates get placeholder ids and computed outputs, so the program's documents are known
     * and judged as if created. "unknowns": as `pulumi preview` sees a new stack, computed outputs unknown.
     */
    mode?: "placeholders" | "unknowns";
}

/** One registered resource, as the engine would see its registration at preview. */
export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** Parent URN ("" for none: the preview adds the root stack). */
    parent: string;
    /** Inputs in wire form (secrets wrapped, unknowns as sentinels), including internal `__` keys. */
    inputs: PropertyMap;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Provider reference `<urn>::<id>` ("" for the default provider). */
    provider: string;
    /** The package version requested (for the default provider's name). */
    version: string;
    protect: boolean;
    ignoreChanges: string[];
    additionalSecretOutputs: string[];
    deleteBeforeReplace?: boolean;
    /** With placeholders, a create's state as the mock returned it: inputs, placeholders, and `id` (wire form). */
    state?: PropertyMap;
    /** With placeholders, the made-up values of a create, by output property (`id` included when made up). */
    placeholders?: Record<string, string>;
    /** With placeholders, the computed outputs that stayed unknown, and why (e.g. no region). */
    unknownOutputs?: Record<string, string>;
    /** Component outputs (registerResourceOutputs), wire form. */
    outputs?: PropertyMap;
    /** True for a `.get()` read of an existing resource. */
    read?: boolean;
    /** The id of a read resource. */
    id?: string;
}

/** An invoke the preview answered, and from where. */
export interface AnsweredInvoke {
    token: string;
    args: Record<string, JsonValue>;
    source: "config" | "fixture";
}

/** An invoke (or read) nobody could answer. */
export interface UnansweredInvoke {
    token: string;
    args: Record<string, JsonValue>;
    /** Why (e.g. "no fixture", "aws:region is not set"). */
    reason: string;
}

/** The file descriptor of the pipe on which the runner writes its {@link RunnerMessage}s. */
export const RUNNER_CHANNEL_FD = 3;

/** How the program was loaded (as the Node.js language host would load it). */
export interface ProgramLoadInfo {
    /** The module loaded (after Pulumi.yaml `main` and package.json `main`/`exports`). */
    entry: string;
    /** Loaded as an ES module (package.json `"type": "module"`). */
    esm: boolean;
    /** How TypeScript was registered; absent when it was not (`runtime.options.typescript: false`). */
    typescript?: {
        /** The compiler's version. */
        version: string;
        /** The SDK's bundled TypeScript 3.8.3 and ts-node 7 (the program has no `typescript` of its own). */
        bundled: boolean;
        /** False: type-checked (ts-node's default); true: transpile-only (noCheck, PULUMI_NODEJS_TRANSPILE_ONLY). */
        transpileOnly: boolean;
        /** The `module` option the program is compiled with. */
        module: string;
        /** ts-node's ES module hooks (an ES module program with ts-node 10). */
        esmHooks: boolean;
    };
}

/** What the runner reports when the program has finished (its last message). */
export interface RunnerDone {
    /** How the program was loaded, once it was. */
    load?: ProgramLoadInfo;
    /** The program's error, if it failed (message with the component's own text). */
    error?: string;
    /** A dependency the program could not load (the error then names it and the install command, in one line). */
    missing?: { dependency: string; message: string };
    invokes: AnsweredInvoke[];
    unanswered: UnansweredInvoke[];
    /** The program's exports (the root stack's outputs, as the SDK registers them), wire form. */
    stackOutputs: PropertyMap;
    /** Failures reported by dynamic providers' `check` (run as the engine does at preview). */
    checkFailures?: CheckFailureRecord[];
    /** With placeholders: for each invoke given placeholder arguments (its result unknown), the placeholders. */
    placeholderInvokes?: string[][];
    /** Values the program passed to `pulumi.secret` (never printed: only used to redact the report). */
    secretValues?: string[];
    /** What the language host would have warned about (e.g. no package.json). */
    warnings: string[];
}

/** One line of the runner's channel. */
export type RunnerMessage =
    | { kind: "resource"; resource: RecordedResource }
    | { kind: "outputs"; urn: string; outputs: PropertyMap }
    | { kind: "done"; done: RunnerDone };

/** The runner's output: its "done" message and every registration, in the order they completed. */
export interface RunnerResult extends Omit<RunnerDone, "warnings"> {
    resources: RecordedResource[];
    warnings?: string[];
}
