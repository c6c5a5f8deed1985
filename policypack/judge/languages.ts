/**
 * An exact decision whether a conjunction of "in this language" / "not in this language" constraints (see
 * patterns.ts) has a member, and one member as a witness.
 *
 * When a wanted language is a finite set of literals (an equality), its literals are tested directly. Otherwise
 * the search walks the product of the patterns' position sets, depth first, over one character of each class of
 * characters that every element treats alike (the characters the patterns write, their other case, and one
 * character of each other class): two strings that differ only by characters of one class reach the same product
 * state, so the walk is exact, and it visits each product state once. Its work is counted in steps
 * (see {@link Work}).
 */
import { Constraint, Element, Language, Pattern, inLanguage, literalStrings } from "./patterns";

export type { Constraint, Element, Language, Pattern } from "./patterns";
export {
    EVERYTHING,
    anyChar,
    anyRun,
    arnPattern,
    classChar,
    digitInterval,
    equalTo,
    fieldRun,
    glob,
    inLanguage,
    literal,
    literalChar,
} from "./patterns";

/** The position sets of every pattern after reading a prefix, closed under skipping runs. */
type State = number[][];

function close(p: Pattern, set: Set<number>): number[] {
    const out = [...set];
    for (let i = 0; i < out.length; i++) {
        const pos = out[i];
        if (pos < p.length && p[pos].star && !set.has(pos + 1)) {
            set.add(pos + 1);
            out.push(pos + 1);
        }
    }
    return out.sort((a, b) => a - b);
}

function step(p: Pattern, from: readonly number[], ch: string): number[] {
    const next = new Set<number>();
    for (const pos of from) {
        if (pos >= p.length) {
            continue;
        }
        const e = p[pos];
        if (e.test(ch)) {
            next.add(e.star ? pos : pos + 1);
        }
    }
    return close(p, next);
}

/** Characters to try: one of each class of characters that every element of `patterns` treats alike. */
function alphabet(patterns: readonly Pattern[]): string[] {
    const unique = new Map<string, Element>();
    for (const p of patterns) {
        for (const e of p) {
            if (!e.any) {
                unique.set(e.star ? e.id.slice(1) : e.id, e);
            }
        }
    }
    const memoKey = [...unique.keys()].sort().join("\u0000");
    const hit = alphabets.get(memoKey);
    if (hit) {
        return hit;
    }
    const elements = [...unique.values()];
    let named = "";
    for (const e of elements) {
        named += e.chars;
    }
    // Nice characters first, so that witnesses read naturally; then every printable ASCII character, the named
    // ones and their other case, and characters of no class the patterns can name (non-ASCII, a space).
    const pool = new Set<string>();
    for (const c of "x7qkzmw0a1/-:._") {
        pool.add(c);
    }
    for (let code = 0x21; code < 0x7f; code++) {
        pool.add(String.fromCharCode(code));
    }
    for (const c of Array.from(named)) {
        pool.add(c);
        pool.add(c.toLowerCase());
        pool.add(c.toUpperCase());
    }
    pool.add("\u00e9");
    pool.add(" ");
    const seen = new Set<string>();
    const out: string[] = [];
    for (const c of pool) {
        if (Array.from(c).length !== 1) {
            continue;
        }
        let signature = "";
        for (const e of elements) {
            signature += e.test(c) ? "1" : "0";
        }
        if (!seen.has(signature)) {
            seen.add(signature);
            out.push(c);
        }
    }
    remember(alphabets, memoKey, out);
    return out;
}

/** A language's text (its elements' ids), computed once per language object. */
function languageKey(language: Language): string {
    let key = languageKeys.get(language);
    if (key === undefined) {
        key = language.map((p) => p.map((e) => e.id).join("\u0001")).join("\u0002");
        languageKeys.set(language, key);
    }
    return key;
}

const languageKeys = new WeakMap<Language, string>();

/** Memo tables, emptied when full (their keys are the constraints' own text, so any entry stays valid). */
const MEMO_ENTRIES = 4_096;
const alphabets = new Map<string, string[]>();
const solutions = new Map<string, { found: string | null; cost: number }>();

function remember<T>(memo: Map<string, T>, key: string, value: T): void {
    if (memo.size >= MEMO_ENTRIES) {
        memo.clear();
    }
    memo.set(key, value);
}

/** Thrown when a decision would take more work than it may (the caller reports it could not decide). */
export class TooHard extends Error {
    constructor() {
        super("the constraint set is too large to decide");
    }
}

