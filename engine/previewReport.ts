/**
 * The offline preview's report: its exit codes, its shape, and what goes into it besides the verdicts (the
 * placeholders of a run, and warnings that change no verdict).
 */
import type { Diagnostic } from "./analyzerTypes";
import type { CheckFailureRecord } from "./dynamicProvider";
import type { PropertyMap } from "./properties";
import type { ProgramLoadInfo, RecordedResource, RunnerResult, UnansweredInvoke } from "./previewTypes";

/** Exit codes of the offline preview. */
export const EXIT = {
    /** No mandatory violation. */
    ok: 0,
    /** At least one mandatory policy violation. */
    mandatoryViolation: 1,
    /**
     * The program failed, an invoke could not be answered, a dynamic provider's check failed, the config is invalid,
     * or the pack failed.
     */
    error: 2,
} as const;

/** A made-up value: which output of which resource it stands for (`<urn>#<property>`). */
export interface PlaceholderEntry {
    value: string;
    of: string;
}

/** One step of the plan, in the order the engine would see it. */
export interface PlannedStep {
    op: "create" | "read";
    urn: string;
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    /** True for a default provider the engine adds (not shown in the plan, as `pulumi preview` does not). */
    defaultProvider?: boolean;
    /** Inputs in wire form, without internal `__` keys, secrets replaced by "[secret]". */
    inputs: PropertyMap;
}

/** A remediation the pack applied, as reported (the changed keys, never their values: they may be secret). */
export interface RemediationReport {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    urn: string;
    /** Top-level input keys the remediation added, changed or removed. */
    changedKeys: string[];
}

/** The result of an offline preview. */
export interface PreviewReport {
    project: string;
    stack: string;
    /**
     * "placeholders": values that exist only once created were replaced by placeholders, and the verdict is as if
     * the resources were created; "unknowns": they were left unknown, as `pulumi preview` does.
     */
    mode: "placeholders" | "unknowns";
    /** The placeholders, in registration order (a secret one shows as redacted). */
    placeholders: PlaceholderEntry[];
    steps: PlannedStep[];
    policyPack?: { name: string; version: string; dir: string };
    diagnostics: Diagnostic[];
    /** Remediations the pack applied (Remediate runs before Analyze, which then sees the remediated inputs). */
    remediations: RemediationReport[];
    /** Failures of dynamic providers' `check` (errors, as the CLI reports them; the preview fails). */
    checkFailures: CheckFailureRecord[];
    programError?: string;
    unanswered: UnansweredInvoke[];
    invokes: RunnerResult["invokes"];
    exitCode: number;
    timings: { programMs: number; packStartMs?: number; analyzeMs?: number };
    /** Things the user should know that change no verdict (e.g. config entries for policies the pack lacks). */
    warnings: string[];
    /** How the program was loaded (entry point, TypeScript setup), as the Node.js language host would. */
    program?: ProgramLoadInfo;
}

/** The placeholders of a run, in registration order. */
export function placeholderEntries(resources: readonly RecordedResource[]): PlaceholderEntry[] {
    const out: PlaceholderEntry[] = [];
    for (const r of resources) {
        for (const [property, value] of Object.entries(r.placeholders ?? {})) {
            out.push({ value, of: `${r.urn}#${property}` });
        }
    }
    return out;
}

/** What the report says about values placeholders could not stand for, grouped by reason (pure). */
export function placeholderWarnings(
    resources: readonly RecordedResource[],
    placeholderInvokes: readonly (readonly string[])[],
    placeholders: readonly PlaceholderEntry[],
): string[] {
    const byReason = new Map<string, string[]>();
    for (const r of resources) {
        for (const [property, why] of Object.entries(r.unknownOutputs ?? {})) {
            const list = byReason.get(why) ?? [];
            list.push(`${r.type} '${r.name}' ${property}`);
            byReason.set(why, list);
        }
    }
    const some = (list: readonly string[]): string =>
        list.length <= 3 ? list.join(", ") : `${list.slice(0, 3).join(", ")} and ${list.length - 3} more`;
    const out = [...byReason].map(
        ([why, list]) => `no placeholder for ${some(list)}: ${why}; they stay unknown, as in pulumi preview`,
    );
    if (placeholderInvokes.length > 0) {
        const of = new Map<string, string>();
        for (const p of placeholders) {
            if (!of.has(p.value)) {
                of.set(p.value, p.of);
            }
        }
        const used = [...new Set(placeholderInvokes.flat())].map((v) => of.get(v) ?? v);
        out.push(
            `${placeholderInvokes.length} invoke(s) received placeholders (${some(used)}): what they return is not ` +
                "known before the resources exist, so their results are unknown, as in pulumi preview",
        );
    }
    return out;
}

/**
 * Entries of a `--policy-pack-config` file that name no policy of the pack. The CLI keeps them silently, so a
 * misspelled policy name changes nothing (e.g. a level meant to be mandatory stays advisory): say so.
 */
export function unknownPolicyConfigEntries(
    policies: readonly { name: string }[],
    fileConfig: Readonly<Record<string, unknown>>,
    source = "the policy pack config",
): string[] {
    const known = new Set(policies.map((p) => p.name));
    return Object.keys(fileConfig)
        .filter((name) => name !== "all" && !known.has(name))
        .map(
            (name) =>
                `${source}: "${name}" is not a policy of this pack, so the entry changes nothing ` +
                `(policies: ${[...known].sort().join(", ")})`,
        );
}
