/**
 * No key-policy Allow to everyone without a caller pin, no Allow with NotPrincipal. Mandatory; reads every KMS key
 * policy document (aws and aws-native keys, KeyPolicy resources); no config.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { documentValidation } from "./support/documentPolicy";

/** `disallow-open-key-grants` (mandatory). */
export const disallowOpenKeyGrants: ResourceValidationPolicy = {
    name: "disallow-open-key-grants",
    description:
        'KMS key policies must not Allow Principal "*" (or {"AWS": "*"}) without conditions that pin the caller\'s ' +
        "account or organization (kms:CallerAccount, aws:PrincipalAccount, aws:PrincipalOrgID), and must not Allow " +
        "with NotPrincipal: either lets principals outside your account use the key.",
    remediationSteps:
        'Name the principals (account root, roles) instead of "*", or add StringEquals "kms:CallerAccount": "<account>" ' +
        '(or "aws:PrincipalOrgID": "<org id>"); replace Allow + NotPrincipal with Allow + Principal.',
    enforcementLevel: "mandatory",
    validateResource: documentValidation(["open-grant", "not-principal-allow"]),
};
