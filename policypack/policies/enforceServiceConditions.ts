/**
 * Every grant to emr-serverless.amazonaws.com binds aws:SourceArn, aws:SourceAccount and
 * kms:EncryptionContext:applicationId; a key a setting uses must grant the service, by its exact name, both
 * kms:GenerateDataKey and kms:Decrypt for the setting's application. Keys are joined to settings through
 * property dependencies and by literal key ARN or id, also for keys managed outside the stack (their
 * KeyPolicy resources in the stack are judged).
 */
import { definePolicy, GUIDE, PolicyMetadata, readsOf, ResourceAndStackPolicy } from "./metadata";
import { analyzeKeyPolicy, EMR_SERVERLESS_PRINCIPAL, SERVICE_ACTIONS } from "../judge";
import type { AnalyzeOptions, ApplicationBinding, ExpectedApplication, Finding, KeyPolicyAnalysis } from "../judge";
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
import { stackIndexFor, effectiveDocuments, keyLabel, keyOptionsFor } from "./support/stack";
import type { DocumentEntry, KeyEntry, SettingEntry } from "./support/stack";

const FIX =
    `Grant ${EMR_SERVERLESS_PRINCIPAL} only kms:GenerateDataKey and kms:Decrypt, with the conditions ` +
    'StringLike/ArnEquals "aws:SourceArn": "<application ARN>", StringEquals "aws:SourceAccount": "<account>" and ' +
    'StringEquals "kms:EncryptionContext:applicationId": "<application id>", each bound to exactly one value.';

function expectedApplication(setting: SettingEntry): ExpectedApplication | undefined {
    const id = setting.applicationId ?? setting.app?.ids[0];
    const arn = setting.app?.arn;
    if (!id && !arn) {
        return undefined;
    }
    const out: ExpectedApplication = {};
    if (id) {
        out.id = id;
    }
    if (arn) {
        out.arn = arn;
    }
    if (setting.app?.account) {
        out.account = setting.app.account;
    }
    if (!arn && setting.region) {
        out.region = setting.region;
    }
    return out;
}

const findingId = (f: Finding): string => `${f.kind}\u0000${f.where ?? ""}\u0000${f.message}`;

/** An application no binding can equal: judged against it, every statement binding the service to a value mismatches. */
const NO_APPLICATION: ExpectedApplication = { arn: "\u0000", id: "\u0000" };

/**
 * Where (`Sid "X"` / `statement #N`) each statement that grants the service is: those already reported
 * as unbound, and those that bind the service to some application (they mismatch {@link NO_APPLICATION}, whose
 * binding is `none`).
 */
function grantStatements(analysis: KeyPolicyAnalysis, none: ApplicationBinding | undefined): string[] {
    if (!analysis.grantsService) {
        return [];
    }
    const out = new Set<string>();
    for (const f of [...analysis.findings, ...(none?.findings ?? [])]) {
        if (f.kind === "service-unbound") {
            out.add(f.where ?? "");
        }
    }
    return [...out];
}

export const METADATA: PolicyMetadata = {
    name: "enforce-emr-serverless-service-conditions",
    enforcementLevel: "mandatory",
    severity: "critical",
    reference: GUIDE.servicePermissions,
    reads: readsOf("keyPolicyDocuments", "settings", "stackJoins"),
    config: {
        sourceAccountKeys: sourceAccountKeysSchema,
        requireEncryptionContextBinding: requireEncryptionContextBindingSchema,
        allowedSourceAccounts: allowedSourceAccountsSchema,
    },
};

