/**
 * What the exact search (witness.ts) reads of a document's conditions: how a context key may vary, the parts of a
 * statement that may hold or fail, the language of a condition's values, the keys a document names, one value of
 * each class that a key's numeric, date and IP conditions tell apart (and how an element meeting those and text
 * constraints is found), and whether a statement's Action and Resource cover a request.
 */
import { NormalizedRequest, statementApplies } from "./evaluate";
import { LITERAL_QUESTION, LITERAL_STAR } from "./wildcards";
import {
    Constraint,
    EVERYTHING,
    Language,
    arnPattern,
    classChar,
    equalTo,
    glob,
    inLanguage,
    literalChar,
} from "./languages";
import { Element, literalStrings } from "./patterns";
import { CONDITION_OPERATORS } from "./conditionOperators";
import type { ParsedCondition, ParsedPolicy, ParsedPrincipal, ParsedStatement } from "./parsedPolicy";

/** A key's value in a request: a list (one element for a single-valued key) or undefined (absent). */
export type Values = string[] | undefined;

/** How a context key may vary in a question. */
export type KeyDomain =
    | { kind: "fixed"; value: Values }
    | {
          kind: "free";
          /** Whether the key may be absent. */
          absent: boolean;
          /** Whether the key holds a list. */
          multi: boolean;
          /** What every value (every element of a list) must satisfy. */
          shape: readonly Constraint[];
          /** Elements every list holds. */
          mustContain?: readonly string[];
      };

/** What a question further requires of one key: whether it may be absent, may be present, and then how. */
export interface KeyRequirement {
    absent: boolean;
    present: boolean;
    constraints: readonly Constraint[];
}

/** Keys AWS sends as lists. */
export const MULTI_VALUED_KEYS: ReadonlySet<string> = new Set([
    "aws:tagkeys",
    "aws:calledvia",
    "aws:principalorgpaths",
    "aws:principalservicenameslist",
    "kms:encryptioncontextkeys",
    "kms:grantoperations",
]);

/** One part of a statement that may hold or fail: a condition on one variable, or the Principal element. */
export interface Atom {
    key: string;
    /** Whether it holds when the key is absent. */
    absentHolds: boolean;
    /** String parts: the language of the condition's values, combined with `negated` and `set` as IAM does. */
    language?: Language;
    negated: boolean;
    set?: "ForAnyValue" | "ForAllValues";
    /** Other parts: whether it holds for a value (lists stand for the key's values). */
    test?: (v: Values) => boolean;
    /**
     * A condition whose policy variables read keys the question varies: whether it holds when `key` is absent is
     * `absentHolds`; with a value it depends on other keys, so solving leaves it free and the request is checked.
     */
    coupled?: ParsedCondition;
    /** For a coupled exact equality with one variable (`StringEquals k = ${v}`): the variable's key. */
    merge?: string;
    /** Its number in its compiled question (the search's memo keys name parts by it). */
    id: number;
}

export interface Requirement {
    atom: Atom;
    want: boolean;
}

/** The string and ARN operators: those whose values are patterns or literals over text. */
export const STRING_OPERATORS: ReadonlySet<string> = new Set(
    CONDITION_OPERATORS.filter((o) => o.startsWith("String") || o.startsWith("Arn")),
);

/**
 * The operators whose values are languages over the request's text: the string and ARN operators, `Bool` (the
 * evaluator compares its text ignoring case) and `BinaryEquals` (compared as text).
 */
export const LANGUAGE_OPERATORS: ReadonlySet<string> = new Set([...STRING_OPERATORS, "Bool", "BinaryEquals"]);

/** The language of one condition value under a language operator (its positive form); any other: nothing. */
export function valueLanguage(base: string, value: string): Language {
    const key = base + "\u0000" + value;
    let language = languages.get(key);
    if (!language) {
        language = compileValue(base, value);
        if (languages.size >= 4_096) {
            languages.clear();
        }
        languages.set(key, language);
    }
    return language;
}

/** Compiled condition values, shared across questions and documents. */
const languages = new Map<string, Language>();

function compileValue(base: string, value: string): Language {
    switch (base) {
        case "StringEquals":
        case "StringNotEquals":
            return [equalTo(value, false)];
        case "StringEqualsIgnoreCase":
        case "StringNotEqualsIgnoreCase":
        case "Bool":
            return [equalTo(value, true)];
        case "BinaryEquals":
            return [equalTo(value, false)];
        case "StringLike":
        case "StringNotLike":
            return [glob(value, false)];
        case "ArnEquals":
        case "ArnLike":
        case "ArnNotEquals":
        case "ArnNotLike":
            return arnPattern(value);
        default:
            return [];
    }
}

