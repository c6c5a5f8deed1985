/**
 * The service binding's findings and what it reports: for each grant to the service, the keys it leaves unbound,
 * a binding to another application than the expected one, to another account than the key's, or to an ARN and an
 * account that no request can both carry; and the binding ({@link ServiceBinding}) the grants that use the key
 * make.
 */
import { APPLICATION_ID_CONTEXT_KEY, EMR_SERVERLESS_PRINCIPAL, SOURCE_ACCOUNT_KEY, SOURCE_ARN_KEY } from "./constants";
import { ACCOUNT_ID_PATTERN, arnAccount, arnFields } from "./arn";
import { explicitOwner } from "./keyOwner";
import { SERVICE_ACTION_NAMES } from "./kmsActions";
import { hasWildcard } from "./wildcards";
import { KeyVerdict, ServiceGrant } from "./serviceBinding";
import { AnalyzeOptions, Finding, ServiceBinding } from "./types";
import { holdsUnknown } from "./unknowns";

/** The region field of an ARN (`arn:partition:service:REGION:...`) when it holds no wildcard, else undefined. */
function arnRegion(arn: string): string | undefined {
    const f = arnFields(arn);
    return f && f[0] === "arn" && f[3] !== "" && !hasWildcard(f[3]) ? f[3] : undefined;
}

/** A condition value as a message shows it: quoted, or "(unknown at preview)". */
function quote(v: string): string {
    return holdsUnknown(v) ? "(unknown at preview)" : `"${v}"`;
}

/** Why a key is not bound, as a message says it. */
function verdictReason(v: KeyVerdict): string {
    return v.absentAllowed
        ? `a request without ${v.key} is allowed`
        : `${v.key} = ${quote(v.also ?? "")} is also allowed`;
}

/** Whether a bound value and the expected one are both known and differ. */
function mismatch(bound: string | undefined, expected: string | undefined): boolean {
    return (
        bound !== undefined &&
        expected !== undefined &&
        !holdsUnknown(bound) &&
        !holdsUnknown(expected) &&
        bound !== expected
    );
}

/** What the grants to the service come to under the caller's options. */
export interface ServiceBindingFindings {
    /** One service-unbound finding per grant that breaks the binding rule. */
    findings: Finding[];
    /** The values the grants that use the key bind the keys to. */
    binding: ServiceBinding;
    /** The service actions of the grants that may serve the expected application (all of them, without one). */
    serviceActions: Set<string>;
}

/**
 * The binding findings of `grants`: `principalAccounts` are the accounts of the document's Allow account
 * principals (the key's own accounts when the options name no expected application's account).
 */
