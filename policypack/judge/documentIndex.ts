/**
 * What the questions share about one document: the work budget one judgment may spend, the questions the exact
 * search could not decide, and the values the document writes for a key (to describe a foreign caller's values).
 */
import { parseKeyArn } from "./arn";
import type { NormalizedRequest } from "./evaluate";
import { Constraint } from "./languages";
import { ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import type { Finding } from "./types";
import { hasWildcard } from "./wildcards";
import { Question, TooHard, Unsupported, findAllowedRequestExactly, valueLanguage } from "./witness";

/**
 * Work one analysis may spend over all its questions: the exact search's steps (see `Work` in languages.ts) and
 * the over-grant question's statement checks. Only a pathological document (hundreds of interlocking Deny
 * statements) reaches the limit, and then the analysis reports it as too complex rather than passing it.
 */
const WORK_BUDGET = 1_500_000;

/** What the analysis knows about the document, computed once. */
export class DocumentIndex {
    /** The questions the exact search could not decide, in the order they were asked. */
    readonly undecided: UndecidedQuestion[] = [];

    /** The partition of the key's ARN ("aws" when unknown). */
    get partition(): string {
        return parseKeyArn(this.keyArn)?.partition ?? "aws";
    }

    /** The values written for a key without wildcards or policy variables (an organization's own ids). */
    literalsOf(lower: string): string[] {
        const out = new Set<string>();
        for (const st of this.policy.statements) {
            for (const c of st.conditions) {
                if (c.keyLower === lower && c.base !== "Null" && !c.variables) {
                    c.values.filter((v) => !hasWildcard(v)).forEach((v) => out.add(v));
                }
            }
        }
        return [...out];
    }

    /** A foreign value of a key: one that no value the document writes for it matches, under its operator. */
    foreignShape(lower: string): Constraint[] {
        const out: Constraint[] = [];
        for (const st of this.policy.statements) {
            for (const c of st.conditions) {
                if (c.keyLower === lower && c.base !== undefined && c.base !== "Null" && !c.variables) {
                    for (const v of c.values) {
                        out.push({ language: valueLanguage(c.base, v), want: false });
                    }
                }
            }
        }
        return out;
    }

    /** Work left (see {@link WORK_BUDGET}); when it runs out the analysis says so instead of guessing. */
    private budget = WORK_BUDGET;
    exhausted = false;

    /** Takes `n` units of work; false (and `exhausted`) when the budget is spent. */
    spend(n: number): boolean {
        this.budget -= n;
        if (this.budget < 0) {
            this.exhausted = true;
            return false;
        }
        return true;
    }

    /**
     * The answer of an exact search (witness.ts) over this document: `search()`'s result, or `undecided` when it cannot
     * answer: beyond its work limit (the index is then exhausted) or for a document outside its model (the question,
     * its statement and the construct are recorded in {@link undecided}). The analysis reports either as a document
     * it could not decide, never as a pass.
     */
    decide<T>(question: string, st: ParsedStatement, search: () => T, undecided: T): T {
        try {
            return search();
        } catch (e) {
            if (e instanceof TooHard) {
                this.exhausted = true;
                return undecided;
            }
            if (e instanceof Unsupported) {
                if (!this.undecided.some((u) => u.where === st.where && u.reason === e.message)) {
                    const key = reasonKey(e.message);
                    const places = (
                        key
                            ? statementsNaming(this.policy, key)
                            : /policy variables/.test(e.message)
                              ? statementsWithVariables(this.policy)
                              : []
                    ).slice(0, 4);
                    this.undecided.push({ question, where: st.where, reason: e.message, key, places });
                }
                return undecided;
            }
            throw e;
        }
    }

    /**
     * A request that `st` and the whole document allow for `action` on the key, made by `principal` with each context
     * key varying as `domain` says and as `require` further requires (exactly, see witness.ts); undefined when there
     * is none.
     */
    findAllowedRequestExactly(
        st: ParsedStatement,
        action: string,
        principal: Question["principal"],
        domain: Question["domain"],
        require?: Question["require"],
    ): NormalizedRequest | undefined {
        return findAllowedRequestExactly({
            policy: this.policy,
            statement: st,
            action,
            resource: this.keyArn,
            resourceId: this.keyId,
            principal,
            domain,
            require,
            spend: (steps) => this.spend(steps),
        });
    }

    /** Where the judgment stands (to continue it later on a fresh index of the same document). */
    saveBudget(): { left: number; exhausted: boolean; undecided: UndecidedQuestion[] } {
        return { left: this.budget, exhausted: this.exhausted, undecided: [...this.undecided] };
    }

    /** Continues from a saved judgment; the judgment is then the same as in one pass. */
    restoreBudget(left: number, exhausted: boolean, undecided: readonly UndecidedQuestion[]): void {
        this.budget = left;
        this.exhausted = exhausted;
        this.undecided.splice(0, this.undecided.length, ...undecided);
    }

    constructor(
        readonly policy: ParsedPolicy,
        /** The account the key lives in (the value of aws:ResourceAccount in every request). */
        readonly owner: string,
        /** The key's ARN, the resource of every request; undefined when unknown (see AnalyzeOptions.keyArn). */
        readonly keyArn: string | undefined,
        /** The key's id when its ARN is unknown (see AnalyzeOptions.keyId). */
        readonly keyId?: string,
    ) {}
}

/** A question the exact search could not decide for a document outside its model. */
export interface UndecidedQuestion {
    /** The question, as a message says it ("whether a principal of another account may use the key"). */
    question: string;
    /** The statement it was asked of. */
    where: string;
    /** What the search does not model, as it says it. */
    reason: string;
    /** The condition key the reason names, lower-case, if any. */
    key?: string;
    /** The statements whose conditions name that key, or hold the policy variables the reason names (where the construct is). */
    places: string[];
}

/** How the message of a question the exact search could not decide begins. */
const UNDECIDED = "The judge could not decide";

/** Whether a finding is one of {@link undecidedFinding}'s. */
export function isUndecidedFinding(f: Finding): boolean {
    return f.kind === "malformed" && f.message.startsWith(UNDECIDED);
}

/** The condition key a reason names ("a non-string operator on kms:CallerAccount"), lower-case. */
function reasonKey(reason: string): string | undefined {
    return /\b(?:on|reads|of) ([a-z][a-z0-9-]*:[^\s,;]+)/i.exec(reason)?.[1]?.toLowerCase();
}

/** The statements whose conditions name `key` or read it in a policy variable. */
function statementsNaming(policy: ParsedPolicy, key: string): string[] {
    const variable = "${" + key;
    return policy.statements
        .filter((st) =>
            st.conditions.some((c) => c.keyLower === key || c.values.some((v) => v.toLowerCase().includes(variable))),
        )
        .map((st) => st.where);
}

/** The statements with a policy variable in a condition value (where a coupling of two keys can be). */
function statementsWithVariables(policy: ParsedPolicy): string[] {
    return policy.statements.filter((st) => st.conditions.some((c) => c.variables)).map((st) => st.where);
}

/**
 * The finding for a question the exact search could not decide: which question, which statement, what it does not
 * model and where the document uses it, and how to write the document so that it can be decided. The analysis does
 * not accept a document with one (its answer is missing), like one beyond the work limit.
 */
export function undecidedFinding(u: UndecidedQuestion): Finding {
    const { key, places } = u;
    const where = places.length > 0 ? places.join(", ") : u.where;
    const operator = /^(\w+) on /.exec(u.reason)?.[1];
    // A Resource reason names its statement ("Sid "Guard"'s Resource reads ..."), which may be a Deny, not u.where.
    const resourceOf = /^(.+)'s Resource\b/.exec(u.reason)?.[1];
    const fix = resourceOf
        ? `In ${resourceOf}, write the key's ARN (or "*") in Resource instead of a policy variable.`
        : /^a policy variable reads /.test(u.reason) && key
          ? `In ${where}, write a literal value instead of the policy variable that reads ${key} (a key of ` +
            `several values has no single value to substitute).`
          : /policy variable| reads /.test(u.reason)
            ? `In ${where}, write the values the policy variables stand for${key ? ` in the condition on ${key}` : ""} ` +
              `as literals instead of the variables.`
            : key && (operator || /operator/.test(u.reason))
              ? `In ${where}, compare ${key} with a string operator (StringEquals, StringLike) instead of ` +
                `${operator ?? "a numeric, date, IP or Bool operator"}.`
              : `Simplify the conditions of ${where}: literal values compared with String or Arn operators.`;
    return {
        kind: "malformed",
        where: u.where,
        message:
            `${UNDECIDED} ${u.question} under ${u.where}: ${u.reason}` +
            `${places.length > 0 ? ` (in ${places.join(", ")})` : ""}. Its exact search does not model this, so ` +
            `that answer is missing and the key policy is not accepted.`,
        fix,
    };
}
