/**
 * What the bounded search knows about one document, computed once: its condition keys and the values written for
 * them, adversarial variants of those values, probe values it does not mention, and the work budget one judgment
 * may spend.
 */
import { parseKeyArn } from "./arn";
import { substituteVariables } from "./conditions";
import type { NormalizedRequest } from "./evaluate";
import { Constraint } from "./languages";
import { ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import {
    PROBE_ACCOUNTS,
    QUESTION_FILLERS,
    STAR_FILLERS,
    changeLast,
    flipCase,
    foreignValue,
    hasWildcard,
    instantiate,
    unmentioned,
} from "./probeValues";
import { globMatch } from "./wildcards";
import { Question, TooHard, Unsupported, findAllowedRequestExactly, valueLanguage } from "./witness";

/** What {@link DocumentIndex.exactly} returns for a document outside the exact search's model. */
export const UNSUPPORTED: unique symbol = Symbol("outside the exact search's model");

/** At most this many values of one key are taken from the document. */
export const MAX_DOC_VALUES = 16;
/** At most this many candidate values of one key are tried. */
export const MAX_CANDIDATES = 64;
/**
 * Statement checks one analysis may spend (≈0.2 µs each). A typical key policy needs a few thousand;
 * only a pathological document (hundreds of interlocking Deny statements) reaches the limit, and then
 * the analysis reports that it could not decide rather than passing the document.
 */
const WORK_BUDGET = 1_500_000;

/** Every string of the parsed document that a request could be compared with, lower-cased, joined. */
function documentText(policy: ParsedPolicy): string {
    const parts: string[] = [];
    for (const st of policy.statements) {
        parts.push(...(st.actions ?? []), ...(st.notActions ?? []));
        parts.push(...(st.resources ?? []), ...(st.notResources ?? []));
        for (const pr of [st.principal, st.notPrincipal]) {
            for (const list of Object.values(pr?.values ?? {})) {
                parts.push(...(list ?? []));
            }
        }
        for (const c of st.conditions) {
            parts.push(c.key, ...c.values);
        }
    }
    return parts.join("\u0000").toLowerCase();
}

/** What the analysis knows about the document, computed once. */
export class DocumentIndex {
    /** Condition keys (lower-case) to their spelling in the document. */
    readonly keys = new Map<string, string>();
    /** Condition keys (lower-case) to every value written for them anywhere. */
    readonly values = new Map<string, string[]>();
    private readonly variantCache = new Map<string, string[]>();
    /** Context values the judge knows for every probe, for resolving policy variables. */
    readonly known = new Map<string, string[]>();
    private textCache?: string;
    private fillersCache?: Array<[string, string]>;

    /** The document's strings, lower-cased (to pick probe values it does not mention). */
    get text(): string {
        this.textCache ??= documentText(this.policy);
        return this.textCache;
    }

    /**
     * Pairs (filler for `*`, filler for `?`) to instantiate wildcard patterns with: ("", "a") and one
     * filler of each of several lengths that the document never mentions, so that a Deny listing a few
     * values cannot block every instantiation the judge tries.
     */
    get fillers(): Array<[string, string]> {
        if (!this.fillersCache) {
            const stars = STAR_FILLERS.map((options) => unmentioned(this.text, options, 1)[0]);
            const questions = unmentioned(this.text, QUESTION_FILLERS, 3);
            this.fillersCache = [
                ["", "a"],
                ...stars.map((s, i): [string, string] => [s, questions[i % questions.length]]),
            ];
        }
        return this.fillersCache;
    }

    /**
     * Two foreign accounts for the open-grant probe: accounts the document does not mention, and among
     * them the ones that the fewest wildcard condition values of the document match (so that a Deny on
     * an account pattern such as "9*" cannot hide an open grant to every other account either).
     */
    get probeAccounts(): string[] {
        const patterns: string[] = [];
        for (const st of this.policy.statements) {
            for (const c of st.conditions) {
                patterns.push(...c.values.filter(hasWildcard));
            }
        }
        const text = this.text;
        const scored = PROBE_ACCOUNTS.map((account) => ({
            account,
            // Mentioned literally: last resort only.
            score:
                (text.includes(account) ? 1_000_000 : 0) + patterns.filter((p) => globMatch(p, account, false)).length,
        }));
        return scored
            .sort((a, b) => a.score - b.score)
            .slice(0, 2)
            .map((s) => s.account);
    }
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

    /** Work left (statement checks); when it runs out the analysis says so instead of guessing. */
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
     * The answer of an exact search (witness.ts) over this document: `search()`'s result; `whenTooHard` when the search
     * runs out of work (the index is then exhausted, so the analysis says it could not decide); {@link UNSUPPORTED}
     * when the document is outside the search's model (the caller then answers by the bounded search).
     */
    exactly<T>(search: () => T, whenTooHard: T): T | typeof UNSUPPORTED {
        try {
            return search();
        } catch (e) {
            if (e instanceof TooHard) {
                this.exhausted = true;
                return whenTooHard;
            }
            if (e instanceof Unsupported) {
                return UNSUPPORTED;
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

    /** Where the budget stands (to continue a judgment later on a fresh index of the same document). */
    saveBudget(): { left: number; exhausted: boolean } {
        return { left: this.budget, exhausted: this.exhausted };
    }

    /** Continues from a saved budget; the index's other caches are pure, so the judgment is the same as in one pass. */
    restoreBudget(left: number, exhausted: boolean): void {
        this.budget = left;
        this.exhausted = exhausted;
    }

    constructor(
        readonly policy: ParsedPolicy,
        /** The account the key lives in (value of aws:ResourceAccount in every probe). */
        readonly owner: string,
        /** The key's ARN, the resource of every probe; undefined when unknown (see AnalyzeOptions.keyArn). */
        readonly keyArn: string | undefined,
        /** The key's id when its ARN is unknown (see AnalyzeOptions.keyId). */
        readonly keyId?: string,
    ) {
        const known = this.known;
        known.set("aws:resourceaccount", [owner]);
        for (const st of policy.statements) {
            for (const c of st.conditions) {
                if (!this.keys.has(c.keyLower)) {
                    this.keys.set(c.keyLower, c.key);
                }
                if (c.base === "Null" || c.base === undefined) {
                    continue;
                }
                const list = this.values.get(c.keyLower) ?? [];
                for (const raw of c.values) {
                    // A value with policy variables is tried with the variables the judge knows resolved.
                    const v = c.variables ? (substituteVariables(raw, known) ?? raw) : raw;
                    if (list.length < MAX_DOC_VALUES && !list.includes(v)) {
                        list.push(v);
                    }
                }
                this.values.set(c.keyLower, list);
            }
        }
    }

    /** Adversarial values for a key: document literals and patterns, instantiated and perturbed. */
    variants(lower: string, extra: readonly string[] = []): string[] {
        const cacheKey = lower + "\u0000" + extra.join("\u0000");
        const hit = this.variantCache.get(cacheKey);
        if (hit) {
            return hit;
        }
        const out = new Set<string>();
        const add = (v: string): void => {
            if (out.size < MAX_CANDIDATES) {
                out.add(v);
            }
        };
        const seeds = [...extra, ...(this.values.get(lower) ?? [])];
        const literals: string[] = [];
        for (const v of seeds) {
            if (hasWildcard(v)) {
                for (const [star, question] of this.fillers) {
                    literals.push(instantiate(v, star, question));
                }
            } else {
                literals.push(v);
            }
        }
        for (const l of literals) {
            add(l);
        }
        add(foreignValue(lower));
        for (const l of literals) {
            add(l + "x");
            add(changeLast(l));
            add(flipCase(l));
        }
        const result = [...out];
        this.variantCache.set(cacheKey, result);
        return result;
    }
}
