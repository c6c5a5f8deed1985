/**
 * The pack's policies, one per file. Tests import this module; ../index.ts only constructs the
 * PolicyPack (which starts serving on construction).
 */
import type { Policies } from "@pulumi/policy";
import { disallowAsymmetricKeys } from "./disallowAsymmetricKeys";
import { disallowLookalikeServicePrincipals } from "./disallowLookalikeServicePrincipals";
import { disallowMalformedKeyPolicies } from "./disallowMalformedKeyPolicies";
import { disallowOpenKeyGrants } from "./disallowOpenKeyGrants";
import { disallowServiceOvergrant } from "./disallowServiceOvergrant";
import { disallowUnconstrainedKmsGrants } from "./disallowUnconstrainedKmsGrants";
import { enforceServiceConditions } from "./enforceServiceConditions";
import { enforceSettingLimits } from "./enforceSettingLimits";
import { enforceSubmitterViaService } from "./enforceSubmitterViaService";
import { missingDiskEncryption } from "./missingDiskEncryption";
import { missingKeyRotation } from "./missingKeyRotation";

export {
    disallowAsymmetricKeys,
    disallowLookalikeServicePrincipals,
    disallowMalformedKeyPolicies,
    disallowOpenKeyGrants,
    disallowServiceOvergrant,
    disallowUnconstrainedKmsGrants,
    enforceServiceConditions,
    enforceSettingLimits,
    enforceSubmitterViaService,
    missingDiskEncryption,
    missingKeyRotation,
};

/** The pack's name as published. */
export const POLICY_PACK_NAME = "emr-serverless-disk-encryption";

/** Every policy of the pack, mandatory ones first. */
export const policies: Policies = [
    disallowAsymmetricKeys,
    enforceServiceConditions,
    disallowOpenKeyGrants,
    disallowUnconstrainedKmsGrants,
    disallowMalformedKeyPolicies,
    enforceSettingLimits,
    enforceSubmitterViaService,
    missingDiskEncryption,
    missingKeyRotation,
    disallowServiceOvergrant,
    disallowLookalikeServicePrincipals,
];
