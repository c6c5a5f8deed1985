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
    programDir: string;
    /** Absolute path of the module to load (Pulumi.yaml `main`, else the program directory). */
    entry: string;
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

/** The runner's output. */
export interface RunnerResult {
    /** The program's error, if it failed (message with the component's own text). */
    error?: string;
    resources: RecordedResource[];
    invokes: AnsweredInvoke[];
    unanswered: UnansweredInvoke[];
    /** The program's exports (stack outputs), wire form. */
    stackOutputs: PropertyMap;
    /** Failures reported by dynamic providers' `check` (run as the engine does at preview). */
    checkFailures?: CheckFailureRecord[];
    /** With placeholders: for each invoke given placeholder arguments (its result unknown), the placeholders. */
    placeholderInvokes?: string[][];
    /** Values the program passed to `pulumi.secret` (never printed: only used to redact the report). */
    secretValues?: string[];
}
