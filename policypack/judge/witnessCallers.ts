/**
 * The caller when it varies (the open-grant question): an IAM principal of another account, written as its
 * `aws:PrincipalArn`, the context keys AWS derives from it, the callers a Principal element names, and the callers
 * for which a condition on one of those keys holds, whatever its operator.
 */
import { conditionHolds } from "./conditions";
import { accountOf, accountPrincipalAccount } from "./evaluate";
import {
    Constraint,
    EVERYTHING,
    Element,
    Language,
    Pattern,
    anyRun,
    classChar,
    digitInterval,
    equalTo,
    fieldRun,
    glob,
    literal,
    literalChar,
} from "./languages";
import type { ParsedCondition, ParsedPrincipal } from "./parsedPolicy";
import { STRING_OPERATORS, conditionLanguage, conditionLanguageCached, identity } from "./witnessValues";

/** The key that stands for the caller when the caller varies (open-grant question). */
export const PRINCIPAL_KEY = "aws:principalarn";
export const ACCOUNT_KEYS = new Set(["aws:principalaccount", "kms:calleraccount"]);
export const TYPE_KEY = "aws:principaltype";

/** The largest account number: accounts are 12 digits, leading zeros included. */
const LAST_ACCOUNT = 999_999_999_999;

function account(n: number): string {
    return String(n).padStart(12, "0");
}

/** Whether the caller determines the key's value (when the caller varies, a condition on it is one on the caller). */
export function derivedFromCaller(key: string): boolean {
    return key === PRINCIPAL_KEY || key === TYPE_KEY || ACCOUNT_KEYS.has(key);
}

/** The IAM principal of another account, when the caller varies. */
export interface CallerVariable {
    /** What `aws:PrincipalArn` may be: the principal forms below, of an account other than the key's. */
    shape: readonly Constraint[];
    /** The partition of those forms (a condition on aws:PrincipalType keeps some of them). */
    partition: string;
}

/** `arn:<f>:<f>:<f>:` then `inner` as the account field, then `:` and anything. */
export function accountField(inner: Pattern): Pattern {
    return [
        ...Array.from("arn:", (c) => literalChar(c)),
        fieldRun,
        literalChar(":"),
        fieldRun,
        literalChar(":"),
        fieldRun,
        literalChar(":"),
        ...inner,
        literalChar(":"),
        anyRun,
    ];
}

const DIGIT = classChar(/^[0-9]$/);
const NAME_CHAR = /^[A-Za-z0-9+=,.@_/-]$/;

/** The forms of an IAM principal of some account, by aws:PrincipalType (the same objects for each partition). */
export function principalForms(partition: string): ReadonlyArray<{ type: string; language: Language }> {
    let forms = formsByPartition.get(partition);
    if (!forms) {
        const digits = Array.from({ length: 12 }, () => DIGIT);
        const name = [classChar(NAME_CHAR), classChar(NAME_CHAR, true)];
        const text = (s: string): Element[] => Array.from(s, (c) => literalChar(c));
        const iam = text(`arn:${partition}:iam::`);
        forms = [
            { type: "Account", language: [[...iam, ...digits, ...text(":root")]] },
            { type: "User", language: [[...iam, ...digits, ...text(":user/"), ...name]] },
            // A role session's aws:PrincipalArn is its role's ARN.
            { type: "AssumedRole", language: [[...iam, ...digits, ...text(":role/"), ...name]] },
            {
                type: "FederatedUser",
                language: [[...text(`arn:${partition}:sts::`), ...digits, ...text(":federated-user/"), ...name]],
            },
        ];
        if (formsByPartition.size >= 64) {
            formsByPartition.clear();
        }
        formsByPartition.set(partition, forms);
    }
    return forms;
}

const formsByPartition = new Map<string, ReadonlyArray<{ type: string; language: Language }>>();

/** Caller languages that say only "the caller has one of these forms" (patterns of {@link principalForms}). */
const formSets = new WeakMap<Language, ReadonlySet<Pattern>>();

/** The union of some principal forms, remembered as such for {@link foldCaller}. */
function formsLanguage(forms: ReadonlyArray<{ language: Language }>): Language {
    const language = forms.flatMap((f) => f.language);
    formSets.set(language, new Set(language));
    return language;
}

/**
 * The caller variable: an IAM principal (account root, user, role session, federated user) of another account.
 * One object per partition and owner, so that questions about the same caller share their compiled form.
 */