export const enforceServiceConditions = definePolicy<ResourceAndStackPolicy>(METADATA, {
    description:
        `Every key policy statement that lets ${EMR_SERVERLESS_PRINCIPAL} use a key must bind aws:SourceArn, ` +
        "aws:SourceAccount (or a configured alternative such as aws:SourceOrgID) and kms:EncryptionContext:applicationId " +
        "to one value each (the confused-deputy protection in the EMR Serverless guide), and a key that a disk-encryption " +
        "setting uses must grant the service at all, or its jobs fail.",
    remediationSteps: FIX,
    // Unknown parts that could change whether the service is let in, or which of the two actions it gets, decide
    // this policy's stack verdict on a key a setting uses: they get the note here.
    validateResource: documentValidation(["service-unbound"], { alsoUndecided: ["grants-service", "service-actions"] }),
    validateStack: (args, reportViolation) => {
        const index = stackIndexFor(args.resources);
        const options = analyzeOptions(args.getConfig<JudgeConfig>());
        for (const key of [...index.keys, ...index.externalKeys]) {
            const docs = effectiveDocuments(key);
            if (key.settings.length === 0 || docs.length === 0) {
                continue; // unused, or a key outside the stack whose policy the stack does not set
            }
            if (docs.some((d) => !d.document.known)) {
                continue; // unknown at preview: judged at update
            }
            // PutKeyPolicy replaces the whole policy: with several KeyPolicy resources on one key, the one applied
            // last stays, in no fixed order, so each of them must let the service in on its own.
            const several =
                docs.length > 1
                    ? `, one of ${docs.length} resources that each set this key's whole policy (KMS keeps the one ` +
                      "applied last, so each must let the service in)"
                    : "";
            const judged = docs.map((d) => judgeDocument(key, d, options));
            const reported = new Set<string>();
            const report = (text: string, urn: string): void => {
                if (!reported.has(`${urn}\u0000${text}`)) {
                    reported.add(`${urn}\u0000${text}`);
                    reportViolation(text, urn);
                }
            };
            for (const setting of key.settings) {
                for (const j of judged) {
                    checkDocument(key, setting, j, several, report);
                }
            }
        }
    },
});

/** One document of a key, judged against the key's ARN or id, and its binding against each setting's application. */
interface JudgedDocument {
    entry: DocumentEntry;
    analysis?: KeyPolicyAnalysis;
    /** Where the statements that let the service in are. */
    grantsAt: string[];
    /** The binding against each setting's application, for the settings whose application is known. */
    bindings: Map<SettingEntry, ApplicationBinding>;
}

/**
 * Judges one document of `key` in one call: the analysis (only what the service binding needs, the policy reads
 * nothing else), the binding against {@link NO_APPLICATION} (where the grants are) and against each setting's
 * application.
 */
function judgeDocument(key: KeyEntry, d: DocumentEntry, options: AnalyzeOptions): JudgedDocument {
    const raw = d.document.known ? d.document.value : undefined;
    const doc = isAbsentDocument(d.resource.type, raw) ? undefined : raw;
    const expected: Array<[SettingEntry, ExpectedApplication]> = [];
    for (const setting of key.settings) {
        const application = expectedApplication(setting);
        if (application) {
            expected.push([setting, application]);
        }
    }
    const analysis =
        doc === undefined
            ? undefined
            : analyzeKeyPolicy(doc, {
                  ...options,
                  ...keyOptionsFor(key, d),
                  applications: [NO_APPLICATION, ...expected.map(([, application]) => application)],
                  serviceOnly: true,
              });
    const [none, ...perSetting] = analysis?.applicationBindings ?? [];
    const bindings = new Map<SettingEntry, ApplicationBinding>();
    expected.forEach(([setting], i) => {
        const binding = perSetting[i];
        if (binding) {
            bindings.set(setting, binding);
        }
    });
    return { entry: d, analysis, grantsAt: analysis ? grantStatements(analysis, none) : [], bindings };
}

/** The name of a key's document in messages. */
function documentName(key: KeyEntry, entry: DocumentEntry): string {
    return entry.inline ? `${keyLabel(key)}'s own policy` : label(entry.resource);
}

/**
 * What one document of the key a setting uses must do for the setting's jobs: let the service in, by its exact
 * name, with both actions, bound to the setting's application. `several` says the document is one of several that
 * set the key's whole policy.
 */