/** The union of a condition's values' languages. */
export function conditionLanguage(base: string, values: readonly string[]): Language {
    return values.length === 1 ? valueLanguage(base, values[0]) : values.flatMap((v) => valueLanguage(base, v));
}

/** {@link conditionLanguage} of a condition without policy variables, computed once per parsed condition. */
export function conditionLanguageCached(c: ParsedCondition): Language {
    let language = conditionLanguages.get(c);
    if (!language) {
        language = conditionLanguage(c.base as string, c.values);
        conditionLanguages.set(c, language);
    }
    return language;
}

const conditionLanguages = new WeakMap<ParsedCondition, Language>();

/** What every question about one document needs to know of its conditions, computed once per document. */
export interface PolicyFacts {
    /** Every condition key, and every key a policy variable reads. */
    keys: ReadonlySet<string>;
    /** Keys that a numeric, date or IP condition names. */
    enumerated: ReadonlySet<string>;
    denies: readonly ParsedStatement[];
}

const facts = new WeakMap<ParsedPolicy, PolicyFacts>();

export function policyFacts(policy: ParsedPolicy): PolicyFacts {
    let f = facts.get(policy);
    if (!f) {
        const keys = new Set<string>();
        const enumerated = new Set<string>();
        for (const st of policy.statements) {
            if (st.resourceVariables) {
                [...(st.resources ?? []), ...(st.notResources ?? [])]
                    .flatMap((v) => variableKeys(v))
                    .forEach((k) => keys.add(k));
            }
            for (const c of st.conditions) {
                keys.add(c.keyLower);
                if (c.variables) {
                    c.values.flatMap((v) => variableKeys(v)).forEach((k) => keys.add(k));
                }
                if (c.base !== undefined && c.base !== "Null" && !LANGUAGE_OPERATORS.has(c.base)) {
                    enumerated.add(c.keyLower);
                }
            }
        }
        f = { keys, enumerated, denies: policy.statements.filter((st) => st.effect === "Deny") };
        facts.set(policy, f);
    }
    return f;
}

/**
 * For an exact equality with one policy variable as its only value (`StringEquals k = ${v}`, or its negation): the
 * key the variable reads (lower-case).
 */
export function equalityVariable(c: ParsedCondition): string | undefined {
    if ((c.base !== "StringEquals" && c.base !== "StringNotEquals") || c.set !== undefined || c.values.length !== 1) {
        return undefined;
    }
    const m = /^\$\{\s*([^},']+?)\s*\}$/.exec(c.values[0]);
    return m && !["*", "?", "$"].includes(m[1]) ? m[1].toLowerCase() : undefined;
}

/** Names of the keys a value's policy variables read (only those without a default, when `withoutDefault`). */
export function variableKeys(value: string, withoutDefault = false): string[] {
    const out: string[] = [];
    for (const m of value.matchAll(/\$\{([^}]*)\}/g)) {
        const body = m[1].trim();
        if (body === "*" || body === "?" || body === "$") {
            continue;
        }
        const name = /^([^,]+?)\s*(?:,\s*'([^']*)')?$/.exec(body);
        if (!(withoutDefault && name && name[2] !== undefined)) {
            out.push((name ? name[1] : body).trim().toLowerCase());
        }
    }
    return out;
}

/**
 * What the document's numeric, date and IP conditions on one key tell apart, as one value of each class: a number on
 * each side of, at, and between each two of the numeric literals; likewise for the dates (written as epoch seconds);
 * the first and last address of each CIDR and those just outside it; each literal's own text (an IP condition
 * compares a text that is no IPv4 address as text); and a text that reads as no number, date or address. When
 * `complete`, every class (every intersection of the kinds' classes) has a value here.
 */
export interface KeyClasses {
    values: readonly string[];
    complete: boolean;
}

export function keyClasses(policy: ParsedPolicy, key: string): KeyClasses {
    let perKey = classesByPolicy.get(policy);
    if (!perKey) {
        perKey = new Map();
        classesByPolicy.set(policy, perKey);
    }
    let out = perKey.get(key);
    if (!out) {
        out = computeClasses(policy, key);
        perKey.set(key, out);
    }
    return out;
}

const classesByPolicy = new WeakMap<ParsedPolicy, Map<string, KeyClasses>>();

