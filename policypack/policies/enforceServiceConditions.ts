/**
 * Every grant to emr-serverless.amazonaws.com binds aws:SourceArn, aws:SourceAccount and
 * kms:EncryptionContext:applicationId; a key a setting uses must grant the service at all, by its exact name.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { analyzeKeyPolicy, EMR_SERVERLESS_PRINCIPAL } from "../judge";
import type { AnalyzeOptions, Finding, KeyPolicyAnalysis } from "../judge";
import {
    allowedSourceAccountsSchema,
    analyzeOptions,
    JudgeConfig,
    requireEncryptionContextBindingSchema,
    sourceAccountKeysSchema,
} from "./support/config";
import { documentValidation } from "./support/documentPolicy";
import { isAbsentDocument } from "./support/keys";
import { findingMessage, label, message } from "./support/report";
import { buildStackIndex, DocumentEntry, effectiveDocuments, SettingEntry } from "./support/stack";

const FIX =
    `Grant ${EMR_SERVERLESS_PRINCIPAL} only kms:GenerateDataKey and kms:Decrypt, with the conditions ` +
    'StringLike/ArnEquals "aws:SourceArn": "<application ARN>", StringEquals "aws:SourceAccount": "<account>" and ' +
    'StringEquals "kms:EncryptionContext:applicationId": "<application id>", each bound to exactly one value.';

function expectedApplication(setting: SettingEntry): AnalyzeOptions["expectedApplication"] | undefined {
    const id = setting.applicationId ?? setting.app?.ids[0];
    const arn = setting.app?.arn;
    if (!id && !arn) {
        return undefined;
    }
    const out: NonNullable<AnalyzeOptions["expectedApplication"]> = {};
    if (id) {
        out.id = id;
    }
    if (arn) {
        out.arn = arn;
    }
    if (setting.app?.account) {
        out.account = setting.app.account;
    }
    return out;
}

const findingId = (f: Finding): string => `${f.kind}\u0000${f.where ?? ""}\u0000${f.message}`;

/** An application no binding can equal: judged against it, every statement binding the service to a value mismatches. */
const NO_APPLICATION: NonNullable<AnalyzeOptions["expectedApplication"]> = { arn: "\u0000", id: "\u0000" };

/**
 * Where (`Sid "X"` / `statement #N`) each statement that grants the service is: those already reported
 * as unbound, and those that bind the service to some application (they mismatch {@link NO_APPLICATION}).
 */
function grantStatements(doc: unknown, analysis: KeyPolicyAnalysis, options: AnalyzeOptions): string[] {
    if (!analysis.grantsService) {
        return [];
    }
    const out = new Set<string>();
    for (const f of analysis.findings) {
        if (f.kind === "service-unbound") {
            out.add(f.where ?? "");
        }
    }
    for (const f of analyzeKeyPolicy(doc, { ...options, expectedApplication: NO_APPLICATION }).findings) {
        if (f.kind === "service-unbound") {
            out.add(f.where ?? "");
        }
    }
    return [...out];
}

