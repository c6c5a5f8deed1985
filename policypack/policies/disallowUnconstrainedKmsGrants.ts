/**
 * KMS grants on keys EMR Serverless uses: a grant bypasses every condition of the key policy, so one that
 * lets a principal use the key's material must be kept to the application's data by an encryption-context
 * constraint on `applicationId`.
 */
import type { StackValidation } from "@pulumi/policy";
import { definePolicy, GUIDE, PolicyMetadata, readsOf, ResourceAndStackPolicy } from "./metadata";
import { EMR_SERVERLESS_PRINCIPAL, grantReach, RESERVED_CONTEXT_KEY } from "../judge";
import type { GrantReach } from "../judge";
import { analyzeOptions, JudgeConfig } from "./support/config";
import { KMS_GRANT_TYPE } from "./support/keys";
import { containsUnknown, knownString, Props, tryRead } from "./support/props";
import { label, message } from "./support/report";
import {
    stackIndexFor,
    effectiveDocuments,
    GrantEntry,
    KeyEntry,
    keyLabel,
    multiRegionRelatives,
} from "./support/stack";
import { judgeDocument } from "./support/usage";

const FIX =
    `Add "constraints": [{ "encryptionContextSubset": { "${RESERVED_CONTEXT_KEY}": "<application id>" } }] to the grant ` +
    "(EMR Serverless puts the application's id in every disk data key's encryption context), or remove the grant and " +
    "give the principal what it needs in the key policy, with its conditions.";

/** What the policy reads from a grant; undefined when a value it needs is unknown (preview). */
interface GrantView {
    grantee: string;
    retiringPrincipal?: string;
    reach: GrantReach;
}

/** Reads a grant's props (plain values, nested unknowns detected); undefined when anything judged is unknown. */
function viewOf(props: Props): GrantView | undefined {
    const grantee = tryRead(props, "granteePrincipal");
    const operations = tryRead(props, "operations");
    const constraints = tryRead(props, "constraints");
    if (!grantee.known || !operations.known || !constraints.known) {
        return undefined;
    }
    if ([grantee.value, operations.value, constraints.value].some((v) => containsUnknown(v))) {
        return undefined;
    }
    if (typeof grantee.value !== "string") {
        return undefined;
    }
    const view: GrantView = {
        grantee: grantee.value,
        reach: grantReach({ operations: operations.value, constraints: constraints.value }),
    };
    const retiring = knownString(tryRead(props, "retiringPrincipal"));
    if (retiring) {
        view.retiringPrincipal = retiring;
    }
    return view;
}

function isServicePrincipal(grantee: string): boolean {
    return grantee.trim().toLowerCase() === EMR_SERVERLESS_PRINCIPAL;
}

/** Who a grant gives the key to, as a message names it. */
function granteeText(view: GrantView): string {
    return isServicePrincipal(view.grantee)
        ? `the service principal ${EMR_SERVERLESS_PRINCIPAL}`
        : JSON.stringify(view.grantee);
}

/**
 * The violation text for a grant reaching beyond the accepted applications, or undefined when it does not.
 * `accepted` lists the ids of the applications that use the key, or is undefined when they are not known
 * (preview: any pinned id is accepted).
 */
function problem(view: GrantView, accepted: readonly string[] | undefined): string | undefined {
    const reach = view.reach;
    if (reach.kind === "no-data") {
        return undefined;
    }
    const ops = reach.operations.join(", ");
    if (reach.kind === "unpinned") {
        const how = reach.constrained
            ? `with an encryption-context constraint that does not pin "${RESERVED_CONTEXT_KEY}"`
            : "without an encryption-context constraint";
        return (
            `it gives ${granteeText(view)} ${ops} ${how}. A grant is not subject to the key policy's conditions ` +
            "(aws:SourceArn, kms:ViaService, kms:EncryptionContext:applicationId): the grantee can use the key for " +
            "every application's disk data, with any encryption context it sends."
        );
    }
    if (accepted === undefined) {
        return undefined;
    }
    // A constraint value is compared exactly and application ids are [0-9a-z]+: an id of another form is no
    // application's, and the grant reaches no data through it.
    const foreign = reach.applicationIds.filter((id) => !accepted.includes(id) && /^[0-9a-z]+$/.test(id));
    if (foreign.length === 0) {
        return undefined;
    }
    return (
        `it gives ${granteeText(view)} ${ops} for ${RESERVED_CONTEXT_KEY} ${foreign.map((i) => JSON.stringify(i)).join(", ")}, ` +
        `which is not an application that uses the key (${accepted.length > 0 ? accepted.join(", ") : "none known"}): ` +
        "the grant opens another application's disk data."
    );
}

function retiringText(view: GrantView): string {
    return view.retiringPrincipal
        ? ` (It can be retired by ${view.retiringPrincipal}, or revoked by a key administrator.)`
        : " (It has no retiring principal: only a key administrator can revoke it.)";
}

