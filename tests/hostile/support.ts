/**
 * Shared assertions for the hostile-input properties: a verdict is well formed, no internal error
 * leaked through the judge's catch-alls, and the mandatory finding kinds.
 */
import * as assert from "node:assert/strict";
import type { Finding, FindingKind, KeyPolicyAnalysis } from "../../policypack/judge/types";

/** The finding kinds the pack enforces as mandatory. */
export const MANDATORY_KINDS: readonly FindingKind[] = [
    "malformed",
    "service-unbound",
    "open-grant",
    "not-principal-allow",
];

const ALL_KINDS: ReadonlySet<string> = new Set<FindingKind>([
    "malformed",
    "service-unbound",
    "open-grant",
    "not-principal-allow",
    "submitter-not-via-service",
    "service-overgrant",
    "service-principal-lookalike",
]);

/** Messages of the judge's catch-all paths: reaching them means an internal exception was swallowed. */
const INTERNAL_ERROR = /could not be (judged|read):/;

/** Asserts that `a` is a well-formed analysis; with `jsonInput`, also that no internal error was swallowed. */
export function assertVerdict(a: KeyPolicyAnalysis, jsonInput: boolean): void {
    assert.equal(typeof a, "object");
    assert.equal(typeof a.parsed, "boolean");
    assert.equal(typeof a.grantsService, "boolean");
    assert.equal(typeof a.hasUnknowns, "boolean");
    assert.ok(Array.isArray(a.findings));
    for (const f of a.findings) {
        assert.ok(ALL_KINDS.has(f.kind), `unknown finding kind ${String(f.kind)}`);
        assert.equal(typeof f.message, "string");
        assert.ok(f.message.length > 0);
        assert.equal(typeof f.fix, "string");
        assert.ok(f.fix.length > 0);
        if (jsonInput) {
            assert.doesNotMatch(f.message, INTERNAL_ERROR, "an internal exception was swallowed by the catch-all");
        }
    }
    if (!a.parsed) {
        // An unparsable document must say why (or be the whole-document unknown at preview).
        assert.ok(
            a.hasUnknowns || a.findings.some((f) => f.kind === "malformed"),
            "unparsed without a malformed finding",
        );
    }
    if (a.grantsService) {
        assert.ok(a.binding, "grantsService without binding");
    }
    if (a.undecided !== undefined) {
        // Only a document with parts unknown at preview leaves anything undecided, and then its validity.
        assert.ok(a.hasUnknowns && (a.unknowns ?? []).length > 0, "undecided without unknown parts");
        assert.ok(a.undecided.includes("malformed"), "unknown parts, but validity decided");
    }
}

/** Whether the analysis blocks (has a mandatory finding). */
export function blocks(a: KeyPolicyAnalysis): boolean {
    return a.findings.some((f) => MANDATORY_KINDS.includes(f.kind));
}

/** Finding kinds, counted. */
export function kindCounts(findings: readonly Finding[]): Map<FindingKind, number> {
    const m = new Map<FindingKind, number>();
    for (const f of findings) {
        m.set(f.kind, (m.get(f.kind) ?? 0) + 1);
    }
    return m;
}

/** A compact, order-independent summary of a verdict for equivalence checks. */
export function verdictSummary(a: KeyPolicyAnalysis): string {
    const kinds = [...new Set(a.findings.map((f) => f.kind))].sort();
    return JSON.stringify({ parsed: a.parsed, grantsService: a.grantsService, kinds });
}

/** Runs `f` and returns its duration in milliseconds with its result. */
export function timed<T>(f: () => T): { ms: number; value: T } {
    const t0 = process.hrtime.bigint();
    const value = f();
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

/**
 * The shortest of up to `attempts` timings of `f`, stopping at the first under `limitMs`. For a pure call
 * without a cache: a garbage-collection pause or a loaded machine only ever adds time to one run, while a
 * call that is really slow is slow every time.
 */
export function fastestTiming(f: () => unknown, limitMs: number, attempts = 3): number {
    let best = Infinity;
    for (let i = 0; i < attempts && best >= limitMs; i++) {
        best = Math.min(best, timed(f).ms);
    }
    return best;
}
