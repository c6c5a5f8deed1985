/** EMR Serverless applications without customer-managed disk encryption. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { definePolicy, GUIDE, PolicyMetadata, readsOf } from "./metadata";
import { message } from "./support/report";
import { stackIndexFor } from "./support/stack";

const FIX =
    "Encrypt the application's worker disks with a customer-managed symmetric KMS key: use the EncryptedApplication " +
    "component (or an ApplicationDiskEncryption setting whose applicationId is this application's id).";

export const METADATA: PolicyMetadata = {
    name: "missing-emr-serverless-disk-encryption",
    enforcementLevel: "advisory",
    severity: "low",
    reference: GUIDE.page,
    reads: readsOf("settings", "stackJoins"),
    config: {},
};

export const missingDiskEncryption = definePolicy<StackValidationPolicy>(METADATA, {
    description:
        "EMR Serverless applications should encrypt worker disks with a customer-managed KMS key " +
        "(a disk-encryption setting or diskEncryptionConfiguration pointing at the application); otherwise " +
        "EMR Serverless uses a service-owned key you cannot audit, rotate or revoke.",
    remediationSteps: FIX,
    validateStack: (args, reportViolation) => {
        const index = stackIndexFor(args.resources);
        if (index.unresolvedApplications) {
            return; // some setting's application is unknown at preview: coverage is judged at update
        }
        for (const app of index.apps) {
            if (!app.covered) {
                reportViolation(
                    message(
                        app.resource,
                        "no disk-encryption setting points at this application, so its worker disks are encrypted " +
                            "with a service-owned key.",
                        FIX,
                    ),
                    app.resource.urn,
                );
            }
        }
    },
});
