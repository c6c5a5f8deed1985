/**
 * The service needs kms:GenerateDataKey and kms:Decrypt, nothing more. Advisory; reads key-policy documents that
 * grant emr-serverless.amazonaws.com; no config. AWS guide: "Disk encryption with a customer managed key", the key
 * policy.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { EMR_SERVERLESS_PRINCIPAL, SERVICE_ACTIONS } from "../judge";
import { documentValidation } from "./support/documentPolicy";

/** `disallow-service-overgrant` (advisory). */
export const disallowServiceOvergrant: ResourceValidationPolicy = {
    name: "disallow-service-overgrant",
    description: `${EMR_SERVERLESS_PRINCIPAL} should be granted only ${SERVICE_ACTIONS.join(" and ")} on the key.`,
    remediationSteps: `Replace kms:* (or the extra actions) in the service statement with "Action": ${JSON.stringify([
        ...SERVICE_ACTIONS,
    ])}.`,
    enforcementLevel: "advisory",
    validateResource: documentValidation(["service-overgrant"]),
};
