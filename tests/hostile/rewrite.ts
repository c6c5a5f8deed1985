/**
 * Rewrites of key policy documents for the semantic properties: weakenings of the service
 * statement (each must turn a pass into a violation) and equivalent spellings (each must keep the
 * verdict). Pure functions over JSON documents; test-only.
 */
import { APPLICATION_ID_CONTEXT_KEY, SOURCE_ACCOUNT_KEY, SOURCE_ARN_KEY } from "../../policypack/judge/constants";
import { Json, PolicyDoc, Statement, clone } from "./generators";

type Block = Record<string, Record<string, Json>>;

/** The binding keys of the service statement. */
export const BINDING_KEYS = [SOURCE_ARN_KEY, SOURCE_ACCOUNT_KEY, APPLICATION_ID_CONTEXT_KEY] as const;

/**
 * The weakenings the issue lists. "Wrap in ForAnyValue" is NOT a weakening of a
 * single-valued key: ForAnyValue is false when the key is missing, even with IfExists (observed on
 * AWS: re:Post question QU9HFmDzP0QGuU-fd7rS6B7w "ForAnyValue:StringEqualsIfExists behaving
 * unexpectedly"; iam-simulate agrees), and with one request value it equals the plain operator. So
 * the set-operator weakenings are ForAllValues (true when the key is missing) and ForAnyValue over
 * a negated operator; the plain ForAnyValue wrap is checked as an equivalence. Nor is IgnoreCase on a
 * binding key: the values the service sends (application ARN and id, account) are lower-case or digits,
 * so a case-insensitive match of one value still admits one application; it is checked as an equivalence.
 */
export const WEAKENINGS = [
    "drop",
    "ifExists",
    "negate",
    "wildcard",
    "secondValue",
    "forAnyValueNegated",
    "forAllValues",
] as const;
/** One weakening. */
export type Weakening = (typeof WEAKENINGS)[number];

const NEGATION: Record<string, string> = {
    StringEquals: "StringNotEquals",
    StringLike: "StringNotLike",
    ArnEquals: "ArnNotEquals",
    ArnLike: "ArnNotLike",
    StringEqualsIgnoreCase: "StringNotEqualsIgnoreCase",
};

/** Finds the operator of `key` in a condition block. */
function operatorOf(cond: Block, key: string): string | undefined {
    return Object.keys(cond).find((op) => Object.keys(cond[op]).some((k) => k.toLowerCase() === key.toLowerCase()));
}

/** Moves `key` (with its value) from its operator to `newOp` in `cond` (mutates). */
function moveKey(cond: Block, key: string, newOp: string, value?: Json): void {
    const op = operatorOf(cond, key);
    if (op === undefined) {
        return;
    }
    const actual = Object.keys(cond[op]).find((k) => k.toLowerCase() === key.toLowerCase()) as string;
    const v = value ?? cond[op][actual];
    delete cond[op][actual];
    if (Object.keys(cond[op]).length === 0) {
        delete cond[op];
    }
    (cond[newOp] ??= {})[actual] = v;
}

/** The wildcard patterns used to replace a binding value. */
export function wildcardsFor(value: string): string[] {
    return ["*", value.slice(0, Math.max(1, value.length - 3)) + "*", value.slice(0, -1) + "?"];
}

/**
 * Applies one weakening to `key` in statement `index` of `doc` (a copy). `variant` picks among the
 * wildcard patterns.
 */
