/** No key-policy Allow to everyone without a caller pin, no Allow with NotPrincipal. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { definePolicy, GUIDE, PolicyMetadata, readsOf } from "./metadata";
import { documentValidation } from "./support/documentPolicy";

export const METADATA: PolicyMetadata = {
    name: "disallow-open-key-grants",
    enforcementLevel: "mandatory",
    severity: "critical",
    reference: GUIDE.userPermissions,
    reads: readsOf("keyPolicyDocuments"),
    config: {},
};

export const disallowOpenKeyGrants = definePolicy<ResourceValidationPolicy>(METADATA, {
    description:
        'KMS key policies must not Allow Principal "*" (or {"AWS": "*"}) without conditions that pin the caller\'s ' +
        "account or organization (kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID), and must not Allow " +
        "with NotPrincipal: either lets principals outside your account use the key.",
    remediationSteps:
        'Name the principals (account root, roles) instead of "*", or add StringEquals "kms:CallerAccount": "<account>" ' +
        '(or "aws:PrincipalOrgID": "<org id>"); replace Allow + NotPrincipal with Allow + Principal.',
    validateResource: documentValidation(["open-grant", "not-principal-allow"]),
});
