/** The resource-policy half shared by the policies that report judge findings on one key policy document. */
import type { ResourceValidation, ResourceValidationArgs, ReportViolation } from "@pulumi/policy";
import { analyzeKeyPolicy } from "../../judge";
import type { FindingKind, KeyPolicyAnalysis, Undecided } from "../../judge";
import { analyzeOptions, JudgeConfig } from "./config";
import { documentKey, documentProperty, isKeyPolicyDocumentType, readDocument } from "./keys";
import { partlyUnknownError, Props } from "./props";
import { findingMessage } from "./report";

/** How {@link documentValidation} reads a judgment. */
export interface DocumentValidationOptions {
    /** Report nothing on documents that do not grant emr-serverless.amazonaws.com (a note when unknown parts might). */
    onlyWhenGrantsService?: boolean;
    /** What else, left undecided by parts unknown at preview, earns the note (besides `kinds`). */
    alsoUndecided?: readonly Undecided[];
}

/**
 * Throws the preview note when parts of the document are unknown and could change what `kinds` report (a
 * document policy reporting "malformed" always notes them: their characters and length cannot be checked).
 */
export function noteUnknownParts(type: string, analysis: KeyPolicyAnalysis, kinds: readonly Undecided[]): void {
    const parts = analysis.unknowns ?? [];
    if (parts.length > 0 && kinds.some((k) => analysis.undecided?.includes(k))) {
        throw partlyUnknownError(documentProperty(type), parts);
    }
}

/**
 * A validateResource that judges the key policy of a key / KeyPolicy resource on its own inputs and
 * reports the findings of `kinds`. An unknown document throws `UnknownValueError` (a preview note); a
 * document with some unknown parts has its known parts judged and reported, then gets the same note when
 * the unknown parts could change this policy's verdict.
 */
export function documentValidation(
    kinds: readonly FindingKind[],
    options: DocumentValidationOptions = {},
): ResourceValidation {
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
            ...documentKey(args.type, props),
        });
        const noteKinds: Undecided[] = [...kinds, ...(options.alsoUndecided ?? [])];
        const found = analysis.findings.filter((f) => kinds.includes(f.kind));
        if (options.onlyWhenGrantsService && !analysis.grantsService) {
            // Findings held back because the service is not granted: unknown parts that could grant it decide them.
            if (found.length > 0) {
                noteKinds.push("grants-service");
            }
        } else {
            for (const finding of found) {
                reportViolation(findingMessage(args, finding));
            }
        }
        noteUnknownParts(args.type, analysis, noteKinds);
    };
}
