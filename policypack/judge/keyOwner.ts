/**
 * Whose key it is: the account the key lives in, as the caller says (the expected application's account) or as
 * the key policy tells it (its account principals, else a 12-digit aws:SourceAccount).
 */
import { ACCOUNT_ID_PATTERN } from "./arn";
import { ParsedPolicy } from "./parsedPolicy";
import { AnalyzeOptions } from "./types";

/** The explicit owner account (the expected application's 12-digit account), or "" to derive it from the document. */
export function explicitOwner(options: AnalyzeOptions): string {
    const expected = options.expectedApplication?.account;
    return expected && ACCOUNT_ID_PATTERN.test(expected) ? expected : "";
}

/**
 * The account the key lives in: the expected application's account, else the account named by an
 * account principal of an Allow statement (the usual "Enable IAM User Permissions" statement), else a
 * 12-digit aws:SourceAccount literal, else a placeholder. Used as aws:ResourceAccount in every request.
 */
export function ownerAccount(policy: ParsedPolicy, options: AnalyzeOptions): string {
    const explicit = explicitOwner(options);
    if (explicit !== "") {
        return explicit;
    }
    const principals = accountPrincipals(policy);
    if (principals.length > 0) {
        return principals[0];
    }
    for (const st of policy.statements) {
        for (const c of st.conditions) {
            if (c.keyLower === "aws:sourceaccount") {
                const literal = c.values.find((v) => ACCOUNT_ID_PATTERN.test(v));
                if (literal) {
                    return literal;
                }
            }
        }
    }
    return "111122223333";
}

/**
 * The accounts named by account principals (`"111122223333"`, `"arn:aws:iam::111122223333:root"`) of
 * the document's Allow statements, in document order, without repeats: who the key policy says owns
 * the key when the caller does not say (the usual "Enable IAM User Permissions" statement).
 */
export function accountPrincipals(policy: ParsedPolicy): string[] {
    const out: string[] = [];
    for (const st of policy.statements) {
        for (const v of st.effect === "Allow" ? (st.principal?.values.AWS ?? []) : []) {
            const m = /^(?:arn:[^:]+:iam::)?(\d{12})(?::root)?$/.exec(v);
            if (m && !out.includes(m[1])) {
                out.push(m[1]);
            }
        }
    }
    return out;
}
