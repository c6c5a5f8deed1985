/**
 * Runs the pack's policies in-process the way @pulumi/policy 1.21's server does (server.js):
 * props behind `unknownCheckingProxy`, getConfig = schema defaults + config (what the engine's
 * Configure sends), enforcement level = config override || policy level || pack default (advisory),
 * an UnknownValueError becomes an advisory "can't run policy ... during preview" note, `notApplicable`
 * ends the policy's run without a diagnostic, stack resources get parent/dependencies/propertyDependencies
 * as resource objects. Any other exception a policy throws propagates: the server would fail the whole call
 * (the user's `pulumi preview`).
 */
import assert from "node:assert/strict";
import {
    EnforcementLevel,
    Policies,
    Policy,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
    UnknownValueError,
} from "@pulumi/policy";
import { schemaDefaults } from "../policypack/policies/support/config";
import type { CorpusCase, CorpusConfig, CorpusResource } from "./corpus";

/** One diagnostic as the server would put it on the wire. */
export interface Diagnostic {
    policyName: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    urn?: string;
    /** True for the "can't run policy ... during preview" note. */
    note: boolean;
    /** The message the policy itself reported ("" when it reported none; `message` adds its description). */
    detail: string;
}

const PACK = "emr-serverless-disk-encryption";
/** The pack's version, as the CLI reads it from the pack's package.json. */
const PACK_VERSION = (require("../policypack/package.json") as { version: string }).version;

function levelOf(p: Policy, config: CorpusConfig): EnforcementLevel {
    const override = config[p.name]?.enforcementLevel as EnforcementLevel | undefined;
    return override || p.enforcementLevel || "advisory";
}

/** What getConfig returns: the schema defaults, then the config for the policy, without enforcementLevel. */
export function configFor(p: Policy, config: CorpusConfig): Record<string, unknown> {
    const { enforcementLevel: _level, ...rest } = config[p.name] ?? {};
    return { ...schemaDefaults(p.configSchema), ...rest };
}

function reporter(p: Policy, level: EnforcementLevel, ds: Diagnostic[]): ReportViolation {
    return (message: unknown, urn?: unknown) => {
        assert.ok(message === undefined || typeof message === "string", `${p.name} reported a ${typeof message}`);
        assert.ok(urn === undefined || typeof urn === "string", `${p.name} reported a ${typeof urn} URN`);
        const text = typeof message === "string" && message ? `${p.description}\n${message}` : p.description;
        ds.push({
            policyName: p.name,
            message: text,
            enforcementLevel: level,
            urn,
            note: false,
            detail: message ?? "",
        });
    };
}

function note(p: Policy, e: UnknownValueError, ds: Diagnostic[]): void {
    ds.push({
        policyName: p.name,
        message: `can't run policy '${p.name}' from policy pack '${PACK}@v${PACK_VERSION}' during preview: ${e.message}`,
        enforcementLevel: "advisory",
        note: true,
        detail: e.message,
    });
}

const OPTIONS: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** What `notApplicable` throws: the server records the policy as not applicable, with no diagnostic. */
export class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
    throw new NotApplicable(`notApplicable: ${reason ?? ""}`);
}

const clone = (v: Record<string, unknown>): Record<string, unknown> =>
    JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

/** Analyze: every resource policy on one resource's inputs. */
export async function analyzeResource(
    policies: Policies,
    r: CorpusResource,
    config: CorpusConfig = {},
): Promise<Diagnostic[]> {
    const ds: Diagnostic[] = [];
    for (const p of policies as Policy[]) {
        const level = levelOf(p, config);
        const validate = (p as ResourceValidationPolicy).validateResource;
        if (level === "disabled" || typeof validate !== "function") {
            continue;
        }
        const props = unknownCheckingProxy(clone(r.props)) as Record<string, unknown>;
        const args: ResourceValidationArgs = {
            type: r.type,
            props,
            urn: r.urn ?? `urn:pulumi:test::test::${r.type}::${r.name}`,
            name: r.name,
            opts: OPTIONS,
            stackTags: new Map(),
            isType: () => false,
            asType: () => undefined,
            getConfig: <T extends object>() => configFor(p, config) as T,
            notApplicable,
        };
        await runPolicy(p, level, ds, (report) => validate(args, report));
    }
    return ds;
}