function computeClasses(policy: ParsedPolicy, key: string): KeyClasses {
    const strings = new Set<string>();
    const numbers = new Set<number>();
    const dates = new Set<number>();
    const kinds = new Set<"number" | "date" | "ip">();
    let variables = false;
    const literals = new Set<string>();
    for (const st of policy.statements) {
        for (const c of st.conditions) {
            if (c.keyLower !== key || c.base === undefined || c.base === "Null") {
                continue;
            }
            const kind = c.base.startsWith("Numeric")
                ? "number"
                : c.base.startsWith("Date")
                  ? "date"
                  : c.base.endsWith("IpAddress")
                    ? "ip"
                    : undefined;
            if (kind !== undefined) {
                kinds.add(kind);
                // A policy variable's value is known only at the question: its literal cuts no class here.
                variables ||= c.variables === true;
            }
            for (const raw of c.values) {
                const v = raw.replaceAll(LITERAL_STAR, "*").replaceAll(LITERAL_QUESTION, "?");
                literals.add(v.toLowerCase());
                if (kind === undefined) {
                    continue;
                }
                strings.add(v);
                if (kind === "number" && v.trim() !== "" && !Number.isNaN(Number(v))) {
                    numbers.add(Number(v));
                }
                if (kind === "date") {
                    const t = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
                    if (!Number.isNaN(t)) {
                        dates.add(t);
                    }
                }
                if (kind === "ip") {
                    ipRepresentatives(v).forEach((ip) => strings.add(ip));
                }
            }
        }
    }
    const around = (points: Set<number>, unit: number): number[] => {
        const sorted = [...points].filter((p) => Number.isFinite(p)).sort((a, b) => a - b);
        const out: number[] = [];
        sorted.forEach((p, i) => {
            // A step that moves a large number too.
            const step = Math.max(unit, Math.abs(p) * 1e-9);
            out.push(p - step, p, p + step);
            if (i + 1 < sorted.length) {
                out.push(p / 2 + sorted[i + 1] / 2);
            }
        });
        return out;
    };
    around(numbers, 1).forEach((n) => strings.add(String(n)));
    around(dates, 1000).forEach((t) => strings.add(String(t / 1000)));
    // A text that is no number, date or address, and none of the literals.
    let other = "x";
    while (literals.has(other)) {
        other += "x";
    }
    strings.add(other);
    strings.delete("");
    // A number is never an IPv4 address, so the classes of numbers and addresses meet only as listed; a date's
    // parser reads texts of many other shapes, so those of dates and the other kinds may meet elsewhere.
    return { values: [...strings], complete: !variables && !(kinds.has("date") && kinds.size > 1) };
}

/**
 * Other spellings of a value that the evaluator's parsers read as the same number, date or address: leading zeros
 * (after a sign; in an IPv4 address's octets, up to three digits each), and for a number, trailing zeros of a
 * fraction; or a text that reads as none of them made longer. A value of no such form has no other spelling here.
 */
function* spellings(value: string): Generator<string> {
    yield value;
    const ip = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value);
    if (ip) {
        const octets = ip.slice(1, 5);
        for (let i = 0; i < 4; i++) {
            while (octets[i].length < 3) {
                octets[i] = "0" + octets[i];
                yield octets.join(".");
            }
        }
        return;
    }
    const number = /^([-+]?)(\d+(?:\.\d+)?)$/.exec(value);
    if (number !== null) {
        const point = number[2].includes(".") ? "" : ".";
        for (let i = 1; ; i++) {
            yield number[1] + "0".repeat(i) + number[2];
            yield value + point + "0".repeat(i);
        }
    }
    for (let i = 1; /^x+$/.test(value); i++) {
        yield value + "x".repeat(i);
    }
}

/** One element's requirements: constraints on its text, and tests of what the evaluator reads it as. */
export interface ElementRequirements {
    constraints: readonly Constraint[];
    tests: ReadonlyArray<(element: string) => boolean>;
}

/** Other spellings tried per class value beyond those an argument needs, to find a witness for glob constraints. */
const EXTRA_SPELLINGS = 4;

/**
 * An element meeting `r`, found among the key's class values and their other spellings, or found by `solveText`
 * (which decides text constraints exactly) among texts of number-like shapes; with `exact` true, no element found
 * means that none exists. That is so when a finite set of literals is wanted (each is tried), when an unwanted
 * language holds every text, or when the classes are complete and none passes the tests (every
 * element is in some class, and its tests depend only on its class). When a class passes the tests and the text
 * constraints exclude only literals of fixed lengths (at most one length each), spellings of as many lengths plus
 * one are tried, of which one is outside them all: such a class always gives an element. Any other miss is inexact.
 * Every element tried costs steps through `spend`.
 */
