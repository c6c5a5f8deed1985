/**
 * The caller when it varies (the open-grant question): an IAM principal of another account, written as its
 * `aws:PrincipalArn`, the context keys AWS derives from it, and the callers a Principal element names.
 */
import { accountOf } from "./evaluate";
import { Constraint, Element, Language, Pattern, anyRun, classChar, fieldRun, literal, literalChar } from "./languages";
import type { ParsedPrincipal } from "./parsedPolicy";

/** The key that stands for the caller when the caller varies (open-grant question). */
export const PRINCIPAL_KEY = "aws:principalarn";
export const ACCOUNT_KEYS = new Set(["aws:principalaccount", "kms:calleraccount"]);
export const TYPE_KEY = "aws:principaltype";

/** The IAM principal of another account, when the caller varies. */
export interface CallerVariable {
    /** What `aws:PrincipalArn` may be: the principal forms below, of an account other than the key's. */
    shape: readonly Constraint[];
}

/** `arn:<f>:<f>:<f>:` then `inner` as the account field, then `:` and anything. */
export function accountField(inner: Pattern): Pattern {
    return [
        ...Array.from("arn:", (c) => literalChar(c)),
        fieldRun,
        literalChar(":"),
        fieldRun,
        literalChar(":"),
        fieldRun,
        literalChar(":"),
        ...inner,
        literalChar(":"),
        anyRun,
    ];
}

const DIGIT = classChar(/^[0-9]$/);
const NAME_CHAR = /^[A-Za-z0-9+=,.@_/-]$/;

/** The forms of an IAM principal of some account, by aws:PrincipalType. */
export function principalForms(partition: string): Array<{ type: string; language: Language }> {
    const digits = Array.from({ length: 12 }, () => DIGIT);
    const name = [classChar(NAME_CHAR), classChar(NAME_CHAR, true)];
    const text = (s: string): Element[] => Array.from(s, (c) => literalChar(c));
    return [
        { type: "Account", language: [[...text(`arn:${partition}:iam::`), ...digits, ...text(":root")]] },
        { type: "User", language: [[...text(`arn:${partition}:iam::`), ...digits, ...text(":user/"), ...name]] },
        // A role session's aws:PrincipalArn is its role's ARN.
        { type: "AssumedRole", language: [[...text(`arn:${partition}:iam::`), ...digits, ...text(":role/"), ...name]] },
        {
            type: "FederatedUser",
            language: [[...text(`arn:${partition}:sts::`), ...digits, ...text(":federated-user/"), ...name]],
        },
    ];
}

/**
 * The caller variable: an IAM principal (account root, user, role session, federated user) of another account.
 * One object per partition and owner, so that questions about the same caller share their compiled form.
 */
export function foreignCaller(partition: string, owner: string): CallerVariable {
    const memoKey = `${partition}:${owner}`;
    let caller = foreignCallers.get(memoKey);
    if (!caller) {
        const forms = principalForms(partition).flatMap((f) => f.language);
        caller = {
            shape: [
                { language: forms, want: true },
                { language: [accountField(Array.from(owner, (c) => literalChar(c)))], want: false },
            ],
        };
        if (foreignCallers.size >= 64) {
            foreignCallers.clear();
        }
        foreignCallers.set(memoKey, caller);
    }
    return caller;
}

const foreignCallers = new Map<string, CallerVariable>();

/** The aws:PrincipalType of a caller ARN of {@link principalForms}. */
function principalType(arn: string): string {
    if (arn.endsWith(":root")) {
        return "Account";
    }
    if (arn.includes(":user/")) {
        return "User";
    }
    return arn.includes(":sts:") ? "FederatedUser" : "AssumedRole";
}

/** The context keys a caller ARN determines. */
export function derivedContext(arn: string): Map<string, string[]> {
    const account = accountOf(arn) ?? "";
    return new Map([
        [PRINCIPAL_KEY, [arn]],
        ["aws:principalaccount", [account]],
        ["kms:calleraccount", [account]],
        [TYPE_KEY, [principalType(arn)]],
    ]);
}

export function isCallerVariable(p: { type: "AWS" | "Service"; id: string } | CallerVariable): p is CallerVariable {
    return "shape" in p;
}

/** The caller ARNs a Principal element names, as a language; "everyone" for `"*"` / `{"AWS": "*"}`. */
export function principalLanguage(p: ParsedPrincipal): Language | "everyone" {
    if (p.wildcard || p.values.AWS?.includes("*")) {
        return "everyone";
    }
    const out: Pattern[] = [];
    for (const v of p.values.AWS ?? []) {
        const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(v);
        const account = /^\d{12}$/.test(v) ? v : root ? root[1] : undefined;
        if (account !== undefined) {
            out.push(accountField(Array.from(account, (c) => literalChar(c))));
        } else {
            out.push(...literal(v));
        }
    }
    return out;
}
