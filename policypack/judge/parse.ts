/**
 * Parse a KMS key policy document into normalized statements, recording every problem AWS would
 * reject. Never throws. References (AWS IAM User Guide): "IAM JSON policy element reference"
 * (Version, Id, Statement, Sid, Effect, Principal/NotPrincipal, Action/NotAction,
 * Resource/NotResource, Condition), "IAM JSON policy elements: Condition operators" and "Grammar of the
 * IAM JSON policy language"; the KMS API Reference, PutKeyPolicy / CreateKey, parameter `Policy`: at
 * least 1 and at most 32,768 bytes ("If the key policy exceeds the length constraint, KMS returns a
 * LimitExceededException"), and only tab, line feed, carriage return and the characters U+0020 through
 * U+00FF (the API's pattern `[\u0009\u000A\u000D\u0020-\u00FF]+`, which it enforces as such). The grammar
 * takes an empty string as a Sid and as a condition value (the IAM guide's own `"s3:prefix": ["", "home/"]`).
 * A statement without Action or Resource is accepted by PutKeyPolicy but has no effect (the KMS console
 * reports it as an error): it is reported, and evaluated as applying to nothing.
 *
 * Values unknown at preview (the engine's sentinels, see unknowns.ts) are never problems: each is recorded
 * as an {@link UnknownPart} with where it is, and the statement keeps it for the judge to bound.
 */
import { UNKNOWN_STRING } from "./constants";
import type { UnknownPart } from "./types";
import { holdsUnknown, isUnknownSentinel } from "./unknowns";

/** Maximum size of a KMS key policy document, in bytes (KMS Developer Guide, "Key policies"). */
export const MAX_KEY_POLICY_BYTES = 32768;

/** The principal types a key policy may name. */
export type PrincipalKind = "AWS" | "Service" | "Federated" | "CanonicalUser";

/** A normalized Principal or NotPrincipal element. */
export interface ParsedPrincipal {
    /** True for the bare `"*"` form (everyone). `{"AWS": "*"}` is kept in `values.AWS` as `"*"`. */
    wildcard: boolean;
    /** Values per principal type, always lists. */
    values: Partial<Record<PrincipalKind, string[]>>;
    /** True when the whole element is unknown at preview (then `values` is empty). */
    unknown?: boolean;
}

/** The base condition operators IAM documents, canonical spelling. */
export const CONDITION_OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
] as const;

/** A canonical base condition operator. */
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** Negated operators: a missing key makes them true, and several values combine as NOR. */
export const NEGATED_OPERATORS: ReadonlySet<ConditionOperator> = new Set<ConditionOperator>([
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "NumericNotEquals",
    "DateNotEquals",
    "NotIpAddress",
    "ArnNotEquals",
    "ArnNotLike",
]);

const OPERATOR_BY_LOWER: ReadonlyMap<string, ConditionOperator> = new Map(
    CONDITION_OPERATORS.map((op) => [op.toLowerCase(), op] as [string, ConditionOperator]),
);

/** One (operator, key, values) triple of a Condition block. */
export interface ParsedCondition {
    /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
    operator: string;
    /** The canonical base operator, or undefined when unknown (the document is then malformed). */
    base: ConditionOperator | undefined;
    /** `...IfExists` suffix. */
    ifExists: boolean;
    /** `ForAnyValue:` / `ForAllValues:` prefix. */
    set: "ForAnyValue" | "ForAllValues" | undefined;
    /** True for the negated operators (StringNotEquals, ArnNotLike, NotIpAddress, ...). */
    negated: boolean;
    /** The condition key as written. */
    key: string;
    /** The key lower-cased (condition keys are case-insensitive). */
    keyLower: string;
    /** The values, as strings (numbers and booleans converted). */
    values: string[];
    /**
     * True when some value holds a policy variable (`${aws:ResourceAccount}`) that evaluation must
     * substitute: only with `"Version": "2012-10-17"`, only for String* and Arn* operators (IAM User
     * Guide, "IAM policy elements: Variables and tags"; without that Version they are literal text).
     */
    variables?: boolean;
}

/** One normalized statement. */
export interface ParsedStatement {
    /** 0-based position in the document. */
    index: number;
    sid?: string;
    /** `Sid "X"` when the statement has a Sid, else `statement #N` (1-based). */
    where: string;
    effect: "Allow" | "Deny";
    actions?: string[];
    notActions?: string[];
    resources?: string[];
    notResources?: string[];
    principal?: ParsedPrincipal;
    notPrincipal?: ParsedPrincipal;
    conditions: ParsedCondition[];
    /**
     * True when a Resource or NotResource value holds a policy variable that evaluation substitutes (only with
     * `"Version": "2012-10-17"`; IAM User Guide, "IAM policy elements: Variables and tags").
     */
    resourceVariables?: boolean;
}

/** A statement whose Effect, or which as a whole, is unknown at preview. */
export interface PendingStatement {
    index: number;
    where: string;
    /** The statement as read, its `effect` a placeholder; undefined when the whole statement is unknown. */
    statement?: ParsedStatement;
}

