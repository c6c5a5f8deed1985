/**
 * Small pure statistics and formatting helpers for the benchmarks.
 */

/** The median of `xs` (mean of the middle two for an even count); NaN for an empty list. */
export function median(xs: readonly number[]): number {
    if (xs.length === 0) {
        return Number.NaN;
    }
    const s = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Minimum and maximum of `xs`. */
export function range(xs: readonly number[]): { min: number; max: number } {
    return { min: Math.min(...xs), max: Math.max(...xs) };
}

/** `a / b`, rounded to 3 decimals; NaN when `b` is 0 or either is not finite. */
export function ratio(a: number, b: number): number {
    if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
        return Number.NaN;
    }
    return Math.round((a / b) * 1000) / 1000;
}

/** Rounds to `digits` decimals. */
export function round(x: number, digits = 2): number {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}

/** Rotates `items` left by `by` (for interleaving: each round starts with a different peer). */
export function rotate<T>(items: readonly T[], by: number): T[] {
    if (items.length === 0) {
        return [];
    }
    const k = ((by % items.length) + items.length) % items.length;
    return [...items.slice(k), ...items.slice(0, k)];
}

/** Renders rows as a fixed-width text table with a header line. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: readonly string[]): string =>
        cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
    return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Renders rows as a markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    return [
        `| ${header.join(" | ")} |`,
        `|${header.map(() => "---").join("|")}|`,
        ...rows.map((r) => `| ${r.join(" | ")} |`),
    ].join("\n");
}

/** Median, minimum and maximum of repeated measurements of one figure. */
export interface Spread {
    median: number;
    min: number;
    max: number;
    n: number;
}

/** The spread of `xs` (NaN figures when empty). */
export function spreadOf(xs: readonly number[]): Spread {
    const finite = xs.filter((x) => Number.isFinite(x));
    if (finite.length === 0) {
        return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
    }
    return { median: median(finite), ...range(finite), n: finite.length };
}

/** What a ratio's repetitions say about an upper limit. */
export type Verdict = "met" | "not met" | "not settled";

/**
 * Whether a ratio measured several times meets `limit` (an upper bound). The spread (max - min) is compared with
 * the margin between the median and the limit: when the spread is wider, the runs do not tell on which side of
 * the limit the ratio lies, and the verdict is "not settled". Fewer than three repetitions never settle.
 */
export function verdictOf(s: Spread, limit: number): Verdict {
    if (s.n < 3 || !Number.isFinite(s.median)) {
        return "not settled";
    }
    const margin = Math.abs(limit - s.median);
    if (s.max - s.min > margin) {
        return "not settled";
    }
    return s.median <= limit ? "met" : "not met";
}

/** A spread as text: "1.21x (1.15..1.30, n=3)". */
export function formatSpread(s: Spread, digits = 2, unit = "x"): string {
    if (!Number.isFinite(s.median)) {
        return "n/a";
    }
    return `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}..${s.max.toFixed(digits)}, n=${s.n})`;
}