export function serviceBindingFindings(
    grants: readonly ServiceGrant[],
    principalAccounts: readonly string[],
    accountKeys: readonly string[],
    options: AnalyzeOptions,
): ServiceBindingFindings {
    const findings: Finding[] = [];
    const requireContext = options.requireEncryptionContextBinding !== false;
    const expected = options.expectedApplication;
    const binding: ServiceBinding = { sourceArns: [], sourceAccounts: [], applicationIds: [] };
    // The key's own account: the expected application's when given, else the document's account
    // principals' (any of them when it names several); unknown (no account check) when neither.
    const explicit = explicitOwner(options);
    const ownAccounts = explicit !== "" ? [explicit] : principalAccounts;
    const permittedAccounts = new Set([...ownAccounts, ...(options.allowedSourceAccounts ?? [])]);
    // The key's own accounts as a message names them (only a binding to a foreign account needs it).
    const ownText = (): string =>
        ownAccounts.map(quote).join(" or ") +
        (explicit !== "" ? " (the application's account)" : " (from the key policy's account principals)");
    // The service actions of the statements that may serve the expected application (all, without one).
    const serviceActions = new Set<string>();
    for (const grant of grants) {
        const where = grant.where;
        const problems: string[] = [];
        const unboundKeys: string[] = [];
        const { arn, accountVerdicts, appId } = grant;
        if (arn && !arn.bound) {
            unboundKeys.push(SOURCE_ARN_KEY);
            problems.push(verdictReason(arn));
        }
        if (!accountVerdicts.some((v) => v.bound)) {
            unboundKeys.push(accountKeys.length === 1 ? accountKeys[0] : `one of ${accountKeys.join(", ")}`);
            problems.push(...accountVerdicts.slice(0, 2).map(verdictReason));
        }
        if (requireContext && appId && !appId.bound) {
            unboundKeys.push(APPLICATION_ID_CONTEXT_KEY);
            problems.push(verdictReason(appId));
        }
        // Record what is bound, and compare with the expected application.
        const mismatches: string[] = [];
        if (arn?.bound && arn.value !== undefined) {
            if (grant.usesKey && !binding.sourceArns.includes(arn.value)) binding.sourceArns.push(arn.value);
            if (mismatch(arn.value, expected?.arn)) {
                mismatches.push(
                    `${SOURCE_ARN_KEY} is bound to ${quote(arn.value)} but the application is ${quote(expected?.arn ?? "")}`,
                );
            } else if (expected?.arn === undefined && mismatch(arnRegion(arn.value), expected?.region)) {
                mismatches.push(
                    `${SOURCE_ARN_KEY} is bound to ${quote(arn.value)}, an application of region ` +
                        `${quote(arnRegion(arn.value) ?? "")}, but the application is in ${quote(expected?.region ?? "")}`,
                );
            }
        }
        for (const v of accountVerdicts) {
            if (v.bound && v.value !== undefined) {
                if (grant.usesKey && !binding.sourceAccounts.includes(v.value)) binding.sourceAccounts.push(v.value);
                if (v.key.toLowerCase() === SOURCE_ACCOUNT_KEY.toLowerCase() && mismatch(v.value, expected?.account)) {
                    mismatches.push(
                        `${v.key} is bound to ${quote(v.value)} but the application's account is ${quote(expected?.account ?? "")}`,
                    );
                }
            }
        }
        if (appId?.bound && appId.value !== undefined) {
            if (grant.usesKey && !binding.applicationIds.includes(appId.value))
                binding.applicationIds.push(appId.value);
            if (requireContext && mismatch(appId.value, expected?.id)) {
                mismatches.push(
                    `${APPLICATION_ID_CONTEXT_KEY} is bound to ${quote(appId.value)} but the application id is ${quote(expected?.id ?? "")}`,
                );
            }
        }
        // Bindings to another account's application, and an ARN and account that no request can both carry.
        const foreign: string[] = [];
        const boundArnAccount = arn?.bound && arn.value !== undefined ? arnAccount(arn.value) : undefined;
        const boundSourceAccount = accountVerdicts.find(
            (v) =>
                v.bound &&
                v.key.toLowerCase() === SOURCE_ACCOUNT_KEY.toLowerCase() &&
                v.value !== undefined &&
                ACCOUNT_ID_PATTERN.test(v.value),
        )?.value;
        if (ownAccounts.length > 0) {
            if (
                boundArnAccount !== undefined &&
                !permittedAccounts.has(boundArnAccount) &&
                !mismatch(arn?.value, expected?.arn)
            ) {
                foreign.push(
                    `${SOURCE_ARN_KEY} is bound to ${quote(arn?.value ?? "")}, an application of account ` +
                        `${quote(boundArnAccount)}`,
                );
            }
            if (
                boundSourceAccount !== undefined &&
                !permittedAccounts.has(boundSourceAccount) &&
                !mismatch(boundSourceAccount, expected?.account)
            ) {
                foreign.push(`${SOURCE_ACCOUNT_KEY} is bound to account ${quote(boundSourceAccount)}`);
            }
        }
        const inconsistent =
            boundArnAccount !== undefined && boundSourceAccount !== undefined && boundArnAccount !== boundSourceAccount;
        if (mismatches.length === 0 && !inconsistent && grant.exactName) {
            grant.actions.forEach((a) => serviceActions.add(a));
        }
        if (unboundKeys.length > 0 || mismatches.length > 0 || foreign.length > 0 || inconsistent) {
            // One finding per statement: the unbound keys first, then bindings to another application.
            const block = unboundKeys
                .map((k) =>
                    k === SOURCE_ARN_KEY
                        ? `"${SOURCE_ARN_KEY}": "<application-arn>"`
                        : k === APPLICATION_ID_CONTEXT_KEY
                          ? `"${APPLICATION_ID_CONTEXT_KEY}": "<application-id>"`
                          : `"${accountKeys[0]}": "<account-id>"`,
                )
                .join(", ");
            const parts: string[] = [];
            const fixes: string[] = [];
            if (unboundKeys.length > 0) {
                const via =
                    grant.unboundVia === undefined || SERVICE_ACTION_NAMES.includes(grant.unboundVia)
                        ? "kms:GenerateDataKey/kms:Decrypt"
                        : grant.unboundVia;
                parts.push(
                    `${where} lets ${EMR_SERVERLESS_PRINCIPAL} use the key (${via}) without ` +
                        `binding ${unboundKeys.join(", ")} to one value: ${problems.join("; ")}.`,
                );
                fixes.push(
                    `In ${where}, add "Condition": {"StringEquals": {${block}}} with exactly one value each, and no ` +
                        `...IfExists, negated, wildcard or multi-value form of these keys.`,
                );
            }
            if (mismatches.length > 0) {
                parts.push(
                    `${where} binds ${EMR_SERVERLESS_PRINCIPAL} to another application: ${mismatches.join("; ")}.`,
                );
                fixes.push(`In ${where}, set the condition values to this application's own ARN, account and id.`);
            }
            if (foreign.length > 0) {
                parts.push(
                    `${where} binds ${EMR_SERVERLESS_PRINCIPAL} to an account other than the key's account ` +
                        `${ownText()}: ${foreign.join("; ")}` +
                        (inconsistent ? "." : ", so that account's EMR Serverless applications can use this key."),
                );
                fixes.push(
                    `In ${where}, bind ${SOURCE_ARN_KEY} and ${SOURCE_ACCOUNT_KEY} to an application in the key's ` +
                        `own account ${ownText()}; if cross-account use is intended, allow that account explicitly ` +
                        `(judge option allowedSourceAccounts).`,
                );
            }
            if (inconsistent) {
                parts.push(
                    `${where} can never be used by ${EMR_SERVERLESS_PRINCIPAL}: ${SOURCE_ARN_KEY} is bound to an ` +
                        `application of account ${quote(boundArnAccount ?? "")} but ${SOURCE_ACCOUNT_KEY} to ` +
                        `${quote(boundSourceAccount ?? "")}; the service sends the application's own account as ` +
                        `${SOURCE_ACCOUNT_KEY}, so no request satisfies both, the statement grants the service ` +
                        `nothing and jobs cannot use the key.`,
                );
                fixes.push(
                    `In ${where}, bind ${SOURCE_ARN_KEY} and ${SOURCE_ACCOUNT_KEY} to the same application's ARN ` +
                        `and account.`,
                );
            }
            findings.push({ kind: "service-unbound", where, message: parts.join(" "), fix: fixes.join(" ") });
        }
    }
    return { findings, binding, serviceActions };
}