/** A normalized policy: the statements that could be read. */
export interface ParsedPolicy {
    version?: string;
    id?: string;
    /** Statements with a known Effect (unknown values inside are kept as the sentinel strings). */
    statements: ParsedStatement[];
    /** True when some value is (or contains) the engine's unknown sentinel. */
    hasUnknowns: boolean;
    /** Every part unknown at preview, in document order (empty or absent when none). */
    unknowns?: UnknownPart[];
    /** Statements left out of `statements` because their Effect, or they as a whole, are unknown at preview. */
    pending?: PendingStatement[];
    /** True when Version is unknown at preview (policy variables are then read as with "2012-10-17"). */
    versionUnknown?: boolean;
}

/** One reason AWS would reject the document. */
export interface ParseProblem {
    /** `Sid "X"` / `statement #N`, or undefined for whole-document problems. */
    where?: string;
    message: string;
    fix: string;
}

/** The result of {@link parsePolicyDocument}. */
export interface ParseResult {
    /** True when there is no problem at all. */
    ok: boolean;
    /**
     * The statements that could be read (statements with a missing/unknown Effect or no action are
     * left out). Undefined when the document is not a JSON object.
     */
    policy?: ParsedPolicy;
    problems: ParseProblem[];
}

const TOP_LEVEL_FIELDS = new Set(["Version", "Id", "Statement"]);

/**
 * What KMS does with a statement that lacks Action or Resource (PutKeyPolicy reference): the request succeeds,
 * the statement is ignored, and the console reports an error. The judge evaluates it as applying to nothing.
 */
const NO_EFFECT =
    "KMS stores the document but the statement has no effect (the KMS console reports it as an error), so it " +
    "grants and denies nothing";
const STATEMENT_FIELDS = new Set([
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
]);
const PRINCIPAL_KINDS: readonly PrincipalKind[] = ["AWS", "Service", "Federated", "CanonicalUser"];
const VALID_VERSIONS = new Set(["2012-10-17", "2008-10-17"]);

function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "a list";
    }
    return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** Splits a condition operator name into prefix, base and IfExists; base undefined when unknown. */
export function parseOperator(name: string): {
    base: ConditionOperator | undefined;
    ifExists: boolean;
    set: "ForAnyValue" | "ForAllValues" | undefined;
} {
    let rest = name;
    let set: "ForAnyValue" | "ForAllValues" | undefined;
    const lower = rest.toLowerCase();
    if (lower.startsWith("foranyvalue:")) {
        set = "ForAnyValue";
        rest = rest.slice("ForAnyValue:".length);
    } else if (lower.startsWith("forallvalues:")) {
        set = "ForAllValues";
        rest = rest.slice("ForAllValues:".length);
    }
    let ifExists = false;
    if (rest.toLowerCase().endsWith("ifexists")) {
        ifExists = true;
        rest = rest.slice(0, -"IfExists".length);
    }
    let base = OPERATOR_BY_LOWER.get(rest.toLowerCase());
    // The IAM guide: "You can add IfExists to the end of any condition operator name except the Null condition".
    if (base === "Null" && ifExists) {
        base = undefined;
    }
    return { base, ifExists, set };
}

const VALID_OPERATOR_TEXT =
    "String(Not)Equals(IgnoreCase), String(Not)Like, Numeric*, Date*, Bool, BinaryEquals, IpAddress, " +
    "NotIpAddress, Arn(Not)Equals, Arn(Not)Like, Null, each optionally with the IfExists suffix (not Null) and " +
    "the ForAnyValue:/ForAllValues: prefix";

class Parser {
    readonly problems: ParseProblem[] = [];
    readonly unknowns: UnknownPart[] = [];
    readonly pending: PendingStatement[] = [];
    hasUnknowns = false;
    /** Numbers written in a form other than plain digits in the document's text (string documents only). */
    oddNumbers: ReadonlySet<number> = new Set();

    problem(where: string | undefined, message: string, fix: string): void {
        if (this.problems.length < 100) {
            this.problems.push({ where, message, fix });
        }
    }

    /** Records a part unknown at preview. */
    unknown(where: string | undefined, path: string[], what: string, value: string): void {
        this.hasUnknowns = true;
        if (this.unknowns.length < 100) {
            this.unknowns.push({ where, path, what, sentinel: isUnknownSentinel(value) ? value : UNKNOWN_STRING });
        }
    }

    /** An empty string where a value is required: AWS has nothing to match it with. */
    empty(where: string, field: string): void {
        this.problem(
            where,
            `${where}: ${field} holds an empty string ("").`,
            `Write the intended value in ${field}, or remove the empty entry; an empty value usually comes from a ` +
                "variable that was not set when the document was built.",
        );
    }

    /** A string or a non-empty list of strings; undefined (with a problem) otherwise. */
    stringList(value: unknown, where: string, field: string, path: string[]): string[] | undefined {
        if (isUnknownSentinel(value)) {
            this.unknown(where, path, `the ${field} element`, value);
            return [value];
        }
        const list = Array.isArray(value) ? value : [value];
        if (list.length === 0) {
            this.problem(where, `${where}: ${field} is an empty list.`, `Give ${field} at least one value.`);
            return undefined;
        }
        const out: string[] = [];
        for (let j = 0; j < list.length; j++) {
            const item: unknown = list[j];
            if (typeof item !== "string") {
                this.problem(
                    where,
                    `${where}: ${field} must be a string or a list of strings, but holds ${describe(item)}.`,
                    `Write each ${field} value as a JSON string.`,
                );
                return undefined;
            }
            if (holdsUnknown(item)) {
                this.unknown(where, Array.isArray(value) ? [...path, String(j)] : path, `a value of ${field}`, item);
            } else if (item === "") {
                this.empty(where, field);
            }
            out.push(item);
        }
        return out;
    }

