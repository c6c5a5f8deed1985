/**
 * Sets of strings a condition accepts, as patterns. A pattern is a sequence of elements, each one character of a
 * class or a run of characters of a class: what a glob (`*`, `?`, literal characters, optionally ignoring case), an
 * ARN pattern (field by field, a field's `*` and `?` never crossing `:`), a literal and a value's shape (12 digits,
 * an application id) compile to. A language is a union of patterns; a constraint says that a value is, or is not,
 * in one. Deciding a set of constraints is languages.ts's.
 */
import { LITERAL_QUESTION, LITERAL_STAR } from "./wildcards";

/** One element of a pattern: a character `test` accepts, or (`star`) a run of zero or more of them. */
export interface Element {
    star: boolean;
    test: (ch: string) => boolean;
    /** True when `test` accepts every character. */
    any: boolean;
    /** Characters the element names (to include them, and their other case, in the alphabet). */
    chars: string;
    /** Equal for elements that accept the same characters (a cache key). */
    id: string;
    /** For one character compared exactly (case-sensitive, not a run): that character. */
    exact?: string;
}

export type Pattern = readonly Element[];
/** A union of patterns; the empty union is the empty set. */
export type Language = readonly Pattern[];

const ANY = (): boolean => true;
const NOT_COLON = (ch: string): boolean => ch !== ":";

export const anyChar: Element = { star: false, test: ANY, any: true, chars: "", id: "?" };
export const anyRun: Element = { star: true, test: ANY, any: true, chars: "", id: "*" };
const fieldChar: Element = { star: false, test: NOT_COLON, any: false, chars: ":", id: "f?" };
export const fieldRun: Element = { star: true, test: NOT_COLON, any: false, chars: ":", id: "f*" };

/** One character equal to `c` (ignoring case when asked). */
export function literalChar(c: string, ignoreCase = false): Element {
    const memo = ignoreCase ? foldedCharacters : exactCharacters;
    let e = memo.get(c);
    if (!e) {
        e = makeLiteralChar(c, ignoreCase);
        if (memo.size < SHARED_ELEMENTS) {
            memo.set(c, e);
        }
    }
    return e;
}

/** Elements shared (for single characters and classes), at most this many of each kind. */
const SHARED_ELEMENTS = 4_096;

/** Elements for single characters, shared. */
const exactCharacters = new Map<string, Element>();
const foldedCharacters = new Map<string, Element>();

function makeLiteralChar(c: string, ignoreCase: boolean): Element {
    if (!ignoreCase) {
        return { star: false, test: (ch) => ch === c, any: false, chars: c, id: "=" + c, exact: c };
    }
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    return {
        star: false,
        test: (ch) => ch === c || ch.toLowerCase() === lower || ch.toUpperCase() === upper,
        any: false,
        chars: c + lower + upper,
        id: "~" + c,
    };
}

/**
 * One character of a class given as a regular-expression character class (`[0-9a-z]`). Elements of one class are
 * shared, and the class's answer for each ASCII character is tabled on first use.
 */
export function classChar(regex: RegExp, star = false): Element {
    if (regex.global || regex.sticky) {
        // A stateful expression answers differently from call to call: no table, no sharing.
        return { star, test: (ch) => regex.test(ch), any: false, chars: "", id: (star ? "*" : "") + regex.source };
    }
    const id = (star ? "*" : "") + regex.flags + "/" + regex.source;
    let e = classes.get(id);
    if (!e) {
        let table: Uint8Array | undefined;
        const test = (ch: string): boolean => {
            const code = ch.length === 1 ? ch.charCodeAt(0) : 0x80;
            if (code >= 0x80) {
                return regex.test(ch);
            }
            if (!table) {
                table = new Uint8Array(0x80);
                for (let k = 0; k < 0x80; k++) {
                    table[k] = regex.test(String.fromCharCode(k)) ? 1 : 2;
                }
            }
            return table[code] === 1;
        };
        e = {
            star,
            test,
            any: false,
            chars: "",
            id: (star ? "*" : "") + regex.source + (regex.flags && "/" + regex.flags),
        };
        if (classes.size < SHARED_ELEMENTS) {
            classes.set(id, e);
        }
    }
    return e;
}

