/**
 * The halves shared by the policies about a key's own settings (its spec, its rotation), which matter only when
 * EMR Serverless uses the key: on its own, a key is used when its inline policy grants the service; in the stack,
 * also when a setting references it or a KeyPolicy resource grants the service on it.
 */
import type { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { analyzeKeyPolicy } from "../../judge";
import { analyzeOptions, JudgeConfig } from "./config";
import { noteUnknownParts } from "./documentPolicy";
import { documentKey, readDocument } from "./keys";
import { Props } from "./props";
import { stackIndexFor } from "./stack";
import type { KeyEntry } from "./stack";
import { keyUse } from "./usage";
import type { KeyUse } from "./usage";

/**
 * Whether a key resource's inline policy grants emr-serverless.amazonaws.com, judged on its inputs: false without a
 * document (AWS's default key policy grants no service). Throws the preview note when the document, or unknown parts
 * of it that could grant the service, are unknown.
 */
export function inlinePolicyGrantsService(args: ResourceValidationArgs): boolean {
    const props = args.props as Props;
    const document = readDocument(args.type, props);
    if (document === undefined) {
        return false;
    }
    const analysis = analyzeKeyPolicy(document, {
        ...analyzeOptions(args.getConfig<JudgeConfig>()),
        ...documentKey(args.type, props),
    });
    if (!analysis.grantsService) {
        noteUnknownParts(args.type, analysis, ["grants-service"]);
    }
    return analysis.grantsService;
}

/**
 * The stack's keys that `flagged` picks and that a setting or a document could tie to EMR Serverless, each with how
 * EMR Serverless uses it ({@link keyUse}).
 */
export function* flaggedKeysInUse(
    args: StackValidationArgs,
    flagged: (key: KeyEntry) => boolean,
): Generator<{ key: KeyEntry; use: KeyUse }> {
    const index = stackIndexFor(args.resources);
    const options = analyzeOptions(args.getConfig<JudgeConfig>());
    for (const key of index.keys) {
        if (!flagged(key) || (key.settings.length === 0 && key.keyPolicies.length === 0)) {
            continue;
        }
        yield { key, use: keyUse(key, options) };
    }
}