export function foreignCaller(partition: string, owner: string): CallerVariable {
    const memoKey = `${partition}:${owner}`;
    let caller = foreignCallers.get(memoKey);
    if (!caller) {
        caller = {
            partition,
            shape: [
                { language: formsLanguage(principalForms(partition)), want: true },
                {
                    language: /^[0-9]{12}$/.test(owner)
                        ? rangesLanguage([[Number(owner), Number(owner)]])
                        : [accountField(Array.from(owner, (c) => literalChar(c)))],
                    want: false,
                },
            ],
        };
        if (foreignCallers.size >= 64) {
            foreignCallers.clear();
        }
        foreignCallers.set(memoKey, caller);
    }
    return caller;
}

const foreignCallers = new Map<string, CallerVariable>();

/** The aws:PrincipalType of a caller ARN of {@link principalForms}. */
function principalType(arn: string): string {
    if (arn.endsWith(":root")) {
        return "Account";
    }
    if (arn.includes(":user/")) {
        return "User";
    }
    return arn.includes(":sts:") ? "FederatedUser" : "AssumedRole";
}

/** The context keys a caller ARN determines. */
export function derivedContext(arn: string): Map<string, string[]> {
    const account = accountOf(arn) ?? "";
    return new Map([
        [PRINCIPAL_KEY, [arn]],
        ["aws:principalaccount", [account]],
        ["kms:calleraccount", [account]],
        [TYPE_KEY, [principalType(arn)]],
    ]);
}

export function isCallerVariable(p: { type: "AWS" | "Service"; id: string } | CallerVariable): p is CallerVariable {
    return "shape" in p;
}

/** The caller ARNs a Principal element names, as a language; "everyone" for `"*"` / `{"AWS": "*"}`. */
export function principalLanguage(p: ParsedPrincipal): Language | "everyone" {
    if (p.wildcard || p.values.AWS?.includes("*")) {
        return "everyone";
    }
    const accounts: Array<[number, number]> = [];
    const out: Pattern[] = [];
    for (const v of p.values.AWS ?? []) {
        const n = accountPrincipalAccount(v);
        if (n !== undefined) {
            accounts.push([Number(n), Number(n)]);
        } else {
            out.push(...literal(v));
        }
    }
    const named = rangesLanguage(mergeRanges(accounts));
    return out.length === 0 ? named : [...out, ...named];
}

/** A condition on a key the caller determines, as a constraint on the caller's ARN. */
export interface CallerPart {
    /** The caller ARNs for which the condition's positive form holds (for aws:PrincipalType, the condition). */
    language: Language;
    negated: boolean;
}

/**
 * The caller ARNs (of {@link principalForms}) for which condition `c`, with its policy variables resolved to
 * `values`, holds: a constant when it holds for every caller or none, undefined when the evaluator compares the
 * account in a way that is not an interval of numbers (never for the operators IAM documents).
 *
 * Each key is single-valued and always present, so `IfExists`, `ForAnyValue:` and `ForAllValues:` change nothing, and
 * `Null` is true exactly for "false". Operators compare the value as the evaluator (conditions.ts) does:
 * - aws:PrincipalType: each principal form's type is put to the evaluator.
 * - aws:PrincipalArn: strings and ARNs as languages; an ARN is no number or date, so Numeric* and Date* never match
 *   it; Bool and IpAddress compare it as text ignoring case (it is no address), BinaryEquals as text.
 * - aws:PrincipalAccount, kms:CallerAccount: Numeric* compare the 12 digits as a number (leading zeros dropped),
 *   Date* as that many seconds since 1970, so each value is an interval of numbers, found by asking the evaluator
 *   and written as a language over 12 digits (see digitInterval); Bool, IpAddress and BinaryEquals compare text;
 *   Arn* match only `"*"` (an account is no ARN); string operators match the account field.
 */
