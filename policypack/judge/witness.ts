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
 * each interval stands for all of it.
 *
 * The search: the Allow's conditions must hold; each Deny must have one condition (or its Principal) that fails.
 * Solve each variable for the constraints so far, build the request, and let the IAM evaluator judge it; if a
 * Deny still applies, try each way to make one of its parts fail (a branch per part), and repeat. A request is
 * returned only when the evaluator allows it; "none" is returned only when every branch has no solution, which,
 * each variable being solved exactly, means that no request exists. Documents outside this model (policy
 * variables that name a searched key, a Resource with policy variables) are reported as {@link Unsupported}.
 */
import {
    LITERAL_QUESTION,
    LITERAL_STAR,
    NormalizedRequest,
    accountOf,
    conditionHolds,
    evaluateNormalized,
    principalMatches,
    statementApplies,
    substituteVariables,
} from "./evaluate";
import {
    Constraint,
    EVERYTHING,
    Element,
    Language,
    Pattern,
    TooHard,
    Work,
    anyRun,
    arnPattern,
    classChar,
    equalTo,
    fieldRun,
    glob,
    inLanguage,
    literal,
    literalChar,
    solve,
} from "./languages";
import { CONDITION_OPERATORS, ParsedCondition, ParsedPolicy, ParsedPrincipal, ParsedStatement } from "./parse";

export { TooHard };

/** The document uses something the exact search does not model; the caller answers another way. */
export class Unsupported extends Error {
    constructor(what: string) {
        super(what);
    }
}

/** A key's value in a request: a list (one element for a single-valued key) or undefined (absent). */
export type Values = string[] | undefined;

/** How a context key may vary in a question. */
export type KeyDomain =
    | { kind: "fixed"; value: Values }
    | {
          kind: "free";
          /** Whether the key may be absent. */
          absent: boolean;
          /** Whether the key holds a list. */
          multi: boolean;
          /** What every value (every element of a list) must satisfy. */
          shape: readonly Constraint[];
          /** Elements every list holds. */
          mustContain?: readonly string[];
      };

/** The key that stands for the caller when the caller varies (open-grant question). */
export const PRINCIPAL_KEY = "aws:principalarn";
const ACCOUNT_KEYS = new Set(["aws:principalaccount", "kms:calleraccount"]);
const TYPE_KEY = "aws:principaltype";