    principal(value: unknown, where: string, field: string, path: string[]): ParsedPrincipal | undefined {
        if (value === "*") {
            return { wildcard: true, values: {} };
        }
        if (typeof value === "string" && holdsUnknown(value)) {
            this.unknown(where, path, `the ${field} element`, value);
            return { wildcard: false, values: {}, unknown: true };
        }
        if (!isRecord(value)) {
            this.problem(
                where,
                `${where}: ${field} must be "*" or an object such as {"AWS": "<arn>"} or {"Service": ` +
                    `"<service>.amazonaws.com"}, but is ${describe(value)}${typeof value === "string" ? ` ("${value}")` : ""}.`,
                `Write ${field} as {"AWS": [...]} or {"Service": [...]}.`,
            );
            return undefined;
        }
        const out: ParsedPrincipal = { wildcard: false, values: {} };
        const keys = Object.keys(value);
        if (keys.length === 0) {
            this.problem(where, `${where}: ${field} is an empty object.`, `Name at least one principal in ${field}.`);
            return undefined;
        }
        for (const k of keys) {
            const kind = PRINCIPAL_KINDS.find((p) => p === k);
            if (!kind) {
                this.problem(
                    where,
                    `${where}: ${field} has an unknown principal type "${k}".`,
                    `Use one of ${PRINCIPAL_KINDS.join(", ")}.`,
                );
                continue;
            }
            const list = this.stringList(value[k], where, `${field}.${k}`, [...path, k]);
            if (list) {
                out.values[kind] = list;
            }
        }
        return out;
    }

    /** A condition standing for an unknown operator block or Condition element (the bounds drop or inert it). */
    private unknownCondition(operator: string, value: string): ParsedCondition {
        return {
            operator,
            base: undefined,
            ifExists: false,
            set: undefined,
            negated: false,
            key: value,
            keyLower: value,
            values: [value],
        };
    }

    /** One condition value as the text AWS compares, or undefined (with a problem) when it cannot be one. */
    private conditionValue(
        item: unknown,
        where: string,
        operator: string,
        base: ConditionOperator | undefined,
        key: string,
        path: string[],
    ): string | undefined {
        if (typeof item === "string") {
            if (holdsUnknown(item)) {
                this.unknown(where, path, `a value of Condition "${operator}" "${key}"`, item);
            }
            // An empty value is accepted and compared as it is: it matches only a request value that is empty.
            return item;
        }
        if (typeof item === "boolean") {
            // The IAM grammar: quotation marks are optional for Boolean values; AWS compares "true" / "false".
            return String(item);
        }
        if (typeof item === "number") {
            const numeric = base !== undefined && (base.startsWith("Numeric") || base.startsWith("Date"));
            // Quotation marks are optional for numbers too, but how AWS turns 1.0, 1e3 or 2^53+1 into the
            // text a String/Arn/Bool/IP operator compares is not documented: only whole numbers written
            // as plain digits are read; Numeric and Date operators compare numbers, so any finite one is.
            const plain = Number.isSafeInteger(item) && item >= 0 && !this.oddNumbers.has(item);
            if (!Number.isFinite(item) || (!numeric && !plain)) {
                this.problem(
                    where,
                    `${where}: the value of Condition "${operator}" "${key}" is the number ${String(item)}, whose ` +
                        `text AWS compares with a ${base ?? "string"} operator is not defined.`,
                    `Write the value as a JSON string, e.g. "${String(item)}".`,
                );
            }
            return String(item);
        }
        return undefined;
    }

