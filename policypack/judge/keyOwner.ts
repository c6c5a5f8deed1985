/**
 * Whose key it is: the account the key lives in, as the caller says (the expected application's account) or as
 * the key policy tells it (its account principals, else a 12-digit aws:SourceAccount).
 */
import { ACCOUNT_ID_PATTERN } from "./arn";
import { accountPrincipalAccount } from "./evaluate";
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
 * The accounts named by account principals of the document's Allow statements, in document order, without
 * repeats: who the key policy says owns the key when the caller does not say (the usual "Enable IAM User
 * Permissions" statement). An account principal is what the evaluator takes for the whole account
 * ({@link accountPrincipalAccount}: `"111122223333"` or `"arn:<partition>:iam::111122223333:root"`) and nothing
 * wider: a value the evaluator does not read as the account (`arn:aws:iam::111122223333` without `:root`,
 * `111122223333:root`) grants that account nothing, so it must not make the account the key's own.
 */
export function accountPrincipals(policy: ParsedPolicy): string[] {
    const out: string[] = [];
    for (const st of policy.statements) {
        for (const v of st.effect === "Allow" ? (st.principal?.values.AWS ?? []) : []) {
            const account = accountPrincipalAccount(v);
            if (account !== undefined && !out.includes(account)) {
                out.push(account);
            }
        }
    }
    return out;
}
