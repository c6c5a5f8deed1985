/**
 * The CLI's policy passes over a preview (pulumi/pulumi `step_generator.go`): per resource, Remediate first, then
 * Analyze on the remediated inputs, as each registration arrives; then AnalyzeStack over the whole stack's outputs.
 *
 * Every call carries what the engine would send. Calls for different resources overlap (a window of
 * {@link DEFAULT_WINDOW} in flight over the one channel): the pack answers each on its own, so the verdicts are
 * those of one call at a time, and they are reported in the plan's order.
 */
import type { PolicyPackClient } from "./analyzer";
import type { Diagnostic, Remediation } from "./analyzerTypes";
import type { EngineResource } from "./engineView";
import type { RemediationReport } from "./previewReport";
import type { PropertyMap } from "./properties";

/** Calls in flight at once. */
export const DEFAULT_WINDOW = 16;

/** Top-level keys whose values differ between `a` and `b` (pure). */
export function changedKeys(a: PropertyMap, b: PropertyMap): string[] {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

/** What Remediate and Analyze said about one resource. */
export interface ResourcePass {
    diagnostics: Diagnostic[];
    remediations: RemediationReport[];
    /** The inputs after remediation (the same object when nothing changed). */
    inputs: PropertyMap;
}

/** What {@link analyzeWithRemediation} returns. */
export interface AnalysisResult {
    diagnostics: Diagnostic[];
    remediations: RemediationReport[];
    /** The view after remediation (what AnalyzeStack received). */
    view: EngineResource[];
}

/** A remediation that could not run, as the advisory diagnostic the CLI shows for it. */
function remediationDiagnostic(m: Remediation): Diagnostic {
    return {
        policyName: m.policyName,
        policyPackName: m.policyPackName,
        policyPackVersion: m.policyPackVersion,
        description: m.description,
        message: m.diagnostic ?? "",
        enforcementLevel: "advisory",
        urn: m.urn,
    };
}

/**
 * Remediate then Analyze for one resource: the inputs are replaced by each remediation's transformed properties
 * (a remediation that could not run is an advisory diagnostic), then Analyze sees the final inputs (a
 * `remediate`-level violation that remains is reported as mandatory).
 */
export async function remediateAndAnalyze(pack: PolicyPackClient, r: EngineResource): Promise<ResourcePass> {
    const diagnostics: Diagnostic[] = [];
    const remediations: RemediationReport[] = [];
    const base = {
        type: r.type,
        name: r.name,
        urn: r.urn,
        ...(r.options ? { options: r.options } : {}),
        ...(r.provider ? { provider: r.provider } : {}),
    };
    let inputs = r.inputs;
    for (const m of await pack.remediate({ ...base, properties: inputs })) {
        if (m.diagnostic) {
            diagnostics.push(remediationDiagnostic(m));
        } else if (m.properties) {
            remediations.push({
                policyName: m.policyName,
                policyPackName: m.policyPackName,
                policyPackVersion: m.policyPackVersion,
                description: m.description,
                urn: r.urn,
                changedKeys: changedKeys(inputs, m.properties),
            });
            inputs = m.properties;
        }
    }
    for (const d of await pack.analyze({ ...base, properties: inputs })) {
        diagnostics.push(d.enforcementLevel === "remediate" ? { ...d, enforcementLevel: "mandatory" } : d);
    }
    return { diagnostics, remediations, inputs };
}

/** `r` as AnalyzeStack sees it after its inputs were remediated: a create's outputs follow its inputs (pure). */
export function afterRemediation(r: EngineResource, inputs: PropertyMap): EngineResource {
    if (inputs === r.inputs) {
        return r;
    }
    const properties: PropertyMap = { ...r.properties };
    if (r.custom && r.op === "create") {
        for (const k of Object.keys(r.inputs)) {
            if (!(k in inputs)) {
                delete properties[k];
            }
        }
        Object.assign(properties, inputs);
    }
    return { ...r, inputs, properties };
}

/**
 * Remediate and Analyze for resources as they are pushed (waiting for the pack when it is still starting), at
 * most `window` resources in flight; {@link PolicyPipeline.finish} adds AnalyzeStack.
 */
export class PolicyPipeline {
    private readonly passes = new Map<string, Promise<ResourcePass>>();
    private readonly waiting: (() => void)[] = [];
    private running = 0;
    private done = 0;

    constructor(
        private readonly pack: Promise<PolicyPackClient>,
        private readonly window = DEFAULT_WINDOW,
    ) {}

    /** Resources whose Remediate and Analyze have answered. */
    public get analyzed(): number {
        return this.done;
    }

    /** Resources pushed. */
    public get pushed(): number {
        return this.passes.size;
    }

    /** Queues Remediate and Analyze for `r` (once per URN). */
    public push(r: EngineResource): void {
        if (this.passes.has(r.urn)) {
            return;
        }
        const pass = new Promise<ResourcePass>((resolve, reject) => {
            const start = (): void => {
                this.running++;
                this.pack
                    .then((pack) => remediateAndAnalyze(pack, r))
                    .then(resolve, reject)
                    .finally(() => {
                        this.running--;
                        this.done++;
                        this.waiting.shift()?.();
                    });
            };
            if (this.running < this.window) {
                start();
            } else {
                this.waiting.push(start);
            }
        });
        // Observed by finish(); a pipeline abandoned after a program error must not raise unhandled rejections.
        pass.catch(() => undefined);
        this.passes.set(r.urn, pass);
    }

    /**
     * Waits for every resource's passes (pushing those of `view` not pushed yet), then sends AnalyzeStack over
     * `view` with the remediated inputs. Diagnostics follow `view`'s order, AnalyzeStack's last.
     */
    public async finish(view: readonly EngineResource[]): Promise<AnalysisResult> {
        for (const r of view) {
            this.push(r);
        }
        const diagnostics: Diagnostic[] = [];
        const remediations: RemediationReport[] = [];
        const after: EngineResource[] = [];
        for (const r of view) {
            const pass = await (this.passes.get(r.urn) as Promise<ResourcePass>);
            diagnostics.push(...pass.diagnostics);
            remediations.push(...pass.remediations);
            after.push(afterRemediation(r, pass.inputs));
        }
        const pack = await this.pack;
        diagnostics.push(...(await pack.analyzeStack(after)));
        return { diagnostics, remediations, view: after };
    }
}

/**
 * The CLI's policy passes over a whole view: Remediate then Analyze per resource, then AnalyzeStack over the
 * outputs, a remediated create's outputs following its remediated inputs.
 */
export async function analyzeWithRemediation(
    pack: PolicyPackClient,
    view: readonly EngineResource[],
): Promise<AnalysisResult> {
    return new PolicyPipeline(Promise.resolve(pack)).finish(view);
}
