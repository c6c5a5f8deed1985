/** The service needs kms:GenerateDataKey and kms:Decrypt, nothing more. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { definePolicy, GUIDE, PolicyMetadata, readsOf } from "./metadata";
import { EMR_SERVERLESS_PRINCIPAL, SERVICE_ACTIONS } from "../judge";
import { documentValidation } from "./support/documentPolicy";

export const METADATA: PolicyMetadata = {
    name: "disallow-service-overgrant",
    enforcementLevel: "advisory",
    severity: "low",
    reference: GUIDE.servicePermissions,
    reads: readsOf("keyPolicyDocuments"),
    config: {},
};

export const disallowServiceOvergrant = definePolicy<ResourceValidationPolicy>(METADATA, {
    description: `${EMR_SERVERLESS_PRINCIPAL} should be granted only ${SERVICE_ACTIONS.join(" and ")} on the key.`,
    remediationSteps: `Replace kms:* (or the extra actions) in the service statement with "Action": ${JSON.stringify([
        ...SERVICE_ACTIONS,
    ])}.`,
    validateResource: documentValidation(["service-overgrant"]),
});