    conditions(value: unknown, where: string, path: string[]): ParsedCondition[] {
        const out: ParsedCondition[] = [];
        if (typeof value === "string" && holdsUnknown(value)) {
            this.unknown(where, path, "the Condition element", value);
            return [this.unknownCondition(value, value)];
        }
        if (!isRecord(value)) {
            this.problem(
                where,
                `${where}: Condition must be an object of {"<operator>": {"<key>": <values>}}, but is ${describe(value)}.`,
                `Write Condition as an object, e.g. {"StringEquals": {"aws:SourceAccount": "<account-id>"}}.`,
            );
            return out;
        }
        const operatorsSeen = new Map<string, string>();
        for (const operator of Object.keys(value)) {
            const parsed = parseOperator(operator);
            const operatorLower = operator.toLowerCase();
            const operatorPath = [...path, operator];
            const sameOperator = operatorsSeen.get(operatorLower);
            if (sameOperator !== undefined) {
                // Two spellings of one operator: which block AWS evaluates is not documented.
                this.problem(
                    where,
                    `${where}: Condition has the operator twice, as "${sameOperator}" and "${operator}" (names that ` +
                        `differ only by case).`,
                    `Merge the two blocks into one "${sameOperator}" block.`,
                );
            } else {
                operatorsSeen.set(operatorLower, operator);
            }
            if (holdsUnknown(operator)) {
                this.unknown(where, operatorPath, "a condition operator", operator);
            } else if (!parsed.base) {
                this.problem(
                    where,
                    `${where}: the condition operator "${operator}" is not one AWS accepts.`,
                    `Use one of ${VALID_OPERATOR_TEXT}.`,
                );
            }
            const block = value[operator];
            if (typeof block === "string" && holdsUnknown(block)) {
                this.unknown(where, operatorPath, `the Condition "${operator}" block`, block);
                out.push(this.unknownCondition(operator, block));
                continue;
            }
            if (!isRecord(block)) {
                this.problem(
                    where,
                    `${where}: Condition "${operator}" must map condition keys to values, but is ${describe(block)}.`,
                    `Write it as {"${operator}": {"<condition-key>": "<value>"}}.`,
                );
                continue;
            }
            const keysSeen = new Map<string, string>();
            for (const key of Object.keys(block)) {
                const keyPath = [...operatorPath, key];
                if (holdsUnknown(key)) {
                    this.unknown(where, keyPath, `a condition key of "${operator}"`, key);
                } else if (key === "") {
                    this.problem(
                        where,
                        `${where}: Condition "${operator}" has an empty condition key ("").`,
                        `Name the condition key, e.g. "aws:SourceArn".`,
                    );
                }
                const sameKey = keysSeen.get(key.toLowerCase());
                if (sameKey !== undefined) {
                    // Condition keys are case-insensitive, so this is one key written twice; IAM Access
                    // Analyzer reports it as an error ("Duplicate keys with different case").
                    this.problem(
                        where,
                        `${where}: Condition "${operator}" has the condition key twice, as "${sameKey}" and "${key}" ` +
                            `(condition key names are case-insensitive), so which value applies is undefined.`,
                        `Keep one "${sameKey}" entry in "${operator}" and put all its values in one list.`,
                    );
                } else {
                    keysSeen.set(key.toLowerCase(), key);
                }
                const raw = block[key];
                if (isUnknownSentinel(raw)) {
                    this.unknown(where, keyPath, `the values of Condition "${operator}" "${key}"`, raw);
                }
                const list = Array.isArray(raw) ? raw : [raw];
                const values: string[] = [];
                let bad = list.length === 0;
                for (let j = 0; j < list.length && !isUnknownSentinel(raw); j++) {
                    const item: unknown = list[j];
                    const valuePath = Array.isArray(raw) ? [...keyPath, String(j)] : keyPath;
                    const text = this.conditionValue(item, where, operator, parsed.base, key, valuePath);
                    if (text !== undefined) {
                        values.push(text);
                    } else {
                        bad = true;
                    }
                }
                if (isUnknownSentinel(raw)) {
                    values.push(raw);
                }
                if (bad) {
                    this.problem(
                        where,
                        `${where}: the value of "${operator}" / "${key}" must be a string, number or boolean, or a ` +
                            `non-empty list of them, but is ${describe(raw)}.`,
                        `Write the value as "<value>" or ["<value>", ...].`,
                    );
                    continue;
                }
                out.push({
                    operator,
                    base: parsed.base,
                    ifExists: parsed.ifExists,
                    set: parsed.set,
                    negated: parsed.base !== undefined && NEGATED_OPERATORS.has(parsed.base),
                    key,
                    keyLower: key.toLowerCase(),
                    values,
                });
            }
        }
        return out;
    }

