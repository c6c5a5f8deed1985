/**
 * The service binding: which statements let the EMR Serverless service principal use the key, for which actions,
 * and whether each grant binds aws:SourceArn, the source account and kms:EncryptionContext:applicationId to one
 * value each (no allowed request lacks the key or carries another value).
 *
 * Exactly where the document is inside the exact search's model (witness.ts); otherwise by the bounded search:
 * build a request the statement allows (values taken from the document's own conditions), then change one
 * binding key at a time to adversarial values generated from the document (every literal and pattern for that
 * key, wildcards instantiated several ways, one character appended or changed, case flipped, a foreign value,
 * the key absent). If any changed request is still allowed, the key is not bound to one value. The service's
 * requests carry only values it really sends (serviceValue in serviceRequests.ts: application ARNs and ids are lower-case), so
 * a case variant of the bound application is that application, not another one.
 */
import { APPLICATION_ID_CONTEXT_KEY, SOURCE_ARN_KEY } from "./constants";
import { DocumentIndex, MAX_DOC_VALUES, UNSUPPORTED } from "./documentIndex";
import { substituteVariables } from "./conditions";
import { NormalizedRequest, principalMatches } from "./evaluate";
import { SERVICE_ACTION_NAMES, actionSignature, bindingProbeActions } from "./kmsActions";
import { literal } from "./languages";
import { ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import { namesServiceExactly } from "./principals";
import { SearchSpec, allowedBy, findAllowedRequest, makeRequest, withKey } from "./probeSearch";
import { Context } from "./probeValues";
import {
    SERVICE_PRINCIPAL,
    anyValueOf,
    findServiceRequestExactly,
    hasUnknownConditionValues,
    sentInstances,
    serviceSearchSpec,
} from "./serviceRequests";
import { KeyRequirement } from "./witness";

/** Whether one binding key is bound to one value in a statement's grant to the service, and if not, why not. */
export interface KeyVerdict {
    key: string;
    bound: boolean;
    value?: string;
    /** Why it is not bound: an allowed other value, or undefined for "absent allowed". */
    also?: string;
    absentAllowed?: boolean;
}

/** One statement's grant to the service: the actions it allows and the binding verdicts of its keys. */
export interface ServiceGrant {
    where: string;
    /** Whether the statement lets the service use kms:GenerateDataKey or kms:Decrypt (else only other key-material actions). */
    usesKey: boolean;
    /** Which of kms:GenerateDataKey and kms:Decrypt the statement lets the service use (with the whole document). */
    actions: string[];
    /** The first action for which a binding key was found unbound. */
    unboundVia?: string;
    arn?: KeyVerdict;
    accountVerdicts: KeyVerdict[];
    appId?: KeyVerdict;
    /** Whether the statement names the service exactly (or everyone), not only by a look-alike spelling. */
    exactName: boolean;
}

/** The Allow statements whose Principal (or NotPrincipal) lets the service principal in, in document order. */
export function serviceStatements(policy: ParsedPolicy): ParsedStatement[] {
    const serviceReq = makeRequest({ principal: SERVICE_PRINCIPAL, action: "kms:GenerateDataKey" }, new Map());
    return policy.statements.filter(
        (st) =>
            st.effect === "Allow" &&
            (st.principal
                ? principalMatches(st.principal, serviceReq)
                : st.notPrincipal
                  ? !principalMatches(st.notPrincipal, serviceReq)
                  : false),
    );
}

/**
 * The grants of `statements` to the service: for each statement that lets it use kms:GenerateDataKey, kms:Decrypt
 * or another key-material action, whether each of `bindingKeys` is bound; and for each statement a request it
 * allows (its baseline, reused by the over-grant question).
 */
export function serviceGrants(
    index: DocumentIndex,
    statements: readonly ParsedStatement[],
    accountKeys: readonly string[],
    bindingKeys: readonly string[],
    serviceKeys: readonly string[],
): { grants: ServiceGrant[]; baselines: Map<ParsedStatement, Context> } {
    const policy = index.policy;
    const grants: ServiceGrant[] = [];
    const baselines = new Map<ParsedStatement, Context>();
    for (const st of statements) {
        const verdicts = new Map<string, KeyVerdict>();
        let allowsService = false;
        const actions: string[] = [];
        let unboundVia: string | undefined;
        const exact = exactServiceGrant(index, st, bindingProbeActions(policy, st), bindingKeys, serviceKeys);
        if (exact) {
            allowsService = exact.actions.length > 0;
            for (const action of exact.actions) {
                if (SERVICE_ACTION_NAMES.includes(action)) {
                    actions.push(action);
                }
            }
            if (exact.base) {
                baselines.set(st, exact.base);
            }
            exact.verdicts.forEach((v, k) => verdicts.set(k, v));
            unboundVia = exact.unboundVia;
        }
        for (const action of exact ? [] : bindingProbeActions(policy, st)) {
            const spec = serviceSearchSpec(index, st, action, serviceKeys);
            const base = findAllowedRequest(index, st, spec);
            if (!base) {
                continue;
            }
            allowsService = true;
            if (SERVICE_ACTION_NAMES.includes(action)) {
                actions.push(action);
            }
            if (!baselines.has(st)) {
                baselines.set(st, base);
            }
            for (const key of bindingKeys) {
                const prior = verdicts.get(key);
                if (prior && !prior.bound) {
                    continue;
                }
                const verdict = checkBinding(index, st, spec, base, key);
                verdicts.set(key, verdict);
                if (!verdict.bound) {
                    unboundVia ??= action;
                }
            }
        }
        if (!allowsService) {
            continue;
        }
        grants.push({
            where: st.where,
            usesKey: actions.length > 0,
            actions,
            unboundVia,
            arn: verdicts.get(SOURCE_ARN_KEY),
            accountVerdicts: accountKeys.map((k) => verdicts.get(k)).filter((v): v is KeyVerdict => !!v),
            appId: verdicts.get(APPLICATION_ID_CONTEXT_KEY),
            exactName: namesServiceExactly(st),
        });
    }
    return { grants, baselines };
}

/** Whether `key` is bound to one value for the statement, starting from an allowed request. */
function checkBinding(
    index: DocumentIndex,
    st: ParsedStatement,
    spec: SearchSpec,
    base: Context,
    key: string,
): KeyVerdict {
    const lower = key.toLowerCase();
    const current = base.get(lower);
    const currentValue = current && current.length === 1 ? current[0] : undefined;
    // Absent.
    if (current !== undefined && allowedBy(index, st, makeRequest(spec, withKey(base, lower, undefined)))) {
        return { key, bound: false, absentAllowed: true };
    }
    if (current === undefined) {
        return { key, bound: false, absentAllowed: true };
    }
    // The statement's own values for the key come first (its patterns instantiated several ways), so
    // that values elsewhere in the document cannot crowd them out of the candidates.
    const own: string[] = [];
    for (const c of st.conditions) {
        if (c.keyLower === lower && c.base !== undefined && c.base !== "Null") {
            for (const raw of c.values) {
                const v = c.variables ? (substituteVariables(raw, index.known) ?? raw) : raw;
                if (!own.includes(v) && own.length < MAX_DOC_VALUES) {
                    own.push(v);
                }
            }
        }
    }
    const instances = spec.normalize ? own.flatMap((v) => sentInstances(index, lower, v)) : [];
    for (const raw of index.variants(lower, [...current, ...own, ...instances])) {
        const v = spec.normalize ? spec.normalize(lower, raw) : raw;
        if (v === undefined || (current.length === 1 && v === currentValue)) {
            continue; // no request of the service carries it, or it is the value itself
        }
        if (allowedBy(index, st, makeRequest(spec, withKey(base, lower, v)))) {
            return { key, bound: false, also: v };
        }
    }
    if (current.length !== 1) {
        return { key, bound: false, also: current.join(", ") };
    }
    return { key, bound: true, value: currentValue };
}

/** What the exact search finds about one statement's grant to the service. */
interface ExactGrant {
    /** The actions (of those asked) the statement lets the service use on the key. */
    actions: string[];
    /** A request it allows (the first action's). */
    base?: Context;
    verdicts: Map<string, KeyVerdict>;
    unboundVia?: string;
}

/**
 * The service binding for one statement, exactly (see witness.ts): for each action, whether the service may use it
 * under the statement, and for each binding key whether it is bound to one value (no allowed request lacks it or
 * carries another). Undefined when the document is outside the exact search's model.
 */
function exactServiceGrant(
    index: DocumentIndex,
    st: ParsedStatement,
    actions: readonly string[],
    bindingKeys: readonly string[],
    serviceKeys: readonly string[],
): ExactGrant | undefined {
    if (hasUnknownConditionValues(index.policy)) {
        return undefined; // a value unknown at preview stands for any value the service may send
    }
    const out: ExactGrant = { actions: [], verdicts: new Map() };
    const ask = (action: string, require?: Map<string, KeyRequirement>): NormalizedRequest | undefined =>
        findServiceRequestExactly(index, st, action, require ?? anyValueOf(serviceKeys));
    // Conditions never depend on the action: an action that the same statements cover as an earlier one gets the
    // same answers.
    const answered = new Map<string, boolean>();
    const answer = index.exactly(() => {
        for (const action of actions) {
            const sig = actionSignature(index.policy, action);
            const known = answered.get(sig);
            if (known !== undefined) {
                if (known) {
                    out.actions.push(action);
                }
                continue;
            }
            const base = ask(action);
            answered.set(sig, base !== undefined);
            if (!base) {
                continue;
            }
            out.actions.push(action);
            out.base ??= base.context;
            for (const key of bindingKeys) {
                const lower = key.toLowerCase();
                if (out.verdicts.get(key)?.bound === false) {
                    continue;
                }
                const verdict = exactBinding(key, base.context.get(lower), (r) => ask(action, new Map([[lower, r]])));
                out.verdicts.set(key, verdict);
                if (!verdict.bound) {
                    out.unboundVia ??= action;
                }
            }
        }
        return out;
    }, out);
    return answer === UNSUPPORTED ? undefined : answer;
}

/** Whether a binding key is bound to the value an allowed request carries: no allowed request lacks it or differs. */
function exactBinding(
    key: string,
    current: string[] | undefined,
    ask: (r: KeyRequirement) => NormalizedRequest | undefined,
): KeyVerdict {
    const lower = key.toLowerCase();
    if (current === undefined) {
        return { key, bound: false, absentAllowed: true };
    }
    if (current.length !== 1) {
        return { key, bound: false, also: current.join(", ") };
    }
    // One question: is a request without the key, or with another value, allowed? (Without it is tried first.)
    const other = ask({ absent: true, present: true, constraints: [{ language: literal(current[0]), want: false }] });
    if (other) {
        const value = other.context.get(lower);
        return value === undefined
            ? { key, bound: false, absentAllowed: true }
            : { key, bound: false, also: value.join(", ") };
    }
    return { key, bound: true, value: current[0] };
}
