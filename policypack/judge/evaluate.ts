/**
 * Evaluate one request against a parsed key policy with IAM semantics (a single resource policy,
 * no identity policies, SCPs or boundaries). References, AWS IAM User Guide:
 * - "Policy evaluation logic": an explicit Deny wins over any Allow; without an Allow the request is
 *   implicitly denied.
 * - "IAM JSON policy elements: Action / NotAction": action names are case-insensitive and take `*`
 *   and `?` wildcards.
 * - "IAM JSON policy elements: Principal": `"*"` and `{"AWS": "*"}` mean everyone; an account id or
 *   `arn:aws:iam::<account>:root` means the account (any principal of it, as far as this judge is
 *   concerned; in KMS the account must then also grant through IAM policies).
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
 */
import { ConditionOperator, ParsedCondition, ParsedPolicy, ParsedPrincipal, ParsedStatement } from "./parse";

/** A request to evaluate. */
export interface RequestContext {
    principal: { type: "AWS" | "Service"; id: string };
    action: string;
    /**
     * The key ARN: Resource and NotResource are matched against it as IAM does (case-sensitive, `*` and
     * `?` wildcards; in a key policy `"*"` is this key). Undefined means "this key, ARN unknown": an Allow
     * whose Resource is not `"*"` is taken to cover it, a Deny only when its Resource is `"*"` (see
     * resourceMatches).
     */
    resource?: string;
    /**
     * With `resource` undefined: the key's id, when known (a KeyPolicy whose keyId is a bare id). A key's ARN ends
     * in `key/<id>`, so a pattern that cannot end so applies to nothing, and `arn:*:kms:*:*:key/<id>` always does.
     */
    resourceId?: string;
    /** Condition keys (any case) to values; undefined means absent. */
    context: Record<string, string | string[] | undefined>;
}

/** The outcome of {@link evaluateRequest}. */
export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

