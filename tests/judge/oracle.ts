/** What the exhaustive-oracle tests of the exact search share: the oracle's alphabet and a seeded generator. */

/** The oracle's letters: "x" stands for every character the documents do not write. */
export const LETTERS: readonly string[] = ["a", "b", "x"];

/** Every string over {@link LETTERS} of 1 to `max` characters, shortest first. */
export function strings(max: number): string[] {
    const out: string[] = [];
    let level = [""];
    for (let n = 1; n <= max; n++) {
        level = level.flatMap((s) => LETTERS.map((c) => s + c));
        out.push(...level);
    }
    return out;
}

/** A small deterministic generator (mulberry32): numbers in [0, 1). */
export function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
