/**
 * The service binding: which statements let the EMR Serverless service principal use the key, for which actions,
 * and whether each grant binds aws:SourceArn, the source account and kms:EncryptionContext:applicationId to one
 * value each (no allowed request lacks the key or carries another value).
 *
 * Exactly (witness.ts): a statement grants the service an action when some request of the service (with the values
 * it really sends, see serviceRequests.ts) is allowed by it and by the whole document; a binding key is bound when no
 * such request lacks it or carries another value than the one found. A statement the exact search cannot decide
 * grants nothing here and is recorded as undecided (see DocumentIndex.decide), so the document is not accepted.
 */
import { APPLICATION_ID_CONTEXT_KEY, EMR_SERVERLESS_PRINCIPAL, SOURCE_ARN_KEY } from "./constants";
import { DocumentIndex } from "./documentIndex";
import { NormalizedRequest, principalMatches } from "./evaluate";
import { SERVICE_ACTION_NAMES, actionSignature, bindingActions } from "./kmsActions";
import { literal } from "./languages";
import { ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import { namesServiceExactly } from "./principals";
import { SERVICE_PRINCIPAL, anyValueOf, findServiceRequestExactly, serviceDomains } from "./serviceRequests";
import { holdsUnknown } from "./unknowns";
import { KeyDomain, KeyRequirement } from "./witness";

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
    const serviceReq: NormalizedRequest = {
        principal: SERVICE_PRINCIPAL,
        account: undefined,
        action: "kms:GenerateDataKey",
        resource: undefined,
        context: new Map(),
    };
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
): { grants: ServiceGrant[]; baselines: Map<ParsedStatement, NormalizedRequest> } {
    const grants: ServiceGrant[] = [];
    const baselines = new Map<ParsedStatement, NormalizedRequest>();
    for (const st of statements) {
        const exact = exactServiceGrant(index, st, bindingActions(index.policy, st), bindingKeys, serviceKeys);
        if (!exact || exact.actions.length === 0) {
            continue;
        }
        if (exact.base) {
            baselines.set(st, exact.base);
        }
        const actions = exact.actions.filter((a) => SERVICE_ACTION_NAMES.includes(a));
        grants.push({
            where: st.where,
            usesKey: actions.length > 0,
            actions,
            unboundVia: exact.unboundVia,
            arn: exact.verdicts.get(SOURCE_ARN_KEY),
            accountVerdicts: accountKeys.map((k) => exact.verdicts.get(k)).filter((v): v is KeyVerdict => !!v),
            appId: exact.verdicts.get(APPLICATION_ID_CONTEXT_KEY),
            exactName: namesServiceExactly(st),
        });
    }
    return { grants, baselines };
}

/** What the exact search finds about one statement's grant to the service. */
interface ExactGrant {
    /** The actions (of those asked) the statement lets the service use on the key. */
    actions: string[];
    /** A request it allows (the first action's). */
    base?: NormalizedRequest;
    verdicts: Map<string, KeyVerdict>;
    unboundVia?: string;
}

/**
 * The service binding for one statement, exactly (see witness.ts): for each action, whether the service may use it
 * under the statement, and for each binding key whether it is bound to one value (no allowed request lacks it or
 * carries another). Undefined when the exact search cannot decide it (see DocumentIndex.decide).
 */
function exactServiceGrant(
    index: DocumentIndex,
    st: ParsedStatement,
    actions: readonly string[],
    bindingKeys: readonly string[],
    serviceKeys: readonly string[],
): ExactGrant | undefined {
    const ask = (action: string, require?: Map<string, KeyRequirement>): NormalizedRequest | undefined =>
        findServiceRequestExactly(index, st, action, require ?? anyValueOf(serviceKeys));
    const domainOf = serviceDomains(index);
    return index.decide(
        `whether ${EMR_SERVERLESS_PRINCIPAL} may use the key, and for which applications,`,
        st,
        (): ExactGrant => {
            const out: ExactGrant = { actions: [], verdicts: new Map() };
            // Conditions never depend on the action: an action that the same statements cover as an earlier one
            // gets the same answers.
            const answered = new Map<string, boolean>();
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
                out.base ??= base;
                for (const key of bindingKeys) {
                    const lower = key.toLowerCase();
                    if (out.verdicts.get(key)?.bound === false) {
                        continue;
                    }
                    const current = base.context.get(lower);
                    const verdict = bindsItself(st, lower, current, domainOf(lower))
                        ? { key, bound: true, value: (current as string[])[0] }
                        : exactBinding(key, current, (r) => ask(action, new Map([[lower, r]])));
                    out.verdicts.set(key, verdict);
                    if (!verdict.bound) {
                        out.unboundVia ??= action;
                    }
                }
            }
            return out;
        },
        undefined,
    );
}

/**
 * Whether `st`'s own conditions bind the key `lower` to the one value `current` holds, so that no request it allows
 * (whatever the rest of the document says) lacks the key or carries another value: a StringEquals, or a StringLike
 * without wildcards, on the key, neither negated nor IfExists nor over sets, whose every value is that literal
 * value, for a key the service sends as one value. The exact search would find no such request either (it is
 * exact); this reads the answer off the statement instead of searching for it. False when it cannot tell.
 */
export function bindsItself(
    st: ParsedStatement,
    lower: string,
    current: string[] | undefined,
    domain: KeyDomain,
): boolean {
    if (current?.length !== 1 || domain.kind !== "free" || domain.multi) {
        return false;
    }
    const value = current[0];
    if (!PLAIN_VALUE.test(value) || holdsUnknown(value)) {
        return false;
    }
    return st.conditions.some(
        (c) =>
            c.keyLower === lower &&
            (c.base === "StringEquals" || c.base === "StringLike") &&
            !c.negated &&
            !c.ifExists &&
            c.set === undefined &&
            !c.variables &&
            c.values.length > 0 &&
            c.values.every((v) => v === value),
    );
}

/** A value that reads the same under StringEquals and StringLike: no wildcard, policy variable or marker. */
const PLAIN_VALUE = /^[^*?$\uE000-\uF8FF]+$/u;

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
