/**
 * What the analyzer protocol carries, in this engine's terms: the resources and stack sent to the pack, the pack's
 * description of itself, its verdicts and remediations, and how the pack is launched.
 */
import type { EnforcementLevel, JsonSchema, PolicyConfig } from "./policyConfig";
import type { PropertyMap } from "./properties";

export type { EnforcementLevel, PolicyConfig } from "./policyConfig";

/** One policy verdict, as the CLI reports it. */
export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    /** The resource the verdict is about; empty for a stack-wide verdict that named none. */
    urn: string;
}

/**
 * One result of `Remediate` for a resource: either transformed inputs (`properties`, wire form) or, when the
 * remediation could not run (e.g. it read an unknown value at preview), a `diagnostic` the CLI shows as advisory.
 */
export interface Remediation {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    /** The resource's inputs after the remediation (wire form). */
    properties?: PropertyMap;
    /** Why the remediation did not run. */
    diagnostic?: string;
    /** The resource remediated. */
    urn: string;
}

/** A policy as `GetAnalyzerInfo` describes it. */
export interface PolicyInfo {
    name: string;
    displayName: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    policyType: "resource" | "stack" | "unknown";
    configSchema?: { properties: Record<string, JsonSchema>; required: string[] };
}

/** The pack as `GetAnalyzerInfo` describes it. */
export interface AnalyzerInfo {
    name: string;
    displayName: string;
    version: string;
    supportsConfig: boolean;
    policies: PolicyInfo[];
    initialConfig: Record<string, PolicyConfig>;
}

/** Resource options as the engine sends them (all optional; `options` itself is always sent). */
export interface ResourceOptions {
    protect?: boolean;
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs?: string[];
    aliases?: string[];
    parent?: string;
    customTimeouts?: { create?: number; update?: number; delete?: number };
}

/** A provider resource attached to a resource. */
export interface ProviderResource {
    type: string;
    name: string;
    urn: string;
    properties: PropertyMap;
}

/** What `Analyze` receives for one resource: its type, name, URN and inputs. */
export interface AnalyzerResource {
    type: string;
    name: string;
    urn: string;
    /** Engine-encoded values; keys starting with `__` are dropped before sending, as the engine does. */
    properties: PropertyMap;
    options?: ResourceOptions;
    provider?: ProviderResource;
}

/** What `AnalyzeStack` receives for one resource: its outputs and its relations, as URNs. */
export interface AnalyzerStackResource extends AnalyzerResource {
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

/** The stack the pack runs for (what the CLI passes in the environment and in ConfigureStack). */
export interface StackContext {
    organization?: string;
    project: string;
    stack: string;
    dryRun: boolean;
    /** Stack configuration, `<namespace>:<key>` to its string value (objects as JSON text). */
    config?: Record<string, string>;
    /** Which config keys are secrets. */
    secretKeys?: string[];
    tags?: Record<string, string>;
}

/** Options for {@link PolicyPackClient.launch}. */
export interface LaunchOptions {
    /** The policy pack directory (with PulumiPolicy.yaml and package.json). */
    packDir: string;
    stack: StackContext;
    /** Parsed `--policy-pack-config` entries (see `parsePolicyPackConfig`). */
    policyPackConfig?: Record<string, PolicyConfig>;
    /** Milliseconds to wait for the port line; default 60 000. */
    startTimeoutMs?: number;
    /** Per-call deadline in milliseconds; default 60 000. */
    callTimeoutMs?: number;
    /** Called after each RPC with its name and duration. */
    onCall?: (method: string, ms: number) => void;
    /** Extra environment for the pack process. */
    env?: Record<string, string>;
}

/** Timings measured by the harness. */
export interface Timings {
    /** From spawn to the port line on stdout. */
    spawnToPortMs: number;
    /** Every RPC made so far, in order. */
    calls: { method: string; ms: number }[];
}
