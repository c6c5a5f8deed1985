/**
 * What a judgment assumes when the key's ARN is unknown: which statements' Resource/NotResource depend on the key,
 * and so were taken to apply to it (the Allows) or not (the Denies).
 */
import { resourceDependsOnKey } from "./evaluate";
import { ParsedPolicy } from "./parsedPolicy";

/** A Resource/NotResource list as a message shows it: up to three values, quoted, and how many more. */
function resourceText(values: readonly string[]): string {
    const shown = values.slice(0, 3).map((v) => JSON.stringify(v.length > 120 ? `${v.slice(0, 117)}...` : v));
    return shown.join(", ") + (values.length > 3 ? ` and ${values.length - 3} more` : "");
}

/**
 * What the judgment assumes when the key's ARN is unknown, for a document whose statements name
 * resources other than "*" (see resourceMatches): Allows apply to this key, Denies do not. One sentence,
 * or none when no statement depends on the key.
 */
export function resourceAssumptions(policy: ParsedPolicy, keyId: string | undefined): string[] {
    const allows: string[] = [];
    const denies: string[] = [];
    for (const st of policy.statements) {
        if (!resourceDependsOnKey(st, keyId)) {
            continue;
        }
        const what = st.resources
            ? `Resource ${resourceText(st.resources)}`
            : `NotResource ${resourceText(st.notResources ?? [])}`;
        (st.effect === "Deny" ? denies : allows).push(`${st.where} (${what})`);
    }
    if (allows.length === 0 && denies.length === 0) {
        return [];
    }
    const list = (items: string[]): string =>
        items.slice(0, 3).join(", ") + (items.length > 3 ? ` and ${items.length - 3} more` : "");
    const parts: string[] = [];
    if (allows.length > 0) {
        parts.push(`the Allow ${list(allows)} ${allows.length === 1 ? "was" : "were"} assumed to apply to this key`);
    }
    if (denies.length > 0) {
        parts.push(`the Deny ${list(denies)} ${denies.length === 1 ? "was" : "were"} assumed not to`);
    }
    const known = keyId === undefined ? "" : ` (only its id, ${keyId}, is known)`;
    return [
        `(Judged without the key's ARN${known}: ${parts.join(", and ")}; given the key's ARN, the judge decides ` +
            "exactly which statements apply to it.)",
    ];
}
