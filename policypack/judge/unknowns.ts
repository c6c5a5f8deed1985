/**
 * Values unknown at preview, and the two complete documents the judge puts in place of a document that
 * holds some: what the unknown parts might at most allow, and what the document allows whatever they
 * turn out to be.
 *
 * The engine sends a value it cannot know yet as a sentinel string, one per value type (pulumi/pulumi
 * `sdk/go/common/resource/plugin/rpc.go`; `@pulumi/policy` proxy.js). Inside a policy given as an object
 * (an aws-native `keyPolicy`, a `policy` object) any element can be one: a Sid, an Effect, a principal, an
 * action, a resource, a condition operator, key or value, a whole Condition, a whole statement.
 *
 * How each position is bounded (an Allow "widened" matches as much as the unknown could make it, a Deny
 * "narrowed" as little; and the reverse):
 *
 * | Unknown                          | Upper bound (what it might allow) | Lower bound (what it allows anyway)        |
 * | -------------------------------- | --------------------------------- | ------------------------------------------ |
 * | whole statement                  | Allow everyone everything         | Deny everyone everything                   |
 * | Effect                           | Allow, other unknowns widened     | Deny, other unknowns widened               |
 * | Allow's Principal / AWS value    | `"*"` and some roles²             | the value left out (none left: inert)      |
 * | Allow's Service value            | `emr-serverless.amazonaws.com`    | the value left out                         |
 * | Allow's Action / Resource value  | `"*"` (and some other action)     | the value left out                         |
 * | Allow's NotPrincipal/NotAction/… | the value left out                | inert (it might exclude everything)        |
 * | Allow's condition value          | the condition dropped             | one opaque value that only it names¹       |
 * | Allow's condition operator / key | the condition dropped             | inert                                      |
 * | a Deny's unknown part            | inert (the Deny might not apply)  | widened as an Allow's upper bound          |
 * | Sid, Id                          | left out (no effect on a request) | left out                                   |
 *
 * ¹ For positive operators (String*, Arn*, Numeric*, Date*, Bool, BinaryEquals, IpAddress, not negated,
 * not Null): the unknown is taken as one value that nothing else in the document names (another unknown
 * included), as `app.arn` or `app.id` resolves to. A negated or `Null` condition with an unknown value makes the statement inert.
 * So what holds whatever that one value is (another key left unbound, an open grant elsewhere) is judged,
 * and what depends on it (whether it binds, to which application) is left to the upper bound's note.
 *
 * ² Besides everyone, the IAM principals the questions about named principals (submitters) are asked of:
 * a role in an unnamed account, a role in each account the policy names, the IAM principals it names.
 */
import { EMR_SERVERLESS_PRINCIPAL } from "./constants";
import type { ParsedCondition, ParsedPolicy, ParsedPrincipal, ParsedStatement } from "./parsedPolicy";
export type { UnknownPart } from "./types";

/**
 * The engine's unknown sentinels, one per value type (bool, number, string, array, asset, archive,
 * object). The string one is `UNKNOWN_STRING`.
 */
export const UNKNOWN_SENTINELS: readonly string[] = [
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
];

const SENTINEL_SET: ReadonlySet<string> = new Set(UNKNOWN_SENTINELS);
const SENTINEL_LENGTH = 36;

/** True when `value` is one of the engine's unknown sentinels. */
export function isUnknownSentinel(value: unknown): value is string {
    return typeof value === "string" && value.length === SENTINEL_LENGTH && SENTINEL_SET.has(value);
}

/** True when the string holds an unknown sentinel (a whole value, or text that embeds one). */
export function holdsUnknown(s: string): boolean {
    if (s.length < SENTINEL_LENGTH) {
        return false;
    }
    if (s.length === SENTINEL_LENGTH) {
        return SENTINEL_SET.has(s);
    }
    for (const sentinel of UNKNOWN_SENTINELS) {
        if (s.includes(sentinel)) {
            return true;
        }
    }
    return false;
}

/** Which bound of a partly unknown document to build. */
export type Bound = "upper" | "lower";

/** An opaque request value that only the unknown it stands for matches (an ARN for the Arn* operators). */
/**
 * An opaque request value that only the unknown it stands for matches (an ARN for the Arn* operators), the
 * `n`th of the document: two unknown values are never taken as equal, to each other or to a known value.
 */