/** Why EMR Serverless uses a key, and the ids of its applications (undefined when some are unknown). */
function diskKeyUse(
    key: KeyEntry,
    options: ReturnType<typeof analyzeOptions>,
): { reasons: string[]; applicationIds?: string[]; material?: boolean } | undefined {
    const reasons: string[] = [];
    const ids = new Set<string>();
    let unknown = false;
    for (const s of key.settings) {
        reasons.push(`the disk-encryption setting ${label(s.resource)} uses it`);
        const id = s.applicationId ?? s.app?.ids[0];
        if (id) {
            ids.add(id);
        } else {
            unknown = true;
        }
    }
    for (const d of effectiveDocuments(key)) {
        const judged = judgeDocument(key, d, options);
        if (judged.unknown || judged.analysis?.hasUnknowns) {
            unknown = true;
        }
        const analysis = judged.analysis;
        if (analysis?.grantsService) {
            reasons.push(`${d.inline ? "its own key policy" : label(d.resource)} grants ${EMR_SERVERLESS_PRINCIPAL}`);
            analysis.binding?.applicationIds.forEach((i) => ids.add(i));
            if (!analysis.binding || analysis.binding.applicationIds.length === 0) {
                unknown = true; // the service is not bound to an application id: which one uses the key is not told
            }
        }
    }
    if (reasons.length === 0) {
        return undefined;
    }
    return unknown ? { reasons } : { reasons, applicationIds: [...ids] };
}

export const METADATA: PolicyMetadata = {
    name: "disallow-unconstrained-kms-grants",
    enforcementLevel: "mandatory",
    severity: "high",
    reference: GUIDE.servicePermissions,
    reads: readsOf("grants", "keyPolicyDocuments", "settings", "stackJoins"),
    config: {},
};

export const disallowUnconstrainedKmsGrants = definePolicy<ResourceAndStackPolicy>(METADATA, {
    description:
        "A KMS grant (aws:kms/grant:Grant) on a key EMR Serverless uses for disk encryption that lets a principal " +
        "use the key's material (Decrypt, GenerateDataKey, ReEncrypt, Encrypt, ...) must carry an encryption-context " +
        `constraint pinning "${RESERVED_CONTEXT_KEY}" to an application that uses the key: a grant bypasses every ` +
        "condition of the key policy.",
    remediationSteps: FIX,
    validateResource: (args, reportViolation) => {
        if (args.type !== KMS_GRANT_TYPE) {
            return;
        }
        // On its own, a grant is known to be for disk encryption only when it names the service principal.
        const props = args.props as Props;
        const grantee = props["granteePrincipal"]; // an unknown grantee is a preview note
        if (typeof grantee !== "string" || !isServicePrincipal(grantee)) {
            return;
        }
        // Reading through the proxy throws for an unknown part (a preview note); then the plain values.
        JSON.stringify([props["operations"], props["constraints"]]);
        const view = viewOf(props);
        const text = view && problem(view, undefined);
        if (view && text) {
            reportViolation(message(args, text + retiringText(view), FIX));
        }
    },
    // Tagged with the grant type, as @pulumi/policy's validateStackResourcesOfType tags its validations: the server
    // then skips this policy, and its pass over the stack, when the stack holds no grant (reported not applicable).
    validateStack: Object.assign<StackValidation, { __pulumiType: string }>(
        (args, reportViolation) => {
            if (!args.resources.some((r) => r.type === KMS_GRANT_TYPE)) {
                return; // no grant: nothing to join (and no need to index the stack)
            }
            const index = stackIndexFor(args.resources);
            const options = analyzeOptions(args.getConfig<JudgeConfig>());
            const uses = new Map<KeyEntry, ReturnType<typeof diskKeyUse>>();
            const directUseOf = (key: KeyEntry): ReturnType<typeof diskKeyUse> => {
                if (!uses.has(key)) {
                    uses.set(key, diskKeyUse(key, options));
                }
                return uses.get(key);
            };
            // A multi-Region key decrypts what any related key of its set encrypted: a grant on one reaches the
            // disk data of every one EMR Serverless uses.
            const useOf = (key: KeyEntry): ReturnType<typeof diskKeyUse> => {
                const direct = directUseOf(key);
                if (direct) {
                    return direct;
                }
                for (const related of multiRegionRelatives(key, index)) {
                    const use = directUseOf(related);
                    if (use) {
                        return {
                            ...use,
                            material: true,
                            reasons: [
                                `it shares its key material with ${keyLabel(related)} (related multi-Region keys: what ` +
                                    `one encrypts, the other decrypts), which EMR Serverless uses: ${use.reasons.join("; ")}`,
                            ],
                        };
                    }
                }
                return undefined;
            };
            for (const g of index.grants) {
                reportGrant(g, useOf, (text) => reportViolation(text, g.resource.urn));
            }
        },
        { __pulumiType: KMS_GRANT_TYPE },
    ),
});

function reportGrant(
    g: GrantEntry,
    useOf: (key: KeyEntry) => ReturnType<typeof diskKeyUse>,
    report: (text: string) => void,
): void {
    const view = viewOf(g.resource.props as Props);
    if (!view) {
        return; // unknown at preview: judged at update
    }
    for (const key of g.keys) {
        const use = useOf(key);
        if (!use) {
            continue; // not a key EMR Serverless uses
        }
        const text = problem(view, use.applicationIds);
        if (!text) {
            continue;
        }
        report(
            message(
                g.resource,
                `on ${keyLabel(key)}, ${use.material ? "whose key material" : "which"} EMR Serverless uses for disk ` +
                    `encryption (${use.reasons.join("; ")}), ${text}` +
                    retiringText(view),
                FIX +
                    (use.applicationIds && use.applicationIds.length > 0
                        ? ` Applications using this key: ${use.applicationIds.join(", ")}.`
                        : ""),
            ),
        );
        return; // one violation per grant
    }
}