export function findElement(
    classes: KeyClasses,
    r: ElementRequirements,
    spend: (steps: number) => void,
    solveText: (constraints: readonly Constraint[]) => string | undefined,
): { element?: string; exact: boolean } {
    const constraints: Constraint[] = [];
    let cost = 1 + r.tests.length;
    for (const c of r.constraints) {
        if (c.language.some((p) => p.length === 1 && p[0].star && p[0].any)) {
            if (!c.want) {
                return { exact: true };
            }
            continue;
        }
        constraints.push(c);
        cost += c.language.length;
    }
    const meets = (e: string, testsToo: boolean): boolean =>
        (!testsToo || r.tests.every((t) => t(e))) && constraints.every((c) => inLanguage(c.language, e) === c.want);
    for (const c of constraints) {
        const literals = c.want ? members(c.language) : undefined;
        if (literals !== undefined) {
            spend(cost * literals.size);
            const found = [...literals].find((e) => e !== "" && meets(e, true));
            return found === undefined ? { exact: true } : { element: found, exact: true };
        }
    }
    let fixedLengths = 0;
    for (const c of constraints) {
        if (!c.want && c.language.every((p) => p.every((e) => !e.star))) {
            fixedLengths += c.language.length;
        }
    }
    const wanted = fixedLengths + 1 + EXTRA_SPELLINGS;
    let someClassPasses = false;
    for (const value of classes.values) {
        // The lengths of the spellings that pass the tests (all outside the text constraints so far).
        const lengths = new Set<number>();
        let tried = 0;
        for (const e of spellings(value)) {
            spend(cost);
            if (r.tests.every((t) => t(e))) {
                someClassPasses ||= tried === 0;
                if (meets(e, false)) {
                    return { element: e, exact: true };
                }
                lengths.add(e.length);
            }
            if (lengths.size >= wanted || ++tried >= 2 * (wanted + EXTRA_SPELLINGS)) {
                break;
            }
        }
    }
    if (classes.complete && !someClassPasses) {
        return { exact: true };
    }
    // Texts of number-like shapes that meet the text constraints, for the tests to judge.
    for (const shape of NUMBER_LIKE) {
        const e = solveText([...constraints, { language: shape, want: true }]);
        spend(cost);
        if (e !== undefined && r.tests.every((t) => t(e))) {
            return { element: e, exact: true };
        }
    }
    return { exact: false };
}

/** Members of a language listed in full, at most this many. */
const MEMBERS_AT_MOST = 512;

/**
 * Every member of a language whose patterns are sequences of literal characters, each compared exactly or ignoring
 * case (a literal, a `Bool` value, a case-insensitive equality), or undefined for any other language or one of more
 * than {@link MEMBERS_AT_MOST} members.
 */
function members(language: Language): ReadonlySet<string> | undefined {
    const exact = literalStrings(language);
    if (exact !== undefined) {
        return exact;
    }
    let out = new Set<string>();
    for (const p of language) {
        let texts = [""];
        for (const e of p) {
            const chars = e.star || e.any ? undefined : e.exact !== undefined ? [e.exact] : foldedChars(e);
            if (chars === undefined || texts.length * chars.length > MEMBERS_AT_MOST) {
                return undefined;
            }
            texts = texts.flatMap((t) => chars.map((c) => t + c));
        }
        out = new Set([...out, ...texts]);
        if (out.size > MEMBERS_AT_MOST) {
            return undefined;
        }
    }
    return out;
}

/**
 * The characters whose lower case is a case-insensitive literal character's, as the evaluator compares them (text
 * lower-cased), among those the character's element accepts.
 */
function foldedChars(e: Element): string[] | undefined {
    if (!e.id.startsWith("~")) {
        return undefined;
    }
    if (byLowerCase === undefined) {
        byLowerCase = new Map();
        for (let code = 0; code < 0x10000; code++) {
            if (code >= 0xd800 && code <= 0xdfff) {
                continue;
            }
            const ch = String.fromCharCode(code);
            const lower = ch.toLowerCase();
            byLowerCase.set(lower, [...(byLowerCase.get(lower) ?? []), ch]);
        }
    }
    return (byLowerCase.get(e.id.slice(1).toLowerCase()) ?? []).filter((ch) => e.test(ch));
}

