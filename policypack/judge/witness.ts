/**
 * An exact answer to "is there a request that this Allow statement allows and no Deny of the document denies?",
 * with a witness request when there is one.
 *
 * A request is the principal, the action, the resource and the context. The action and the resource are fixed by
 * the question, so each statement's Action and Resource apply or not once and for all. What varies is the context
 * (each key absent, or a value, or a list for a multi-valued key) and, for the open-grant question, the caller:
 * an IAM principal of another account, written as its `aws:PrincipalArn`, from which `aws:PrincipalAccount`,
 * `kms:CallerAccount` and `aws:PrincipalType` follow as AWS derives them. Every condition then constrains one
 * variable: a string condition says that the value is, or is not, in a language (see languages.ts); a numeric,
 * date, IP or Bool condition splits the values into intervals at the document's own literals, and one value of
 * each interval stands for all of it. A condition on a key the caller determines, whatever its operator, says that
 * the caller's ARN is, or is not, in a language (witnessCallers.ts: a numeric range of accounts is a language over
 * their 12 digits).
 *
 * The search: the Allow's conditions must hold; each Deny must have one condition (or its Principal) that fails.
 * Solve each variable for the constraints so far, build the request, and let the IAM evaluator judge it; if a
 * Deny still applies, try each way to make one of its parts fail (a branch per part), and repeat. A request is
 * returned only when the evaluator allows it; "none" is returned only when every branch has no solution, which,
 * each variable being solved exactly, means that no request exists. Documents outside this model (policy
 * variables that name a searched key, a Resource with policy variables) are reported as {@link Unsupported}.
 */
