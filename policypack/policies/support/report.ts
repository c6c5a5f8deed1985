/**
 * Violation text: what is wrong, where (resource, statement), and the fix. The judge's findings
 * already name the statement; this adds the resource and the fix.
 */
import { analyzeKeyPolicy } from "../../judge";
import type { AnalyzeOptions, Finding, KeyPolicyAnalysis } from "../../judge";

/** A resource as a reader names it: `aws:kms/key:Key "data-key"`. */
export function label(resource: { type: string; name: string }): string {
    return `${resource.type} "${resource.name}"`;
}

/** One violation message from a judge finding on a resource's key policy. */
export function findingMessage(resource: { type: string; name: string }, finding: Finding, context = ""): string {
    const ctx = context ? ` (${context})` : "";
    return `${label(resource)}${ctx}: ${finding.message} Fix: ${finding.fix}`;
}

/** A violation message from parts. */
export function message(resource: { type: string; name: string }, what: string, fix: string): string {
    return `${label(resource)}: ${what} Fix: ${fix}`;
}

/**
 * The judge's analysis of a key policy document. The judge must not throw on bad data; if it does,
 * the document is reported as malformed (mandatory) rather than crashing the pack.
 */
export function analyze(document: unknown, options: AnalyzeOptions): KeyPolicyAnalysis {
    const cacheKey = typeof document === "string" ? `${JSON.stringify(options)}\u0000${document}` : undefined;
    const hit = cacheKey === undefined ? undefined : cache.get(cacheKey);
    if (hit) {
        return hit;
    }
    const result = analyzeUncached(document, options);
    if (cacheKey !== undefined) {
        if (cache.size >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.set(cacheKey, result);
    }
    return result;
}

/**
 * Analyses of string documents, shared by the stack policies of one AnalyzeStack call (each policy
 * sees fresh resource objects, but the same documents). Bounded; results are never mutated.
 */
const cache = new Map<string, KeyPolicyAnalysis>();
const CACHE_LIMIT = 10_000;

function analyzeUncached(document: unknown, options: AnalyzeOptions): KeyPolicyAnalysis {
    try {
        return analyzeKeyPolicy(document, options);
    } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        return {
            parsed: false,
            grantsService: false,
            hasUnknowns: false,
            findings: [
                {
                    kind: "malformed",
                    message: `The key policy could not be judged (${why}).`,
                    fix: "Check that the key policy is a valid IAM policy document (Version, Statement with Effect, Principal, Action, Resource).",
                },
            ],
        };
    }
}
