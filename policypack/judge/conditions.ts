/**
 * Condition evaluation with IAM semantics. References, AWS IAM User Guide:
 * - "IAM JSON policy elements: Condition": several operators AND, several keys AND, several values
 *   of one key OR; condition key names are case-insensitive.
 * - "IAM JSON policy elements: Condition operators": "If the key that you specify in a policy
 *   condition is not present in the request context, the values do not match and the condition is
 *   false. If the policy condition requires that the key is not matched, such as StringNotLike or
 *   ArnNotLike, and the right key is not present, the condition is true", except `...IfExists`
 *   (a missing key makes it true) and `Null`. Negated operators with several values behave as NOR
 *   (the request value matches none of them).
 * - "Single-valued vs. multivalued context keys": ForAllValues is true when every request value
 *   matches some policy value, and also when the key is missing; ForAnyValue is true when at least
 *   one request value matches, false when the key is missing.
 * - "IAM policy elements: Variables and tags": policy variables in String* and Arn* values.
 */
import { arnFields } from "./arn";
import type { ConditionOperator } from "./conditionOperators";
import type { ParsedCondition } from "./parsedPolicy";
import { LITERAL_QUESTION, LITERAL_STAR, globMatch } from "./wildcards";

function parseIPv4(s: string): number | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
    if (!m) {
        return undefined;
    }
    let n = 0;
    for (let i = 1; i <= 4; i++) {
        const o = Number(m[i]);
        if (o > 255) {
            return undefined;
        }
        n = n * 256 + o;
    }
    return n;
}

/** IPv4 CIDR (or single address) match; IPv6 is compared as text only (reasonable, not exact). */
function ipMatches(cidr: string, ip: string): boolean {
    const [addr, bitsText] = cidr.split("/");
    const a = parseIPv4(addr);
    const b = parseIPv4(ip);
    if (a === undefined || b === undefined) {
        return cidr.toLowerCase() === ip.toLowerCase();
    }
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (!Number.isInteger(bits) || bits < 0 || bits > 32) {
        return false;
    }
    if (bits === 0) {
        return true;
    }
    const mask = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
    return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function parseDate(s: string): number | undefined {
    if (/^-?\d+(\.\d+)?$/.test(s)) {
        return Number(s) * 1000; // epoch seconds
    }
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : t;
}

/** The comparisons of the Numeric* and Date* operators, by the operator's name without its type. */
const COMPARISONS: ReadonlyMap<string, (a: number, b: number) => boolean> = new Map([
    ["Equals", (a, b) => a === b],
    ["NotEquals", (a, b) => a === b],
    ["LessThan", (a, b) => a < b],
    ["LessThanEquals", (a, b) => a <= b],
    ["GreaterThan", (a, b) => a > b],
    ["GreaterThanEquals", (a, b) => a >= b],
]);

/** Whether `a` compares with `b` as `op`, a Numeric or Date operator without its type (NotEquals compares as Equals). */
function compare(op: string, a: number, b: number): boolean {
    return COMPARISONS.get(op)?.(a, b) ?? false;
}

/** ArnEquals and ArnLike behave the same: each of the six fields is matched as a case-sensitive glob. */
function arnMatches(pattern: string, value: string): boolean {
    if (pattern === "*") {
        return true;
    }
    const p = arnFields(pattern);
    const v = arnFields(value);
    if (!p || !v) {
        return false;
    }
    for (let i = 0; i < 6; i++) {
        if (!globMatch(p[i], v[i], false)) {
            return false;
        }
    }
    return true;
}

/**
 * Whether one request value matches one policy value under the POSITIVE form of the operator
 * (negation is applied by the caller).
 */
function positiveMatch(base: ConditionOperator, policyValue: string, requestValue: string): boolean {
    switch (base) {
        case "StringEquals":
        case "StringNotEquals":
            return policyValue === requestValue;
        case "StringEqualsIgnoreCase":
        case "StringNotEqualsIgnoreCase":
            return policyValue.toLowerCase() === requestValue.toLowerCase();
        case "StringLike":
        case "StringNotLike":
            return globMatch(policyValue, requestValue, false);
        case "ArnEquals":
        case "ArnLike":
        case "ArnNotEquals":
        case "ArnNotLike":
            return arnMatches(policyValue, requestValue);
        case "Bool":
            return policyValue.toLowerCase() === requestValue.toLowerCase();
        case "BinaryEquals":
            return policyValue === requestValue;
        case "IpAddress":
        case "NotIpAddress":
            return ipMatches(policyValue, requestValue);
        case "Null":
            return false; // handled by the caller
        default: {
            if (base.startsWith("Numeric")) {
                const a = Number(requestValue);
                const b = Number(policyValue);
                return requestValue.trim() !== "" && policyValue.trim() !== "" && !Number.isNaN(a) && !Number.isNaN(b)
                    ? compare(base.slice("Numeric".length), a, b)
                    : false;
            }
            if (base.startsWith("Date")) {
                const a = parseDate(requestValue);
                const b = parseDate(policyValue);
                return a !== undefined && b !== undefined ? compare(base.slice("Date".length), a, b) : false;
            }
            return false;
        }
    }
}

const VARIABLE = /\$\{([^}]*)\}/g;