    statement(raw: unknown, index: number, path: string[]): ParsedStatement | undefined {
        const numbered = `statement #${index + 1}`;
        if (typeof raw === "string" && holdsUnknown(raw)) {
            // A statement unknown at preview: the bounds put the widest Allow and the widest Deny in its place.
            this.unknown(numbered, path, "the whole statement", raw);
            this.pending.push({ index, where: numbered });
            return undefined;
        }
        if (!isRecord(raw)) {
            this.problem(
                numbered,
                `${numbered} must be an object, but is ${describe(raw)}.`,
                `Write each statement as {"Effect": ..., "Principal": ..., "Action": ..., "Resource": ...}.`,
            );
            return undefined;
        }
        let sid: string | undefined;
        if (raw.Sid !== undefined) {
            if (typeof raw.Sid === "string" && holdsUnknown(raw.Sid)) {
                this.unknown(numbered, [...path, "Sid"], "the Sid", raw.Sid);
            } else if (typeof raw.Sid === "string") {
                // Any text, the empty string included (policy generators have long written "Sid": "").
                sid = raw.Sid;
            } else {
                this.problem(
                    numbered,
                    `${numbered}: Sid must be a string, but is ${describe(raw.Sid)}.`,
                    `Write Sid as a string.`,
                );
            }
        }
        const where = sid !== undefined && sid !== "" ? `Sid "${sid}"` : numbered;
        for (const k of Object.keys(raw)) {
            if (!STATEMENT_FIELDS.has(k)) {
                this.problem(
                    where,
                    `${where} has the field "${k}", which is not a policy statement element.`,
                    `Remove "${k}"; statements may hold only ${[...STATEMENT_FIELDS].join(", ")} (names are case-sensitive).`,
                );
            }
        }
        let effect: "Allow" | "Deny" | undefined;
        let effectUnknown = false;
        let skip = false;
        if (raw.Effect === "Allow" || raw.Effect === "Deny") {
            effect = raw.Effect;
        } else if (typeof raw.Effect === "string" && holdsUnknown(raw.Effect)) {
            this.unknown(where, [...path, "Effect"], "the Effect", raw.Effect);
            effectUnknown = true;
        } else {
            this.problem(
                where,
                raw.Effect === undefined
                    ? `${where} has no Effect.`
                    : `${where}: Effect must be "Allow" or "Deny", but is ${JSON.stringify(raw.Effect) ?? describe(raw.Effect)}.`,
                `Set "Effect": "Allow" or "Effect": "Deny".`,
            );
        }
        const st: Partial<ParsedStatement> & { conditions: ParsedCondition[] } = {
            index,
            sid,
            where,
            effect,
            conditions: [],
        };
        // Action / NotAction: exactly one.
        const hasAction = raw.Action !== undefined;
        const hasNotAction = raw.NotAction !== undefined;
        if (hasAction === hasNotAction) {
            this.problem(
                where,
                hasAction
                    ? `${where} has both Action and NotAction.`
                    : `${where} has neither Action nor NotAction: ${NO_EFFECT}.`,
                `Give exactly one of Action or NotAction, e.g. "Action": ["kms:GenerateDataKey", "kms:Decrypt"].`,
            );
            skip = true;
        } else if (hasAction) {
            st.actions = this.stringList(raw.Action, where, "Action", [...path, "Action"]);
            skip ||= st.actions === undefined;
        } else {
            st.notActions = this.stringList(raw.NotAction, where, "NotAction", [...path, "NotAction"]);
            skip ||= st.notActions === undefined;
        }
        // Resource / NotResource: a key policy statement needs one ("*" means this key).
        const hasResource = raw.Resource !== undefined;
        const hasNotResource = raw.NotResource !== undefined;
        if (hasResource && hasNotResource) {
            this.problem(
                where,
                `${where} has both Resource and NotResource.`,
                `Keep only "Resource": "*" (in a key policy "*" means this key).`,
            );
        } else if (!hasResource && !hasNotResource) {
            this.problem(
                where,
                `${where} has neither Resource nor NotResource: ${NO_EFFECT}.`,
                `Add "Resource": "*" (in a key policy "*" means this key).`,
            );
        } else if (hasResource) {
            st.resources = this.stringList(raw.Resource, where, "Resource", [...path, "Resource"]);
        } else {
            st.notResources = this.stringList(raw.NotResource, where, "NotResource", [...path, "NotResource"]);
        }
        // Principal / NotPrincipal: a key policy is a resource policy, so exactly one is required.
        const hasPrincipal = raw.Principal !== undefined;
        const hasNotPrincipal = raw.NotPrincipal !== undefined;
        if (hasPrincipal === hasNotPrincipal) {
            this.problem(
                where,
                hasPrincipal
                    ? `${where} has both Principal and NotPrincipal.`
                    : `${where} has no Principal; a key policy is a resource policy and each statement must name one.`,
                `Give exactly one Principal, e.g. "Principal": {"Service": "emr-serverless.amazonaws.com"}.`,
            );
            skip = true;
        } else if (hasPrincipal) {
            st.principal = this.principal(raw.Principal, where, "Principal", [...path, "Principal"]);
            skip ||= st.principal === undefined;
        } else {
            st.notPrincipal = this.principal(raw.NotPrincipal, where, "NotPrincipal", [...path, "NotPrincipal"]);
            skip ||= st.notPrincipal === undefined;
        }
        if (raw.Condition !== undefined) {
            st.conditions = this.conditions(raw.Condition, where, [...path, "Condition"]);
        }
        if (skip) {
            return undefined;
        }
        if (effectUnknown) {
            // Judged by the bounds as an Allow and as a Deny; kept out of `statements`.
            this.pending.push({ index, where, statement: { ...st, effect: "Allow" } as ParsedStatement });
            return undefined;
        }
        if (effect === undefined) {
            return undefined;
        }
        return st as ParsedStatement;
    }
}

/**
 * Parses a key policy given as a JSON string or an already-parsed object. Never throws.
 * `ok` is false when AWS would reject the document; `policy` still holds the readable statements.
 */
export function parsePolicyDocument(document: unknown): ParseResult {
    try {
        return parseUncached(document);
    } catch (e) {
        // Defensive: nothing above is expected to throw (e.g. a getter on an exotic object could).
        return {
            ok: false,
            problems: [
                {
                    message: `The key policy could not be read: ${String(e)}.`,
                    fix: "Supply the policy as a JSON object.",
                },
            ],
        };
    }
}

interface ScanFrame {
    /** Member names seen so far (objects only). */
    names?: Set<string>;
    /** The current member name (objects) or element index (arrays), for the path in messages. */
    label: string;
    index: number;
    expectName: boolean;
}

/**
 * Member names repeated within one object of a JSON text, as `{ path, name }` (at most `limit`; `path`
 * like `.Statement[1].Condition`, empty at the top level).
 * `JSON.parse` keeps the last copy of a repeated name, but which copy AWS reads is not documented
 * (RFC 8259 leaves it to the implementation), so a judge that reads one copy could be steered by the
 * other. One linear pass with an explicit stack (no recursion); `text` must already be valid JSON.
 */