const classes = new Map<string, Element>();

/** The language of exactly `s`. */
export function literal(s: string): Language {
    const out: Element[] = [];
    for (const c of s) {
        out.push(literalChar(c));
    }
    return [out];
}

/** Every string. */
export const EVERYTHING: Language = [[anyRun]];

/** A glob (`*` a run, `?` one character, the literal markers of `${*}` / `${?}` themselves). */
export function glob(pattern: string, ignoreCase: boolean, field = false): Pattern {
    const out: Element[] = [];
    for (const c of pattern) {
        if (c === "*") {
            out.push(field ? fieldRun : anyRun);
        } else if (c === "?") {
            out.push(field ? fieldChar : anyChar);
        } else {
            out.push(literalChar(c === LITERAL_STAR ? "*" : c === LITERAL_QUESTION ? "?" : c, ignoreCase));
        }
    }
    return out;
}

/** A string compared for equality (the literal markers standing for `*` and `?`). */
export function equalTo(value: string, ignoreCase: boolean): Pattern {
    const out: Element[] = [];
    for (const c of value) {
        out.push(literalChar(c === LITERAL_STAR ? "*" : c === LITERAL_QUESTION ? "?" : c, ignoreCase));
    }
    return out;
}

/**
 * An ARN pattern as ArnEquals / ArnLike match it: `"*"` is everything; otherwise six fields, the first five
 * matched as globs within a field (no `:`), the sixth as a glob over the rest. A pattern of fewer fields matches
 * nothing.
 */
export function arnPattern(pattern: string): Language {
    if (pattern === "*") {
        return EVERYTHING;
    }
    const parts = pattern.split(":");
    if (parts.length < 6) {
        return [];
    }
    const out: Element[] = [];
    for (let i = 0; i < 5; i++) {
        out.push(...glob(parts[i], false, true), literalChar(":"));
    }
    out.push(...glob(parts.slice(5).join(":"), false));
    return [out];
}

/** One decimal digit, and one of the digits `from` to `to`. */
const DIGIT_CHAR = /^[0-9]$/;
function digitsFrom(from: number, to: number): Element {
    return from === to ? literalChar(String(from)) : classChar(new RegExp(`^[${from}-${to}]$`));
}

/**
 * The strings of `lo.length` decimal digits from `lo` to `hi` (both of that length, `lo` <= `hi`), read as numbers
 * with their leading zeros: at the first digit where the bounds differ, the strings that keep `lo`'s digit and are
 * at least the rest of `lo`, those with a digit strictly between (any digits after), and those that keep `hi`'s
 * digit and are at most the rest of `hi`. At most two patterns per digit.
 */
export function digitInterval(lo: string, hi: string): Language {
    const n = lo.length;
    if (hi.length !== n || !/^[0-9]*$/.test(lo + hi) || lo > hi) {
        return [];
    }
    let common = 0;
    while (common < n && lo[common] === hi[common]) {
        common++;
    }
    const prefix = Array.from(lo.slice(0, common), (c) => literalChar(c));
    if (common === n) {
        return [prefix];
    }
    const any = (k: number): Element[] => Array.from({ length: k }, () => classChar(DIGIT_CHAR));
    const a = Number(lo[common]);
    const b = Number(hi[common]);
    const rest = n - common - 1;
    const loRest = lo.slice(common + 1);
    const hiRest = hi.slice(common + 1);
    const loLeast = /^0*$/.test(loRest);
    const hiGreatest = /^9*$/.test(hiRest);
    const out: Pattern[] = [];
    if (!loLeast) {
        for (const p of digitInterval(loRest, "9".repeat(rest))) {
            out.push([...prefix, literalChar(lo[common]), ...p]);
        }
    }
    const from = loLeast ? a : a + 1;
    const to = hiGreatest ? b : b - 1;
    if (from <= to) {
        out.push([...prefix, digitsFrom(from, to), ...any(rest)]);
    }
    if (!hiGreatest) {
        for (const p of digitInterval("0".repeat(rest), hiRest)) {
            out.push([...prefix, literalChar(hi[common]), ...p]);
        }
    }
    return out;
}

