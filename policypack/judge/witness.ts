/**
 * An exact answer to "is there a request that this Allow statement allows and no Deny of the document denies?",
 * with a witness request when there is one.
 *
 * A request is the principal, the action, the resource and the context. The action and the resource are fixed by
 * the question, so each statement's Action and Resource apply or not once and for all. What varies is the context
 * (each key absent, or a value, or a list for a multi-valued key) and, for the open-grant question, the caller:
 * an IAM principal of another account, written as its `aws:PrincipalArn`, from which `aws:PrincipalAccount`,
 * `kms:CallerAccount` and `aws:PrincipalType` follow as AWS derives them. Every condition then constrains one
 * variable: a string, `Bool` or `BinaryEquals` condition says that the value is, or is not, in a language (see
 * languages.ts); a numeric, date or IP condition splits the values into classes at the document's own literals, and
 * a key's value is sought among one value of each class and its other spellings (leading zeros) that the key's text
 * constraints allow. Where that search misses and cannot show that no value exists (a class that passes but whose
 * spellings the text constraints may all exclude, or dates mixed with another kind), the question is reported as
 * {@link Unsupported}, never as "none" (see witnessValues.ts `findElement`). A condition on a key the caller determines, whatever its operator, says that
 * the caller's ARN is, or is not, in a language (witnessCallers.ts: a numeric range of accounts is a language over
 * their 12 digits).
 *
 * The search: the Allow's conditions must hold; each Deny must have one condition (or its Principal) that fails.
 * Solve each variable for the constraints so far, build the request, and let the IAM evaluator judge it; if a
 * Deny still applies, try each way to make one of its parts fail (a branch per part), and repeat. A request is
 * returned only when the evaluator allows it; "none" is returned only when every branch has no solution, which,
 * each variable being solved exactly, means that no request exists.
 *
 * Policy variables. A variable substitutes its key's single value, taken literally (a `*` in it is no wildcard):
 * - in a Resource, with the key's ARN known, a pattern reading one varied key matches exactly when that key's value
 *   is one of finitely many substrings of the ARN (or, absent, when its default or nothing makes it match): an atom
 *   on that key. Without the ARN, an Allow's Resource is taken to apply and a Deny's not (as the evaluator reads it);
 * - in a condition on a fixed key, a variable reading a varied key is likewise one of the substrings of the fixed
 *   value(s) that change the condition's outcome: an atom on the variable's key;
 * - in a condition on a varied key, a variable reading a varied key couples two keys. Such a part is relaxed: the
 *   key's absence is decided exactly, a present value is left free; the request built is then checked, and a
 *   broken part repaired (the keys of an equality `${k}` solved as one, any other resolved with the values chosen).
 *   A branch that cannot be repaired leaves the search inexact: it reports {@link UnsettledCoupling} rather than "none";
 * - a variable that cannot be resolved (its key absent or a list, no default) makes the condition fail whenever its
 *   key is present, as the evaluator reads it.
 * Documents outside the model (a Resource pattern, or a condition on a fixed key, reading several varied keys; a
 * variable reading a key of several values) are reported as {@link Unsupported}.
 */
