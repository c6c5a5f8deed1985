/**
 * The parser of a key policy's statements: each element (Sid, Effect, Principal/NotPrincipal, Action/NotAction,
 * Resource/NotResource, Condition) read into a {@link ParsedStatement}, with a problem for every form AWS rejects
 * and a record of every part unknown at preview. The document as a whole is read by parse.ts.
 */
import { NEGATED_OPERATORS, ConditionOperator, VALID_OPERATOR_TEXT, parseOperator } from "./conditionOperators";
import { UNKNOWN_STRING } from "./constants";
import { describe, isRecord } from "./jsonText";
import type {
    ParseProblem,
    ParsedCondition,
    ParsedPrincipal,
    ParsedStatement,
    PendingStatement,
    PrincipalKind,
} from "./parsedPolicy";
import type { UnknownPart } from "./types";
import { holdsUnknown, isUnknownSentinel } from "./unknowns";

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

/** Reads statements, collecting problems, unknown parts and statements left pending. */
export class Parser {
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

    /**
     * Which of an element and its negated form the statement gives, when it gives exactly one; undefined (with a
     * problem: `neither` when it gives none) otherwise.
     */
    private oneOf<E extends string>(
        raw: Record<string, unknown>,
        where: string,
        [element, negated]: [E, E],
        neither: string,
        fix: string,
    ): E | undefined {
        const hasElement = raw[element] !== undefined;
        if (hasElement === (raw[negated] !== undefined)) {
            this.problem(where, hasElement ? `${where} has both ${element} and ${negated}.` : neither, fix);
            return undefined;
        }
        return hasElement ? element : negated;
    }

    /**
     * The statement at `index` (`path` in the document), or undefined when it cannot take part in evaluation (a
     * problem makes it unreadable, or its Effect or the whole statement is unknown at preview: then it is pending).
     */
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
        const actionElement = this.oneOf(
            raw,
            where,
            ["Action", "NotAction"],
            `${where} has neither Action nor NotAction: ${NO_EFFECT}.`,
            `Give exactly one of Action or NotAction, e.g. "Action": ["kms:GenerateDataKey", "kms:Decrypt"].`,
        );
        if (actionElement === undefined) {
            skip = true;
        } else {
            const actions = this.stringList(raw[actionElement], where, actionElement, [...path, actionElement]);
            if (actionElement === "Action") {
                st.actions = actions;
            } else {
                st.notActions = actions;
            }
            skip ||= actions === undefined;
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
        const principalElement = this.oneOf(
            raw,
            where,
            ["Principal", "NotPrincipal"],
            `${where} has no Principal; a key policy is a resource policy and each statement must name one.`,
            `Give exactly one Principal, e.g. "Principal": {"Service": "emr-serverless.amazonaws.com"}.`,
        );
        if (principalElement === undefined) {
            skip = true;
        } else {
            const principal = this.principal(raw[principalElement], where, principalElement, [
                ...path,
                principalElement,
            ]);
            if (principalElement === "Principal") {
                st.principal = principal;
            } else {
                st.notPrincipal = principal;
            }
            skip ||= principal === undefined;
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
