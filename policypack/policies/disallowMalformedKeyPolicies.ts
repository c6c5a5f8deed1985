/** Key policies AWS would reject, or the judge cannot read, are refused. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { definePolicy, GUIDE, PolicyMetadata, readsOf } from "./metadata";
import { documentValidation } from "./support/documentPolicy";

export const METADATA: PolicyMetadata = {
    name: "disallow-malformed-key-policies",
    enforcementLevel: "mandatory",
    severity: "high",
    reference: GUIDE.servicePermissions,
    reads: readsOf("keyPolicyDocuments"),
    config: {},
};

export const disallowMalformedKeyPolicies = definePolicy<ResourceValidationPolicy>(METADATA, {
    description:
        "KMS key policies must be documents KMS accepts: valid JSON of 1 to 32,768 bytes, only tab, line feed, " +
        "carriage return and characters U+0020-U+00FF (no byte-order mark), Statement as an object or list, Effect " +
        "Allow/Deny, a Principal, Action and Resource in every statement (KMS stores a statement without Action or " +
        "Resource but ignores it, and its console reports an error), no empty action, resource, principal or " +
        "condition key, condition values as strings (booleans and plain whole numbers accepted), and only " +
        "condition operators IAM knows. AWS rejects, ignores or silently misreads anything else. A document the judge " +
        "could not decide (too complex, or a construct its exact search does not model, named in the message) is " +
        "refused too, never passed.",
    remediationSteps:
        "Fix the document at the place the message names (build it with JSON.stringify / pulumi.jsonStringify rather " +
        "than string concatenation, and spell condition operators as in the IAM reference, e.g. StringEquals, ArnLike).",
    validateResource: documentValidation(["malformed"]),
});
