/**
 * Open grants: an Allow to everyone ("*") whose conditions do not pin the caller's account or organization, so
 * that a principal of another account may use the key; and an Allow with NotPrincipal, which grants the key to
 * every principal but the ones listed.
 *
 * Exactly (witness.ts): the caller of another account is a variable, and its identity keys follow from its ARN. A
 * statement the exact search cannot decide is recorded as undecided (see DocumentIndex.decide), so the document is
 * not accepted.
 */
import { ORIGIN_KEYS } from "./contextKeys";
import { DocumentIndex } from "./documentIndex";
import { actionClasses } from "./kmsActions";
import { glob, literal } from "./languages";
import { ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import { Finding } from "./types";
import { KeyDomain, MULTI_VALUED_KEYS, foreignCaller } from "./witness";

/** One finding per Allow statement with NotPrincipal. */
export function notPrincipalFindings(policy: ParsedPolicy): Finding[] {
    const findings: Finding[] = [];
    for (const st of policy.statements) {
        if (st.effect === "Allow" && st.notPrincipal) {
            findings.push({
                kind: "not-principal-allow",
                where: st.where,
                message:
                    `${st.where} is an Allow with NotPrincipal: it grants the key to every principal except the ` +
                    `ones listed, including principals in other accounts.`,
                fix: `Replace NotPrincipal in ${st.where} with a Principal that names who may use the key.`,
            });
        }
    }
    return findings;
}

/** One finding per Allow to everyone that a principal of another account can use, with the request it can make. */
export function openGrantFindings(index: DocumentIndex): Finding[] {
    const findings: Finding[] = [];
    for (const st of index.policy.statements) {
        if (
            st.effect !== "Allow" ||
            !st.principal ||
            !(st.principal.wildcard || st.principal.values.AWS?.includes("*"))
        ) {
            continue;
        }
        const witness = openGrantWitness(index, st);
        if (witness) {
            findings.push({
                kind: "open-grant",
                where: st.where,
                message:
                    `${st.where} allows everyone ("*") to use the key: a principal in another account is allowed ` +
                    `${witness}, because the conditions do not pin the caller's account or organization.`,
                fix:
                    `In ${st.where}, name the principals explicitly, or add "Condition": {"StringEquals": ` +
                    `{"kms:CallerAccount": "<account-id>"}} (or "aws:PrincipalOrgID": "<org-id>").`,
            });
        }
    }
    return findings;
}

/** A description of an allowed foreign request to an open statement, or undefined when the caller is pinned. */
function openGrantWitness(index: DocumentIndex, st: ParsedStatement): string | undefined {
    const caller = foreignCaller(index.partition, index.owner);
    return index.decide(
        "whether a principal of another account may use the key",
        st,
        (): string | undefined => {
            for (const action of actionClasses(index.policy, st)) {
                const found = index.findAllowedRequestExactly(st, action, caller, (lower) =>
                    openGrantDomain(index, lower),
                );
                if (found) {
                    return `${action} (as ${found.principal.id}${witnessText(found.context, OPEN_GRANT_SHOWN)})`;
                }
            }
            return undefined;
        },
        undefined,
    );
}

/** Keys a caller's identity fixes, shown in a witness only when a condition names them. */
const OPEN_GRANT_SHOWN = new Set([
    "aws:principalarn",
    "aws:principalaccount",
    "kms:calleraccount",
    "aws:resourceaccount",
    "aws:principalisawsservice",
]);

/** The context of a witness request as a message shows it: the keys other than `hidden`, or that it has none. */
function witnessText(context: Map<string, string[]>, hidden: ReadonlySet<string>): string {
    const parts: string[] = [];
    for (const [k, v] of context) {
        if (!hidden.has(k)) {
            parts.push(`${k} = ${v.length === 1 ? JSON.stringify(v[0]) : JSON.stringify(v)}`);
        }
    }
    return parts.length === 0 ? "" : `, with ${parts.slice(0, 6).join(", ")}`;
}

/**
 * How a context key varies for a caller of another account: its identity keys follow from its ARN (see
 * witness.ts); it is no AWS service; its organization, when it has one, is none the document names; keys that say
 * where a request comes from are absent or hold a value that none of the document's values for them matches (a
 * foreign caller neither comes from the owner's networks nor acts for the owner's resources; an IP address is
 * taken to be absent); everything else the caller chooses or does not control (encryption context, kms:ViaService,
 * tags) may be absent or take any value.
 */
function openGrantDomain(index: DocumentIndex, lower: string): KeyDomain {
    switch (lower) {
        case "aws:resourceaccount":
            return { kind: "fixed", value: [index.owner] };
        case "aws:principalisawsservice":
            return { kind: "fixed", value: ["false"] };
        case "aws:principalservicename":
        case "aws:principalservicenameslist":
        case "aws:sourceip":
        case "aws:vpcsourceip":
            return { kind: "fixed", value: undefined };
        case "aws:principalorgid":
            return {
                kind: "free",
                absent: true,
                multi: false,
                shape: index.literalsOf(lower).map((v) => ({ language: literal(v), want: false })),
            };
        case "aws:principalorgpaths":
            return {
                kind: "free",
                absent: true,
                multi: true,
                shape: index
                    .literalsOf("aws:principalorgid")
                    .map((v) => ({ language: [glob(`${v}/*`, false)], want: false })),
            };
        default:
            if (ORIGIN_KEYS.has(lower)) {
                return { kind: "free", absent: true, multi: false, shape: index.foreignShape(lower) };
            }
            return { kind: "free", absent: true, multi: MULTI_VALUED_KEYS.has(lower), shape: [] };
    }
}