export function weaken(
    doc: PolicyDoc,
    index: number,
    key: string,
    w: Weakening | "forAnyValue" | "ignoreCase",
    variant = 0,
): PolicyDoc {
    const out = clone(doc);
    const st = (out.Statement as Statement[])[index];
    const cond = st.Condition as Block;
    const op = operatorOf(cond, key);
    if (op === undefined) {
        throw new Error(`no condition on ${key}`);
    }
    const actual = Object.keys(cond[op]).find((k) => k.toLowerCase() === key.toLowerCase()) as string;
    const value = cond[op][actual];
    const single = (Array.isArray(value) ? value[0] : value) as string;
    switch (w) {
        case "drop":
            delete cond[op][actual];
            if (Object.keys(cond[op]).length === 0) {
                delete cond[op];
            }
            break;
        case "ifExists":
            moveKey(cond, key, `${op}IfExists`);
            break;
        case "negate":
            moveKey(cond, key, NEGATION[op] ?? `${op}Not`);
            break;
        case "wildcard": {
            const likeOp = op.startsWith("Arn") ? "ArnLike" : "StringLike";
            const pats = wildcardsFor(single);
            moveKey(cond, key, likeOp, pats[variant % pats.length]);
            break;
        }
        case "secondValue":
            cond[op][actual] = [single, `${single.slice(0, -1)}${single.endsWith("9") ? "8" : "9"}`];
            break;
        case "forAnyValueNegated":
            moveKey(cond, key, `ForAnyValue:${NEGATION[op] ?? `${op}Not`}`);
            break;
        case "forAnyValue":
            moveKey(cond, key, `ForAnyValue:${op}`);
            break;
        case "forAllValues":
            moveKey(cond, key, `ForAllValues:${op}`);
            break;
        case "ignoreCase":
            moveKey(cond, key, op.startsWith("Arn") ? "StringEqualsIgnoreCase" : "StringEqualsIgnoreCase");
            break;
    }
    if (Object.keys(cond).length === 0) {
        delete st.Condition;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Equivalent spellings.

/** The rewrites that keep the IAM meaning of a document. */
export const EQUIVALENCES = [
    "keyCase",
    "operatorCase",
    "listSingle",
    "statementObject",
    "actionList",
    "duplicateValues",
    "arnEqualsLike",
    "stringEqualsLike",
    "reorderStatements",
    "reorderConditions",
] as const;
/** One equivalent rewrite. */
export type Equivalence = (typeof EQUIVALENCES)[number];

function isLiteral(v: Json): boolean {
    const list = Array.isArray(v) ? v : [v];
    return list.every((x) => typeof x === "string" && !x.includes("*") && !x.includes("?") && !x.includes("${"));
}

function flipEvery(s: string, seed: number): string {
    let out = "";
    let i = 0;
    for (const ch of s) {
        out += (seed >> (i++ % 16)) & 1 ? ch.toUpperCase() : ch.toLowerCase();
    }
    return out;
}

function reorder<T>(list: T[], seed: number): T[] {
    const out = [...list];
    let x = seed || 1;
    for (let i = out.length - 1; i > 0; i--) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        const j = x % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

function reorderObject<T>(o: Record<string, T>, seed: number): Record<string, T> {
    const out: Record<string, T> = {};
    for (const k of reorder(Object.keys(o), seed)) {
        out[k] = o[k];
    }
    return out;
}

/** Swaps the base of an operator (keeping set prefix and IfExists) when the block allows it. */
function swapBase(cond: Block, from: string, to: string): void {
    for (const op of Object.keys(cond)) {
        const m = /^(ForAnyValue:|ForAllValues:)?([A-Za-z]+?)(IfExists)?$/.exec(op);
        if (!m || m[2] !== from) {
            continue;
        }
        const target = `${m[1] ?? ""}${to}${m[3] ?? ""}`;
        for (const key of Object.keys(cond[op])) {
            const v = cond[op][key];
            if (!isLiteral(v) || (cond[target] && key in cond[target])) {
                continue;
            }
            delete cond[op][key];
            (cond[target] ??= {})[key] = v;
        }
        if (Object.keys(cond[op]).length === 0) {
            delete cond[op];
        }
    }
}

/** Applies an equivalent rewrite (a copy); `seed` drives the arbitrary choices. */
export function rewrite(doc: PolicyDoc, e: Equivalence, seed: number): PolicyDoc {
    const out = clone(doc);
    const statements = (Array.isArray(out.Statement) ? out.Statement : [out.Statement]) as Statement[];
    const conds = statements.map((s) => s.Condition as Block | undefined).filter((c): c is Block => !!c);
    switch (e) {
        case "keyCase":
            // "Context key names are not case-sensitive" (IAM User Guide, Condition element).
            for (const c of conds) {
                for (const op of Object.keys(c)) {
                    const next: Record<string, Json> = {};
                    for (const [k, v] of Object.entries(c[op])) {
                        next[flipEvery(k, seed)] = v;
                    }
                    c[op] = next;
                }
            }
            break;
        case "operatorCase":
            // Not documented by IAM either way; the judge accepts any case. If AWS rejected a case
            // variant the document could not be put, so treating it as equivalent weakens nothing.
            for (const c of conds) {
                for (const op of Object.keys(c)) {
                    const v = c[op];
                    delete c[op];
                    c[seed % 2 ? op.toLowerCase() : op.toUpperCase()] = v;
                }
            }
            break;
        case "listSingle":
            for (const s of statements) {
                for (const f of ["Action", "NotAction", "Resource", "NotResource"]) {
                    const v = s[f];
                    if (v !== undefined) {
                        s[f] = Array.isArray(v) && v.length === 1 ? v[0] : Array.isArray(v) ? v : [v];
                    }
                }
                for (const f of ["Principal", "NotPrincipal"]) {
                    const p = s[f];
                    if (p && typeof p === "object" && !Array.isArray(p)) {
                        for (const [k, v] of Object.entries(p)) {
                            p[k] = Array.isArray(v) && v.length === 1 ? v[0] : Array.isArray(v) ? v : [v];
                        }
                    }
                }
            }
            for (const c of conds) {
                for (const op of Object.keys(c)) {
                    for (const [k, v] of Object.entries(c[op])) {
                        c[op][k] = Array.isArray(v) && v.length === 1 ? v[0] : Array.isArray(v) ? v : [v];
                    }
                }
            }
            break;
        case "statementObject":
            if (statements.length === 1) {
                out.Statement = Array.isArray(out.Statement) ? statements[0] : [statements[0]];
            }
            return out;
        case "actionList":
            for (const s of statements) {
                for (const f of ["Action", "NotAction"]) {
                    const v = s[f];
                    if (typeof v === "string") {
                        s[f] = [v];
                    } else if (Array.isArray(v) && v.length === 1) {
                        s[f] = v[0];
                    }
                }
            }
            break;
        case "duplicateValues":
            for (const c of conds) {
                for (const op of Object.keys(c)) {
                    for (const [k, v] of Object.entries(c[op])) {
                        const list = Array.isArray(v) ? v : [v];
                        c[op][k] = [...list, ...list];
                    }
                }
            }
            for (const s of statements) {
                if (typeof s.Action === "string") {
                    s.Action = [s.Action, s.Action];
                }
            }
            break;
        case "arnEqualsLike":
            for (const c of conds) {
                if (seed % 2) {
                    swapBase(c, "ArnEquals", "ArnLike");
                } else {
                    swapBase(c, "ArnLike", "ArnEquals");
                }
            }
            break;
        case "stringEqualsLike":
            for (const c of conds) {
                if (seed % 2) {
                    swapBase(c, "StringEquals", "StringLike");
                } else {
                    swapBase(c, "StringLike", "StringEquals");
                }
            }
            break;
        case "reorderStatements":
            out.Statement = reorder(statements, seed);
            return out;
        case "reorderConditions":
            for (const s of statements) {
                if (s.Condition) {
                    const c = reorderObject(s.Condition as Block, seed);
                    for (const op of Object.keys(c)) {
                        c[op] = reorderObject(c[op], seed + 1);
                    }
                    s.Condition = c;
                }
                const rebuilt = reorderObject(s, seed + 2);
                for (const k of Object.keys(s)) {
                    delete s[k];
                }
                Object.assign(s, rebuilt);
            }
            break;
    }
    out.Statement = Array.isArray(out.Statement) ? statements : out.Statement;
    return out;
}