function opaque(value: string, base: ParsedCondition["base"], n: number): string {
    const own = `${value}#${n}`;
    return base !== undefined && base.startsWith("Arn") ? `arn:aws:unknown-at-preview:unknown:unknown:${own}` : own;
}

/** Positive operators, whose unknown value can be taken as one opaque value (see the module comment). */
function opaqueAllowed(c: ParsedCondition): boolean {
    return c.base !== undefined && c.base !== "Null" && !c.negated;
}

function conditionHasUnknown(c: ParsedCondition): boolean {
    return holdsUnknown(c.operator) || holdsUnknown(c.key) || c.values.some(holdsUnknown);
}

/** A statement that applies to no request (kept so that its position and syntactic findings stay). */
function inert(st: ParsedStatement): ParsedStatement {
    return { ...st, actions: [], notActions: undefined, conditions: [] };
}

function principalHasUnknown(p: ParsedPrincipal | undefined): boolean {
    if (!p) {
        return false;
    }
    if (p.unknown) {
        return true;
    }
    for (const list of Object.values(p.values)) {
        if (list?.some(holdsUnknown)) {
            return true;
        }
    }
    return false;
}

/**
 * IAM roles standing for an unknown AWS principal next to `"*"`: everyone is matched, and the questions
 * asked of named IAM principals (is a submitter pinned to kms:ViaService?) are asked of a role in an account
 * no statement mentions, of a role in each account some statement names, and of each IAM principal some
 * statement names.
 */
const someRole = (account: string): string => `arn:aws:iam::${account}:role/unknown-at-preview`;

/** Everyone, and the IAM principals an unknown one stands for ({@link namedPrincipals}). */
function anyone(named: readonly string[]): ParsedPrincipal {
    return { wildcard: false, values: { AWS: ["*", ...named] } };
}

/**
 * The IAM principals an unknown one stands for ({@link someRole}): a role in an account no statement
 * mentions, a role in each of up to two accounts the policy names, and up to three IAM principals it names.
 */
function namedPrincipals(policy: ParsedPolicy): string[] {
    const all = [...policy.statements, ...(policy.pending ?? []).flatMap((p) => (p.statement ? [p.statement] : []))];
    const values = all
        .flatMap((st) => [...(st.principal?.values.AWS ?? []), ...(st.notPrincipal?.values.AWS ?? [])])
        .filter((v) => !holdsUnknown(v));
    const accounts: string[] = [];
    for (const v of values) {
        const m = /^(?:arn:[^:]+:(?:iam|sts)::)?(\d{12})(?:[:/]|$)/.exec(v);
        if (m && accounts.length < 2 && !accounts.includes(m[1])) {
            accounts.push(m[1]);
        }
    }
    const principals = [...new Set(values.filter((v) => v.startsWith("arn:") && !v.endsWith(":root")))].slice(0, 3);
    return [someRole("000000000000"), ...accounts.map(someRole), ...principals];
}

/** The principal matching as much as its unknown parts allow. */
function widenPrincipal(p: ParsedPrincipal, named: readonly string[]): ParsedPrincipal {
    if (p.unknown || p.values.AWS?.some(holdsUnknown)) {
        return anyone(named);
    }
    const values: ParsedPrincipal["values"] = {};
    for (const [kind, list] of Object.entries(p.values) as Array<[keyof ParsedPrincipal["values"], string[]]>) {
        const known = list.filter((v) => !holdsUnknown(v));
        if (kind === "Service" && known.length < list.length && !known.includes(EMR_SERVERLESS_PRINCIPAL)) {
            // The only service principal any question asks about.
            known.push(EMR_SERVERLESS_PRINCIPAL);
        }
        if (known.length > 0) {
            values[kind] = known;
        }
    }
    return { wildcard: p.wildcard, values };
}

/** The principal without its unknown values; undefined when nothing known is left. */
function narrowPrincipal(p: ParsedPrincipal): ParsedPrincipal | undefined {
    if (p.unknown) {
        return undefined;
    }
    const values: ParsedPrincipal["values"] = {};
    let any = false;
    for (const [kind, list] of Object.entries(p.values) as Array<[keyof ParsedPrincipal["values"], string[]]>) {
        const known = list.filter((v) => !holdsUnknown(v));
        if (known.length > 0) {
            values[kind] = known;
            any = true;
        }
    }
    return p.wildcard || any ? { wildcard: p.wildcard, values } : undefined;
}

