/**
 * What the exhaustive-oracle tests of the exact search share: the oracle's alphabet, a seeded generator, the caller
 * and action their questions ask about, the parse they judge, and the Deny conditions written against bounded searches.
 */
import { parsePolicyDocument } from "../../policypack/judge";
import type { ParsedPolicy } from "../../policypack/judge";

/** The caller and the action of the oracle tests' questions. */
export const CALLER = { type: "AWS" as const, id: "arn:aws:iam::111122223333:user/u" };
export const ACTION = "kms:Decrypt";

/** A generated document's parse; throws with the parser's answer when it does not parse. */
export function parsed(doc: unknown): ParsedPolicy {
    const p = parsePolicyDocument(doc);
    if (!p.ok || !p.policy) {
        throw new Error(JSON.stringify(p));
    }
    return p.policy;
}

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

/** One condition block of a generated document: operator to key to value(s). */
export type Condition = Record<string, Record<string, string | string[]>>;

/**
 * A Deny condition on `key` written against bounded searches: every short value, every value of some lengths,
 * prefixes and suffixes, or two patterns of `pattern()`; `r` drives the choices.
 */
export function craftedDeny(key: string, r: () => number, pattern: () => string): Condition {
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    switch (Math.floor(r() * 4)) {
        case 0:
            return {
                StringLike: { [key]: Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => "?".repeat(i + 1)) },
            };
        case 1:
            return { StringEquals: { [key]: strings(2).filter(() => r() < 0.8) } };
        case 2:
            return { StringLike: { [key]: [pick(["a*", "b*", "*a", "*b"]), pick(["a*", "*x*", "?b*"])] } };
        default:
            return { StringNotLike: { [key]: [pattern(), pattern()] } };
    }
}