export function duplicateMemberNames(text: string, limit = 5): Array<{ path: string; name: string }> {
    const out: Array<{ path: string; name: string }> = [];
    const stack: ScanFrame[] = [];
    const path = (): string =>
        stack
            .slice(0, -1)
            .map((f) => f.label)
            .join("");
    const n = text.length;
    let i = 0;
    while (i < n && out.length < limit) {
        const c = text.charCodeAt(i);
        if (c === 0x22) {
            // A string: find its end, honouring backslash escapes.
            let j = i + 1;
            let escaped = false;
            while (j < n) {
                const d = text.charCodeAt(j);
                if (d === 0x5c) {
                    escaped = true;
                    j += 2;
                    continue;
                }
                if (d === 0x22) {
                    break;
                }
                j++;
            }
            const top = stack[stack.length - 1];
            if (top?.names && top.expectName) {
                const raw = text.slice(i + 1, j);
                let name = raw;
                if (escaped) {
                    try {
                        name = JSON.parse(`"${raw}"`) as string;
                    } catch {
                        name = raw;
                    }
                }
                if (top.names.has(name)) {
                    out.push({ path: path(), name });
                } else {
                    top.names.add(name);
                }
                top.label = `.${name}`;
                top.expectName = false;
            }
            i = j + 1;
            continue;
        }
        if (c === 0x7b) {
            stack.push({ names: new Set(), label: "", index: 0, expectName: true });
        } else if (c === 0x5b) {
            stack.push({ label: "[0]", index: 0, expectName: false });
        } else if (c === 0x7d || c === 0x5d) {
            stack.pop();
        } else if (c === 0x2c) {
            const top = stack[stack.length - 1];
            if (top?.names) {
                top.expectName = true;
            } else if (top) {
                top.index++;
                top.label = `[${top.index}]`;
            }
        }
        i++;
    }
    return out;
}

function byteLength(s: string): number {
    return Buffer.byteLength(s, "utf8");
}

/**
 * Characters KMS refuses in a key policy: anything outside the API's pattern
 * `[\u0009\u000A\u000D\u0020-\u00FF]+`, which the API enforces as such ("Member must satisfy regular expression
 * pattern"). The pattern admits DEL and the C1 controls (U+007F-U+009F), and so does the judge: they are
 * compared as the characters they are (a principal holding one is not the service's, see principals.ts).
 */
const REFUSED_CHARACTER = /[^\t\n\r\x20-\xff]/u;
const REFUSED_CHARACTERS = /[^\t\n\r\x20-\xff]/gu;

/** A string as JSON text with every character outside printable ASCII escaped (`"\u0435mr"`), so that a reader sees it. */
export function showText(value: string): string {
    return JSON.stringify(value).replace(
        /[^\x20-\x7e]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
    );
}

/** `U+0130 ("İ")`, or the code point alone for a character that does not print. */
export function describeCharacter(ch: string): string {
    const cp = ch.codePointAt(0) ?? 0;
    const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    const invisible = /[\p{C}\p{Z}\p{M}]/u.test(ch);
    return invisible ? hex : `${hex} ("${ch}")`;
}

const CHARACTER_RULE =
    "KMS accepts only tab, line feed, carriage return and the characters U+0020-U+00FF in a key policy and " +
    "refuses the document otherwise";

/** Where a refused character sits: the path of the first string (name or value) holding it, if any. */
function locate(doc: unknown, ch: string): string | undefined {
    const stack: Array<{ value: unknown; path: string }> = [{ value: doc, path: "" }];
    let visited = 0;
    while (stack.length > 0 && visited++ < 20_000) {
        const { value, path } = stack.pop() as { value: unknown; path: string };
        if (typeof value === "string") {
            if (value.includes(ch)) {
                return `${path.replace(/^\./, "")} (${showText(value.length > 60 ? `${value.slice(0, 57)}...` : value)})`;
            }
        } else if (Array.isArray(value)) {
            for (let i = value.length - 1; i >= 0; i--) {
                stack.push({ value: value[i], path: `${path}[${i}]` });
            }
        } else if (isRecord(value)) {
            const keys = Object.keys(value);
            for (let i = keys.length - 1; i >= 0; i--) {
                const k = keys[i];
                if (k.includes(ch)) {
                    return `the member name ${showText(k)}${path ? ` in ${path.replace(/^\./, "")}` : ""}`;
                }
                stack.push({ value: value[k], path: `${path}.${k}` });
            }
        }
    }
    return undefined;
}

/** Line and column (1-based) of a text offset. */
function lineColumn(text: string, offset: number): string {
    let line = 1;
    let last = -1;
    for (let i = 0; i < offset; i++) {
        if (text.charCodeAt(i) === 0x0a) {
            line++;
            last = i;
        }
    }
    return `line ${line}, column ${offset - last}`;
}

/**
 * Refused characters in a document: in the string names and values of the document however it is given
 * (every character raw in a JSON text is in them, a JSON writer may escape a control character, and a `\u`
 * escape may stand for any character: none is something a policy needs, and an object and its JSON text
 * get the same verdict), or in the text itself when it is not JSON. One problem naming the first three.
 */
