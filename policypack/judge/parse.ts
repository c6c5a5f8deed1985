/**
 * Parse a KMS key policy document into normalized statements, recording every problem AWS would
 * reject. Never throws. References (AWS IAM User Guide): "IAM JSON policy element reference"
 * (Version, Id, Statement, Sid, Effect, Principal/NotPrincipal, Action/NotAction,
 * Resource/NotResource, Condition) and "IAM JSON policy elements: Condition operators"; the KMS
 * Developer Guide, "Key policies": a key policy is at most 32 KB (32,768 bytes).
 */
import { UNKNOWN_STRING } from "./constants";

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
}

/** A normalized policy: the statements that could be read. */
export interface ParsedPolicy {
    version?: string;
    id?: string;
    statements: ParsedStatement[];
    /** True when some value is (or contains) the engine's unknown sentinel. */
    hasUnknowns: boolean;
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
    hasUnknowns = false;

    problem(where: string | undefined, message: string, fix: string): void {
        if (this.problems.length < 100) {
            this.problems.push({ where, message, fix });
        }
    }

    noteString(s: string): void {
        if (!this.hasUnknowns && s.includes(UNKNOWN_STRING)) {
            this.hasUnknowns = true;
        }
    }

    /** A string or a non-empty list of strings; undefined (with a problem) otherwise. */
    stringList(value: unknown, where: string, field: string): string[] | undefined {
        const list = Array.isArray(value) ? value : [value];
        if (list.length === 0) {
            this.problem(where, `${where}: ${field} is an empty list.`, `Give ${field} at least one value.`);
            return undefined;
        }
        const out: string[] = [];
        for (const item of list) {
            if (typeof item !== "string") {
                this.problem(
                    where,
                    `${where}: ${field} must be a string or a list of strings, but holds ${describe(item)}.`,
                    `Write each ${field} value as a JSON string.`,
                );
                return undefined;
            }
            this.noteString(item);
            out.push(item);
        }
        return out;
    }

    principal(value: unknown, where: string, field: string): ParsedPrincipal | undefined {
        if (value === "*") {
            return { wildcard: true, values: {} };
        }
        if (typeof value === "string" && value.includes(UNKNOWN_STRING)) {
            this.hasUnknowns = true;
            return { wildcard: false, values: {} };
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
            const list = this.stringList(value[k], where, `${field}.${k}`);
            if (list) {
                out.values[kind] = list;
            }
        }
        return out;
    }