/** The IAM principal of another account, when the caller varies. */
export interface CallerVariable {
    /** What `aws:PrincipalArn` may be: the principal forms below, of an account other than the key's. */
    shape: readonly Constraint[];
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

/** What a question further requires of one key: whether it may be absent, may be present, and then how. */
export interface KeyRequirement {
    absent: boolean;
    present: boolean;
    constraints: readonly Constraint[];
}

/** Keys AWS sends as lists. */
export const MULTI_VALUED_KEYS: ReadonlySet<string> = new Set([
    "aws:tagkeys",
    "aws:calledvia",
    "aws:principalorgpaths",
    "aws:principalservicenameslist",
    "kms:encryptioncontextkeys",
    "kms:grantoperations",
]);

/** One part of a statement that may hold or fail: a condition on one variable, or the Principal element. */
interface Atom {
    key: string;
    /** Whether it holds when the key is absent. */
    absentHolds: boolean;
    /** String parts: the language of the condition's values, combined with `negated` and `set` as IAM does. */
    language?: Language;
    negated: boolean;
    set?: "ForAnyValue" | "ForAllValues";
    /** Other parts: whether it holds for a value (lists stand for the key's values). */
    test?: (v: Values) => boolean;
    /** For enumerated keys: the document's representative values of the key. */
    id: number;
}

interface Requirement {
    atom: Atom;
    want: boolean;
}

/** Work one question may spend: search nodes, and steps (see {@link Work}) over all its nodes. */
const MAX_NODES = 4_000;
export const MAX_QUESTION_STEPS = 300_000;

/** The string and ARN operators: those whose values are patterns or literals over text. */
const STRING_OPERATORS: ReadonlySet<string> = new Set(
    CONDITION_OPERATORS.filter((o) => o.startsWith("String") || o.startsWith("Arn")),
);

/** The language of one condition value under a string operator (its positive form); a non-string one: nothing. */
export function valueLanguage(base: string, value: string): Language {
    const key = base + "\u0000" + value;
    let language = languages.get(key);
    if (!language) {
        language = compileValue(base, value);
        if (languages.size >= 4_096) {
            languages.clear();
        }
        languages.set(key, language);
    }
    return language;
}

/** Compiled condition values, shared across questions and documents. */
const languages = new Map<string, Language>();

function compileValue(base: string, value: string): Language {
    switch (base) {
        case "StringEquals":
        case "StringNotEquals":
            return [equalTo(value, false)];
        case "StringEqualsIgnoreCase":
        case "StringNotEqualsIgnoreCase":
            return [equalTo(value, true)];
        case "StringLike":
        case "StringNotLike":
            return [glob(value, false)];
        case "ArnEquals":
        case "ArnLike":
        case "ArnNotEquals":
        case "ArnNotLike":
            return arnPattern(value);
        default:
            return [];
    }
}

/** The union of a condition's values' languages. */
function conditionLanguage(base: string, values: readonly string[]): Language {
    return values.length === 1 ? valueLanguage(base, values[0]) : values.flatMap((v) => valueLanguage(base, v));
}

/** {@link conditionLanguage} of a condition without policy variables, computed once per parsed condition. */
function conditionLanguageCached(c: ParsedCondition): Language {
    let language = conditionLanguages.get(c);
    if (!language) {
        language = conditionLanguage(c.base as string, c.values);
        conditionLanguages.set(c, language);
    }
    return language;
}

const conditionLanguages = new WeakMap<ParsedCondition, Language>();

/** What every question about one document needs to know of its conditions, computed once per document. */
interface PolicyFacts {
    /** Every condition key, and every key a policy variable reads. */
    keys: ReadonlySet<string>;
    /** Keys that a numeric, date, IP, Bool or Binary condition names. */
    enumerated: ReadonlySet<string>;
    denies: readonly ParsedStatement[];
}

const facts = new WeakMap<ParsedPolicy, PolicyFacts>();

function policyFacts(policy: ParsedPolicy): PolicyFacts {
    let f = facts.get(policy);
    if (!f) {
        const keys = new Set<string>();
        const enumerated = new Set<string>();
        for (const st of policy.statements) {
            for (const c of st.conditions) {
                keys.add(c.keyLower);
                if (c.variables) {
                    c.values.flatMap(variableKeys).forEach((k) => keys.add(k));
                }
                if (c.base !== undefined && c.base !== "Null" && !STRING_OPERATORS.has(c.base)) {
                    enumerated.add(c.keyLower);
                }
            }
        }
        f = { keys, enumerated, denies: policy.statements.filter((st) => st.effect === "Deny") };
        facts.set(policy, f);
    }
    return f;
}

/** Names of the keys a value's policy variables read. */
function variableKeys(value: string): string[] {
    const out: string[] = [];
    for (const m of value.matchAll(/\$\{([^}]*)\}/g)) {
        const body = m[1].trim();
        if (body === "*" || body === "?" || body === "$") {
            continue;
        }
        const name = /^([^,]+?)\s*(?:,\s*'[^']*')?$/.exec(body);
        out.push((name ? name[1] : body).trim().toLowerCase());
    }
    return out;
}

