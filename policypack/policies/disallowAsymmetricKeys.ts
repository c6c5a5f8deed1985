/** EMR Serverless disk encryption takes only SYMMETRIC_DEFAULT / ENCRYPT_DECRYPT keys. */
import {
    definePolicy,
    GUIDE,
    KEY_POLICY_DOCUMENTS,
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
import { documentKey, isKeyType, isSymmetric, readDocument, readKeyShape } from "./support/keys";
import { Props } from "./support/props";
import { message } from "./support/report";
import { stackIndexFor } from "./support/stack";
import { keyUse } from "./support/usage";

const FIX =
    "Use a symmetric encryption key (customerMasterKeySpec/keySpec SYMMETRIC_DEFAULT, keyUsage ENCRYPT_DECRYPT) " +
    "for EMR Serverless disk encryption; asymmetric and HMAC keys cannot be used and cannot be converted, so create a new key.";

export const METADATA: PolicyMetadata = {
    name: "disallow-asymmetric-emr-serverless-keys",
    enforcementLevel: "mandatory",
    severity: "high",
    reference: GUIDE.page,
    reads: reads(KEY_SHAPES, KEY_POLICY_DOCUMENTS, SETTINGS, STACK_JOINS),
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
                message(
                    args,
                    `the key is ${shape.spec} / ${shape.usage}, but its key policy grants emr-serverless.amazonaws.com, ` +
                        "and EMR Serverless disk encryption supports only symmetric keys.",
                    FIX,
                ),
            );
        } else {
            noteUnknownParts(args.type, analysis, ["grants-service"]);
        }
    },
    validateStack: (args, reportViolation) => {
        const index = stackIndexFor(args.resources);
        const options = analyzeOptions(args.getConfig<JudgeConfig>());
        for (const key of index.keys) {
            if (!key.shape || isSymmetric(key.shape)) {
                continue;
            }
            if (key.settings.length === 0 && key.keyPolicies.length === 0) {
                continue;
            }
            const use = keyUse(key, options);
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
