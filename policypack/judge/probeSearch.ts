/**
 * The bounded search for an allowed request, used where the exact search (witness.ts) does not model a document:
 * it tries candidate values of each condition key (the document's own, instantiated and perturbed) and puts each
 * request to the IAM evaluator over the whole document, Deny statements included.
 */
import { conditionHolds, substituteVariables } from "./conditions";
import { NormalizedRequest, accountOf, evaluateNormalized, statementApplies } from "./evaluate";
import { DocumentIndex, MAX_CANDIDATES } from "./documentIndex";
import { ParsedStatement } from "./parsedPolicy";
import { Context, Value, instantiate, ownDefault } from "./probeValues";

/** At most this many requests are tried to get around the Denies in the way of one allowed request. */
const MAX_SEARCH_EVALUATIONS = 400;

/** How the search treats each condition key. */
export interface SearchSpec {
    principal: { type: "AWS" | "Service"; id: string };
    action: string;
    /** The key's ARN (the request's resource), undefined when unknown. */
    resource: string | undefined;
    /** The key's id when its ARN is unknown. */
    resourceId?: string;
    /**
     * Maps a candidate value of a searched key to the value a real request would carry (see
     * serviceValue in serviceRequests.ts), or undefined when no real request carries it; identity when absent.
     */
    normalize?: (lower: string, value: string) => string | undefined;
    /** Keys whose value is fixed (undefined = absent). */
    fixed: Map<string, Value>;
    /** Ordered candidate values for a searchable key (undefined = absent). */
    candidates: (lower: string) => Value[];
    /** Extra keys to put in the request besides the document's own. */
    extraKeys: readonly string[];
}

/** A value as a context list: undefined when absent (or an empty list). */
export function toList(v: Value): string[] | undefined {
    if (v === undefined) {
        return undefined;
    }
    return Array.isArray(v) ? (v.length > 0 ? v : undefined) : [v];
}

/** A copy of the context with `key` set to `v` (removed when `v` is absent). */
export function withKey(ctx: Context, key: string, v: Value): Context {
    const next = new Map(ctx);
    const list = toList(v);
    if (list) {
        next.set(key, list);
    } else {
        next.delete(key);
    }
    return next;
}

/** The request of the spec's principal, action and resource with this context. */
export function makeRequest(
    spec: { principal: SearchSpec["principal"]; action: string; resource?: string; resourceId?: string },
    context: Context,
): NormalizedRequest {
    return {
        principal: spec.principal,
        account: spec.principal.type === "AWS" ? accountOf(spec.principal.id) : undefined,
        action: spec.action,
        resource: spec.resource,
        resourceId: spec.resource === undefined ? spec.resourceId : undefined,
        context,
    };
}

/**
 * Whether the statement's conditions on one key hold for one value of it, given the fixed context.
 * A condition whose policy variables refer to other (searched) keys is left to the final check.
 */
function keySatisfies(st: ParsedStatement, lower: string, v: Value, fixedCtx: Context): boolean {
    if (!st.conditions.some((c) => c.keyLower === lower)) {
        return true;
    }
    const list = toList(v);
    const ctx: Context = new Map(fixedCtx);
    if (list) {
        ctx.set(lower, list);
    } else {
        ctx.delete(lower);
    }
    for (const c of st.conditions) {
        if (c.keyLower !== lower) {
            continue;
        }
        if (c.variables && c.values.some((x) => substituteVariables(x, ctx) === undefined)) {
            continue;
        }
        if (!conditionHolds(c, ctx)) {
            return false;
        }
    }
    return true;
}

/**
 * Finds a request that `st` allows and the whole document allows (no Deny applies), or undefined.
 * Condition keys are independent within one statement, so each key's value is chosen among the
 * values that satisfy the statement's conditions on that key; Denies are then avoided by a bounded
 * hill-climb that changes one key at a time.
 */
