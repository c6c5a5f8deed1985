/** Principals that look like emr-serverless.amazonaws.com but are not it grant the service nothing. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { definePolicy, GUIDE, PolicyMetadata, readsOf } from "./metadata";
import { EMR_SERVERLESS_PRINCIPAL } from "../judge";
import { documentValidation } from "./support/documentPolicy";

export const METADATA: PolicyMetadata = {
    name: "disallow-lookalike-service-principals",
    enforcementLevel: "advisory",
    severity: "medium",
    reference: GUIDE.servicePermissions,
    reads: readsOf("keyPolicyDocuments"),
    config: {},
};

/**
 * Reported on every key-policy document; when a disk-encryption setting in the stack uses the key and no statement
 * grants the service by its exact name, `enforce-emr-serverless-service-conditions` blocks (the jobs fail).
 */
export const disallowLookalikeServicePrincipals = definePolicy<ResourceValidationPolicy>(METADATA, {
    description:
        `Key policies must name the EMR Serverless service principal exactly as ${EMR_SERVERLESS_PRINCIPAL}: a ` +
        "look-alike (a capital I for l, Cyrillic or fullwidth letters, spaces or zero-width characters, other case, " +
        'the regional endpoint name, an ARN, a near-miss spelling, or the name under "AWS") grants the service ' +
        "nothing, and jobs that use the key fail.",
    remediationSteps: `Write the principal as {"Service": "${EMR_SERVERLESS_PRINCIPAL}"}, in plain lower-case ASCII.`,
    validateResource: documentValidation(["service-principal-lookalike"]),
});