function characterProblem(p: Parser, text: string | undefined, doc: unknown): void {
    const found = new Map<string, string>();
    const add = (ch: string, at: () => string): void => {
        if (found.size < 3 && !found.has(ch)) {
            found.set(ch, `${describeCharacter(ch)} at ${at()}`);
        }
    };
    if (doc === undefined) {
        // Text that is not JSON: its characters as they stand.
        if (text !== undefined && REFUSED_CHARACTER.test(text)) {
            for (const m of text.matchAll(REFUSED_CHARACTERS)) {
                add(m[0], () => lineColumn(text, m.index ?? 0));
                if (found.size >= 3) {
                    break;
                }
            }
        }
    } else {
        // The names and values, in document order: a character raw in the text is in them too.
        for (const s of stringsOf(doc)) {
            if (found.size >= 3) {
                break;
            }
            if (REFUSED_CHARACTER.test(s)) {
                for (const m of s.matchAll(REFUSED_CHARACTERS)) {
                    add(m[0], () => locate(doc, m[0]) ?? showText(s));
                }
            }
        }
    }
    if (found.size > 0) {
        const list = [...found.values()];
        p.problem(
            undefined,
            `The key policy holds ${list.length === 1 ? "a character" : "characters"} KMS refuses: ${list.join("; ")}. ` +
                `${CHARACTER_RULE}.`,
            "Replace the character with its plain ASCII form (a look-alike letter, a typographic quote or dash, a " +
                "non-breaking or zero-width space are common when a policy is pasted from a document or chat); " +
                "characters beyond U+00FF cannot appear in a key policy at all.",
        );
    }
}

/** Every string name and value of a parsed JSON value in document order (bounded), for the character check. */
function stringsOf(doc: unknown): string[] {
    const out: string[] = [];
    const stack: Array<{ name: string } | { value: unknown }> = [{ value: doc }];
    let visited = 0;
    while (stack.length > 0 && visited++ < 40_000) {
        const item = stack.pop() as { name: string } | { value: unknown };
        if ("name" in item) {
            out.push(item.name);
            continue;
        }
        const value = item.value;
        if (typeof value === "string") {
            out.push(value);
        } else if (Array.isArray(value)) {
            for (let i = value.length - 1; i >= 0; i--) {
                stack.push({ value: value[i] });
            }
        } else if (isRecord(value)) {
            const keys = Object.keys(value);
            for (let i = keys.length - 1; i >= 0; i--) {
                stack.push({ value: value[keys[i]] });
                stack.push({ name: keys[i] });
            }
        }
    }
    return out;
}

/**
 * Numbers written in the text in a form other than plain digits (`1.0`, `1e3`, `-5`, `2.50`): their value
 * is not the text AWS would compare, so a condition value among them is refused with a String operator.
 */
function oddNumbersIn(text: string): Set<number> {
    const out = new Set<number>();
    const n = text.length;
    let i = 0;
    while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 0x22) {
            let j = i + 1;
            while (j < n && text.charCodeAt(j) !== 0x22) {
                j += text.charCodeAt(j) === 0x5c ? 2 : 1;
            }
            i = j + 1;
            continue;
        }
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
            const m = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
            m.lastIndex = i;
            const token = m.exec(text)?.[0] ?? text[i];
            if (!/^\d+$/.test(token)) {
                out.add(Number(token));
            }
            i += token.length;
            continue;
        }
        i++;
    }
    return out;
}