import { conditionHolds, substituteVariables } from "./conditions";
import {
    NormalizedRequest,
    accountOf,
    actionMatches,
    evaluateNormalized,
    principalMatches,
    statementApplies,
} from "./evaluate";
import {
    Constraint,
    EVERYTHING,
    Language,
    Pattern,
    TooHard,
    Work,
    equalTo,
    fieldRun,
    glob,
    inLanguage,
    solve,
} from "./languages";
import { globMatch } from "./wildcards";
import type { ParsedCondition, ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import {
    ACCOUNT_KEYS,
    CallerVariable,
    PRINCIPAL_KEY,
    TYPE_KEY,
    accountField,
    callerCondition,
    derivedContext,
    derivedFromCaller,
    foldCaller,
    isCallerVariable,
    principalForms,
    principalLanguage,
} from "./witnessCallers";
import {
    Atom,
    KeyDomain,
    KeyRequirement,
    PolicyFacts,
    Requirement,
    LANGUAGE_OPERATORS,
    Values,
    actionAndResourceApply,
    conditionLanguage,
    conditionLanguageCached,
    domainSignature,
    equalityVariable,
    holds,
    identity,
    listQuantifier,
    findElement,
    keyClasses,
    policyFacts,
    variableKeys,
} from "./witnessValues";

export { TooHard };
export { foreignCaller, PRINCIPAL_KEY } from "./witnessCallers";
export type { CallerVariable } from "./witnessCallers";
export { MULTI_VALUED_KEYS, valueLanguage } from "./witnessValues";
export type { KeyDomain, KeyRequirement, Values } from "./witnessValues";

/**
 * The document uses something the exact search does not model: the caller reports the question as undecided (see
 * DocumentIndex.decide), never as a pass.
 */
export class Unsupported extends Error {
    constructor(what: string) {
        super(what);
    }
}

/**
 * The search could not tell whether a request exists: a part coupling two varied keys could not be repaired in some
 * branch, and no other branch found a request. Like any document outside the model, the caller reports that it could
 * not decide (with this reason), never a pass.
 */
export class UnsettledCoupling extends Unsupported {}

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
    /** Values found for a key under requirements, with the steps finding them took. */
    solved: Map<string, { result: { value: Values } | null; steps: number; undecided?: string }>;
    /** Coupled parts resolved with chosen values (see {@link Search.instance}), by part and resolved values. */
    instances: Map<string, Atom | boolean>;
    /** The steps compiling took, spent again by every question that shares it. */
    compileSteps: number;
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
/** Stands for one policy variable while a value is split into ARN fields. */
const PLACEHOLDER = "\uE004";
/** Times a branch's broken coupled parts are tried with other values of their variables. */
const REPAIR_ROUNDS = 3;
/** {@link Search.solveByClasses} found no value, and that does not show that none exists. */
const UNDECIDED = Symbol("undecided");
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
            this.work.spend(hit.compileSteps);
            return;
        }
        this.c = {
            fixed: new Map(),
            atoms: [],
            allow: [],
            denies: [],
            skipped: new Set(),
            impossible: false,
            solved: new Map(),
            instances: new Map(),
            compileSteps: 0,
        };
        this.compile();
        this.c.compileSteps = this.work.spent;
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
        const q = this.q;
        const base = this.base();
        const out: Atom[] = [];
        if (st.resourceVariables && q.resource !== undefined) {
            const resource = actionMatches(st, q.action) && this.resourceParts(st, q.resource);
            if (resource === false) {
                return false;
            }
            if (resource !== true) {
                out.push(...resource);
            }
        } else if (!actionAndResourceApply(st, base)) {
            return false;
        }
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
        const d = this.domainOf(key);
        const varied = c.variables ? this.variedKeys(c.values) : [];
        if (d.kind === "fixed") {
            return varied.length === 0 || d.value === undefined
                ? conditionHolds(c, this.fixed)
                : this.variableAtom(c, varied, d.value);
        }
        const absentHolds =
            c.set === "ForAllValues" ? true : c.set === "ForAnyValue" ? false : c.ifExists ? true : c.negated;
        // With every varied key given some value, a variable of a fixed key may still have none.
        const values = c.variables ? this.substituted(c, this.withSomeValue(varied)) : c.values;
        if (values !== undefined && varied.length > 0 && this.callerVaries && this.accountsOnly(key, varied)) {
            // The caller's account compared with a pattern holding it literally: the outcome is the same whatever the
            // account (the literal takes every character of the value, or no alignment exists).
            const sample = new Map(this.fixed);
            sample.set(key, ["123456789012"]);
            varied.forEach((k) => sample.set(k, ["123456789012"]));
            return conditionHolds(c, sample);
        }
        const own = values !== undefined && varied.length > 0 ? this.ownAccountField(c, varied) : undefined;
        if (own) {
            return this.atom({ key: PRINCIPAL_KEY, absentHolds, language: own, negated: c.negated, set: c.set });
        }
        if (values !== undefined && varied.length > 0) {
            return this.atom({
                key: this.callerKey(key),
                absentHolds,
                negated: false,
                coupled: c,
                merge: equalityVariable(c),
            });
        }
        if (values === undefined) {
            // A variable without a value: the condition fails whenever its key is present (the evaluator's reading).
            return this.atom({
                key,
                absentHolds,
                language: c.negated ? EVERYTHING : [],
                negated: c.negated,
                set: c.set,
            });
        }
        if (this.callerVaries && derivedFromCaller(key)) {
            return this.callerAtom(c, values);
        }
        if (c.base === "Null") {
            const absent = c.values.some((v) => v.toLowerCase() === "true");
            const present = c.values.some((v) => v.toLowerCase() !== "true");
            return this.atom({ key, absentHolds: absent, language: present ? EVERYTHING : [], negated: false });
        }
        if (LANGUAGE_OPERATORS.has(c.base)) {
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

    private substituted(c: ParsedCondition, context: Map<string, string[]> = this.fixed): string[] | undefined {
        const pattern = c.base !== undefined && (c.base.endsWith("Like") || c.base.startsWith("Arn"));
        const out: string[] = [];
        for (const v of c.values) {
            const s = substituteVariables(v, context, pattern);
            if (s === undefined) {
                return undefined;
            }
            out.push(s);
        }
        return out;
    }

    /**
     * A condition on the caller's ARN whose values name the caller's own account in the account field
     * (`arn:aws:iam::${aws:PrincipalAccount}:role/*`): the ARN's first four fields are matched literally, so the
     * variable stands exactly for the ARN's account field, whatever it holds. Its language, or undefined for any other
     * shape.
     */
    private ownAccountField(c: ParsedCondition, varied: readonly string[]): Language | undefined {
        const like = c.base === "StringLike" || c.base === "StringNotLike";
        const equals = c.base === "StringEquals" || c.base === "StringNotEquals";
        if (!this.callerVaries || c.keyLower !== PRINCIPAL_KEY || !varied.every((k) => ACCOUNT_KEYS.has(k))) {
            return undefined;
        }
        if (!like && !equals) {
            return undefined;
        }
        const out: Pattern[] = [];
        for (const v of c.values) {
            // Variable names hold colons: split the fields with each variable as one character.
            const variables: string[] = [];
            const fields = v
                .replace(/\$\{[^}]*\}/g, (m) => {
                    variables.push(m);
                    return PLACEHOLDER;
                })
                .split(":");
            const head = fields.slice(0, 4).join(":") + ":";
            const tail = ":" + fields.slice(5).join(":");
            const variable = fields[4] === PLACEHOLDER ? /^\$\{\s*([^},']+?)\s*\}$/.exec(variables[0]) : null;
            if (fields.length < 6 || variable === null || !ACCOUNT_KEYS.has(variable[1].toLowerCase())) {
                if (variableKeys(v).length > 0) {
                    return undefined;
                }
                out.push(...conditionLanguage(c.base as string, [v]));
                continue;
            }
            if (variables.length > 1 || head.includes(PLACEHOLDER) || (like && /[*?]/.test(head))) {
                return undefined;
            }
            const part = (text: string): Pattern => (like ? glob(text, false) : equalTo(text, false));
            out.push([...part(head), fieldRun, ...part(tail)]);
        }
        return out;
    }

    /** Whether `key` and every key of `varied` are the caller's account (which AWS sends under each name alike). */
    private accountsOnly(key: string, varied: readonly string[]): boolean {
        return ACCOUNT_KEYS.has(key) && varied.every((k) => ACCOUNT_KEYS.has(k));
    }

    /** The fixed context with each of `keys` given one value. */
    private withSomeValue(keys: readonly string[]): Map<string, string[]> {
        if (keys.length === 0) {
            return this.fixed;
        }
        const out = new Map(this.fixed);
        for (const k of keys) {
            out.set(k, ["x"]);
        }
        return out;
    }

    /** The keys that the policy variables of `values` read and that the question varies. */
    private variedKeys(values: readonly string[]): string[] {
        const out = new Set<string>();
        for (const v of values) {
            for (const k of variableKeys(v)) {
                if (this.domainOf(k).kind !== "fixed") {
                    out.add(k);
                }
            }
        }
        return [...out];
    }

    /** The key a part on `key` constrains: the caller's ARN for a key derived from the caller, when it varies. */
    private callerKey(key: string): string {
        return this.callerVaries && derivedFromCaller(key) ? PRINCIPAL_KEY : key;
    }

    /**
     * The part "`key`'s value is (or, `negated`, is not) in `language`", `absentHolds` when absent; a key derived from
     * a varying caller becomes a part on the caller's ARN.
     */
    private onKey(key: string, language: Language, absentHolds: boolean, negated: boolean): Atom {
        const d = this.domainOf(key);
        if (d.kind === "free" && d.multi) {
            throw new Unsupported(`a policy variable reads ${key}, a key of several values`);
        }
        if (this.callerVaries && ACCOUNT_KEYS.has(key)) {
            language = language.map(accountField);
        } else if (this.callerVaries && key === TYPE_KEY) {
            language = principalForms(this.partition)
                .filter((f) => inLanguage(language, f.type))
                .flatMap((f) => f.language);
        }
        return this.atom({ key: this.callerKey(key), absentHolds, language, negated });
    }

    /**
     * The values of a policy variable that change an outcome, as a language, when the outcome can differ from what a
     * fresh value gives only for a substring of `sources` (a value substituted literally must appear in the text it
     * matches): `test` for each substring, compared with `test` of a fresh value. `negated` when the fresh value's
     * outcome is true (the part holds for values outside the language).
     */
    private valuesThatMatter(
        sources: readonly string[],
        ignoreCase: boolean,
        test: (x: string) => boolean,
    ): { language: Language; negated: boolean } {
        let fresh = "\uE002";
        while (sources.some((src) => src.includes(fresh))) {
            fresh += "\uE003";
        }
        const negated = test(fresh);
        const language: Pattern[] = [];
        const seen = new Set<string>();
        for (const src of sources) {
            const text = ignoreCase ? src.toLowerCase() : src;
            // Each candidate is substituted and matched: a step per candidate and per few characters compared.
            this.work.spend(1 + ((text.length * (text.length + 1)) / 2) * (1 + Math.ceil(text.length / 16)));
            for (let i = 0; i < text.length; i++) {
                for (let j = i + 1; j <= text.length; j++) {
                    const x = text.slice(i, j);
                    if (!seen.has(x)) {
                        seen.add(x);
                        if (test(x) !== negated) {
                            language.push(equalTo(x, ignoreCase));
                        }
                    }
                }
            }
        }
        return { language, negated };
    }

    /**
     * A Resource or NotResource with policy variables, for the key's ARN `arn`: true or false when the variables do not
     * matter, else the parts on the keys they read (a pattern applies exactly when its key's value is one of the
     * substrings of the ARN that make it match, or, absent, when its default or nothing does).
     */
    private resourceParts(st: ParsedStatement, arn: string): Atom[] | boolean {
        const positive = st.resources !== undefined;
        const byKey = new Map<string, { language: Pattern[]; absent: boolean }>();
        let matched = false;
        for (const p of st.resources ?? st.notResources ?? []) {
            const varied = this.variedKeys([p]);
            if (varied.length === 0) {
                const v = substituteVariables(p, this.fixed, true);
                matched ||= v !== undefined && globMatch(v, arn, false);
                continue;
            }
            if (varied.length > 1) {
                throw new Unsupported(
                    `${st.where}'s Resource reads ${varied.join(" and ")}, which the question varies`,
                );
            }
            const k = varied[0];
            const matches = (x: string | undefined): boolean => {
                const context = new Map(this.fixed);
                if (x !== undefined) {
                    context.set(k, [x]);
                }
                const v = substituteVariables(p, context, true);
                return v !== undefined && globMatch(v, arn, false);
            };
            const { language, negated } = this.valuesThatMatter([arn], false, matches);
            if (negated) {
                throw new Unsupported(`${st.where}'s Resource matches whatever ${k} holds`);
            }
            const entry = byKey.get(k) ?? { language: [], absent: false };
            entry.language.push(...language);
            entry.absent ||= matches(undefined);
            byKey.set(k, entry);
        }
        if (matched || byKey.size === 0) {
            return matched === positive;
        }
        if (positive && byKey.size > 1) {
            throw new Unsupported(`${st.where}'s Resource reads ${[...byKey.keys()].join(" or ")}`);
        }
        return [...byKey].map(([k, e]) => this.onKey(k, e.language, positive ? e.absent : !e.absent, !positive));
    }

    /**
     * A condition on a key of fixed values `fixedValues` whose policy variables read `varied`: a part on the variable's
     * key (the values that change the outcome are substrings of the fixed values; see {@link valuesThatMatter}).
     */
    private variableAtom(c: ParsedCondition, varied: readonly string[], fixedValues: readonly string[]): Atom {
        if (varied.length > 1) {
            throw new Unsupported(`a condition on ${c.key} reads ${varied.join(" and ")}, which the question varies`);
        }
        const v = varied[0];
        const holdsWith = (x: string | undefined): boolean => {
            const context = new Map(this.fixed);
            if (x !== undefined) {
                context.set(v, [x]);
            }
            return conditionHolds(c, context);
        };
        const ignoreCase = c.base?.includes("IgnoreCase") ?? false;
        const { language, negated } = this.valuesThatMatter(fixedValues, ignoreCase, holdsWith);
        return this.onKey(v, language, holdsWith(undefined), negated);
    }

    /**
     * A coupled part with its policy variables resolved from `context` (the values chosen for the other keys): an
     * ordinary part on its key, shared by the questions of one compiled question.
     */
    private instance(atom: Atom, context: Map<string, string[]>): Atom {
        const c = atom.coupled as ParsedCondition;
        const values = this.substituted(c, context);
        const memo = `${atom.id}\u0000${values === undefined ? "\u0001" : values.join("\u0000")}`;
        const hit = this.c.instances.get(memo);
        if (hit !== undefined && hit !== true && hit !== false) {
            return hit;
        }
        const key = c.keyLower;
        let out: Atom | boolean;
        if (values === undefined) {
            const language = c.negated ? EVERYTHING : [];
            out = this.atom({ key: atom.key, absentHolds: atom.absentHolds, language, negated: c.negated, set: c.set });
        } else if (this.callerVaries && derivedFromCaller(key)) {
            out = this.callerAtom(c, values);
        } else {
            const language = conditionLanguage(c.base as string, values);
            out = this.atom({ key, absentHolds: atom.absentHolds, language, negated: c.negated, set: c.set });
        }
        if (typeof out === "boolean") {
            // Not reached for String and Arn operators; a constant part is one that holds or fails for every value.
            out = this.atom({ key: atom.key, absentHolds: out, language: out ? EVERYTHING : [], negated: false });
        }
        if (this.c.instances.size < SOLVED_PER_QUESTION) {
            this.c.instances.set(memo, out);
        }
        return out;
    }

    /** A condition on a key the caller determines, as a part on the caller's ARN (see callerCondition). */
    private callerAtom(c: ParsedCondition, values: string[]): Atom | boolean {
        const part = callerCondition(c, values, this.partition, (steps) => this.work.spend(steps));
        if (part === undefined) {
            throw new Unsupported(`${c.operator} on ${c.key} compares the account as no interval of numbers`);
        }
        if (typeof part === "boolean") {
            return part;
        }
        return this.atom({ key: PRINCIPAL_KEY, absentHolds: false, language: part.language, negated: part.negated });
    }

    /** Whether the key is decided over the classes of values its numeric, date or IP conditions tell apart. */
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
            this.undecided ??= hit.undecided;
            return hit.result;
        }
        const before = this.work.spent;
        const solved = this.solveKeyUncached(key, reqs, extra);
        const result = solved === UNDECIDED ? null : solved;
        const undecided =
            solved === UNDECIDED
                ? `${key} is compared both as text and as a number, date or address, and the search cannot tell ` +
                  "whether some spelling meets both"
                : undefined;
        this.undecided ??= undecided;
        if (this.c.solved.size >= SOLVED_PER_QUESTION) {
            this.c.solved.clear();
        }
        this.c.solved.set(memo, { result, steps: this.work.spent - before, undecided });
        return result;
    }

    /** Per key: the part of {@link solveKey}'s memo key that does not depend on the requirements. */
    private readonly keyPrefixes = new Map<string, string>();

    private solveKeyUncached(
        key: string,
        reqs: readonly Requirement[],
        extra: KeyRequirement | undefined,
    ): { value: Values } | null | typeof UNDECIDED {
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
        // A present value leaves coupled parts free (the request built is checked; see repair).
        reqs = reqs.filter((r) => !r.atom.coupled);
        if (caller && reqs.some((r) => r.atom.test)) {
            throw new Unsupported(`a part on ${key} is no language`); // callerAtom makes every part one
        }
        if (!caller && (reqs.some((r) => r.atom.test) || this.enumerated(key))) {
            return this.solveByClasses(key, d, reqs, extra);
        }
        const shape = [...d.shape, ...(extra?.constraints ?? [])];
        if (!d.multi) {
            const constraints = [
                ...shape,
                ...reqs.map((r) => ({ language: r.atom.language ?? [], want: r.want !== r.atom.negated })),
            ];
            const folded = caller ? foldCaller(constraints, (steps) => this.work.spend(steps)) : constraints;
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

    /**
     * A value of a key that numeric, date or IP conditions name (see {@link findElement}): one element meeting every
     * requirement, or for a list, the elements it must hold and one per "some element" requirement; UNDECIDED when
     * none was found and that does not show that none exists.
     */
    private solveByClasses(
        key: string,
        d: KeyDomain & { kind: "free" },
        reqs: readonly Requirement[],
        extra: KeyRequirement | undefined,
    ): { value: Values } | null | typeof UNDECIDED {
        const classes = keyClasses(this.q.policy, key);
        const every: { constraints: Constraint[]; tests: Array<(e: string) => boolean> } = {
            constraints: [...d.shape, ...(extra?.constraints ?? [])],
            tests: [],
        };
        const some: Array<{ constraints: Constraint[]; tests: Array<(e: string) => boolean> }> = [];
        for (const r of reqs) {
            const { quantifier, inside } = listQuantifier(r.atom, r.want);
            const target = quantifier === "all" || !d.multi ? every : { constraints: [], tests: [] };
            const test = r.atom.test;
            if (test) {
                const negated = r.atom.negated;
                target.tests.push((e) => (test([e]) !== negated) === inside);
            } else {
                target.constraints.push({ language: r.atom.language ?? [], want: inside });
            }
            if (target !== every) {
                some.push(target);
            }
        }
        const find = (extraParts?: { constraints: Constraint[]; tests: Array<(e: string) => boolean> }) =>
            findElement(
                classes,
                extraParts
                    ? {
                          constraints: [...every.constraints, ...extraParts.constraints],
                          tests: [...every.tests, ...extraParts.tests],
                      }
                    : every,
                (steps) => this.work.spend(steps),
                (constraints) => solve(constraints, true, this.work),
            );
        const meetsEvery = (e: string): boolean =>
            every.tests.every((t) => t(e)) && every.constraints.every((c) => inLanguage(c.language, e) === c.want);
        const elements: string[] = d.multi ? [...(d.mustContain ?? [])] : [];
        if (!elements.every(meetsEvery)) {
            return null;
        }
        for (const part of some) {
            const meets = (e: string): boolean =>
                part.tests.every((t) => t(e)) && part.constraints.every((c) => inLanguage(c.language, e) === c.want);
            if (elements.some(meets)) {
                continue;
            }
            const found = find(part);
            if (found.element === undefined) {
                return found.exact ? null : UNDECIDED;
            }
            elements.push(found.element);
        }
        if (elements.length === 0) {
            const found = find();
            if (found.element === undefined) {
                return found.exact ? null : UNDECIDED;
            }
            elements.push(found.element);
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
        const found = this.branch(this.c.allow);
        if (found === undefined && this.undecided !== undefined) {
            throw new Unsupported(this.undecided);
        }
        if (found === undefined && this.inexact) {
            throw new UnsettledCoupling(
                "a condition whose policy variables couple two keys the question varies, in a way the search cannot settle",
            );
        }
        return found;
    }

    /**
     * Set when a key's value was not found and that did not show that none exists (see {@link findElement}): "none"
     * is then no answer.
     */
    private undecided: string | undefined;

    /** Set when a branch gave up on a coupled part it could not repair: "none" is then no answer. */
    private inexact = false;

    /** Whether some coupled part does not come out as required in the request. */
    private broken(reqs: readonly Requirement[], req: NormalizedRequest): boolean {
        return reqs.some((r) => r.atom.coupled && conditionHolds(r.atom.coupled, req.context) !== r.want);
    }

    /**
     * A request meeting every requirement, coupled parts included, found from `values` (which meet the others): the
     * two keys of a wanted equality solved as one value, every other broken coupled part resolved with the values
     * chosen for its variables and its key solved again. "none" when no request meets them (exactly); undefined
     * when the repair fails without telling.
     */
    private repair(
        reqs: readonly Requirement[],
        byKey: ReadonlyMap<string, Requirement[]>,
        values: ReadonlyMap<string, Values>,
    ): NormalizedRequest | "none" | undefined {
        const next = new Map(values);
        const lists = new Map(byKey);
        // A wanted coupled part whose key is present needs every variable without a default to have a value.
        for (const r of reqs) {
            const c = r.atom.coupled;
            if (!c || !r.want || next.get(r.atom.key) === undefined) {
                continue;
            }
            for (const v of new Set(c.values.flatMap((x) => variableKeys(x, true)))) {
                if (this.domainOf(v).kind === "fixed" || this.request(next).context.has(v)) {
                    continue;
                }
                const list = [...(lists.get(v) ?? []), { atom: this.presentAtom(v), want: true }];
                lists.set(v, list);
                const s = this.solveKey(v, list);
                if (!s) {
                    return "none";
                }
                next.set(v, s.value);
            }
        }
        const joined = new Set<Requirement>();
        for (const r of reqs) {
            const c = r.atom.coupled;
            if (c && r.atom.merge !== undefined && r.want && !c.negated && this.broken([r], this.request(next))) {
                const joint = this.solveJointly(r.atom.key, r.atom.merge, lists);
                if (joint === null) {
                    return "none";
                }
                if (joint !== undefined) {
                    next.set(r.atom.key, joint);
                    next.set(r.atom.merge, joint);
                    joined.add(r);
                }
            }
        }
        // Resolve each broken part with its variables' values and solve its key again; failing that, with its key's
        // value and solve its variable again; failing both, give the variables other values and try again.
        const others = new Map<string, Requirement[]>();
        for (let round = 0; round < REPAIR_ROUNDS; round++) {
            const base = this.request(next);
            const brokenNow = reqs.filter((r) => r.atom.coupled && !joined.has(r) && this.broken([r], base));
            if (brokenNow.length === 0) {
                return base;
            }
            const found = this.resolve(brokenNow, lists, next, base);
            if (found !== undefined) {
                return found === "none" ? "none" : this.broken(reqs, found) ? undefined : found;
            }
            let changed = false;
            for (const r of brokenNow) {
                for (const v of this.variedKeys((r.atom.coupled as ParsedCondition).values)) {
                    const value = next.get(v);
                    if (v === r.atom.key || value?.length !== 1) {
                        continue;
                    }
                    const list = [
                        ...(others.get(v) ?? lists.get(v) ?? []),
                        { atom: this.otherThan(v, value[0]), want: true },
                    ];
                    const s = this.solveKey(v, list);
                    if (s) {
                        others.set(v, list);
                        next.set(v, s.value);
                        changed = true;
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        return undefined;
    }

    /**
     * The broken coupled parts resolved one way or the other (see {@link repair}): a request meeting them, "none"
     * when their variables can take no other value and their key then has none, undefined when neither way works.
     */
    private resolve(
        brokenNow: readonly Requirement[],
        lists: ReadonlyMap<string, Requirement[]>,
        next: ReadonlyMap<string, Values>,
        base: NormalizedRequest,
    ): NormalizedRequest | "none" | undefined {
        for (const forward of [true, false]) {
            const again = new Map<string, Requirement[]>();
            /** Keys whose resolved parts read only variables that have one possible value. */
            const exact = new Set<string>();
            let usable = true;
            for (const r of brokenNow) {
                const part = forward ? this.instance(r.atom, base.context) : this.reverse(r.atom, base.context);
                if (part === undefined) {
                    usable = false;
                    break;
                }
                const list = again.get(part.key);
                if (!list) {
                    again.set(part.key, [...(lists.get(part.key) ?? []), { atom: part, want: r.want }]);
                    exact.add(part.key);
                } else {
                    list.push({ atom: part, want: r.want });
                }
                if (
                    forward &&
                    exact.has(part.key) &&
                    !this.variedKeys((r.atom.coupled as ParsedCondition).values).every(
                        (v) => v !== part.key && this.forced(v, lists, next),
                    )
                ) {
                    exact.delete(part.key);
                }
            }
            const tried = new Map(next);
            for (const [key, list] of usable ? again : []) {
                const s = this.solveKey(key, list);
                if (!s) {
                    if (forward && exact.has(key)) {
                        // The variables could take no other value: no request of this branch meets the parts.
                        return "none";
                    }
                    usable = false;
                    break;
                }
                tried.set(key, s.value);
            }
            if (usable) {
                const req = this.request(tried);
                if (!this.broken(brokenNow, req)) {
                    return req;
                }
            }
        }
        return undefined;
    }

    /**
     * A coupled part read the other way: its key's value taken from `context`, as a part on the one varied key its
     * variables read (see {@link variableAtom}); undefined when they read several, or its own key.
     */
    private reverse(atom: Atom, context: Map<string, string[]>): Atom | undefined {
        const c = atom.coupled as ParsedCondition;
        const varied = this.variedKeys(c.values);
        const own = context.get(c.keyLower);
        if (varied.length !== 1 || varied[0] === c.keyLower || own === undefined) {
            return undefined;
        }
        const v = varied[0];
        const memo = `${atom.id}\u0000reverse\u0000${own.join("\u0000")}`;
        const hit = this.c.instances.get(memo);
        if (hit !== undefined && typeof hit !== "boolean") {
            return hit;
        }
        const holdsWith = (x: string | undefined): boolean => {
            const with_ = new Map(context);
            if (x === undefined) {
                with_.delete(v);
            } else {
                with_.set(v, [x]);
            }
            return conditionHolds(c, with_);
        };
        const ignoreCase = c.base?.includes("IgnoreCase") ?? false;
        const { language, negated } = this.valuesThatMatter(own, ignoreCase, holdsWith);
        const out = this.onKey(v, language, holdsWith(undefined), negated);
        if (this.c.instances.size < SOLVED_PER_QUESTION) {
            this.c.instances.set(memo, out);
        }
        return out;
    }

    /**
     * Whether `key` can take no value but the one in `values` (nor be absent) under its requirements in `lists`
     * (coupled parts left free, so that "no other value" holds of every request of the branch).
     */
    private forced(
        key: string,
        lists: ReadonlyMap<string, Requirement[]>,
        values: ReadonlyMap<string, Values>,
    ): boolean {
        const value = values.get(key);
        const d = this.domainOf(key);
        if (value?.length !== 1 || d.kind !== "free" || d.multi) {
            return false;
        }
        const list = lists.get(key) ?? [];
        const required = this.q.require?.get(key);
        if (d.absent && (required?.absent ?? true) && list.every((r) => r.atom.absentHolds === r.want)) {
            return false;
        }
        return this.solveKey(key, [...list, { atom: this.otherThan(key, value[0]), want: true }]) === null;
    }

    /** The part "`key` is present and not `value`". */
    private otherThan(key: string, value: string): Atom {
        const memo = `${key}\u0000other\u0000${value}`;
        let other = this.c.instances.get(memo);
        if (other === undefined || typeof other === "boolean") {
            other = this.atom({ key, absentHolds: false, language: [equalTo(value, false)], negated: true });
            if (this.c.instances.size < SOLVED_PER_QUESTION) {
                this.c.instances.set(memo, other);
            }
        }
        return other;
    }

    /** The part "`key` is present", one per key. */
    private presentAtom(key: string): Atom {
        let atom = this.present.get(key);
        if (!atom) {
            atom = this.atom({ key, absentHolds: false, language: EVERYTHING, negated: false });
            this.present.set(key, atom);
        }
        return atom;
    }

    private readonly present = new Map<string, Atom>();

    /**
     * One value for keys `a` and `b` that meets every requirement on both (their coupled parts left free): null when
     * none exists with both present, undefined when the keys are not two free single-valued string keys.
     */
    private solveJointly(a: string, b: string, byKey: ReadonlyMap<string, Requirement[]>): Values | null | undefined {
        const callerKeys = (k: string): boolean => k === PRINCIPAL_KEY || this.callerKey(k) !== k;
        const da = this.domainOf(a);
        const db = this.domainOf(b);
        if (
            a === b ||
            (this.callerVaries && (callerKeys(a) || callerKeys(b))) ||
            da.kind !== "free" ||
            db.kind !== "free" ||
            da.multi ||
            db.multi ||
            this.enumerated(a) ||
            this.enumerated(b)
        ) {
            return undefined;
        }
        const reqs = [...(byKey.get(a) ?? []), ...(byKey.get(b) ?? [])].filter((r) => !r.atom.coupled);
        if (reqs.some((r) => r.atom.test)) {
            return undefined;
        }
        const required = [this.q.require?.get(a), this.q.require?.get(b)];
        if (required.some((x) => x && !x.present)) {
            return null;
        }
        const s = solve(
            [
                ...da.shape,
                ...db.shape,
                ...required.flatMap((x) => x?.constraints ?? []),
                ...reqs.map((r) => ({ language: r.atom.language ?? [], want: r.want !== r.atom.negated })),
            ],
            true,
            this.work,
        );
        return s === undefined ? null : [s];
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
        let req = this.request(values);
        // Whether the request meets every requirement; when a coupled part stays broken it does not, but any Deny
        // that may apply still splits the branch soundly: an allowed request fails one of its parts.
        let meets = true;
        if (this.broken(reqs, req)) {
            const repaired = this.repair(reqs, byKey, values);
            if (repaired === "none") {
                return undefined;
            }
            if (repaired === undefined) {
                meets = false;
            } else {
                req = repaired;
            }
        }
        if (meets && !statementApplies(this.q.statement, req)) {
            throw new Unsupported(`the model of ${this.q.statement.where} disagrees with the evaluator`);
        }
        const failing = meets ? undefined : new Set(reqs.filter((r) => !r.want).map((r) => r.atom.id));
        const blocking = this.c.denies.find(
            (d) => statementApplies(d.st, req) && (failing === undefined || !d.parts.some((p) => failing.has(p.id))),
        );
        if (!blocking) {
            if (!meets) {
                this.inexact = true;
                return undefined;
            }
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