/** A substituted value inside a pattern: its `*` and `?` are the characters themselves, never wildcards. */
function literally(value: string): string {
    return value.replaceAll("*", LITERAL_STAR).replaceAll("?", LITERAL_QUESTION);
}

/**
 * Substitutes policy variables in one condition value: `${key}` takes the request's single value of
 * `key`, `${key, 'default'}` falls back to the default, `${*}`, `${?}` and `${$}` stand for those
 * characters; in a value compared as a pattern (`literalWildcards`), a substituted value's `*` and `?` match
 * only themselves (as @cloud-copilot/iam-simulate reads them), so a request cannot widen a pattern through a
 * variable. Undefined when a variable cannot be resolved (missing or multi-valued key): "If AWS
 * cannot resolve a variable this might cause the entire statement to be invalid" (IAM User Guide,
 * "IAM policy elements: Variables and tags"), so the condition does not hold.
 */
export function substituteVariables(
    value: string,
    context: Map<string, string[]>,
    literalWildcards = false,
): string | undefined {
    let failed = false;
    const out = value.replace(VARIABLE, (_m, inner: string) => {
        const body = inner.trim();
        if (body === "*" || body === "?" || body === "$") {
            // In a value compared as a pattern, ${*} and ${?} are the characters themselves, not wildcards.
            return literalWildcards && body !== "$" ? (body === "*" ? LITERAL_STAR : LITERAL_QUESTION) : body;
        }
        const m = /^([^,]+?)\s*(?:,\s*'([^']*)')?$/.exec(body);
        const key = (m ? m[1] : body).trim().toLowerCase();
        const found = context.get(key);
        if (found && found.length === 1) {
            return literalWildcards ? literally(found[0]) : found[0];
        }
        if (m && m[2] !== undefined) {
            return literalWildcards ? literally(m[2]) : m[2];
        }
        failed = true;
        return "";
    });
    return failed ? undefined : out;
}

/** Evaluates one condition (operator, key, values) against the request context. */
export function conditionHolds(c: ParsedCondition, context: Map<string, string[]>): boolean {
    const base = c.base;
    if (base === undefined) {
        return false; // unknown operator: AWS rejects the document; never let it grant anything
    }
    if (c.variables && (c.base === "Null" || context.has(c.keyLower))) {
        // A missing condition key is judged by the missing-key rule below before any variable is
        // resolved (so StringNotEquals with a missing key stays true), as @cloud-copilot/iam-simulate does.
        const values: string[] = [];
        const pattern = base.endsWith("Like") || base.startsWith("Arn");
        for (const v of c.values) {
            const s = substituteVariables(v, context, pattern);
            if (s === undefined) {
                return false; // the statement cannot apply
            }
            values.push(s);
        }
        return conditionHolds({ ...c, values, variables: false }, context);
    }
    const requestValues = context.get(c.keyLower);
    if (base === "Null") {
        // "true": the key must be absent; "false": present. Several values OR.
        const absent = requestValues === undefined;
        return c.values.some((v) => (v.toLowerCase() === "true") === absent);
    }
    if (requestValues === undefined) {
        if (c.set === "ForAllValues") {
            return true;
        }
        if (c.set === "ForAnyValue") {
            return false;
        }
        if (c.ifExists) {
            return true;
        }
        return c.negated;
    }
    const matchesAny = (rv: string): boolean => c.values.some((pv) => positiveMatch(base, pv, rv));
    if (c.set === "ForAllValues") {
        return c.negated ? requestValues.every((rv) => !matchesAny(rv)) : requestValues.every(matchesAny);
    }
    if (c.set === "ForAnyValue") {
        return c.negated ? requestValues.some((rv) => !matchesAny(rv)) : requestValues.some(matchesAny);
    }
    // Single-valued: positive OR over values; negated is NOR.
    const any = requestValues.some(matchesAny);
    return c.negated ? !any : any;
}
