/**
 * What the parser makes of a key policy document ({@link ParseResult}): its statements normalized (principals,
 * actions, resources, conditions as lists), the parts unknown at preview, and every problem AWS would reject.
 */
import type { ConditionOperator } from "./conditionOperators";
import type { UnknownPart } from "./types";

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

/** The result of parsePolicyDocument (parse.ts). */
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