/** `enforce-emr-serverless-service-conditions` (mandatory). */
export const enforceServiceConditions: ResourceValidationPolicy & StackValidationPolicy = {
    name: "enforce-emr-serverless-service-conditions",
    description:
        `Every key policy statement that lets ${EMR_SERVERLESS_PRINCIPAL} use a key must bind aws:SourceArn, ` +
        "aws:SourceAccount (or a configured alternative such as aws:SourceOrgID) and kms:EncryptionContext:applicationId " +
        "to one value each (the confused-deputy protection in the EMR Serverless guide), and a key that a disk-encryption " +
        "setting uses must grant the service at all, or its jobs fail.",
    remediationSteps: FIX,
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            sourceAccountKeys: sourceAccountKeysSchema,
            requireEncryptionContextBinding: requireEncryptionContextBindingSchema,
            allowedSourceAccounts: allowedSourceAccountsSchema,
        },
    },
    validateResource: documentValidation(["service-unbound"], { alsoUndecided: ["grants-service"] }),
    validateStack: (args, reportViolation) => {
        const index = buildStackIndex(args.resources);
        const options = analyzeOptions(args.getConfig<JudgeConfig>());
        for (const key of index.keys) {
            if (key.settings.length === 0) {
                continue;
            }
            const docs = effectiveDocuments(key);
            if (docs.some((d) => !d.document.known)) {
                continue; // unknown at preview: judged at update
            }
            const judged = docs.map((d) => {
                const raw = d.document.known ? d.document.value : undefined;
                const doc = isAbsentDocument(d.resource.type, raw) ? undefined : raw;
                const analysis = doc === undefined ? undefined : analyzeKeyPolicy(doc, options);
                let grantWheres: string[] | undefined;
                const grantsAt = (): string[] =>
                    (grantWheres ??= analysis && doc !== undefined ? grantStatements(doc, analysis, options) : []);
                return { entry: d, doc, analysis, grantsAt };
            });
            const names = docs.map((d) => (d.inline ? `${label(d.resource)}'s own policy` : label(d.resource)));
            const grants = judged.some((j) => j.analysis?.grantsService);
            // Parts unknown at preview that could grant the service (their note comes from this policy's
            // resource half), or an unparseable document (reported by disallow-malformed-key-policies):
            // whether the service is granted cannot be told.
            const unknownInside = judged.some(
                (j) => j.analysis && (!j.analysis.parsed || j.analysis.undecided?.includes("grants-service")),
            );
            const byExactName = judged.some((j) => j.analysis?.grantsServiceByExactName);
            const lookalikes = judged.flatMap((j) =>
                (j.analysis?.findings ?? []).filter((f) => f.kind === "service-principal-lookalike"),
            );
            const namedInstead =
                lookalikes.length > 0
                    ? ` The policy names a look-alike of the service principal instead: ${lookalikes[0].message}`
                    : "";
            const reported = new Set<string>();
            for (const setting of key.settings) {
                if (!grants || !byExactName) {
                    if (!unknownInside) {
                        const what = grants
                            ? `allows ${EMR_SERVERLESS_PRINCIPAL} kms:GenerateDataKey and kms:Decrypt only under another ` +
                              "spelling of its name, which AWS does not document as the service's, so its jobs may fail."
                            : `never allows ${EMR_SERVERLESS_PRINCIPAL} kms:GenerateDataKey and kms:Decrypt, so its ` +
                              "jobs would fail.";
                        reportViolation(
                            message(
                                setting.resource,
                                `it encrypts disks with ${label(key.resource)}, but that key's policy (${names.join(", ")}) ` +
                                    `${what}${namedInstead}`,
                                `Add the service statement to the key policy, naming the principal exactly: ${FIX}`,
                            ),
                            setting.resource.urn,
                        );
                    }
                    continue;
                }
                const expected = expectedApplication(setting);
                if (!expected) {
                    continue;
                }
                // A key may serve several applications, each through its own statement: the setting is fine
                // when one grant statement binds the service to its application. Only when none does are the
                // statements binding it elsewhere reported (their findings name what they are bound to).
                const mismatched: Array<{ entry: DocumentEntry; finding: Finding }> = [];
                let matched = false;
                for (const j of judged) {
                    if (!j.analysis?.grantsService || j.doc === undefined) {
                        continue;
                    }
                    const seen = new Set(j.analysis.findings.map(findingId));
                    const bound = analyzeKeyPolicy(j.doc, { ...options, expectedApplication: expected });
                    const other = new Set<string>();
                    for (const f of bound.findings) {
                        if (f.kind === "service-unbound" && !seen.has(findingId(f))) {
                            other.add(f.where ?? "");
                            mismatched.push({ entry: j.entry, finding: f });
                        }
                    }
                    if (j.grantsAt().some((where) => !other.has(where))) {
                        matched = true;
                        break;
                    }
                }
                const bindingUnknown = judged.some((j) =>
                    j.analysis?.undecided?.some((k) => k === "service-unbound" || k === "grants-service"),
                );
                if (matched || bindingUnknown) {
                    continue; // bound to this application; or a binding unknown at preview may be (judged at update)
                }
                for (const { entry, finding } of mismatched) {
                    const id = `${entry.resource.urn}\u0000${findingId(finding)}`;
                    if (reported.has(id)) {
                        continue;
                    }
                    reported.add(id);
                    reportViolation(
                        findingMessage(
                            entry.resource,
                            finding,
                            `used by ${label(setting.resource)} for application ${expected.id ?? expected.arn}, ` +
                                "and no statement binds the service to that application",
                        ),
                        entry.resource.urn,
                    );
                }
            }
        }
    },
};