function checkDocument(
    key: KeyEntry,
    setting: SettingEntry,
    j: JudgedDocument,
    several: string,
    report: (text: string, urn: string) => void,
): void {
    const analysis = j.analysis;
    const name = `${documentName(key, j.entry)}${several}`;
    if (!analysis?.grantsService || !analysis.grantsServiceByExactName) {
        // Parts unknown at preview that could grant the service (their note comes from this policy's resource
        // half), or an unparseable document (reported by disallow-malformed-key-policies): whether the service is
        // granted cannot be told.
        if (analysis && (!analysis.parsed || analysis.undecided?.includes("grants-service"))) {
            return;
        }
        const lookalikes = (analysis?.findings ?? []).filter((f) => f.kind === "service-principal-lookalike");
        const namedInstead =
            lookalikes.length > 0
                ? ` The policy names a look-alike of the service principal instead: ${lookalikes[0].message}`
                : "";
        const what = analysis?.grantsService
            ? `allows ${EMR_SERVERLESS_PRINCIPAL} kms:GenerateDataKey and kms:Decrypt only under another spelling of ` +
              "its name, which AWS does not document as the service's, so its jobs may fail."
            : `never allows ${EMR_SERVERLESS_PRINCIPAL} kms:GenerateDataKey and kms:Decrypt, so its jobs would fail.`;
        report(
            message(
                setting.resource,
                `it encrypts disks with ${keyLabel(key)}, but that key's policy (${name}) ${what}${namedInstead}` +
                    assumed([analysis]),
                `Add the service statement to the key policy, naming the principal exactly: ${FIX}`,
            ),
            setting.resource.urn,
        );
        return;
    }
    const expected = expectedApplication(setting);
    const bound = j.bindings.get(setting);
    if (!expected || !bound) {
        // The application is not known (preview): only a document that gives the service one action and never the
        // other can be told to fail its jobs.
        reportPartial(key, setting, name, analysis, report);
        return;
    }
    // A key may serve several applications, each through its own statement: the setting is fine when one grant
    // statement (naming the service exactly) binds the service to its application. Only when none does are the
    // statements binding it elsewhere reported (their findings name what they are bound to).
    const seen = new Set(analysis.findings.map(findingId));
    const other = new Set<string>();
    const mismatched: Finding[] = [];
    for (const f of bound.findings) {
        if (f.kind === "service-unbound" && !seen.has(findingId(f))) {
            other.add(f.where ?? "");
            mismatched.push(f);
        }
    }
    const lookalike = new Set(analysis.lookalikeGrants ?? []);
    if (j.grantsAt.some((where) => !other.has(where) && !lookalike.has(where))) {
        reportPartial(key, setting, name, bound, report);
        return; // bound to this application
    }
    if (analysis.undecided?.some((k) => k === "service-unbound" || k === "grants-service")) {
        return; // a binding unknown at preview may be this application's (judged at update)
    }
    const app = expected.id ?? expected.arn;
    for (const finding of mismatched) {
        report(
            findingMessage(
                j.entry.resource,
                finding,
                `used by ${label(setting.resource)} for application ${app}, and no statement that names the service ` +
                    `exactly binds it to that application${several}`,
            ),
            j.entry.resource.urn,
        );
    }
    if (mismatched.length === 0) {
        // Every statement bound to this application names the service by a look-alike only.
        report(
            message(
                setting.resource,
                `it encrypts disks with ${keyLabel(key)}, but in that key's policy (${name}) only statements naming ` +
                    `a look-alike of ${EMR_SERVERLESS_PRINCIPAL} (${[...lookalike].join(", ")}) let the service in for ` +
                    `application ${app}, which AWS does not document as the service's name, so its jobs may fail.`,
                `Name the principal exactly in the statement bound to this application: ${FIX}`,
            ),
            setting.resource.urn,
        );
    }
}

/** Reports a document that lets the service do only one of the two actions the jobs need. */
function reportPartial(
    key: KeyEntry,
    setting: SettingEntry,
    name: string,
    analysis: Pick<KeyPolicyAnalysis, "hasUnknowns" | "serviceActions" | "assumptions">,
    report: (text: string, urn: string) => void,
): void {
    const missing = SERVICE_ACTIONS.filter((a) => !analysis.serviceActions.includes(a));
    if (analysis.hasUnknowns || missing.length === 0 || analysis.serviceActions.length === 0) {
        return;
    }
    const app = setting.applicationId ?? setting.app?.ids[0];
    report(
        message(
            setting.resource,
            `it encrypts disks with ${keyLabel(key)}, whose policy (${name}) lets ${EMR_SERVERLESS_PRINCIPAL} use ` +
                `${analysis.serviceActions.join(", ")} but not ${missing.join(", ")}` +
                `${app ? ` for application ${app}` : ""}: EMR Serverless needs both (GenerateDataKey creates a ` +
                "worker disk's data key, Decrypt reads it back), so its jobs would fail." +
                (analysis.assumptions.length > 0 ? ` ${analysis.assumptions.join(" ")}` : ""),
            `Allow ${missing.join(" and ")} in the statement that grants ${EMR_SERVERLESS_PRINCIPAL} ` +
                `${analysis.serviceActions.join(", ")} (same principal and conditions, naming it exactly), and remove ` +
                `any Deny or Resource that keeps it from this key. ${FIX}`,
        ),
        setting.resource.urn,
    );
}

/** The judge's assumptions about the documents (when it lacked the key's ARN), as a sentence to append, or "". */
function assumed(analyses: ReadonlyArray<KeyPolicyAnalysis | undefined>): string {
    const all = new Set<string>();
    for (const a of analyses) {
        a?.assumptions.forEach((x) => all.add(x));
    }
    return all.size > 0 ? ` ${[...all].join(" ")}` : "";
}
