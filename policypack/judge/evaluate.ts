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
 * Conditions are evaluated by conditions.ts, wildcard patterns matched by wildcards.ts.
 */
import { ACCOUNT_ID_PATTERN, arnAccount } from "./arn";
import { conditionHolds, substituteVariables } from "./conditions";
import type { ParsedPolicy, ParsedPrincipal, ParsedStatement } from "./parsedPolicy";
import { LITERAL_QUESTION, LITERAL_STAR, globMatch, globsIntersect } from "./wildcards";

// For the exact search and the pattern languages, which read these with the evaluator.

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

/** The account of an AWS principal id: a bare 12-digit id or the 5th field of an ARN. */
export function accountOf(id: string): string | undefined {
    return ACCOUNT_ID_PATTERN.test(id) ? id : arnAccount(id);
}

/**
 * The account an account principal names: a bare account id, or the account root's ARN
 * (`arn:<partition>:iam::<account>:root`, in any partition, as IAM compares the text); undefined for any other
 * principal.
 */
export function accountPrincipalAccount(value: string): string | undefined {
    if (ACCOUNT_ID_PATTERN.test(value)) {
        return value;
    }
    return /^arn:[^:]+:iam::(\d{12}):root$/.exec(value)?.[1];
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

/** Whether some values of its policy variables make `pattern` cover a key known by `id` at most. */
function mayCover(pattern: string, id: string | undefined): boolean {
    const widest = pattern.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
        const body = inner.trim();
        return body === "*" ? LITERAL_STAR : body === "?" ? LITERAL_QUESTION : body === "$" ? "$" : "*";
    });
    return coverage(widest, id) !== "none";
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
    const resource = req.resource;
    if (resource !== undefined) {
        const any = resourcePatterns(st, req.context).some((p) => globMatch(p, resource, false));
        return positive ? any : !any;
    }
    if (st.resourceVariables) {
        // Which keys the variables' values pick out depends on the ARN: an Allow may apply (unless no value could
        // make a pattern cover a key of this id), a Deny may not.
        return st.effect !== "Deny" && (!positive || (st.resources ?? []).some((p) => mayCover(p, req.resourceId)));
    }
    const patterns = resourcePatterns(st, req.context);
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
            const account = accountPrincipalAccount(v);
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