/** The characters of the Basic Multilingual Plane by their lower case, tabled on first use. */
let byLowerCase: Map<string, string[]> | undefined;

const DIGIT = classChar(/^[0-9]$/);
const DIGITS = classChar(/^[0-9]$/, true);
/** Shapes of numbers and addresses: digits, a decimal fraction, either negative, a dotted quad. */
const NUMBER_LIKE: readonly Language[] = [
    [[DIGIT, DIGITS]],
    [[DIGIT, DIGITS, literalChar("."), DIGIT, DIGITS]],
    [[literalChar("-"), DIGIT, DIGITS]],
    [[literalChar("-"), DIGIT, DIGITS, literalChar("."), DIGIT, DIGITS]],
    [
        [
            DIGIT,
            DIGITS,
            literalChar("."),
            DIGIT,
            DIGITS,
            literalChar("."),
            DIGIT,
            DIGITS,
            literalChar("."),
            DIGIT,
            DIGITS,
        ],
    ],
    EVERYTHING,
];

/** A number per object, for memo keys that must tell objects apart without comparing their content. */
export function identity(o: object): number {
    let n = identities.get(o);
    if (n === undefined) {
        n = ++lastIdentity;
        identities.set(o, n);
    }
    return n;
}

const identities = new WeakMap<object, number>();
let lastIdentity = 0;

/** How a key varies, as text: the fixed value, or whether it may be absent, be a list, and its shape's constraints. */
export function domainSignature(d: KeyDomain): string {
    if (d.kind === "fixed") {
        return d.value === undefined ? "a" : `f${d.value.length}:${d.value.join("\u0001")}`;
    }
    let out = `v${d.absent ? 1 : 0}${d.multi ? 1 : 0}`;
    for (const c of d.shape) {
        out += `,${identity(c)}`;
    }
    return d.mustContain ? `${out};${d.mustContain.length}:${d.mustContain.join("\u0001")}` : out;
}

/** How a requirement on a list reads: "every element" or "some element" is (`inside`) or is not in the language. */
export function listQuantifier(atom: Atom, want: boolean): { quantifier: "all" | "some"; inside: boolean } {
    // Positive forms: plain and ForAnyValue hold when some element is in the language; ForAllValues when all are.
    const positiveSome = atom.set !== "ForAllValues";
    if (!atom.negated) {
        return want
            ? { quantifier: positiveSome ? "some" : "all", inside: true }
            : { quantifier: positiveSome ? "all" : "some", inside: false };
    }
    // Negated: plain is "no element in" (all outside); ForAnyValue "some element outside"; ForAllValues "all outside".
    const someOutside = atom.set === "ForAnyValue";
    return want
        ? { quantifier: someOutside ? "some" : "all", inside: false }
        : { quantifier: someOutside ? "all" : "some", inside: true };
}

/** Whether the part holds for a value of its key. */
export function holds(atom: Atom, v: Values): boolean {
    if (v === undefined || v.length === 0) {
        return atom.absentHolds;
    }
    if (atom.test) {
        return atom.test(v);
    }
    const language = atom.language ?? [];
    const { quantifier, inside } = listQuantifier(atom, true);
    const ok = (e: string): boolean => inLanguage(language, e) === inside;
    return quantifier === "all" ? v.every(ok) : v.some(ok);
}

/** Addresses that stand for the intervals an IPv4 CIDR cuts: its first and last, and those just outside. */
function ipRepresentatives(cidr: string): string[] {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
    if (!m) {
        return [];
    }
    const address = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    const bits = m[5] === undefined ? 32 : Math.min(32, Number(m[5]));
    const size = 2 ** (32 - bits);
    const first = Math.floor(address / size) * size;
    const last = first + size - 1;
    const text = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
    return [first - 1, first, last, last + 1].filter((n) => n >= 0 && n <= 0xffffffff).map(text);
}

const EVERYONE: ParsedPrincipal = { wildcard: true, values: {} };

/** Whether the statement's Action and Resource cover the request's action and resource (Principal and Conditions aside). */
export function actionAndResourceApply(st: ParsedStatement, req: NormalizedRequest): boolean {
    const skeleton: ParsedStatement = {
        index: st.index,
        where: st.where,
        effect: st.effect,
        actions: st.actions,
        notActions: st.notActions,
        resources: st.resources,
        notResources: st.notResources,
        resourceVariables: st.resourceVariables,
        principal: EVERYONE,
        conditions: [],
    };
    return statementApplies(skeleton, req);
}
