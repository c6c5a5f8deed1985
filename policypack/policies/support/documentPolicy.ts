/** The resource-policy half shared by the policies that report judge findings on one key policy document. */
import type { ResourceValidation, ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import { analyzeKeyPolicy } from "../../judge";
import type { FindingKind } from "../../judge";
import { analyzeOptions, JudgeConfig } from "./config";
import { documentKeyArn, isKeyPolicyDocumentType, readDocument } from "./keys";
import { Props } from "./props";
import { findingMessage } from "./report";

/**
 * A validateResource that judges the key policy of a key / KeyPolicy resource on its own inputs and
 * reports the findings of `kinds`. An unknown document throws `UnknownValueError` (a preview note).
 * With `onlyWhenGrantsService`, documents that do not grant emr-serverless.amazonaws.com are skipped.
 */
export function documentValidation(kinds: readonly FindingKind[], onlyWhenGrantsService = false): ResourceValidation {
    return (args: ResourceValidationArgs, reportViolation: ReportViolation): void => {
        if (!isKeyPolicyDocumentType(args.type)) {
            return;
        }
        const document = readDocument(args.type, args.props as Props);
        if (document === undefined) {
            return;
        }
        const props = args.props as Props;
        const analysis = analyzeKeyPolicy(document, {
            ...analyzeOptions(args.getConfig<JudgeConfig>()),
            keyArn: documentKeyArn(args.type, props),
        });
        if (onlyWhenGrantsService && !analysis.grantsService) {
            return;
        }
        for (const finding of analysis.findings) {
            if (kinds.includes(finding.kind)) {
                reportViolation(findingMessage(args, finding));
            }
        }
    };
}