/** The statement matching every request its unknown parts could let it match. */
function widen(st: ParsedStatement, named: readonly string[]): ParsedStatement {
    const out: ParsedStatement = { ...st, conditions: st.conditions.filter((c) => !conditionHasUnknown(c)) };
    if (st.principal) {
        out.principal = widenPrincipal(st.principal, named);
    } else if (st.notPrincipal && principalHasUnknown(st.notPrincipal)) {
        // Excluding fewer principals matches more: only the known exclusions stay.
        const known = narrowPrincipal(st.notPrincipal);
        out.notPrincipal = known ?? { wildcard: false, values: {} };
    }
    widenElement(out, "actions", "notActions");
    widenElement(out, "resources", "notResources");
    return out;
}

/**
 * An element and its negated form (Action/NotAction, Resource/NotResource) of a statement copy, widened in place: an
 * unknown value in the element makes it "*"; in the negated form, only its known values stay excluded ("*" when none
 * is known).
 */
function widenElement(
    out: ParsedStatement,
    element: "actions" | "resources",
    negated: "notActions" | "notResources",
): void {
    const excluded = out[negated];
    if (out[element]?.some(holdsUnknown)) {
        out[element] = ["*"];
    } else if (excluded?.some(holdsUnknown)) {
        const known = excluded.filter((v) => !holdsUnknown(v));
        out[negated] = known.length > 0 ? known : undefined;
        out[element] = known.length > 0 ? undefined : ["*"];
    }
}

/** The statement matching only what it matches whatever its unknown parts are (inert when that cannot be said). */
function narrow(st: ParsedStatement, counter: { n: number }): ParsedStatement {
    const out: ParsedStatement = { ...st };
    if (st.principal && principalHasUnknown(st.principal)) {
        const known = narrowPrincipal(st.principal);
        if (!known) {
            return inert(st);
        }
        out.principal = known;
    }
    if (principalHasUnknown(st.notPrincipal)) {
        return inert(st);
    }
    if (st.notActions?.some(holdsUnknown) || st.notResources?.some(holdsUnknown)) {
        return inert(st);
    }
    if (st.actions?.some(holdsUnknown)) {
        const known = st.actions.filter((a) => !holdsUnknown(a));
        if (known.length === 0) {
            return inert(st);
        }
        out.actions = known;
    }
    if (st.resources?.some(holdsUnknown)) {
        const known = st.resources.filter((r) => !holdsUnknown(r));
        if (known.length === 0) {
            return inert(st);
        }
        out.resources = known;
    }
    const conditions: ParsedCondition[] = [];
    for (const c of st.conditions) {
        if (!conditionHasUnknown(c)) {
            conditions.push(c);
            continue;
        }
        if (holdsUnknown(c.operator) || holdsUnknown(c.key) || !opaqueAllowed(c)) {
            return inert(st);
        }
        conditions.push({ ...c, values: c.values.map((v) => (holdsUnknown(v) ? opaque(v, c.base, counter.n++) : v)) });
    }
    out.conditions = conditions;
    return out;
}

function everything(index: number, where: string, effect: "Allow" | "Deny", named: readonly string[]): ParsedStatement {
    return {
        index,
        where,
        effect,
        actions: ["*"],
        resources: ["*"],
        principal: anyone(named),
        conditions: [],
    };
}

/**
 * One bound of a partly unknown policy (see the module comment), with every statement at its place
 * (same `index` and `where`), and no unknown left. The policy itself is not changed.
 */
export function boundPolicy(policy: ParsedPolicy, bound: Bound): ParsedPolicy {
    const named = namedPrincipals(policy);
    const counter = { n: 0 };
    const all: Array<{ index: number; make: () => ParsedStatement }> = [];
    for (const st of policy.statements) {
        // An Allow widens for the upper bound and narrows for the lower; a Deny the reverse.
        all.push({
            index: st.index,
            make: () => ((st.effect === "Allow") === (bound === "upper") ? widen(st, named) : narrow(st, counter)),
        });
    }
    for (const p of policy.pending ?? []) {
        const effect = bound === "upper" ? "Allow" : "Deny";
        all.push({
            index: p.index,
            make: () =>
                p.statement ? widen({ ...p.statement, effect }, named) : everything(p.index, p.where, effect, named),
        });
    }
    all.sort((a, b) => a.index - b.index);
    const statements = all.map((s) => s.make());
    return { version: policy.version, id: policy.id, statements, hasUnknowns: false, unknowns: [] };
}