/** `arn:<f>:<f>:<f>:` then `inner` as the account field, then `:` and anything. */
function accountField(inner: Pattern): Pattern {
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

/** The forms of an IAM principal of some account, by aws:PrincipalType. */
function principalForms(partition: string): Array<{ type: string; language: Language }> {
    const digits = Array.from({ length: 12 }, () => DIGIT);
    const name = [classChar(NAME_CHAR), classChar(NAME_CHAR, true)];
    const text = (s: string): Element[] => Array.from(s, (c) => literalChar(c));
    return [
        { type: "Account", language: [[...text(`arn:${partition}:iam::`), ...digits, ...text(":root")]] },
        { type: "User", language: [[...text(`arn:${partition}:iam::`), ...digits, ...text(":user/"), ...name]] },
        // A role session's aws:PrincipalArn is its role's ARN.
        { type: "AssumedRole", language: [[...text(`arn:${partition}:iam::`), ...digits, ...text(":role/"), ...name]] },
        {
            type: "FederatedUser",
            language: [[...text(`arn:${partition}:sts::`), ...digits, ...text(":federated-user/"), ...name]],
        },
    ];
}

/**
 * The caller variable: an IAM principal (account root, user, role session, federated user) of another account.
 * One object per partition and owner, so that questions about the same caller share their compiled form.
 */
export function foreignCaller(partition: string, owner: string): CallerVariable {
    const memoKey = `${partition}:${owner}`;
    let caller = foreignCallers.get(memoKey);
    if (!caller) {
        const forms = principalForms(partition).flatMap((f) => f.language);
        caller = {
            shape: [
                { language: forms, want: true },
                { language: [accountField(Array.from(owner, (c) => literalChar(c)))], want: false },
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
function derivedContext(arn: string): Map<string, string[]> {
    const account = accountOf(arn) ?? "";
    return new Map([
        [PRINCIPAL_KEY, [arn]],
        ["aws:principalaccount", [account]],
        ["kms:calleraccount", [account]],
        [TYPE_KEY, [principalType(arn)]],
    ]);
}

function isCallerVariable(p: Question["principal"]): p is CallerVariable {
    return "shape" in p;
}

const EVERYONE: ParsedPrincipal = { wildcard: true, values: {} };

/** Whether the statement's Action and Resource cover the request's action and resource (Principal and Conditions aside). */
function actionAndResourceApply(st: ParsedStatement, req: NormalizedRequest): boolean {
    const skeleton: ParsedStatement = {
        index: st.index,
        where: st.where,
        effect: st.effect,
        actions: st.actions,
        notActions: st.notActions,
        resources: st.resources,
        notResources: st.notResources,
        principal: EVERYONE,
        conditions: [],
    };
    return statementApplies(skeleton, req);
}

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

/** A number per object, for keys of the tables above (objects are never compared by content there). */
function identity(o: object): number {
    let n = identities.get(o);
    if (n === undefined) {
        n = ++lastIdentity;
        identities.set(o, n);
    }
    return n;
}

const identities = new WeakMap<object, number>();
let lastIdentity = 0;

/** How a key varies, as text: the fixed value, or whether it may be absent, be a list, and its shape's constraints. */
function domainSignature(d: KeyDomain): string {
    if (d.kind === "fixed") {
        return d.value === undefined ? "a" : `f${d.value.length}:${d.value.join("\u0001")}`;
    }
    let out = `v${d.absent ? 1 : 0}${d.multi ? 1 : 0}`;
    for (const c of d.shape) {
        out += `,${identity(c)}`;
    }
    return d.mustContain ? `${out};${d.mustContain.length}:${d.mustContain.join("\u0001")}` : out;
}

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
        this.partition = /^arn:([^:]+):/.exec(q.resource ?? "")?.[1] ?? "aws";
        this.facts = policyFacts(q.policy);
        let table = compiledQuestions.get(q.policy);
        if (!table) {
            table = new Map();
            compiledQuestions.set(q.policy, table);
        }
        const signature = this.signature();
        const hit = table.get(signature);
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
        if (table.size >= COMPILED_PER_DOCUMENT) {
            table.clear();
        }
        table.set(signature, this.c);
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
                this.callerVaries && (key === PRINCIPAL_KEY || ACCOUNT_KEYS.has(key) || key === TYPE_KEY)
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
        if (this.callerVaries && (ACCOUNT_KEYS.has(key) || key === TYPE_KEY)) {
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

    /** A condition on a key the caller determines, as a part on the caller's ARN. */
    private callerAtom(c: ParsedCondition, values: string[]): Atom | boolean {
        const key = c.keyLower;
        if (c.base === "Null") {
            return c.values.some((v) => v.toLowerCase() !== "true");
        }
        if (key === TYPE_KEY) {
            const resolved: ParsedCondition = { ...c, values, variables: false };
            const language = principalForms(this.partition)
                .filter((f) => conditionHolds(resolved, new Map([[key, [f.type]]])))
                .flatMap((f) => f.language);
            return this.atom({ key: PRINCIPAL_KEY, absentHolds: false, language, negated: false });
        }
        if (!STRING_OPERATORS.has(c.base as string)) {
            throw new Unsupported(`${c.operator} on ${c.key}`);
        }
        const language: Pattern[] = [];
        for (const v of values) {
            if (c.base?.startsWith("Arn")) {
                if (v === "*") {
                    language.push(...EVERYTHING);
                }
                continue; // an account is no ARN
            }
            const ignoreCase = c.base?.includes("IgnoreCase") ?? false;
            const inner = c.base?.endsWith("Like") ? glob(v, false, true) : equalTo(v, ignoreCase);
            language.push(accountField(inner));
        }
        return this.atom({ key: PRINCIPAL_KEY, absentHolds: false, language, negated: c.negated });
    }

    /** Whether the key is decided by trying representative values (a non-string operator names it). */
    private enumerated(key: string): boolean {
        return this.facts.enumerated.has(key);
    }

    /** Representative values of an enumerated key: each interval the document's literals cut, each literal. */
    private representatives(key: string): Values[] {
        const hit = this.c.candidates.get(key);
        if (hit) {
            return hit;
        }
        // Values of the kinds the key's operators compare: a key that only numeric conditions name holds numbers.
        const strings = new Set<string>();
        const numbers = new Set<number>();
        const dates = new Set<number>();
        for (const st of this.q.policy.statements) {
            for (const c of st.conditions) {
                if (c.keyLower !== key || c.base === undefined) {
                    continue;
                }
                if (c.base === "Bool") {
                    strings.add("true").add("false");
                }
                if (STRING_OPERATORS.has(c.base)) {
                    strings.add("x");
                }
                for (const raw of c.values) {
                    const v = raw.replaceAll(LITERAL_STAR, "*").replaceAll(LITERAL_QUESTION, "?");
                    strings.add(v);
                    if (STRING_OPERATORS.has(c.base)) {
                        strings.add(v.replace(/[*?]/g, "x"));
                    }
                    if (c.base.startsWith("Numeric") && v.trim() !== "" && !Number.isNaN(Number(v))) {
                        numbers.add(Number(v));
                    }
                    if (c.base.startsWith("Date")) {
                        const t = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
                        if (!Number.isNaN(t)) {
                            dates.add(t);
                        }
                    }
                    if (c.base.endsWith("IpAddress")) {
                        ipRepresentatives(v).forEach((ip) => strings.add(ip));
                    }
                }
            }
        }
        const around = (points: Set<number>, unit: number): number[] => {
            const sorted = [...points].sort((a, b) => a - b);
            const out: number[] = [];
            sorted.forEach((p, i) => {
                out.push(p - unit, p, p + unit);
                if (i + 1 < sorted.length) {
                    out.push((p + sorted[i + 1]) / 2);
                }
            });
            return out;
        };
        around(numbers, 1).forEach((n) => strings.add(String(n)));
        around(dates, 1000).forEach((t) => strings.add(String(t / 1000)));
        const d = this.domainOf(key);
        const out: Values[] = [];
        if (d.kind === "free" && d.absent) {
            out.push(undefined);
        }
        for (const s of strings) {
            if (s !== "" && d.kind === "free" && d.shape.every((c) => inLanguage(c.language, s) === c.want)) {
                out.push(d.multi && d.mustContain ? [...d.mustContain, s] : [s]);
            }
        }
        this.c.candidates.set(key, out);
        return out;
    }

    /** A value of `key` meeting every requirement on it, null when none exists. */
    private solveKey(key: string, reqs: readonly Requirement[]): { value: Values } | null {
        const extra = this.q.require?.get(key);
        let memo = `${key}\u0000${extra ? identity(extra) : ""}\u0000${domainSignature(this.domainOf(key))}\u0000`;
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
        this.c.solved.set(memo, { result, steps: this.work.spent - before });
        return result;
    }

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
        if (caller && (reqs.some((r) => r.atom.test) || this.enumerated(key))) {
            throw new Unsupported(`a non-string operator on ${key}`);
        }
        if (reqs.some((r) => r.atom.test) || this.enumerated(key)) {
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
            const s = solve(constraints, true, this.work);
            return s === undefined ? null : { value: [s] };
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

/** How a requirement on a list reads: "every element" or "some element" is (`inside`) or is not in the language. */
function listQuantifier(atom: Atom, want: boolean): { quantifier: "all" | "some"; inside: boolean } {
    // Positive forms: plain and ForAnyValue hold when some element is in the language; ForAllValues when all are.
    const positiveSome = atom.set !== "ForAllValues";
    if (!atom.negated) {
        return want
            ? { quantifier: positiveSome ? "some" : "all", inside: true }
            : { quantifier: positiveSome ? "all" : "some", inside: false };
    }
    // Negated: plain is "no element in" (all outside); ForAnyValue "some element outside"; ForAllValues "all outside".
    const someOutside = atom.set === "ForAnyValue";
    return want
        ? { quantifier: someOutside ? "some" : "all", inside: false }
        : { quantifier: someOutside ? "all" : "some", inside: true };
}

/** Whether the part holds for a value of its key. */
function holds(atom: Atom, v: Values): boolean {
    if (v === undefined || v.length === 0) {
        return atom.absentHolds;
    }
    if (atom.test) {
        return atom.test(v);
    }
    const language = atom.language ?? [];
    const { quantifier, inside } = listQuantifier(atom, true);
    const ok = (e: string): boolean => inLanguage(language, e) === inside;
    return quantifier === "all" ? v.every(ok) : v.some(ok);
}

/** Addresses that stand for the intervals an IPv4 CIDR cuts: its first and last, and those just outside. */
function ipRepresentatives(cidr: string): string[] {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(cidr.trim());
    if (!m) {
        return [];
    }
    const address = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
    const bits = m[5] === undefined ? 32 : Math.min(32, Number(m[5]));
    const size = 2 ** (32 - bits);
    const first = Math.floor(address / size) * size;
    const last = first + size - 1;
    const text = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
    return [first - 1, first, last, last + 1].filter((n) => n >= 0 && n <= 0xffffffff).map(text);
}

/** The caller ARNs a Principal element names, as a language; "everyone" for `"*"` / `{"AWS": "*"}`. */
function principalLanguage(p: ParsedPrincipal): Language | "everyone" {
    if (p.wildcard || p.values.AWS?.includes("*")) {
        return "everyone";
    }
    const out: Pattern[] = [];
    for (const v of p.values.AWS ?? []) {
        const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(v);
        const account = /^\d{12}$/.test(v) ? v : root ? root[1] : undefined;
        if (account !== undefined) {
            out.push(accountField(Array.from(account, (c) => literalChar(c))));
        } else {
            out.push(...literal(v));
        }
    }
    return out;
}

/**
 * A request that `q.statement` allows and that the document allows, or undefined when none exists. Throws
 * {@link Unsupported} for a document outside the model and {@link TooHard} beyond the work limit.
 */
export function findAllowedRequestExactly(q: Question): NormalizedRequest | undefined {
    return new Search(q).find();
}