function parseUncached(document: unknown): ParseResult {
    let doc: unknown = document;
    let text: string | undefined;
    const p = new Parser();
    if (typeof document === "string") {
        if (document === "") {
            p.problem(
                undefined,
                "The key policy is an empty string; KMS requires a policy document of 1 to 32,768 bytes.",
                "Give the key policy document (build it with JSON.stringify from an object). On a key, leave the " +
                    "policy property out instead if KMS's default key policy is meant; a KeyPolicy resource needs " +
                    "a document.",
            );
            return { ok: false, problems: p.problems };
        }
        text = document;
        let body = document;
        if (document.charCodeAt(0) === 0xfeff) {
            // Judged without it (so that the rest can be read), but reported: KMS refuses the character.
            body = document.slice(1);
            p.problem(
                undefined,
                "The key policy starts with a byte-order mark (U+FEFF), a character KMS refuses in a key policy.",
                "Remove the byte-order mark: save the file as UTF-8 without BOM, or strip a leading \\uFEFF before " +
                    "passing the text.",
            );
        }
        try {
            doc = JSON.parse(body);
        } catch (e) {
            p.problem(
                undefined,
                `The key policy is not valid JSON (${e instanceof Error ? e.message : String(e)}).`,
                "Fix the JSON syntax; build the document with JSON.stringify rather than by hand.",
            );
            characterProblem(p, body, undefined);
            return { ok: false, problems: p.problems };
        }
        if (/\d/.test(body)) {
            p.oddNumbers = oddNumbersIn(body);
        }
        characterProblem(p, body, doc);
        for (const d of duplicateMemberNames(body)) {
            const at = d.path === "" ? "the top level" : d.path.replace(/^\./, "");
            p.problem(
                undefined,
                `The key policy text repeats the member name "${d.name}" in one JSON object (at ${at}); which copy ` +
                    `AWS reads is undefined, and this judge could read a different one than KMS.`,
                `Write "${d.name}" once in that object (merge the two copies), e.g. by building the document with ` +
                    `JSON.stringify from an object.`,
            );
        }
    }
    if (!isRecord(doc)) {
        p.problem(
            undefined,
            `The key policy must be a JSON object with a Statement list, but is ${describe(doc)}.`,
            `Write it as {"Version": "2012-10-17", "Statement": [...]}.`,
        );
        return { ok: false, problems: p.problems };
    }
    if (text === undefined) {
        try {
            text = JSON.stringify(doc);
        } catch {
            text = undefined;
        }
        characterProblem(p, undefined, doc);
    }
    if (text !== undefined && byteLength(text) > MAX_KEY_POLICY_BYTES) {
        p.problem(
            undefined,
            `The key policy is ${byteLength(text)} bytes; KMS accepts at most ${MAX_KEY_POLICY_BYTES} bytes (32 KB).`,
            "Shorten it: merge statements that share principals and conditions, or move grants to IAM policies.",
        );
    }
    for (const k of Object.keys(doc)) {
        if (!TOP_LEVEL_FIELDS.has(k)) {
            p.problem(
                undefined,
                `The key policy has the top-level field "${k}", which is not a policy element.`,
                `Remove "${k}"; only Version, Id and Statement are allowed.`,
            );
        }
    }
    let version: string | undefined;
    let versionUnknown = false;
    if (doc.Version !== undefined) {
        if (typeof doc.Version === "string" && VALID_VERSIONS.has(doc.Version)) {
            version = doc.Version;
        } else if (typeof doc.Version === "string" && holdsUnknown(doc.Version)) {
            p.unknown(undefined, ["Version"], "the Version", doc.Version);
            versionUnknown = true;
        } else {
            p.problem(
                undefined,
                `The key policy Version ${JSON.stringify(doc.Version) ?? describe(doc.Version)} is not one AWS accepts.`,
                `Set "Version": "2012-10-17".`,
            );
        }
    }
    let id: string | undefined;
    if (doc.Id !== undefined) {
        if (typeof doc.Id === "string" && holdsUnknown(doc.Id)) {
            p.unknown(undefined, ["Id"], "the Id", doc.Id);
        } else if (typeof doc.Id === "string" && doc.Id !== "") {
            id = doc.Id;
        } else {
            p.problem(
                undefined,
                doc.Id === ""
                    ? "The key policy Id is an empty string."
                    : `The key policy Id must be a string, but is ${describe(doc.Id)}.`,
                "Write Id as a non-empty string or remove it.",
            );
        }
    }
    const statements: ParsedStatement[] = [];
    if (doc.Statement === undefined) {
        p.problem(
            undefined,
            "The key policy has no Statement.",
            `Add "Statement": [ ... ] with at least one statement.`,
        );
    } else {
        const list = Array.isArray(doc.Statement);
        const raw = list ? (doc.Statement as unknown[]) : [doc.Statement];
        if (raw.length === 0) {
            p.problem(undefined, "The key policy's Statement list is empty.", "Add at least one statement.");
        }
        raw.forEach((s, i) => {
            const st = p.statement(s, i, list ? ["Statement", String(i)] : ["Statement"]);
            if (st) {
                statements.push(st);
            }
        });
    }
    if (version === "2012-10-17" || versionUnknown) {
        for (const st of [...statements, ...p.pending.flatMap((x) => (x.statement ? [x.statement] : []))]) {
            if ([...(st.resources ?? []), ...(st.notResources ?? [])].some((r) => r.includes("${"))) {
                st.resourceVariables = true;
            }
            for (const c of st.conditions) {
                if (
                    c.base &&
                    (c.base.startsWith("String") || c.base.startsWith("Arn")) &&
                    c.values.some((v) => v.includes("${"))
                ) {
                    c.variables = true;
                }
            }
        }
    }
    const policy: ParsedPolicy = { version, id, statements, hasUnknowns: p.hasUnknowns };
    if (p.unknowns.length > 0) {
        policy.unknowns = p.unknowns;
    }
    if (p.pending.length > 0) {
        policy.pending = p.pending;
    }
    if (versionUnknown) {
        policy.versionUnknown = true;
    }
    return { ok: p.problems.length === 0, policy, problems: p.problems };
}

const CACHE_LIMIT = 64;
const cache = new Map<string, ParseResult>();

/**
 * Like {@link parsePolicyDocument}, memoized on the document string (a small bounded cache).
 * The result is shared: callers must not mutate it.
 */
export function parsePolicyDocumentCached(document: unknown): ParseResult {
    if (typeof document !== "string") {
        return parsePolicyDocument(document);
    }
    const hit = cache.get(document);
    if (hit) {
        return hit;
    }
    const result = parsePolicyDocument(document);
    if (cache.size >= CACHE_LIMIT) {
        const first = cache.keys().next();
        if (!first.done) {
            cache.delete(first.value);
        }
    }
    cache.set(document, result);
    return result;
}
