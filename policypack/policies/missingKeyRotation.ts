/** Keys EMR Serverless uses should rotate. */
import {
    definePolicy,
    KEY_POLICY_DOCUMENTS,
    KEY_ROTATION,
    KEY_ROTATION_REFERENCE,
    KEY_SHAPES,
    PolicyMetadata,
    reads,
    ResourceAndStackPolicy,
    SETTINGS,
    STACK_JOINS,
} from "./metadata";
import { analyzeKeyPolicy } from "../judge";
import { analyzeOptions, JudgeConfig } from "./support/config";
import { noteUnknownParts } from "./support/documentPolicy";
import { documentKey, isKeyType, isSymmetric, readDocument, readKeyShape, readRotation } from "./support/keys";
import { Props } from "./support/props";
import { message } from "./support/report";
import { stackIndexFor } from "./support/stack";
import { keyUse } from "./support/usage";

const FIX = "Set enableKeyRotation: true on the key (automatic yearly rotation; old material still decrypts).";

export const METADATA: PolicyMetadata = {
    name: "missing-key-rotation",
    enforcementLevel: "advisory",
    severity: "medium",
    reference: KEY_ROTATION_REFERENCE,
    reads: reads(KEY_ROTATION, KEY_SHAPES, KEY_POLICY_DOCUMENTS, SETTINGS, STACK_JOINS),
    config: {},
};

export const missingKeyRotation = definePolicy<ResourceAndStackPolicy>(METADATA, {
    description:
        "Symmetric KMS keys that EMR Serverless uses for disk encryption should have automatic key rotation on.",
    remediationSteps: FIX,
    validateResource: (args, reportViolation) => {
        if (!isKeyType(args.type)) {
            return;
        }
        const props = args.props as Props;
        if (readRotation(args.type, props) !== false) {
            return; // on, or not set on this resource (imported material, replicas)
        }
        const shape = readKeyShape(args.type, props);
        if (!shape || !isSymmetric(shape)) {
            return;
        }
        const document = readDocument(args.type, props);
        if (document === undefined) {
            return;
        }
        const analysis = analyzeKeyPolicy(document, {
            ...analyzeOptions(args.getConfig<JudgeConfig>()),
            ...documentKey(args.type, props),
        });
        if (analysis.grantsService) {
            reportViolation(
                message(args, "key rotation is off on a key whose policy grants emr-serverless.amazonaws.com.", FIX),
            );
        } else {
            noteUnknownParts(args.type, analysis, ["grants-service"]);
        }
    },
    validateStack: (args, reportViolation) => {
        const index = stackIndexFor(args.resources);
        const options = analyzeOptions(args.getConfig<JudgeConfig>());
        for (const key of index.keys) {
            if (key.rotation !== false || !key.shape || !isSymmetric(key.shape)) {
                continue;
            }
            if (key.settings.length === 0 && key.keyPolicies.length === 0) {
                continue;
            }
            const use = keyUse(key, options);
            if (use.inlineGrants || use.crossReasons.length === 0) {
                continue;
            }
            reportViolation(
                message(
                    key.resource,
                    `key rotation is off, and EMR Serverless uses the key (${use.crossReasons.join("; ")}).`,
                    FIX,
                ),
                key.resource.urn,
            );
        }
    },
});
