/**
 * What the exact search (witness.ts) reads of a document's conditions: how a context key may vary, the parts of a
 * statement that may hold or fail, the language of a condition's values, the keys a document names, the
 * representative values of a key that a numeric, date, IP or Bool condition names, and whether a statement's
 * Action and Resource cover a request.
 */
import { NormalizedRequest, statementApplies } from "./evaluate";
import { LITERAL_QUESTION, LITERAL_STAR } from "./wildcards";
import { Constraint, Language, arnPattern, equalTo, glob, inLanguage } from "./languages";
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

/** The language of one condition value under a string operator (its positive form); a non-string one: nothing. */
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
            return [equalTo(value, true)];
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
    /** Keys that a numeric, date, IP, Bool or Binary condition names. */
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
                if (c.base !== undefined && c.base !== "Null" && !STRING_OPERATORS.has(c.base)) {
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
 * Representative values of a key that a non-string operator names: each interval the document's literals cut, each
 * literal, and absence; those the key's domain allows.
 */
export function representatives(policy: ParsedPolicy, key: string, d: KeyDomain): Values[] {
    // Values of the kinds the key's operators compare: a key that only numeric conditions name holds numbers.
    const strings = new Set<string>();
    const numbers = new Set<number>();
    const dates = new Set<number>();
    for (const st of policy.statements) {
        for (const c of st.conditions) {
            if (c.keyLower !== key || c.base === undefined) {
                continue;
            }
            if (c.base === "Bool") {
                strings.add("true").add("false");
            }
            if (STRING_OPERATORS.has(c.base)) {
                strings.add("x");
            }
            for (const raw of c.values) {
                const v = raw.replaceAll(LITERAL_STAR, "*").replaceAll(LITERAL_QUESTION, "?");
                strings.add(v);
                if (STRING_OPERATORS.has(c.base)) {
                    strings.add(v.replace(/[*?]/g, "x"));
                }
                if (c.base.startsWith("Numeric") && v.trim() !== "" && !Number.isNaN(Number(v))) {
                    numbers.add(Number(v));
                }
                if (c.base.startsWith("Date")) {
                    const t = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
                    if (!Number.isNaN(t)) {
                        dates.add(t);
                    }
                }
                if (c.base.endsWith("IpAddress")) {
                    ipRepresentatives(v).forEach((ip) => strings.add(ip));
                }
            }
        }
    }
    const around = (points: Set<number>, unit: number): number[] => {
        const sorted = [...points].sort((a, b) => a - b);
        const out: number[] = [];
        sorted.forEach((p, i) => {
            out.push(p - unit, p, p + unit);
            if (i + 1 < sorted.length) {
                out.push((p + sorted[i + 1]) / 2);
            }
        });
        return out;
    };
    around(numbers, 1).forEach((n) => strings.add(String(n)));
    around(dates, 1000).forEach((t) => strings.add(String(t / 1000)));
    const out: Values[] = [];
    if (d.kind === "free" && d.absent) {
        out.push(undefined);
    }
    for (const s of strings) {
        if (s !== "" && d.kind === "free" && d.shape.every((c) => inLanguage(c.language, s) === c.want)) {
            out.push(d.multi && d.mustContain ? [...d.mustContain, s] : [s]);
        }
    }
    return out;
}

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
