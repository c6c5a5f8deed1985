/** Job submitters use the key only through EMR Serverless (kms:ViaService). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { definePolicy, GUIDE, PolicyMetadata, readsOf } from "./metadata";
import { regionSchema } from "./support/config";
import { documentValidation } from "./support/documentPolicy";

export const METADATA: PolicyMetadata = {
    name: "enforce-submitter-kms-via-service",
    enforcementLevel: "advisory",
    severity: "medium",
    reference: GUIDE.userPermissions,
    reads: readsOf("keyPolicyDocuments"),
    config: { region: regionSchema },
};

/**
 * A resource policy only: it judges every key-policy document that grants the service (inline or a KeyPolicy
 * resource) before it is applied. A document that does NOT grant the service on a key EMR Serverless uses is already
 * a mandatory violation of `enforce-emr-serverless-service-conditions`, and a superseded inline policy is not what
 * AWS applies, so a stack half would only add advisories to stacks that are blocked anyway, at the price of one more
 * full-stack pass per AnalyzeStack.
 */
export const enforceSubmitterViaService = definePolicy<ResourceValidationPolicy>(METADATA, {
    description:
        "On keys EMR Serverless uses, IAM principals (job submitters) should get kms:GenerateDataKey and kms:Decrypt " +
        "only with kms:ViaService = emr-serverless.<region>.amazonaws.com, so they cannot use the key directly.",
    remediationSteps:
        'Add StringEquals "kms:ViaService": "emr-serverless.<region>.amazonaws.com" to the statements that grant ' +
        "submitters kms:GenerateDataKey / kms:Decrypt (keep kms:DescribeKey in its own statement).",
    validateResource: documentValidation(["submitter-not-via-service"], { onlyWhenGrantsService: true }),
});
