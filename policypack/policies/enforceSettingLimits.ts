/** The disk-encryption setting's own values (key ARN, encryption context) within the API's limits. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { definePolicy, GUIDE, PolicyMetadata, readsOf } from "./metadata";
import { checkDiskEncryptionSetting } from "../judge";
import { extraSecretPatternsSchema, secretPatterns } from "./support/config";
import { isSettingResourceType, isSettingType, settingHolder } from "./support/keys";
import { isUnknownSentinel, Props, unwrap } from "./support/props";
import { label } from "./support/report";

/** Stand-in for an unknown context value: counted, never judged (its problems are dropped). */
const PLACEHOLDER = "unknown-at-preview";

export const METADATA: PolicyMetadata = {
    name: "enforce-disk-encryption-setting-limits",
    enforcementLevel: "mandatory",
    severity: "high",
    reference: GUIDE.context,
    reads: readsOf("settings"),
    config: { extraSecretPatterns: extraSecretPatternsSchema },
};

export const enforceSettingLimits = definePolicy<ResourceValidationPolicy>(METADATA, {
    description:
        "A disk-encryption setting (the component's ApplicationDiskEncryption resource, or an application's " +
        "diskEncryptionConfiguration) must name the key by its full key ARN (no alias, no bare id) and keep the " +
        "encryption context within the API's limits (at most 8 entries, keys 1-128 and values 1-384 characters) " +
        "with nothing secret in it: the context is logged in plain text in AWS CloudTrail.",
    remediationSteps:
        "Pass encryptionKeyArn as arn:<partition>:kms:<region>:<account>:key/<key id> and keep the encryption " +
        "context to a few non-secret identifiers (team, project, environment).",
    validateResource: (args, reportViolation) => {
        if (!isSettingType(args.type)) {
            return;
        }
        const { patterns, invalid } = secretPatterns(args.getConfig<{ extraSecretPatterns?: unknown }>());
        for (const p of invalid) {
            reportViolation(
                `${label(args)}: the policy pack config extraSecretPatterns entry /${p}/ is not a valid regular ` +
                    "expression, so it cannot be checked. Fix: correct or remove it in the --policy-pack-config file.",
            );
        }
        const holder = settingHolder(args.type, args.props as Props);
        if (!holder) {
            return; // an application without its own configuration: missing-emr-serverless-disk-encryption's business
        }
        const where = isSettingResourceType(args.type) ? "" : "diskEncryptionConfiguration.";
        const raw = unwrap(holder) as Record<string, unknown>;
        const arnUnknown = isUnknownSentinel(raw.encryptionKeyArn);
        const context = raw.encryptionContext;
        const contextUnknown = isUnknownSentinel(context);
        // Judge what is known; unknown context values are counted but not judged.
        const unknownFields = new Set<string>();
        let judgedContext: unknown = contextUnknown ? undefined : context;
        if (!contextUnknown && context !== null && typeof context === "object" && !Array.isArray(context)) {
            const copy: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(context as Record<string, unknown>)) {
                if (isUnknownSentinel(v)) {
                    unknownFields.add(`encryptionContext[${JSON.stringify(k)}]`);
                    copy[k] = PLACEHOLDER;
                } else {
                    copy[k] = v;
                }
            }
            judgedContext = copy;
        }
        const problems = checkDiskEncryptionSetting(
            { encryptionKeyArn: arnUnknown ? "" : raw.encryptionKeyArn, encryptionContext: judgedContext },
            { extraSecretPatterns: patterns },
        );
        for (const p of problems) {
            if ((arnUnknown && p.field === "encryptionKeyArn") || unknownFields.has(p.field)) {
                continue;
            }
            reportViolation(`${label(args)}: ${where}${p.message} Fix: ${p.fix}`);
        }
        // Surface what could not be judged as the engine's "can't run during preview" note.
        void holder.encryptionKeyArn;
        void holder.encryptionContext;
        if (!contextUnknown && unknownFields.size > 0) {
            const ctx = holder.encryptionContext as Record<string, unknown>;
            for (const k of Object.keys(raw.encryptionContext as Record<string, unknown>)) {
                void ctx[k];
            }
        }
    },
});