/** Product states one decision may visit. */
export const MAX_STATES = 20_000;

/**
 * Work that decisions may spend together, in steps (one element tested against one character, or one product
 * position carried over); spending past it throws {@link TooHard}. The cost of a decision depends only on its
 * constraints, and a remembered answer costs what computing it cost, so whether a question is decided within a
 * budget never depends on what was asked before.
 */
export class Work {
    private spentSoFar = 0;

    constructor(
        private readonly limit: number,
        /** Also told of every spending; false when a budget it keeps is spent. */
        private readonly also?: (steps: number) => boolean,
    ) {}

    get spent(): number {
        return this.spentSoFar;
    }

    spend(steps: number): void {
        this.spentSoFar += steps;
        if ((this.also !== undefined && !this.also(steps)) || this.spentSoFar > this.limit) {
            throw new TooHard();
        }
    }
}

/**
 * A string that satisfies every constraint, or undefined when none does. Exact (see the module comment); throws
 * {@link TooHard} beyond {@link MAX_STATES} product states, or when `work` is spent.
 */
export function solve(constraints: readonly Constraint[], nonEmpty = true, work?: Work): string | undefined {
    const among = solveAmongLiterals(constraints, nonEmpty, work);
    if (among !== SEARCH) {
        return among;
    }
    const memoKey =
        (nonEmpty ? "1" : "0") + constraints.map((c) => (c.want ? "+" : "-") + languageKey(c.language)).join("\u0003");
    const hit = solutions.get(memoKey);
    if (hit !== undefined) {
        work?.spend(hit.cost);
        return hit.found ?? undefined;
    }
    const own = new Work(Number.POSITIVE_INFINITY, work && ((steps) => (work.spend(steps), true)));
    const found = search(constraints, nonEmpty, own);
    remember(solutions, memoKey, { found: found ?? null, cost: own.spent });
    return found;
}

/** {@link solveAmongLiterals} cannot tell which string the search would show: search. */
const SEARCH = Symbol("search");

/** The characters the search tries first, in its order; the other printable ASCII characters follow by code. */
const FIRST_TRIED = "x7qkzmw0a1/-:._";

/** Where the search tries `c` among other characters that each form a class of their own; -1 when unknown. */
function rank(c: string): number {
    const first = FIRST_TRIED.indexOf(c);
    if (first >= 0) {
        return first;
    }
    const code = c.length === 1 ? c.charCodeAt(0) : 0;
    return code > 0x20 && code < 0x7f ? FIRST_TRIED.length + code : -1;
}

/**
 * When a wanted language is a finite set of literals (an equality condition), the answer is one of them: test
 * each against the other constraints directly. Of several that pass, the one the search would find first: the
 * search reads a literal's characters in order and tries characters in {@link rank} order, so it finds the least
 * in that order (a prefix before its extensions). Returns {@link SEARCH} when no wanted language is such a set, or
 * when that least string has a character whose place in the search's order is not fixed.
 */
function solveAmongLiterals(
    constraints: readonly Constraint[],
    nonEmpty: boolean,
    work: Work | undefined,
): string | undefined | typeof SEARCH {
    let chosen = -1;
    let candidates: ReadonlySet<string> | undefined;
    for (let i = 0; i < constraints.length; i++) {
        if (!constraints[i].want) {
            continue;
        }
        const strings = literalStrings(constraints[i].language);
        if (strings !== undefined && (candidates === undefined || strings.size < candidates.size)) {
            candidates = strings;
            chosen = i;
        }
    }
    if (candidates === undefined) {
        return SEARCH;
    }
    if (work) {
        let steps = 0;
        for (const c of candidates) {
            steps += c.length + 1;
        }
        work.spend(steps * constraints.length);
    }
    let best: string | undefined;
    for (const s of candidates) {
        if (nonEmpty && s === "") {
            continue;
        }
        if (constraints.every((c, i) => i === chosen || inLanguage(c.language, s) === c.want)) {
            if (best === undefined) {
                best = s;
            } else {
                const order = searchOrder(s, best);
                if (order === undefined) {
                    return SEARCH;
                }
                best = order < 0 ? s : best;
            }
        }
    }
    return best;
}

/** Negative when the search meets `a` before `b`, positive after; undefined when a character's place is unknown. */
function searchOrder(a: string, b: string): number | undefined {
    const x = Array.from(a);
    const y = Array.from(b);
    for (let i = 0; i < x.length && i < y.length; i++) {
        if (x[i] !== y[i]) {
            const rx = rank(x[i]);
            const ry = rank(y[i]);
            return rx < 0 || ry < 0 ? undefined : rx - ry;
        }
    }
    return x.length - y.length;
}