export function callerCondition(
    c: ParsedCondition,
    values: readonly string[],
    partition: string,
    spend: (steps: number) => void = () => undefined,
): CallerPart | boolean | undefined {
    const key = c.keyLower;
    const base = c.base;
    if (base === undefined) {
        return false;
    }
    if (base === "Null") {
        return values.some((v) => v.toLowerCase() !== "true");
    }
    if (key === TYPE_KEY) {
        const resolved: ParsedCondition = { ...c, values: [...values], variables: false };
        const forms = principalForms(partition);
        const holding = forms.filter((f) => conditionHolds(resolved, new Map([[key, [f.type]]])));
        return holding.length === forms.length || holding.length === 0
            ? holding.length > 0
            : { language: formsLanguage(holding), negated: false };
    }
    const textual = (v: string): Pattern | undefined =>
        base === "Bool" || base.endsWith("IpAddress")
            ? equalTo(v, true)
            : base === "BinaryEquals"
              ? equalTo(v, false)
              : undefined;
    if (key === PRINCIPAL_KEY) {
        if (STRING_OPERATORS.has(base)) {
            return part(c.variables ? conditionLanguage(base, values) : conditionLanguageCached(c), c.negated);
        }
        const language: Pattern[] = [];
        for (const v of values) {
            const p = textual(v);
            if (p) {
                language.push(p);
            }
        }
        return part(language, c.negated);
    }
    // Each value's accounts as ranges of numbers where they are (always, but for a glob other than digits and then
    // wildcards); otherwise as patterns of the account field.
    const ranges: Array<[number, number]> = [];
    const patterns: Pattern[] = [];
    for (const v of values) {
        if (base.startsWith("Arn")) {
            if (v === "*") {
                ranges.push([0, LAST_ACCOUNT]);
            }
            continue;
        }
        if (base.startsWith("Numeric") || base.startsWith("Date")) {
            const range = accountRange(c, v, spend);
            if (range === undefined) {
                return undefined;
            }
            if (range !== null) {
                ranges.push(range);
            }
            continue;
        }
        const like = STRING_OPERATORS.has(base) && base.endsWith("Like");
        const range = like ? globRange(v) : /^[0-9]{12}$/.test(v) ? [Number(v), Number(v)] : null;
        if (range === undefined) {
            patterns.push(accountField(glob(v, false, true)));
        } else if (range !== null) {
            ranges.push(range as [number, number]);
        }
    }
    const merged = mergeRanges(ranges);
    if (patterns.length === 0) {
        return part(rangesLanguage(merged, spend), c.negated);
    }
    return part([...patterns, ...rangesLanguage(merged, spend)], c.negated);
}

/**
 * The 12-digit accounts a glob matches when it is digits then only wildcards (`5*`, `12??????????`), as a range;
 * null when it matches none; undefined for any other glob.
 */
function globRange(v: string): [number, number] | null | undefined {
    const m = /^([0-9]*)([*?]*)$/.exec(v);
    if (!m) {
        return undefined;
    }
    const fixed = m[1].length;
    const singles = m[2].replaceAll("*", "").length;
    if (fixed + singles > 12 || (!m[2].includes("*") && fixed + singles < 12)) {
        return null;
    }
    return [Number(m[1].padEnd(12, "0")), Number(m[1].padEnd(12, "9"))];
}

/** Accounts, as sorted disjoint ranges of numbers. */
type Ranges = ReadonlyArray<readonly [number, number]>;

/** Ranges sorted, overlapping and adjacent ones merged. */
function mergeRanges(ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    const out: Array<[number, number]> = [];
    for (const [first, end] of sorted) {
        const last = out[out.length - 1];
        if (last !== undefined && first <= last[1] + 1) {
            last[1] = Math.max(last[1], end);
        } else {
            out.push([first, end]);
        }
    }
    return out;
}

/** The accounts in both. */
function intersect(a: Ranges, b: Ranges): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
        const first = Math.max(a[i][0], b[j][0]);
        const end = Math.min(a[i][1], b[j][1]);
        if (first <= end) {
            out.push([first, end]);
        }
        if (a[i][1] < b[j][1]) {
            i++;
        } else {
            j++;
        }
    }
    return out;
}

/** The accounts of `a` not in `b`. */
function subtract(a: Ranges, b: Ranges): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let j = 0;
    for (const [x, y] of a) {
        let first = x;
        while (j < b.length && b[j][1] < first) {
            j++;
        }
        let k = j;
        while (k < b.length && b[k][0] <= y && first <= y) {
            if (b[k][0] > first) {
                out.push([first, b[k][0] - 1]);
            }
            first = Math.max(first, b[k][1] + 1);
            k++;
        }
        if (first <= y) {
            out.push([first, y]);
        }
    }
    return out;
}

/** Caller languages that say only "the account is in these ranges" (within the caller's shape). */
const accountSets = new WeakMap<Language, Ranges>();

/**
 * The caller ARNs whose account is in the ranges, as a language; remembered as such for {@link foldCaller}. Its
 * elements cost a step each.
 */
