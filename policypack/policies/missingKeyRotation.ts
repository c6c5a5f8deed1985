/** Keys EMR Serverless uses should rotate. */
import { definePolicy, KEY_ROTATION_REFERENCE, PolicyMetadata, readsOf, ResourceAndStackPolicy } from "./metadata";
import { isKeyType, isSymmetric, readKeyShape, readRotation } from "./support/keys";
import { Props } from "./support/props";
import { message } from "./support/report";
import type { KeyEntry } from "./support/stack";
import { flaggedKeysInUse, inlinePolicyGrantsService } from "./support/usedKeys";

const FIX = "Set enableKeyRotation: true on the key (automatic yearly rotation; old material still decrypts).";

export const METADATA: PolicyMetadata = {
    name: "missing-key-rotation",
    enforcementLevel: "advisory",
    severity: "medium",
    reference: KEY_ROTATION_REFERENCE,
    reads: readsOf("keyRotation", "keyShapes", "keyPolicyDocuments", "settings", "stackJoins"),
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
        if (inlinePolicyGrantsService(args)) {
            reportViolation(
                message(args, "key rotation is off on a key whose policy grants emr-serverless.amazonaws.com.", FIX),
            );
        }
    },
    validateStack: (args, reportViolation) => {
        const rotationOff = (k: KeyEntry): boolean => k.rotation === false && !!k.shape && isSymmetric(k.shape);
        for (const { key, use } of flaggedKeysInUse(args, rotationOff)) {
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