/** Whether `s` is in the language (a direct walk of each pattern's positions; a literal is compared). */
export function inLanguage(language: Language, s: string): boolean {
    let chars: string[] | undefined;
    for (const p of language) {
        const exact = readsExactly(p, s);
        if (exact === true) {
            return true;
        }
        if (exact === undefined && matches(p, (chars ??= Array.from(s)))) {
            return true;
        }
    }
    return false;
}

/**
 * For a pattern of exactly compared characters (a literal), whether it is `s`; undefined for any other pattern.
 * Reads the pattern once and allocates nothing.
 */
function readsExactly(p: Pattern, s: string): boolean | undefined {
    let at = 0;
    let same = true;
    for (const e of p) {
        if (e.exact === undefined || e.star) {
            return undefined;
        }
        if (same) {
            same = s.startsWith(e.exact, at);
            at += e.exact.length;
        }
    }
    return same && at === s.length;
}

/** The one string a pattern of exactly compared characters matches; undefined for any other pattern. */
function exactText(p: Pattern): string | undefined {
    let text = "";
    for (const e of p) {
        if (e.exact === undefined || e.star) {
            return undefined;
        }
        text += e.exact;
    }
    return text;
}

/** Positions already in the set being built (`marks[pos] === generation`), and two position sets. */
let marks = new Int32Array(128);
let generation = 0;
let currentSet = new Int32Array(128);
let nextSet = new Int32Array(128);

/** Whether the pattern matches the characters: the set of positions reached, one character at a time. */
function matches(p: Pattern, chars: readonly string[]): boolean {
    const n = p.length;
    if (marks.length <= n) {
        marks = new Int32Array(2 * (n + 1));
        currentSet = new Int32Array(2 * (n + 1));
        nextSet = new Int32Array(2 * (n + 1));
    }
    if (generation > 0x3fff0000 - chars.length) {
        marks.fill(0);
        generation = 0;
    }
    let current = currentSet;
    let next = nextSet;
    let size = addClosed(p, current, 0, 0, ++generation);
    for (const ch of chars) {
        const g = ++generation;
        let nextSize = 0;
        for (let i = 0; i < size; i++) {
            const pos = current[i];
            if (pos < n) {
                const e = p[pos];
                if (e.exact !== undefined ? e.exact === ch : e.test(ch)) {
                    nextSize = addClosed(p, next, nextSize, e.star ? pos : pos + 1, g);
                }
            }
        }
        if (nextSize === 0) {
            return false;
        }
        const swap = current;
        current = next;
        next = swap;
        size = nextSize;
    }
    for (let i = 0; i < size; i++) {
        if (current[i] === n) {
            return true;
        }
    }
    return false;
}

/**
 * Adds `pos` and the positions after the runs it may skip to the set `into` of `size` positions, unless marked in
 * this generation; returns the new size.
 */
function addClosed(p: Pattern, into: Int32Array, size: number, pos: number, g: number): number {
    while (marks[pos] !== g) {
        marks[pos] = g;
        into[size++] = pos;
        if (pos < p.length && p[pos].star) {
            pos++;
        } else {
            break;
        }
    }
    return size;
}

/** The strings of a language all of whose patterns are exact texts (a finite set of literals), else undefined. */
export function literalStrings(language: Language): ReadonlySet<string> | undefined {
    const out = new Set<string>();
    for (const p of language) {
        const text = exactText(p);
        if (text === undefined) {
            return undefined;
        }
        out.add(text);
    }
    return out;
}

/** A constraint: the value is (`want`) or is not (`!want`) in `language`. */
export interface Constraint {
    language: Language;
    want: boolean;
}
