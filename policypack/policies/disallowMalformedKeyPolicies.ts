/** Issue 3: key policies the judge cannot read (bad JSON, wrong types, unknown operators) are refused. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { documentValidation } from "./support/documentPolicy";

/** `disallow-malformed-key-policies` (mandatory). */
export const disallowMalformedKeyPolicies: ResourceValidationPolicy = {
    name: "disallow-malformed-key-policies",
    description:
        "KMS key policies must be well-formed IAM policy documents: valid JSON, Statement as an object or list, " +
        "Effect Allow/Deny, Principal, Action, Resource, and only condition operators IAM knows. AWS rejects or " +
        "silently misreads anything else, and the other policies in this pack cannot judge it.",
    remediationSteps:
        "Fix the document at the place the message names (build it with JSON.stringify / pulumi.jsonStringify rather " +
        "than string concatenation, and spell condition operators as in the IAM reference, e.g. StringEquals, ArnLike).",
    enforcementLevel: "mandatory",
    validateResource: documentValidation(["malformed"]),
};
