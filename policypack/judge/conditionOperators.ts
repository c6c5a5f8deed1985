/**
 * The condition operators a key policy may use (IAM User Guide, "IAM JSON policy elements: Condition operators"):
 * their canonical names, which are negated, and how an operator name splits into its set prefix, base operator and
 * `IfExists` suffix.
 */

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

/** The operators AWS accepts, as a problem's fix lists them. */
export const VALID_OPERATOR_TEXT =
    "String(Not)Equals(IgnoreCase), String(Not)Like, Numeric*, Date*, Bool, BinaryEquals, IpAddress, " +
    "NotIpAddress, Arn(Not)Equals, Arn(Not)Like, Null, each optionally with the IfExists suffix (not Null) and " +
    "the ForAnyValue:/ForAllValues: prefix";