    conditions(value: unknown, where: string): ParsedCondition[] {
        const out: ParsedCondition[] = [];
        if (typeof value === "string" && value.includes(UNKNOWN_STRING)) {
            this.hasUnknowns = true;
            return [
                {
                    operator: value,
                    base: undefined,
                    ifExists: false,
                    set: undefined,
                    negated: false,
                    key: value,
                    keyLower: value,
                    values: [value],
                },
            ];
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
            if (operator.includes(UNKNOWN_STRING)) {
                this.hasUnknowns = true;
            } else if (!parsed.base) {
                this.problem(
                    where,
                    `${where}: the condition operator "${operator}" is not one AWS accepts.`,
                    `Use one of ${VALID_OPERATOR_TEXT}.`,
                );
            }
            const block = value[operator];
            if (typeof block === "string" && block.includes(UNKNOWN_STRING)) {
                this.hasUnknowns = true;
                out.push({
                    operator,
                    base: undefined,
                    ifExists: false,
                    set: undefined,
                    negated: false,
                    key: block,
                    keyLower: block,
                    values: [block],
                });
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
                this.noteString(key);
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
                const list = Array.isArray(raw) ? raw : [raw];
                const values: string[] = [];
                let bad = list.length === 0;
                for (const item of list) {
                    if (typeof item === "string") {
                        this.noteString(item);
                        values.push(item);
                    } else if (typeof item === "number" || typeof item === "boolean") {
                        values.push(String(item));
                    } else {
                        bad = true;
                    }
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

    statement(raw: unknown, index: number): ParsedStatement | undefined {
        const numbered = `statement #${index + 1}`;
        if (typeof raw === "string" && raw.includes(UNKNOWN_STRING)) {
            this.hasUnknowns = true; // an unknown statement at preview: judged on the rest
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
            if (typeof raw.Sid === "string") {
                sid = raw.Sid;
                this.noteString(sid);
            } else {
                this.problem(
                    numbered,
                    `${numbered}: Sid must be a string, but is ${describe(raw.Sid)}.`,
                    `Write Sid as a string.`,
                );
            }
        }
        const where = sid !== undefined ? `Sid "${sid}"` : numbered;
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
        let skip = false;
        if (raw.Effect === "Allow" || raw.Effect === "Deny") {
            effect = raw.Effect;
        } else if (typeof raw.Effect === "string" && raw.Effect.includes(UNKNOWN_STRING)) {
            this.hasUnknowns = true;
            skip = true;
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
                hasAction ? `${where} has both Action and NotAction.` : `${where} has neither Action nor NotAction.`,
                `Give exactly one of Action or NotAction, e.g. "Action": ["kms:GenerateDataKey", "kms:Decrypt"].`,
            );
            skip = true;
        } else if (hasAction) {
            st.actions = this.stringList(raw.Action, where, "Action");
            skip ||= st.actions === undefined;
        } else {
            st.notActions = this.stringList(raw.NotAction, where, "NotAction");
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
                `${where} has neither Resource nor NotResource.`,
                `Add "Resource": "*" (in a key policy "*" means this key).`,
            );
        } else if (hasResource) {
            st.resources = this.stringList(raw.Resource, where, "Resource");
        } else {
            st.notResources = this.stringList(raw.NotResource, where, "NotResource");
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
            st.principal = this.principal(raw.Principal, where, "Principal");
            skip ||= st.principal === undefined;
        } else {
            st.notPrincipal = this.principal(raw.NotPrincipal, where, "NotPrincipal");
            skip ||= st.notPrincipal === undefined;
        }
        if (raw.Condition !== undefined) {
            st.conditions = this.conditions(raw.Condition, where);
        }
        if (skip || effect === undefined) {
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

function parseUncached(document: unknown): ParseResult {
    const p = new Parser();
    let doc: unknown = document;
    let text: string | undefined;
    if (typeof document === "string") {
        text = document;
        if (document.includes(UNKNOWN_STRING)) {
            p.hasUnknowns = true;
        }
        try {
            doc = JSON.parse(document);
        } catch (e) {
            p.problem(
                undefined,
                `The key policy is not valid JSON (${e instanceof Error ? e.message : String(e)}).`,
                "Fix the JSON syntax; build the document with JSON.stringify rather than by hand.",
            );
            return { ok: false, problems: p.problems };
        }
        for (const d of duplicateMemberNames(document)) {
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
    if (doc.Version !== undefined) {
        if (typeof doc.Version === "string" && VALID_VERSIONS.has(doc.Version)) {
            version = doc.Version;
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
        if (typeof doc.Id === "string") {
            id = doc.Id;
        } else {
            p.problem(
                undefined,
                `The key policy Id must be a string, but is ${describe(doc.Id)}.`,
                "Write Id as a string or remove it.",
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
        const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
        if (raw.length === 0) {
            p.problem(undefined, "The key policy's Statement list is empty.", "Add at least one statement.");
        }
        raw.forEach((s, i) => {
            const st = p.statement(s, i);
            if (st) {
                statements.push(st);
            }
        });
    }
    if (version === "2012-10-17") {
        for (const st of statements) {
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
    return {
        ok: p.problems.length === 0,
        policy: { version, id, statements, hasUnknowns: p.hasUnknowns },
        problems: p.problems,
    };
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
