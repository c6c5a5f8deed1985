/** Key policies AWS would reject, or the judge cannot read, are refused. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { documentValidation } from "./support/documentPolicy";

/** `disallow-malformed-key-policies` (mandatory). */
export const disallowMalformedKeyPolicies: ResourceValidationPolicy = {
    name: "disallow-malformed-key-policies",
    description:
        "KMS key policies must be documents KMS accepts: valid JSON of 1 to 32,768 bytes, only tab, line feed, " +
        "carriage return and printable characters U+0020-U+007E / U+00A0-U+00FF (no byte-order mark), Statement as " +
        "an object or list, Effect Allow/Deny, Principal, Action, Resource, no empty strings, condition values as " +
        "strings (booleans and plain whole numbers accepted), and only condition operators IAM knows. AWS rejects or " +
        "silently misreads anything else, and the other policies in this pack cannot judge it.",
    remediationSteps:
        "Fix the document at the place the message names (build it with JSON.stringify / pulumi.jsonStringify rather " +
        "than string concatenation, and spell condition operators as in the IAM reference, e.g. StringEquals, ArnLike).",
    enforcementLevel: "mandatory",
    validateResource: documentValidation(["malformed"]),
};
