/** EMR Serverless disk encryption takes only SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT keys. */
import { definePolicy, GUIDE, PolicyMetadata, readsOf, ResourceAndStackPolicy } from "./metadata";
import { isKeyType, isSymmetric, readKeyShape } from "./support/keys";
import { Props } from "./support/props";
import { message } from "./support/report";
import { flaggedKeysInUse, inlinePolicyGrantsService } from "./support/usedKeys";

const FIX =
    "Use a symmetric encryption key (customerMasterKeySpec/keySpec SYMMETRIC_DEFAULT, keyUsage ENCRYPT_DECRYPT) " +
    "for EMR Serverless disk encryption; asymmetric and HMAC keys cannot be used and cannot be converted, so create a new key.";

export const METADATA: PolicyMetadata = {
    name: "disallow-asymmetric-emr-serverless-keys",
    enforcementLevel: "mandatory",
    severity: "high",
    reference: GUIDE.page,
    reads: readsOf("keyShapes", "keyPolicyDocuments", "settings", "stackJoins"),
    config: {},
};

export const disallowAsymmetricKeys = definePolicy<ResourceAndStackPolicy>(METADATA, {
    description:
        "KMS keys used for EMR Serverless disk encryption must be symmetric encryption keys " +
        "(SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT). A key counts as used when a disk-encryption setting references it " +
        "or its key policy grants emr-serverless.amazonaws.com.",
    remediationSteps: FIX,
    validateResource: (args, reportViolation) => {
        if (!isKeyType(args.type)) {
            return;
        }
        const props = args.props as Props;
        const shape = readKeyShape(args.type, props);
        if (!shape || isSymmetric(shape)) {
            return; // symmetric, or a replica whose spec only its primary tells (judged in the stack)
        }
        if (inlinePolicyGrantsService(args)) {
            reportViolation(
                message(
                    args,
                    `the key is ${shape.spec} / ${shape.usage}, but its key policy grants emr-serverless.amazonaws.com, ` +
                        "and EMR Serverless disk encryption supports only symmetric keys.",
                    FIX,
                ),
            );
        }
    },
    validateStack: (args, reportViolation) => {
        for (const { key, use } of flaggedKeysInUse(args, (k) => k.shape !== undefined && !isSymmetric(k.shape))) {
            if (!key.shape) {
                continue; // (every flagged key has one)
            }
            if (use.inlineGrants && !key.shapeFromPrimary) {
                continue; // the resource policy reported the inline grant
            }
            const reasons = [...use.crossReasons];
            if (use.inlineGrants) {
                // A replica's own policy grants the service; its spec is known only from the primary key here.
                reasons.push("its own key policy grants emr-serverless.amazonaws.com");
            }
            if (reasons.length === 0) {
                continue; // nothing uses it
            }
            const from = key.shapeFromPrimary ? " (a replica of a primary key with that spec)" : "";
            reportViolation(
                message(
                    key.resource,
                    `the key is ${key.shape.spec} / ${key.shape.usage}${from}, but EMR Serverless uses it for disk ` +
                        `encryption (${reasons.join("; ")}); EMR Serverless supports only symmetric keys.`,
                    FIX,
                ),
                key.resource.urn,
            );
        }
    },
});
