/** Issue 3, rule 4: job submitters use the key only through EMR Serverless (kms:ViaService). */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { analyzeOptions, JudgeConfig, regionSchema } from "./support/config";
import { documentValidation } from "./support/documentPolicy";
import { findingMessage, label } from "./support/report";
import { buildStackIndex } from "./support/stack";
import { keyUse } from "./support/usage";

/** `enforce-submitter-kms-via-service` (advisory). */
export const enforceSubmitterViaService: ResourceValidationPolicy & StackValidationPolicy = {
    name: "enforce-submitter-kms-via-service",
    description:
        "On keys EMR Serverless uses, IAM principals (job submitters) should get kms:GenerateDataKey and kms:Decrypt " +
        "only with kms:ViaService = emr-serverless.<region>.amazonaws.com, so they cannot use the key directly.",
    remediationSteps:
        'Add StringEquals "kms:ViaService": "emr-serverless.<region>.amazonaws.com" to the statements that grant ' +
        "submitters kms:GenerateDataKey / kms:Decrypt (keep kms:DescribeKey in its own statement).",
    enforcementLevel: "advisory",
    configSchema: { properties: { region: regionSchema } },
    validateResource: documentValidation(["submitter-not-via-service"], true),
    validateStack: (args, reportViolation) => {
        const index = buildStackIndex(args.resources);
        const base = analyzeOptions(args.getConfig<JudgeConfig>());
        for (const key of index.keys) {
            if (key.settings.length === 0 && key.keyPolicies.length === 0) {
                continue;
            }
            const use = keyUse(key, base);
            if (use.crossReasons.length === 0 && !use.inlineGrants) {
                continue;
            }
            for (const doc of [use.inline, ...use.keyPolicies]) {
                // A document that grants the service itself was judged by the resource policy.
                if (!doc.analysis || doc.analysis.grantsService) {
                    continue;
                }
                const why = use.crossReasons[0] ?? `${label(key.resource)}'s own policy grants the service`;
                for (const f of doc.analysis.findings) {
                    if (f.kind === "submitter-not-via-service") {
                        reportViolation(
                            findingMessage(doc.entry.resource, f, `EMR Serverless uses the key: ${why}`),
                            doc.entry.resource.urn,
                        );
                    }
                }
            }
        }
    },
};