/** A request with its context normalized (lower-case keys, lists, absent keys removed). */
export interface NormalizedRequest {
    principal: { type: "AWS" | "Service"; id: string };
    /** The account of an AWS principal, when it can be read from the id. */
    account?: string;
    action: string;
    resource?: string;
    resourceId?: string;
    context: Map<string, string[]>;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A `*` and a `?` that stand for themselves in a pattern: what the policy variables `${*}` and `${?}` become in a
 * value compared as a pattern (IAM User Guide, "Special characters"). Private-use characters, beyond those KMS
 * accepts in a policy, so no document can hold them.
 */
export const LITERAL_STAR = "\uE000";
export const LITERAL_QUESTION = "\uE001";

/** The character a pattern character must equal in the value (a literal `*` or `?` for their markers). */
function literal(c: string): string {
    return c === LITERAL_STAR ? "*" : c === LITERAL_QUESTION ? "?" : c;
}

/** Whether two characters are equal ignoring case (ASCII fast path, simple Unicode case mapping otherwise). */
function equalIgnoringCase(a: string, b: string): boolean {
    if (a === b) {
        return true;
    }
    const x = a.charCodeAt(0);
    const y = b.charCodeAt(0);
    if (x < 0x80 && y < 0x80) {
        const lx = x | 0x20;
        return lx === (y | 0x20) && lx >= 0x61 && lx <= 0x7a;
    }
    return a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

/**
 * Wildcard match over two sequences of characters (`*` any run, `?` one character): the greedy
 * two-pointer algorithm that backtracks only to the most recent `*`. Worst case
 * O(|pattern| x |value|), never exponential (a regular expression built from the glob backtracks
 * exponentially on `*a*a*...*a*b` against a run of `a`s).
 */
function wildcardMatch(p: ArrayLike<string>, v: ArrayLike<string>, ignoreCase: boolean): boolean {
    const pLen = p.length;
    const vLen = v.length;
    let pi = 0;
    let vi = 0;
    let star = -1;
    let mark = 0;
    while (vi < vLen) {
        if (pi < pLen) {
            const c = p[pi];
            if (c === "*") {
                star = pi++;
                mark = vi;
                continue;
            }
            const l = literal(c);
            if (c === "?" || l === v[vi] || (ignoreCase && equalIgnoringCase(l, v[vi]))) {
                pi++;
                vi++;
                continue;
            }
        }
        if (star < 0) {
            return false;
        }
        pi = star + 1;
        vi = ++mark;
    }
    while (pi < pLen && p[pi] === "*") {
        pi++;
    }
    return pi === pLen;
}

/**
 * Glob match (`*` any run, `?` one character; case-sensitive unless `ignoreCase`), characters being
 * Unicode code points. Time O(|pattern| x |value|) at worst; a pattern without wildcards is a plain
 * comparison.
 */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
    if (!pattern.includes("*") && !pattern.includes("?")) {
        const plain = pattern.includes(LITERAL_STAR) || pattern.includes(LITERAL_QUESTION) ? unmark(pattern) : pattern;
        return ignoreCase ? plain.toLowerCase() === value.toLowerCase() : plain === value;
    }
    if (SURROGATE.test(pattern) || SURROGATE.test(value)) {
        return wildcardMatch(Array.from(pattern), Array.from(value), ignoreCase);
    }
    return wildcardMatch(pattern, value, ignoreCase);
}

/** A pattern with its literal-character markers turned back into `*` and `?`. */
function unmark(pattern: string): string {
    return pattern.replaceAll(LITERAL_STAR, "*").replaceAll(LITERAL_QUESTION, "?");
}

/**
 * Whether two glob patterns (`*`, `?`, case-sensitive) match some string in common, where a `*` of `b` matches no
 * character of `stops` (a `*` standing for one field of an ARN, which holds no ":"). Dynamic programming over the
 * two positions, O(|a| x |b|).
 */
export function globsIntersect(a: string, b: string, stops = ""): boolean {
    const n = a.length;
    const m = b.length;
    // next[j] / row[j]: the suffixes a[i+1:] / a[i:] and b[j:] match a common string. Filled from the ends.
    let next = new Array<boolean>(m + 1).fill(false);
    for (let i = n; i >= 0; i--) {
        const row = new Array<boolean>(m + 1).fill(false);
        for (let j = m; j >= 0; j--) {
            const x = i < n ? a[i] : undefined;
            const y = j < m ? b[j] : undefined;
            let v: boolean;
            if (x === undefined && y === undefined) {
                v = true;
            } else if (x === "*") {
                // a's star matches nothing more, or also what b has here (a character, or what b's star matches).
                v = next[j] || (y !== undefined && row[j + 1]);
            } else if (y === "*") {
                // b's star matches nothing more, or also a's character when it may be one b's star matches.
                v = row[j + 1] || (x !== undefined && (x === "?" || !stops.includes(literal(x))) && next[j]);
            } else if (x === undefined || y === undefined) {
                v = false;
            } else {
                v = (x === "?" || y === "?" || literal(x) === literal(y)) && next[j + 1];
            }
            row[j] = v;
        }
        next = row;
    }
    return next[0];
}

/** The account of an AWS principal id: a bare 12-digit id or the 5th field of an ARN. */
export function accountOf(id: string): string | undefined {
    if (/^\d{12}$/.test(id)) {
        return id;
    }
    if (id.startsWith("arn:")) {
        const parts = id.split(":");
        if (parts.length >= 6 && /^\d{12}$/.test(parts[4])) {
            return parts[4];
        }
    }
    return undefined;
}

/** Normalizes a request once so that many statements can be checked cheaply. */
export function normalizeRequest(request: RequestContext): NormalizedRequest {
    const context = new Map<string, string[]>();
    const raw = request.context ?? {};
    for (const key of Object.keys(raw)) {
        const v = raw[key];
        if (v === undefined) {
            continue;
        }
        const list = Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [String(v)];
        if (list.length > 0) {
            context.set(key.toLowerCase(), list);
        }
    }
    return {
        principal: request.principal,
        account: request.principal.type === "AWS" ? accountOf(request.principal.id) : undefined,
        action: request.action,
        resource: request.resource,
        resourceId: request.resourceId,
        context,
    };
}

/** Whether the statement's Action/NotAction covers the action (case-insensitive, `*` and `?` wildcards). */
export function actionMatches(st: ParsedStatement, action: string): boolean {
    if (st.actions) {
        return st.actions.some((p) => globMatch(p, action, true));
    }
    if (st.notActions) {
        return !st.notActions.some((p) => globMatch(p, action, true));
    }
    return false;
}

/** Whether a Resource pattern certainly covers any key ARN: `"*"` (in a key policy, "this key") or only stars. */
function coversAnyKey(pattern: string): boolean {
    return pattern.length > 0 && /^\*+$/.test(pattern);
}

/** How a Resource pattern relates to the key: it covers it whatever its ARN, may cover it, or cannot. */
type Coverage = "all" | "some" | "none";

/**
 * How `pattern` relates to a key whose ARN is unknown and whose id is `id` (or unknown too): every key ARN ends in
 * `key/<id>`, so a pattern that cannot end so (another key's id, an alias) covers none, and one that fixes nothing
 * but the id (`arn:*:kms:*:*:key/<id>`, `arn:aws*:kms:*:*:key/*`... with every other field a star) covers it.
 */
function coverage(pattern: string, id: string | undefined): Coverage {
    if (coversAnyKey(pattern)) {
        return "all";
    }
    if (id === undefined) {
        return "some";
    }
    if (!globsIntersect(pattern, `arn:*:kms:*:*:key/${id}`, ":/")) {
        return "none";
    }
    const f = pattern.split(":");
    const star = (x: string): boolean => /^\*+$/.test(x);
    return f.length === 6 &&
        globMatch(f[0], "arn", false) &&
        star(f[1]) &&
        globMatch(f[2], "kms", false) &&
        star(f[3]) &&
        star(f[4]) &&
        globMatch(f[5], `key/${id}`, false)
        ? "all"
        : "some";
}

/** The statement's Resource or NotResource patterns with policy variables resolved (unresolvable ones dropped). */
function resourcePatterns(st: ParsedStatement, context: Map<string, string[]> | undefined): string[] {
    const list = st.resources ?? st.notResources ?? [];
    if (!st.resourceVariables) {
        return list;
    }
    const out: string[] = [];
    for (const p of list) {
        const v = context ? substituteVariables(p, context, true) : undefined;
        if (v !== undefined) {
            out.push(v);
        }
    }
    return out;
}

/** The widest coverage of the statement's patterns for a key known by `id` at most. */
function statementCoverage(patterns: readonly string[], id: string | undefined): Coverage {
    let best: Coverage = "none";
    for (const p of patterns) {
        const c = coverage(p, id);
        if (c === "all") {
            return "all";
        }
        if (c === "some") {
            best = "some";
        }
    }
    return best;
}

/**
 * Whether the statement's Resource/NotResource decides differently for different keys (of id `keyId` when
 * given), so that without the key's ARN the judge must assume (see resourceMatches). A Resource holding policy
 * variables always depends on the request.
 */
export function resourceDependsOnKey(st: ParsedStatement, keyId?: string): boolean {
    if (!st.resources && !st.notResources) {
        return false;
    }
    return st.resourceVariables === true || statementCoverage(st.resources ?? st.notResources ?? [], keyId) === "some";
}

/**
 * Whether the statement applies to the request's resource. A statement without Resource and NotResource has no
 * effect (PutKeyPolicy reference). With the key's ARN, patterns are matched as IAM matches them (case-sensitive,
 * wildcards, policy variables of Version 2012-10-17 resolved from the request). Without it, what the key's id (if
 * known) decides is decided; the rest is resolved against the caller of the question: an Allow counts as POSSIBLY
 * covering the key, a Deny only when it CERTAINLY does. Both choices can only make the analysis report more,
 * never hide a grant behind a Deny that may not apply.
 */
function resourceMatches(st: ParsedStatement, req: NormalizedRequest): boolean {
    if (!st.resources && !st.notResources) {
        return false;
    }
    const positive = st.resources !== undefined;
    const patterns = resourcePatterns(st, req.context);
    const resource = req.resource;
    if (resource !== undefined) {
        const any = patterns.some((p) => globMatch(p, resource, false));
        return positive ? any : !any;
    }
    const c = statementCoverage(patterns, req.resourceId);
    if (c === "some") {
        return st.effect !== "Deny"; // an Allow may apply; a Deny may not (and a NotResource may exclude it)
    }
    return positive ? c === "all" : c === "none";
}

/** Matches `arn:<partition>:iam::<account>:role/<path/>name` against an STS assumed-role session. */
function assumedRoleMatches(roleArn: string, sessionArn: string): boolean {
    const s = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(sessionArn);
    const r = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    return !!s && !!r && s[1] === r[1] && s[2] === r[2] && s[3] === r[3];
}

/** Whether `principal` names the requester. */
export function principalMatches(principal: ParsedPrincipal, req: NormalizedRequest): boolean {
    if (principal.wildcard) {
        return true;
    }
    const aws = principal.values.AWS;
    if (aws) {
        for (const v of aws) {
            if (v === "*") {
                // {"AWS": "*"} is the same as "*": everyone, services included.
                return true;
            }
            if (req.principal.type !== "AWS") {
                continue;
            }
            const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(v);
            const account = /^\d{12}$/.test(v) ? v : root ? root[1] : undefined;
            if (account !== undefined) {
                if (req.account === account) {
                    return true;
                }
            } else if (v === req.principal.id || assumedRoleMatches(v, req.principal.id)) {
                return true;
            }
        }
    }
    const services = principal.values.Service;
    if (services && req.principal.type === "Service") {
        const id = req.principal.id.toLowerCase();
        if (services.some((s) => s.toLowerCase() === id)) {
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Conditions

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

function compare(op: string, a: number, b: number): boolean {
    switch (op) {
        case "Equals":
        case "NotEquals":
            return a === b;
        case "LessThan":
            return a < b;
        case "LessThanEquals":
            return a <= b;
        case "GreaterThan":
            return a > b;
        case "GreaterThanEquals":
            return a >= b;
        default:
            return false;
    }
}

/** Split an ARN into its six colon-separated fields (the resource keeps its own colons). */
function arnFields(arn: string): string[] | undefined {
    const parts = arn.split(":");
    if (parts.length < 6) {
        return undefined;
    }
    return [...parts.slice(0, 5), parts.slice(5).join(":")];
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

/**
 * Substitutes policy variables in one condition value: `${key}` takes the request's single value of
 * `key`, `${key, 'default'}` falls back to the default, `${*}`, `${?}` and `${$}` stand for those
 * characters. Undefined when a variable cannot be resolved (missing or multi-valued key): "If AWS
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
            return found[0];
        }
        if (m && m[2] !== undefined) {
            return m[2];
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

/** Whether the statement applies to the request (action, resource, principal and every condition). */
export function statementApplies(st: ParsedStatement, req: NormalizedRequest): boolean {
    if (!actionMatches(st, req.action) || !resourceMatches(st, req)) {
        return false;
    }
    if (st.principal) {
        if (!principalMatches(st.principal, req)) {
            return false;
        }
    } else if (st.notPrincipal) {
        if (principalMatches(st.notPrincipal, req)) {
            return false;
        }
    } else {
        return false;
    }
    for (const c of st.conditions) {
        if (!conditionHolds(c, req.context)) {
            return false;
        }
    }
    return true;
}

/** Evaluates a normalized request (see {@link evaluateRequest}). */
export function evaluateNormalized(policy: ParsedPolicy, req: NormalizedRequest): Decision {
    let allowed = false;
    for (const st of policy.statements) {
        if (st.effect === "Deny") {
            if (statementApplies(st, req)) {
                return "ExplicitDeny";
            }
        } else if (!allowed && statementApplies(st, req)) {
            allowed = true;
        }
    }
    return allowed ? "Allow" : "ImplicitDeny";
}

/**
 * Evaluates a request against a key policy: "ExplicitDeny" when a Deny statement applies, else
 * "Allow" when an Allow statement applies, else "ImplicitDeny". Never throws.
 */
export function evaluateRequest(policy: ParsedPolicy, request: RequestContext): Decision {
    try {
        return evaluateNormalized(policy, normalizeRequest(request));
    } catch {
        return "ImplicitDeny";
    }
}