function rangesLanguage(ranges: Ranges, spend: (steps: number) => void = () => undefined): Language {
    spend(1 + ranges.length);
    const language =
        ranges.length === 1 && ranges[0][0] === 0 && ranges[0][1] === LAST_ACCOUNT
            ? EVERYTHING
            : ranges.flatMap(([first, end]) => {
                  const patterns = digitInterval(account(first), account(end)).map(accountField);
                  spend(patterns.reduce((sum, p) => sum + p.length, 0));
                  return patterns;
              });
    if (language !== EVERYTHING) {
        accountSets.set(language, ranges);
    }
    return language;
}

/**
 * The constraints on a caller's ARN with those that only say "the caller has (not) one of these forms" folded into
 * one, and those that only say "the account is (not) in these ranges" into one or two; null when no caller meets
 * them together. A document's type and account conditions are then one language each, not a product of several
 * (a form that a type condition excludes is never walked), and contradicting ones need no search at all. The
 * accounts that remain are written as their hull (ranges one account apart joined), with those single accounts
 * excluded by a second constraint.
 */
export function foldCaller(
    constraints: readonly Constraint[],
    spend: (steps: number) => void = () => undefined,
): readonly Constraint[] | null {
    let memoKey = "";
    for (const c of constraints) {
        memoKey += `${c.want ? "+" : "-"}${identity(c.language)}`;
    }
    let hit = foldedConstraints.get(memoKey);
    if (hit === undefined) {
        let cost = 0;
        const folded = fold(constraints, (steps) => {
            cost += steps;
        });
        hit = { folded, cost };
        if (foldedConstraints.size >= 4_096) {
            foldedConstraints.clear();
        }
        foldedConstraints.set(memoKey, hit);
    }
    // A remembered answer costs what computing it cost.
    spend(hit.cost);
    return hit.folded;
}

/**
 * {@link foldCaller}'s answers by the constraints' languages (as objects: the same answer, and the same language
 * objects, for the same constraints, so that what the search remembers of them is found again).
 */
const foldedConstraints = new Map<string, { folded: readonly Constraint[] | null; cost: number }>();

/** {@link foldCaller} computed, each constraint and each range combined costing a step. */
function fold(constraints: readonly Constraint[], spend: (steps: number) => void): readonly Constraint[] | null {
    let set: Ranges = [[0, LAST_ACCOUNT]];
    let wantedForms: Pattern[] | undefined;
    const unwantedForms = new Set<Pattern>();
    let folded = 0;
    const rest: Constraint[] = [];
    for (const c of constraints) {
        const ranges = accountSets.get(c.language);
        const forms = formSets.get(c.language);
        spend(1 + (ranges !== undefined ? set.length + ranges.length : 0));
        if (ranges !== undefined) {
            set = c.want ? intersect(set, ranges) : subtract(set, ranges);
        } else if (forms !== undefined && (c.want || wantedForms !== undefined)) {
            if (c.want) {
                wantedForms = (wantedForms ?? [...c.language]).filter((p) => forms.has(p));
            } else {
                forms.forEach((p) => unwantedForms.add(p));
            }
        } else {
            rest.push(c);
            continue;
        }
        folded++;
    }
    if (folded === 0) {
        return constraints;
    }
    if (wantedForms !== undefined) {
        const left = wantedForms.filter((p) => !unwantedForms.has(p));
        if (left.length === 0) {
            return null;
        }
        rest.unshift({ language: left, want: true });
    }
    if (set.length === 0) {
        return null;
    }
    const hull: Array<[number, number]> = [];
    const gaps: Array<[number, number]> = [];
    spend(set.length);
    for (const [first, end] of set) {
        const last = hull[hull.length - 1];
        if (last !== undefined && first === last[1] + 2) {
            gaps.push([first - 1, first - 1]);
            last[1] = end;
        } else {
            hull.push([first, end]);
        }
    }
    const whole = hull.length === 1 && hull[0][0] === 0 && hull[0][1] === LAST_ACCOUNT;
    if (!whole) {
        rest.push({ language: rangesLanguage(hull, spend), want: true });
    }
    if (gaps.length > 0) {
        rest.push({ language: rangesLanguage(gaps, spend), want: false });
    }
    return rest;
}

/** A part, or its constant truth value when its language holds every caller (`*`) or none. */
function part(language: Language, negated: boolean): CallerPart | boolean {
    if (language.length === 0) {
        return negated;
    }
    if (language.some((p) => p.length === 1 && p[0] === anyRun)) {
        return !negated;
    }
    return { language, negated };
}