/**
 * Runs one policy's validation as the pack's server does: a remediate level reports as mandatory, and an
 * UnknownValueError becomes the engine's "can't run policy during preview" note.
 */
async function runPolicy(
    p: Policy,
    level: EnforcementLevel,
    ds: Diagnostic[],
    validate: (report: ReportViolation) => void | Promise<void>,
): Promise<void> {
    try {
        await Promise.resolve(validate(reporter(p, level === "remediate" ? "mandatory" : level, ds)));
    } catch (e) {
        if (e instanceof UnknownValueError) {
            note(p, e, ds);
        } else if (!(e instanceof NotApplicable)) {
            const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
            throw new Error(`policy ${p.name} threw ${what}`, { cause: e });
        }
    }
}

/** Builds the stack policies' resource objects (props behind the proxy, references resolved). */
export function policyResources(resources: readonly CorpusResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const out: PolicyResource[] = resources.map((r) => {
        const props = unknownCheckingProxy(clone(r.props)) as Record<string, unknown>;
        const pr: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn ?? `urn:pulumi:test::test::${r.type}::${r.name}`,
            name: r.name,
            opts: OPTIONS,
            dependencies: [],
            propertyDependencies: {},
            isType: () => false,
            asType: () => undefined,
        };
        byUrn.set(pr.urn, pr);
        return pr;
    });
    resources.forEach((r, i) => {
        const pr = out[i];
        if (r.parent && byUrn.has(r.parent)) {
            pr.parent = byUrn.get(r.parent);
        }
        pr.dependencies = (r.dependencies ?? []).map((u) => byUrn.get(u)).filter((x): x is PolicyResource => !!x);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
            pr.propertyDependencies[k] = urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => !!x);
        }
    });
    return out;
}

/** AnalyzeStack: every stack policy over all resources' outputs. */
export async function analyzeStack(
    policies: Policies,
    resources: readonly CorpusResource[],
    config: CorpusConfig = {},
): Promise<Diagnostic[]> {
    const ds: Diagnostic[] = [];
    for (const p of policies as Policy[]) {
        const level = levelOf(p, config);
        const validate = (p as StackValidationPolicy).validateStack;
        if (level === "disabled" || typeof validate !== "function") {
            continue;
        }
        const args: StackValidationArgs = {
            resources: policyResources(resources),
            getConfig: <T extends object>() => configFor(p, config) as T,
            stackTags: new Map(),
            notApplicable,
        };
        await runPolicy(p, level, ds, (report) => validate(args, report));
    }
    return ds;
}

/** A case's diagnostics: Analyze for every resource, then AnalyzeStack for a stack case. */
export async function runCase(policies: Policies, c: CorpusCase): Promise<Diagnostic[]> {
    const ds: Diagnostic[] = [];
    for (const r of c.resources) {
        ds.push(...(await analyzeResource(policies, r, c.config)));
    }
    if (c.kind === "stack") {
        ds.push(...(await analyzeStack(policies, c.resources, c.config)));
    }
    return ds;
}

/** The policies that reported, by kind, sorted and de-duplicated. */
export function verdict(ds: readonly Diagnostic[]): { mandatory: string[]; advisory: string[]; notes: string[] } {
    const set = (f: (d: Diagnostic) => boolean): string[] => [...new Set(ds.filter(f).map((d) => d.policyName))].sort();
    return {
        mandatory: set((d) => !d.note && d.enforcementLevel === "mandatory"),
        advisory: set((d) => !d.note && d.enforcementLevel === "advisory"),
        notes: set((d) => d.note),
    };
}

/** Asserts what a case's messages must and must not say (`expect.mentions`, `expect.omits`). */
export function assertMentions(c: CorpusCase, messages: readonly string[], shown: string): void {
    for (const text of c.expect.mentions ?? []) {
        assert.ok(
            messages.some((m) => m.includes(text)),
            `no message says ${JSON.stringify(text)}\n${shown}`,
        );
    }
    for (const text of c.expect.omits ?? []) {
        assert.ok(!messages.some((m) => m.includes(text)), `a message says ${JSON.stringify(text)}\n${shown}`);
    }
}