function search(constraints: readonly Constraint[], nonEmpty: boolean, work: Work): string | undefined {
    const patterns: Pattern[] = [];
    const owner: number[] = [];
    for (let i = 0; i < constraints.length; i++) {
        for (const p of constraints[i].language) {
            patterns.push(p);
            owner.push(i);
        }
        if (constraints[i].want && constraints[i].language.length === 0) {
            return undefined;
        }
    }
    // From position `pos` of pattern `k`, every continuation is accepted (only runs of any character remain).
    const universal = patterns.map((p) => {
        const u = new Array<boolean>(p.length + 1).fill(false);
        for (let i = p.length - 1; i >= 0; i--) {
            u[i] = p[i].star && p[i].any && (i + 1 === p.length || u[i + 1]);
        }
        return u;
    });
    const accepts = (state: State): boolean => {
        const inLanguage = new Array<boolean>(constraints.length).fill(false);
        for (let k = 0; k < patterns.length; k++) {
            if (state[k].includes(patterns[k].length)) {
                inLanguage[owner[k]] = true;
            }
        }
        return constraints.every((c, i) => inLanguage[i] === c.want);
    };
    // A state from which no string can satisfy the constraints: a wanted language all of whose patterns are dead,
    // or an unwanted one some pattern of which accepts every continuation.
    const dead = (state: State): boolean => {
        const alive = new Array<boolean>(constraints.length).fill(false);
        for (let k = 0; k < patterns.length; k++) {
            const set = state[k];
            if (set.length > 0) {
                alive[owner[k]] = true;
            }
            if (!constraints[owner[k]].want && set.some((pos) => universal[k][pos])) {
                return true;
            }
        }
        return constraints.some((c, i) => c.want && !alive[i]);
    };
    let steps = 0;
    for (const p of patterns) {
        steps += p.length + 1;
    }
    work.spend(steps);
    steps = 0;
    const letters = alphabet(patterns);
    const start: State = patterns.map((p) => close(p, new Set([0])));
    const keyOf = (s: State): string => s.map((x) => x.join(",")).join("|");
    if (!nonEmpty && accepts(start)) {
        return "";
    }
    if (dead(start)) {
        return undefined;
    }
    // Depth first over the product states, each visited once. With `nonEmpty`, the start state read again after
    // some characters is a new state (then it may accept).
    const seen = new Set<string>(nonEmpty ? [] : [keyOf(start)]);
    // The characters worth trying from a state: only those that keep every wanted language alive (any other leads
    // to a dead state), so that a literal is read straight through; the order never changes whether a string is
    // found, only which.
    const order = (state: State): string[] => {
        let out = letters;
        for (let i = 0; i < constraints.length; i++) {
            if (!constraints[i].want) {
                continue;
            }
            const keep = new Set<string>();
            let all = false;
            for (let k = 0; k < patterns.length && !all; k++) {
                if (owner[k] !== i) {
                    continue;
                }
                for (const pos of state[k]) {
                    const e = patterns[k][pos];
                    if (!e) {
                        continue;
                    }
                    if (e.any) {
                        all = true;
                        break;
                    }
                    steps += out.length;
                    for (const c of out) {
                        if (e.test(c)) {
                            keep.add(c);
                        }
                    }
                }
            }
            if (!all) {
                out = out.filter((c) => keep.has(c));
            }
        }
        return out;
    };
    const stack: Array<{ state: State; text: string; next: number; letters: string[] }> = [
        { state: start, text: "", next: 0, letters: order(start) },
    ];
    while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (top.next >= top.letters.length) {
            stack.pop();
            continue;
        }
        const ch = top.letters[top.next++];
        steps += patterns.length;
        for (const set of top.state) {
            steps += set.length;
        }
        work.spend(steps);
        steps = 0;
        const s = patterns.map((p, k) => step(p, top.state[k], ch));
        const key = keyOf(s);
        if (seen.has(key)) {
            continue;
        }
        seen.add(key);
        if (seen.size > MAX_STATES) {
            throw new TooHard();
        }
        if (accepts(s)) {
            return top.text + ch;
        }
        if (!dead(s)) {
            stack.push({ state: s, text: top.text + ch, next: 0, letters: order(s) });
        }
    }
    return undefined;
}
