/**
 * In-process attribution of our stack policies: each policy's validateStack alone on the same generated
 * stacks (resources built the way @pulumi/policy builds them: props behind its unknown-checking proxy,
 * relations as resource references), and the shared stack index. Separates our policies' own work
 * from @pulumi/policy's per-policy deserialization, and shows how each grows with the stack.
 */
import { performance } from "node:perf_hooks";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policypack/policies";
import { buildStackIndex } from "../../policypack/policies/support/stack";
import type { AnalyzerStackResource } from "../../engine/analyzerTypes";
import { policyResources } from "../../harness/policyPack";
import { generateStack } from "./stack";
import { median } from "./stats";

/** One policy (or the stack index) at each size: median ms per call. */
export interface InProcessCost {
    name: string;
    ms: Record<number, number>;
    samples: Record<number, number[]>;
}

/**
 * PolicyResources as @pulumi/policy's AnalyzeStack hands them to a stack policy: the test suite's
 * builder (harness/policyPack.ts), fed the generated stack in its shape.
 */
export function toPolicyResources(resources: readonly AnalyzerStackResource[]): PolicyResource[] {
    return policyResources(
        resources.map((r) => ({
            type: r.type,
            name: r.name,
            urn: r.urn,
            props: r.properties as Record<string, unknown>,
            parent: r.parent,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
        })),
    );
}

/** Runs a full GC when node was started with --expose-gc (npm run bench does), so one call does not pay for another's garbage. */
function collectGarbage(): void {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
        gc();
    }
}

/**
 * Times buildStackIndex and each stack policy's validateStack alone, `reps` times per size (after one
 * discarded warm-up pass), fresh documents each time. To compare sizes on equal footing, a smaller size is
 * timed as a batch of stacks adding up to the largest size (10 stacks of 1,000 against one of 10,000: the
 * same number of live resources and the same garbage), and reported per stack.
 */
export async function measureInProcess(sizes: readonly number[], reps: number): Promise<InProcessCost[]> {
    const stackPolicies = policies.filter(
        (p): p is StackValidationPolicy => typeof (p as Partial<StackValidationPolicy>).validateStack === "function",
    );
    const costs: InProcessCost[] = [
        { name: "buildStackIndex (shared helper)", ms: {}, samples: {} },
        ...stackPolicies.map((p) => ({ name: p.name, ms: {}, samples: {} })),
    ];
    const largest = Math.max(...sizes);
    let salt = 0;
    const validate = async (p: StackValidationPolicy, resources: PolicyResource[]): Promise<void> => {
        await Promise.resolve(
            p.validateStack(
                {
                    resources,
                    getConfig: <T extends object>(): T => ({}) as T,
                    stackTags: new Map(),
                    notApplicable: (reason?: string): never => {
                        throw new Error(`not applicable: ${reason ?? ""}`);
                    },
                },
                () => undefined,
            ),
        );
    };
    // Warm-up (discarded): one pass at the smallest size, so the first measured size does not pay for JIT.
    const sizesToRun = [Math.min(...sizes), ...sizes];
    for (const [pass, size] of sizesToRun.entries()) {
        const warmUp = pass === 0;
        const batch = Math.max(1, Math.floor(largest / size));
        for (const c of costs) {
            c.samples[size] = [];
        }
        for (let r = 0; r < (warmUp ? 1 : reps); r++) {
            const fresh = (): PolicyResource[][] =>
                Array.from({ length: batch }, () => toPolicyResources(generateStack(size, `i${salt++}`).resources));
            let stacks = fresh();
            collectGarbage();
            let t = performance.now();
            for (const resources of stacks) {
                buildStackIndex(resources);
            }
            costs[0]?.samples[size]?.push((performance.now() - t) / batch);
            for (const [i, p] of stackPolicies.entries()) {
                stacks = fresh();
                collectGarbage();
                t = performance.now();
                for (const resources of stacks) {
                    await validate(p, resources);
                }
                costs[i + 1]?.samples[size]?.push((performance.now() - t) / batch);
            }
        }
        if (!warmUp) {
            for (const c of costs) {
                c.ms[size] = median(c.samples[size] ?? []);
            }
        }
    }
    return costs;
}