import { conditionHolds, substituteVariables } from "./conditions";
import { NormalizedRequest, accountOf, evaluateNormalized, principalMatches, statementApplies } from "./evaluate";
import { Constraint, EVERYTHING, TooHard, Work, inLanguage, solve } from "./languages";
import type { ParsedCondition, ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import {
    CallerVariable,
    PRINCIPAL_KEY,
    callerCondition,
    derivedContext,
    derivedFromCaller,
    foldCaller,
    isCallerVariable,
    principalLanguage,
} from "./witnessCallers";
import {
    Atom,
    KeyDomain,
    KeyRequirement,
    PolicyFacts,
    Requirement,
    STRING_OPERATORS,
    Values,
    actionAndResourceApply,
    conditionLanguage,
    conditionLanguageCached,
    domainSignature,
    holds,
    identity,
    listQuantifier,
    policyFacts,
    representatives,
    variableKeys,
} from "./witnessValues";

export { TooHard };
export { foreignCaller, PRINCIPAL_KEY } from "./witnessCallers";
export type { CallerVariable } from "./witnessCallers";
export { MULTI_VALUED_KEYS, valueLanguage } from "./witnessValues";
export type { KeyDomain, KeyRequirement, Values } from "./witnessValues";

/** The document uses something the exact search does not model; the caller answers another way. */
export class Unsupported extends Error {
    constructor(what: string) {
        super(what);
    }
}

/** A question put to {@link findAllowedRequest}. */
export interface Question {
    policy: ParsedPolicy;
    /** The Allow statement that must allow the request. */
    statement: ParsedStatement;
    action: string;
    resource?: string;
    resourceId?: string;
    /** The caller, or the caller variable. */
    principal: { type: "AWS" | "Service"; id: string } | CallerVariable;
    /** How each context key (lower-case) varies; keys the document does not name need none. */
    domain: (key: string) => KeyDomain;
    /** Further constraints, per key, that the request's value must satisfy (a binding question's "another value"). */
    require?: ReadonlyMap<string, KeyRequirement>;
    /**
     * A budget the caller keeps across its questions (a document's), told of every step the search takes; false
     * when it is spent. Each question also has its own limit, {@link MAX_QUESTION_STEPS}.
     */
    spend?: (steps: number) => boolean;
}

/** Work one question may spend: search nodes, and steps (see {@link Work}) over all its nodes. */
const MAX_NODES = 4_000;
export const MAX_QUESTION_STEPS = 300_000;

/** What a question compiles to: the Allow's parts, the Denies' parts, and what the search learns of its keys. */
interface Compiled {
    fixed: Map<string, string[]>;
    atoms: Atom[];
    allow: Requirement[];
    denies: Array<{ st: ParsedStatement; parts: Atom[] }>;
    skipped: Set<ParsedStatement>;
    impossible: boolean;
    candidates: Map<string, Values[]>;
    /** Values found for a key under requirements, with the steps finding them took. */
    solved: Map<string, { result: { value: Values } | null; steps: number }>;
}

/**
 * Compiled questions per document, by everything compiling reads (statement, action, resource, caller, and how
 * each key the document names varies): questions that differ only in what they further require of a key share
 * one. Bounded per document.
 */
const compiledQuestions = new WeakMap<ParsedPolicy, Map<string, Compiled>>();
const COMPILED_PER_DOCUMENT = 64;
/** Documents naming more condition keys than this compile each question afresh. */
const SHARED_KEYS_AT_MOST = 32;
/** Values remembered per compiled question. */
const SOLVED_PER_QUESTION = 4_096;

/** A question's search: its compiled parts, and the requests tried. */
class Search {
    private readonly c: Compiled;
    private readonly partition: string;
    private nodes = 0;
    private readonly work: Work;
    readonly callerVaries: boolean;

    constructor(private readonly q: Question) {
        this.callerVaries = isCallerVariable(q.principal);
        this.work = new Work(MAX_QUESTION_STEPS, q.spend);
        // The partition of the caller's forms: the caller variable's own, else the key's.
        this.partition = isCallerVariable(q.principal)
            ? q.principal.partition
            : (/^arn:([^:]+):/.exec(q.resource ?? "")?.[1] ?? "aws");
        this.facts = policyFacts(q.policy);
        // The signature reads every key the document names: worth it for a document of few keys (the common
        // case, asked several questions that differ only in what they require), not for one of hundreds.
        const shared = this.facts.keys.size <= SHARED_KEYS_AT_MOST;
        let table = shared ? compiledQuestions.get(q.policy) : undefined;
        if (shared && !table) {
            table = new Map();
            compiledQuestions.set(q.policy, table);
        }
        const signature = table ? this.signature() : "";
        const hit = table?.get(signature);
        if (hit) {
            this.c = hit;
            return;
        }
        this.c = {
            fixed: new Map(),
            atoms: [],
            allow: [],
            denies: [],
            skipped: new Set(),
            impossible: false,
            candidates: new Map(),
            solved: new Map(),
        };
        this.compile();
        if (table) {
            if (table.size >= COMPILED_PER_DOCUMENT) {
                table.clear();
            }
            table.set(signature, this.c);
        }
    }

    /** Everything compiling reads of the question, as text. */
    private signature(): string {
        const q = this.q;
        const st =
            q.policy.statements[q.statement.index] === q.statement ? q.statement.index : `#${identity(q.statement)}`;
        let out = `${st}\u0000${q.action}\u0000${q.resource ?? `\u0001${q.resourceId ?? ""}`}\u0000`;
        out += isCallerVariable(q.principal)
            ? `caller ${identity(q.principal)}`
            : `${q.principal.type} ${q.principal.id}`;
        for (const k of this.facts.keys) {
            out += `\u0000${domainSignature(this.domainOf(k))}`;
        }
        return out;
    }

    private compile(): void {
        const c = this.c;
        for (const k of this.facts.keys) {
            const d = this.domainOf(k);
            if (d.kind === "fixed" && d.value) {
                c.fixed.set(k, d.value);
            }
        }
        const own = this.parts(this.q.statement);
        if (own === false) {
            c.impossible = true;
            return;
        }
        c.allow = own.map((atom) => ({ atom, want: true }));
        for (const st of this.facts.denies) {
            const parts = this.parts(st);
            if (parts === false) {
                c.skipped.add(st);
            } else {
                c.denies.push({ st, parts });
            }
        }
    }

    private get fixed(): Map<string, string[]> {
        return this.c.fixed;
    }

    private readonly facts: PolicyFacts;

    private readonly domains = new Map<string, KeyDomain>();

    private domainOf(key: string): KeyDomain {
        let d = this.domains.get(key);
        if (!d) {
            d =
                this.callerVaries && derivedFromCaller(key)
                    ? { kind: "free", absent: false, multi: false, shape: [] }
                    : this.q.domain(key);
            this.domains.set(key, d);
        }
        return d;
    }

    /** The statement's parts that vary; false when some fixed part never holds. */
    private parts(st: ParsedStatement): Atom[] | false {
        if (st.resourceVariables) {
            throw new Unsupported(`${st.where} has policy variables in its Resource`);
        }
        const q = this.q;
        const base = this.base();
        if (!actionAndResourceApply(st, base)) {
            return false;
        }
        const out: Atom[] = [];
        const who = st.principal ?? st.notPrincipal;
        if (!who) {
            return false;
        }
        if (isCallerVariable(q.principal)) {
            const language = principalLanguage(who);
            if (language === "everyone") {
                if (st.notPrincipal) {
                    return false;
                }
            } else {
                out.push(this.atom({ key: PRINCIPAL_KEY, absentHolds: false, language, negated: !!st.notPrincipal }));
            }
        } else if (principalMatches(who, base) !== !!st.principal) {
            return false;
        }
        for (const c of st.conditions) {
            const atom = this.conditionAtom(c);
            if (atom === true) {
                continue;
            }
            if (atom === false) {
                return false;
            }
            out.push(atom);
        }
        return out;
    }

    /** The fixed part of every request of the question (the caller, when it varies, left blank). */
    private base(): NormalizedRequest {
        if (!this.baseRequest) {
            const q = this.q;
            const principal = isCallerVariable(q.principal) ? { type: "AWS" as const, id: "" } : q.principal;
            this.baseRequest = {
                principal,
                account: principal.type === "AWS" ? accountOf(principal.id) : undefined,
                action: q.action,
                resource: q.resource,
                resourceId: q.resource === undefined ? q.resourceId : undefined,
                context: this.fixed,
            };
        }
        return this.baseRequest;
    }

    private baseRequest: NormalizedRequest | undefined;

    private atom(a: Omit<Atom, "id">): Atom {
        const atom = a as Atom;
        atom.id = this.c.atoms.length;
        this.c.atoms.push(atom);
        return atom;
    }

    /** The condition as a part of the search, or its constant truth value when it involves only fixed keys. */
    private conditionAtom(c: ParsedCondition): Atom | boolean {
        const key = c.keyLower;
        if (c.base === undefined) {
            return false;
        }
        if (c.variables) {
            for (const v of c.values) {
                for (const k of variableKeys(v)) {
                    if (this.domainOf(k).kind !== "fixed") {
                        throw new Unsupported(`a policy variable reads ${k}, which the question varies`);
                    }
                }
            }
        }
        const d = this.domainOf(key);
        if (d.kind === "fixed") {
            return conditionHolds(c, this.fixed);
        }
        const values = c.variables ? this.substituted(c) : c.values;
        if (values === undefined) {
            throw new Unsupported(`a policy variable of ${c.key} cannot be resolved`);
        }
        if (this.callerVaries && derivedFromCaller(key)) {
            return this.callerAtom(c, values);
        }
        if (c.base === "Null") {
            const absent = c.values.some((v) => v.toLowerCase() === "true");
            const present = c.values.some((v) => v.toLowerCase() !== "true");
            return this.atom({ key, absentHolds: absent, language: present ? EVERYTHING : [], negated: false });
        }
        const absentHolds =
            c.set === "ForAllValues" ? true : c.set === "ForAnyValue" ? false : c.ifExists ? true : c.negated;
        if (STRING_OPERATORS.has(c.base) && !this.enumerated(key)) {
            const language = c.variables ? conditionLanguage(c.base, values) : conditionLanguageCached(c);
            return this.atom({ key, absentHolds, language, negated: c.negated, set: c.set });
        }
        const resolved: ParsedCondition = { ...c, values, variables: false };
        return this.atom({
            key,
            absentHolds,
            negated: c.negated,
            set: c.set,
            test: (v) => conditionHolds(resolved, v ? new Map([[key, v]]) : new Map()),
        });
    }

    private substituted(c: ParsedCondition): string[] | undefined {
        const pattern = c.base !== undefined && (c.base.endsWith("Like") || c.base.startsWith("Arn"));
        const out: string[] = [];
        for (const v of c.values) {
            const s = substituteVariables(v, this.fixed, pattern);
            if (s === undefined) {
                return undefined;
            }
            out.push(s);
        }
        return out;
    }

    /** A condition on a key the caller determines, as a part on the caller's ARN (see callerCondition). */
    private callerAtom(c: ParsedCondition, values: string[]): Atom | boolean {
        const part = callerCondition(c, values, this.partition);
        if (part === undefined) {
            throw new Unsupported(`${c.operator} on ${c.key} compares the account as no interval of numbers`);
        }
        if (typeof part === "boolean") {
            return part;
        }
        return this.atom({ key: PRINCIPAL_KEY, absentHolds: false, language: part.language, negated: part.negated });
    }

    /** Representative values of an enumerated key, computed once per compiled question. */
    private representatives(key: string): Values[] {
        let out = this.c.candidates.get(key);
        if (!out) {
            out = representatives(this.q.policy, key, this.domainOf(key));
            this.c.candidates.set(key, out);
        }
        return out;
    }

    /** Whether the key is decided by trying representative values (a non-string operator names it). */
    private enumerated(key: string): boolean {
        return this.facts.enumerated.has(key);
    }

    /** A value of `key` meeting every requirement on it, null when none exists. */
    private solveKey(key: string, reqs: readonly Requirement[]): { value: Values } | null {
        const required = this.q.require?.get(key);
        // "Absent or any value" requires nothing: such a key shares its answers with questions that leave it free.
        const extra =
            required && required.absent && required.present && required.constraints.length === 0 ? undefined : required;
        let memo = this.keyPrefixes.get(key);
        if (memo === undefined) {
            memo = `${key}\u0000${extra ? identity(extra) : ""}\u0000${domainSignature(this.domainOf(key))}\u0000`;
            this.keyPrefixes.set(key, memo);
        }
        for (const r of reqs) {
            memo += `${r.atom.id}${r.want ? "+" : "-"}`;
        }
        const hit = this.c.solved.get(memo);
        if (hit !== undefined) {
            this.work.spend(hit.steps);
            return hit.result;
        }
        const before = this.work.spent;
        const result = this.solveKeyUncached(key, reqs, extra);
        if (this.c.solved.size >= SOLVED_PER_QUESTION) {
            this.c.solved.clear();
        }
        this.c.solved.set(memo, { result, steps: this.work.spent - before });
        return result;
    }

    /** Per key: the part of {@link solveKey}'s memo key that does not depend on the requirements. */
    private readonly keyPrefixes = new Map<string, string>();

    private solveKeyUncached(
        key: string,
        reqs: readonly Requirement[],
        extra: KeyRequirement | undefined,
    ): { value: Values } | null {
        const caller = isCallerVariable(this.q.principal) && key === PRINCIPAL_KEY ? this.q.principal : undefined;
        const d: KeyDomain = caller
            ? { kind: "free", absent: false, multi: false, shape: caller.shape }
            : this.domainOf(key);
        if (d.kind === "fixed") {
            return reqs.every((r) => holds(r.atom, d.value) === r.want) ? { value: d.value } : null;
        }
        if (d.absent && (extra?.absent ?? true) && reqs.every((r) => r.atom.absentHolds === r.want)) {
            return { value: undefined };
        }
        if (extra && !extra.present) {
            return null;
        }
        if (caller && reqs.some((r) => r.atom.test)) {
            throw new Unsupported(`a part on ${key} is no language`); // callerAtom makes every part one
        }
        if (!caller && (reqs.some((r) => r.atom.test) || this.enumerated(key))) {
            for (const v of this.representatives(key)) {
                if (
                    v !== undefined &&
                    reqs.every((r) => holds(r.atom, v) === r.want) &&
                    v.every((e) => (extra?.constraints ?? []).every((c) => inLanguage(c.language, e) === c.want))
                ) {
                    return { value: v };
                }
            }
            return null;
        }
        const shape = [...d.shape, ...(extra?.constraints ?? [])];
        if (!d.multi) {
            const constraints = [
                ...shape,
                ...reqs.map((r) => ({ language: r.atom.language ?? [], want: r.want !== r.atom.negated })),
            ];
            const folded = caller ? foldCaller(constraints) : constraints;
            const s = folded && solve(folded, true, this.work);
            return s === undefined || s === null ? null : { value: [s] };
        }
        // A list: every element meets the "for all" constraints; each "some element" constraint has its element.
        const every: Constraint[] = [...shape];
        const some: Constraint[] = [];
        for (const r of reqs) {
            const language = r.atom.language ?? [];
            const { quantifier, inside } = listQuantifier(r.atom, r.want);
            (quantifier === "all" ? every : some).push({ language, want: inside });
        }
        const elements: string[] = [...(d.mustContain ?? [])];
        if (!elements.every((e) => every.every((c) => inLanguage(c.language, e) === c.want))) {
            return null;
        }
        for (const c of some) {
            const found = elements.find((e) => inLanguage(c.language, e) === c.want);
            if (found !== undefined) {
                continue;
            }
            const s = solve([...every, c], true, this.work);
            if (s === undefined) {
                return null;
            }
            elements.push(s);
        }
        if (elements.length === 0) {
            const s = solve(every, true, this.work);
            if (s === undefined) {
                return null;
            }
            elements.push(s);
        }
        return { value: elements };
    }

    /** The request the assignment stands for. */
    private request(values: Map<string, Values>): NormalizedRequest {
        const context = new Map(this.fixed);
        for (const [k, v] of values) {
            if (v !== undefined) {
                context.set(k, v);
            }
        }
        let principal: NormalizedRequest["principal"];
        if (isCallerVariable(this.q.principal)) {
            const arn = values.get(PRINCIPAL_KEY)?.[0] ?? "";
            for (const [k, v] of derivedContext(arn)) {
                context.set(k, v);
            }
            principal = { type: "AWS", id: arn };
        } else {
            principal = this.q.principal;
        }
        return {
            principal,
            account: principal.type === "AWS" ? accountOf(principal.id) : undefined,
            action: this.q.action,
            resource: this.q.resource,
            resourceId: this.q.resource === undefined ? this.q.resourceId : undefined,
            context,
        };
    }

    /** A request the statement and the document allow, or undefined when none exists. */
    find(): NormalizedRequest | undefined {
        if (this.c.impossible) {
            return undefined;
        }
        return this.branch(this.c.allow);
    }

    private branch(reqs: readonly Requirement[]): NormalizedRequest | undefined {
        if (++this.nodes > MAX_NODES) {
            throw new TooHard();
        }
        this.work.spend(1 + reqs.length + this.c.denies.length);
        const byKey = new Map<string, Requirement[]>();
        for (const r of reqs) {
            const list = byKey.get(r.atom.key) ?? [];
            list.push(r);
            byKey.set(r.atom.key, list);
        }
        for (const key of this.q.require?.keys() ?? []) {
            if (!byKey.has(key)) {
                byKey.set(key, []);
            }
        }
        if (isCallerVariable(this.q.principal) && !byKey.has(PRINCIPAL_KEY)) {
            byKey.set(PRINCIPAL_KEY, []);
        }
        const values = new Map<string, Values>();
        for (const [key, list] of byKey) {
            const s = this.solveKey(key, list);
            if (!s) {
                return undefined;
            }
            values.set(key, s.value);
        }
        const req = this.request(values);
        if (!statementApplies(this.q.statement, req)) {
            throw new Unsupported(`the model of ${this.q.statement.where} disagrees with the evaluator`);
        }
        const blocking = this.c.denies.find((d) => statementApplies(d.st, req));
        if (!blocking) {
            if (
                [...this.c.skipped].some((st) => statementApplies(st, req)) ||
                evaluateNormalized(this.q.policy, req) !== "Allow"
            ) {
                throw new Unsupported("the model of a Deny disagrees with the evaluator");
            }
            return req;
        }
        const have = new Set(reqs.map((r) => r.atom.id));
        for (const part of blocking.parts) {
            if (have.has(part.id)) {
                continue; // required to hold already
            }
            const found = this.branch([...reqs, { atom: part, want: false }]);
            if (found) {
                return found;
            }
        }
        return undefined;
    }
}

/**
 * A request that `q.statement` allows and that the document allows, or undefined when none exists. Throws
 * {@link Unsupported} for a document outside the model and {@link TooHard} beyond the work limit.
 */
export function findAllowedRequestExactly(q: Question): NormalizedRequest | undefined {
    return new Search(q).find();
}