/**
 * The accounts (as numbers) that the positive form of a Numeric* or Date* condition matches with the one value `v`,
 * as the evaluator decides: [first, last], null for none, undefined when they are not an interval. The range the
 * value reads as is checked with the evaluator at its ends and just outside (a comparison with one bound is
 * monotone in the account, so that proves it); when the check fails, the end is found by bisection, and an
 * equality matches at most the greatest account that is at most the value.
 */
function accountRange(
    c: ParsedCondition,
    v: string,
    spend: (steps: number) => void,
): [number, number] | null | undefined {
    const base = c.base as string;
    const type = base.startsWith("Numeric") ? "Numeric" : "Date";
    const comparison = base.slice(type.length);
    const test = (operator: string): ((n: number) => boolean) => {
        const single = {
            ...c,
            base: `${type}${operator}` as ParsedCondition["base"],
            values: [v],
            negated: false,
            ifExists: false,
            set: undefined,
            variables: false,
        };
        return (n) => {
            // An evaluation: a step per character of the two values compared.
            spend(1 + v.length + 12);
            return conditionHolds(single, new Map([[c.keyLower, [account(n)]]]));
        };
    };
    /** The last n of [0, LAST_ACCOUNT] for which `holds`, when it holds from 0 up to some n and not after. */
    const lastOf = (holds: (n: number) => boolean): number => {
        let lo = 0;
        let hi = LAST_ACCOUNT;
        while (lo < hi) {
            const mid = Math.ceil((lo + hi) / 2);
            if (holds(mid)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    };
    const holds = test(comparison === "NotEquals" ? "Equals" : comparison);
    /** Whether the comparison holds at both ends of `r` and not just outside (for a monotone one, exactly on `r`). */
    const exactly = (r: readonly [number, number]): boolean =>
        holds(r[0]) && holds(r[1]) && (r[0] === 0 || !holds(r[0] - 1)) && (r[1] === LAST_ACCOUNT || !holds(r[1] + 1));
    // The range the value reads as, checked with the evaluator: four comparisons instead of a bisection's forty.
    const guess = guessedRange(comparison, type === "Numeric" ? numberOf(v) : dateOf(v) / 1000);
    if (
        guess === null
            ? comparison.startsWith("Less")
                ? !holds(0)
                : comparison.startsWith("Greater") && !holds(LAST_ACCOUNT)
            : exactly(guess)
    ) {
        return guess;
    }
    let range: [number, number] | null;
    if (comparison === "LessThan" || comparison === "LessThanEquals") {
        range = holds(0) ? [0, lastOf(holds)] : null;
    } else if (comparison === "GreaterThan" || comparison === "GreaterThanEquals") {
        range = !holds(LAST_ACCOUNT)
            ? null
            : holds(0)
              ? [0, LAST_ACCOUNT]
              : [lastOf((n) => !holds(n)) + 1, LAST_ACCOUNT];
    } else if (comparison === "Equals" || comparison === "NotEquals") {
        const atMost = test("LessThanEquals");
        const n = atMost(0) ? lastOf(atMost) : undefined;
        range = n !== undefined && holds(n) ? [n, n] : null;
    } else {
        return undefined;
    }
    // The ends, checked.
    return range !== null && !exactly(range) ? undefined : range;
}

/** A policy value as a Numeric* operator reads it (NaN for none). */
function numberOf(v: string): number {
    return v.trim() === "" ? Number.NaN : Number(v);
}

/** A policy value as a Date* operator reads it, in milliseconds since 1970 (NaN for none). */
function dateOf(v: string): number {
    return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
}

/** The accounts `n` with `n <comparison> t`, for a threshold `t` read from the value; null for none. */
function guessedRange(comparison: string, t: number): [number, number] | null {
    if (Number.isNaN(t)) {
        return null;
    }
    const clip = (first: number, end: number): [number, number] | null => {
        const a = Math.max(0, first);
        const b = Math.min(LAST_ACCOUNT, end);
        return a <= b ? [a, b] : null;
    };
    switch (comparison) {
        case "LessThan":
            return clip(0, Math.ceil(t) - 1);
        case "LessThanEquals":
            return clip(0, Math.floor(t));
        case "GreaterThan":
            return clip(Math.floor(t) + 1, LAST_ACCOUNT);
        case "GreaterThanEquals":
            return clip(Math.ceil(t), LAST_ACCOUNT);
        default:
            return Number.isInteger(t) ? clip(t, t) : null;
    }
}