export function findAllowedRequest(index: DocumentIndex, st: ParsedStatement, spec: SearchSpec): Context | undefined {
    const policy = index.policy;
    const fixedCtx: Context = new Map();
    for (const [key, v] of spec.fixed) {
        const list = toList(v);
        if (list) {
            fixedCtx.set(key, list);
        }
    }
    const isFixed = (key: string): boolean => spec.fixed.has(key) || key.startsWith("aws:principaltag/");
    const statementKeys = new Set(st.conditions.map((c) => c.keyLower));
    const extra = new Set(spec.extraKeys.map((k) => k.toLowerCase()));
    // The fixed context first (it may also hold keys, e.g. aws:ResourceAccount, that only policy
    // variables mention); then each key the statement constrains, from the values that satisfy it;
    // then the extra (binding) keys at a realistic value. Other keys start absent.
    const ctx: Context = new Map(fixedCtx);
    const choices = new Map<string, Value[]>();
    const choicesFor = (key: string): Value[] => {
        let options = choices.get(key);
        if (!options) {
            options = spec.candidates(key).filter((v) => keySatisfies(st, key, v, fixedCtx));
            choices.set(key, options);
        }
        return options;
    };
    for (const key of statementKeys) {
        if (isFixed(key)) {
            if (!keySatisfies(st, key, spec.fixed.get(key), fixedCtx)) {
                return undefined;
            }
            continue;
        }
        const options = choicesFor(key);
        if (options.length === 0) {
            return undefined;
        }
        const list = toList(options[0]);
        if (list) {
            ctx.set(key, list);
        }
    }
    for (const key of extra) {
        if (!statementKeys.has(key) && !isFixed(key)) {
            const list = toList(choicesFor(key)[0]);
            if (list) {
                ctx.set(key, list);
            }
        }
    }
    let current = ctx;
    let req = makeRequest(spec, current);
    if (!index.spend(st.conditions.length + 1) || !statementApplies(st, req)) {
        return undefined;
    }
    if (!index.spend(policy.statements.length)) {
        return undefined;
    }
    if (evaluateNormalized(policy, req) === "Allow") {
        return current;
    }
    // Denies stand in the way: change one key at a time, among the keys of the Denies that apply,
    // keeping any change that makes fewer Denies apply (bounded).
    const denies = policy.statements.filter((d) => d.effect === "Deny");
    const applying = (r: NormalizedRequest): ParsedStatement[] => denies.filter((d) => statementApplies(d, r));
    let blocking = applying(req);
    let evaluations = 0;
    for (let round = 0; round < 4 && blocking.length > 0; round++) {
        const keys = new Set<string>();
        for (const d of blocking) {
            for (const c of d.conditions) {
                if (!isFixed(c.keyLower)) {
                    keys.add(c.keyLower);
                }
            }
        }
        let improvement: { ctx: Context; blocking: ParsedStatement[] } | undefined;
        for (const key of keys) {
            // The key absent first (a Deny that lists many values must not push it out of reach).
            const options = choicesFor(key);
            const tries = options.includes(undefined)
                ? [undefined, ...options.filter((v) => v !== undefined).slice(0, 16)]
                : options.slice(0, 16);
            for (const v of tries) {
                if (++evaluations > MAX_SEARCH_EVALUATIONS || !index.spend(denies.length + 1)) {
                    return undefined;
                }
                const next = withKey(current, key, v);
                req = makeRequest(spec, next);
                const now = applying(req);
                if (now.length === 0) {
                    return index.spend(policy.statements.length) && evaluateNormalized(policy, req) === "Allow"
                        ? next
                        : undefined;
                }
                if (now.length < (improvement?.blocking.length ?? blocking.length)) {
                    improvement = { ctx: next, blocking: now };
                }
            }
        }
        if (!improvement) {
            break;
        }
        current = improvement.ctx;
        blocking = improvement.blocking;
    }
    return undefined;
}

/** Whether `st` applies to the request and the whole document allows it (false when the work budget runs out). */
export function allowedBy(index: DocumentIndex, st: ParsedStatement, req: NormalizedRequest): boolean {
    if (!index.spend(st.conditions.length + 1) || !statementApplies(st, req)) {
        return false;
    }
    return index.spend(index.policy.statements.length) && evaluateNormalized(index.policy, req) === "Allow";
}

/** Candidate values when looking for ANY allowed request: statement literals first, then the rest. */
export function ownCandidates(index: DocumentIndex, st: ParsedStatement, lower: string): Value[] {
    const out: Value[] = [];
    const seen = new Set<string>();
    const add = (v: string): void => {
        if (!seen.has(v) && out.length < MAX_CANDIDATES) {
            seen.add(v);
            out.push(v);
        }
    };
    for (const c of st.conditions) {
        if (c.keyLower === lower && !c.negated && c.base !== "Null") {
            for (const raw of c.values) {
                const v = c.variables ? (substituteVariables(raw, index.known) ?? raw) : raw;
                add(instantiate(v, "x", "x"));
            }
        }
    }
    for (const v of index.values.get(lower) ?? []) {
        add(instantiate(v, "x", "x"));
    }
    add(ownDefault(lower, index.owner));
    index.variants(lower).forEach(add);
    out.push(undefined);
    return out;
}
