/**
 * The audit's judgment of a key policy: the policy pack's analysis (from the judge, unchanged) plus the
 * questions only the audit asks, each answered by the judge's request evaluation:
 * does the policy let EMR Serverless use the key for this application, and does it let a given job role or
 * submitter do what it needs. Pure: no I/O.
 */
import {
    EMR_SERVERLESS_PRINCIPAL,
    SERVICE_ACTIONS,
    SUBMITTER_ACTIONS,
    SOURCE_ACCOUNT_KEY,
    SOURCE_ARN_KEY,
    VIA_SERVICE_KEY,
    emrServerlessViaService,
    analyzeKeyPolicy,
    evaluateRequest,
    parseKeyArn,
    parsePolicyDocument,
} from "../policypack/judge";
import { parseApplicationArn as parseArn } from "../policypack/judge/arn";
export { isPrincipalArn } from "../policypack/judge/arn";
import type {
    AnalyzeOptions,
    Decision,
    Finding,
    FindingKind,
    KeyPolicyAnalysis,
    ParsedPolicy,
    ParsedPrincipal,
    RequestContext,
} from "../policypack/judge";
import {
    PolicyStatement,
    encryptionContextConditions,
    serviceKeyPolicyStatement,
    submitterKeyPolicyStatements,
} from "../components/keyPolicy";
import { jobRoleKeyGrantPolicy, submitterIamPolicy } from "../components/jobRole";
import type { AuditCheck } from "./report";

/** The application the key serves, from its ARN. */
export interface ApplicationRef {
    arn: string;
    partition: string;
    region: string;
    account: string;
    id: string;
}

/** Parses `arn:<partition>:emr-serverless:<region>:<account>:/applications/<id>`; undefined when it is not one. */
export function parseApplicationArn(arn: string): ApplicationRef | undefined {
    const p = parseArn(arn);
    return p ? { arn, partition: p.partition, region: p.region, account: p.account, id: p.applicationId } : undefined;
}

/** Which findings fail the audit; the others are advisory, as in the policy pack. */
export const ADVISORY_FINDING_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>([
    "submitter-not-via-service",
    "service-overgrant",
    "service-principal-lookalike",
]);

/** What {@link judgeKeyPolicy} needs. */
export interface JudgeParams {
    /** The key policy document: JSON text (as GetKeyPolicy returns it) or an object. */
    policy: unknown;
    /** The application the key must serve, when known. */
    application?: ApplicationRef;
    /** Region for `kms:ViaService` (defaults to the application's). */
    region?: string;
    /**
     * The key ARN, when known (requests name it as their resource; printed IAM policies use it; its account decides
     * which principals are cross-account). Without it the key is assumed to be in the application's account.
     */
    keyArn?: string;
    /** The key's bare id, when its ARN is not given: what the id decides of the statements is decided. */
    keyId?: string;
    /** The application's custom encryption context (sent with the service's and submitters' requests). */
    encryptionContext?: Record<string, string>;
    /**
     * Job runtime roles to check: they need kms:GenerateDataKey and kms:Decrypt, judged for requests without
     * kms:ViaService (see {@link principalRequest}). A role outside the key's account is at best `depends`.
     */
    jobRoleArns?: readonly string[];
    /**
     * Job submitters to check: they need kms:DescribeKey, and kms:GenerateDataKey / kms:Decrypt via EMR Serverless.
     * A submitter outside the key's account is at best `depends`.
     */
    submitterArns?: readonly string[];
    /** Extra judge options (e.g. `sourceAccountKeys`). */
    analyzeOptions?: Omit<AnalyzeOptions, "region" | "expectedApplication" | "keyArn">;
}

/** The judgment: checks for the report, and the judge's analysis. */
export interface Judgment {
    checks: AuditCheck[];
    analysis: KeyPolicyAnalysis;
}

function findingCheck(f: Finding, app: ApplicationRef | undefined): AuditCheck {
    const check: AuditCheck = {
        id: `finding:${f.kind}`,
        status: ADVISORY_FINDING_KINDS.has(f.kind) ? "warn" : "fail",
        message: f.message,
        fix: f.fix,
    };
    if (f.kind === "service-unbound" && app) {
        check.statementToAdd = serviceStatement(app);
        check.replaces = f.where;
    }
    return check;
}

function serviceStatement(app: ApplicationRef): PolicyStatement {
    return serviceKeyPolicyStatement({ applicationArn: app.arn, applicationId: app.id, accountId: app.account });
}

/** The encryption context EMR Serverless sends: the custom pairs plus `applicationId`. */
function fullContext(app: ApplicationRef, custom: Record<string, string> | undefined): Record<string, string> {
    return { ...(custom ?? {}), applicationId: app.id };
}

/** The request context entries for an encryption context: the condition keys, and `kms:EncryptionContextKeys`. */
function contextKeys(ctx: Record<string, string>): Record<string, string | string[]> {
    return { ...encryptionContextConditions(ctx), "kms:EncryptionContextKeys": Object.keys(ctx).sort() };
}

/** The request EMR Serverless makes for the application's worker disks. */
export function serviceRequest(
    action: string,
    app: ApplicationRef,
    keyArn: string | undefined,
    custom?: Record<string, string>,
): RequestContext {
    return {
        principal: { type: "Service", id: EMR_SERVERLESS_PRINCIPAL },
        action,
        resource: keyArn,
        context: {
            [SOURCE_ARN_KEY]: app.arn,
            [SOURCE_ACCOUNT_KEY]: app.account,
            ...contextKeys(fullContext(app, custom)),
        },
    };
}

/** Which principal the audit asks about: a job runtime role or a job submitter. */
export type PrincipalKind = "job role" | "submitter";

/**
 * The request a job role or a submitter makes.
 *
 * - Submitter: `kms:ViaService` set to the region's EMR Serverless endpoint (the AWS guide's submitter statement
 *   is conditioned on it), the custom encryption context plus `applicationId` on GenerateDataKey/Decrypt (none
 *   on DescribeKey).
 * - Job role: no `kms:ViaService` (the AWS guide's job-role grant is an IAM policy without it, and it is not
 *   documented that the worker's calls carry it), and only the `applicationId` encryption context, as the guide's
 *   CloudTrail events show. A grant that holds only under either assumption is therefore not counted.
 */
export function principalRequest(
    kind: PrincipalKind,
    action: string,
    principalArn: string,
    app: ApplicationRef,
    region: string,
    keyArn: string | undefined,
    custom?: Record<string, string>,
): RequestContext {
    const account = principalArn.split(":")[4];
    let ctx: Record<string, string> | undefined;
    if (kind === "job role") {
        ctx = { applicationId: app.id };
    } else if (action !== "kms:DescribeKey") {
        ctx = fullContext(app, custom);
    }
    return {
        principal: { type: "AWS", id: principalArn },
        action,
        resource: keyArn,
        context: {
            ...(kind === "submitter" ? { [VIA_SERVICE_KEY]: emrServerlessViaService(region) } : {}),
            "kms:CallerAccount": account,
            "aws:PrincipalArn": principalArn,
            "aws:PrincipalAccount": account,
            ...(ctx ? contextKeys(ctx) : {}),
        },
    };
}

function isAccountPrincipal(v: string): boolean {
    return /^\d{12}$/.test(v) || /^arn:[^:]+:iam::\d{12}:root$/.test(v);
}

/**
 * The policy with account principals (`<account>` / `arn:...:root`) removed from Allow statements: what the
 * key policy grants on its own, without delegating to IAM policies.
 */
export function withoutAccountDelegation(policy: ParsedPolicy): ParsedPolicy {
    const strip = (p: ParsedPrincipal): ParsedPrincipal => ({
        wildcard: p.wildcard,
        values: { ...p.values, AWS: p.values.AWS?.filter((v) => !isAccountPrincipal(v)) },
    });
    return {
        ...policy,
        statements: policy.statements.map((st) =>
            st.effect === "Allow" && st.principal ? { ...st, principal: strip(st.principal) } : st,
        ),
    };
}

/** How the key policy answers one principal's needs. */
export interface PrincipalAccess {
    principal: string;
    /** Per action: the decision of the full policy, and whether the policy grants it without IAM delegation. */
    actions: { action: string; decision: Decision; direct: boolean }[];
}

/** Evaluates each action for a principal, with the requests {@link principalRequest} builds for its kind. */
export function principalAccess(
    kind: PrincipalKind,
    policy: ParsedPolicy,
    principalArn: string,
    actions: readonly string[],
    app: ApplicationRef,
    region: string,
    keyArn: string | undefined,
    custom?: Record<string, string>,
    keyId?: string,
): PrincipalAccess {
    const own = withoutAccountDelegation(policy);
    return {
        principal: principalArn,
        actions: actions.map((action) => {
            const req = {
                ...principalRequest(kind, action, principalArn, app, region, keyArn, custom),
                resourceId: keyArn === undefined ? keyId : undefined,
            };
            const decision = evaluateRequest(policy, req);
            return { action, decision, direct: decision === "Allow" && evaluateRequest(own, req) === "Allow" };
        }),
    };
}

/** Sid of the key policy statement the audit prints for a job role lacking a grant. */
export const JOB_ROLE_KEY_POLICY_SID = "AllowJobRolesUseKey";

/**
 * A key policy statement granting job runtime roles what the AWS guide's job-role IAM grant gives:
 * `kms:GenerateDataKey` and `kms:Decrypt`, `Resource "*"` (the key itself, in a key policy), no `kms:ViaService`.
 */
export function jobRoleKeyPolicyStatement(roleArns: readonly string[]): PolicyStatement {
    return {
        Sid: JOB_ROLE_KEY_POLICY_SID,
        Effect: "Allow",
        Principal: { AWS: [...new Set(roleArns)].sort() },
        Action: [...SERVICE_ACTIONS],
        Resource: "*",
    };
}

/** Where the key lives relative to a principal. */
interface KeyAccount {
    /** The key's account: from the key ARN, else assumed to be the application's. */
    account: string;
    /** True when it is assumed (no key ARN given). */
    assumed: boolean;
}

function keyAccountOf(app: ApplicationRef, keyArn: string | undefined): KeyAccount {
    const fromArn = keyArn ? parseKeyArn(keyArn)?.account : undefined;
    return fromArn ? { account: fromArn, assumed: false } : { account: app.account, assumed: true };
}

function principalCheck(
    kind: PrincipalKind,
    access: PrincipalAccess,
    app: ApplicationRef,
    region: string,
    keyArn: string | undefined,
    custom: Record<string, string> | undefined,
): AuditCheck {
    const who = `${kind} ${access.principal}`;
    const key = keyAccountOf(app, keyArn);
    const principalAccount = access.principal.split(":")[4];
    const crossAccount = principalAccount !== key.account;
    const keyRef = keyArn ?? `arn:${app.partition}:kms:${region}:${key.account}:key/<key-id>`;
    const iamPolicy = (): unknown =>
        kind === "job role" ? jobRoleKeyGrantPolicy(keyRef) : submitterIamPolicy({ keyArn: keyRef, region });
    const requests =
        kind === "job role"
            ? "requests without kms:ViaService, with the applicationId encryption context"
            : `requests via ${emrServerlessViaService(region)}`;
    const keyWhere = key.assumed
        ? `the key's account (assumed to be the application's, ${key.account}: no key ARN given; pass --key-arn)`
        : `the key's account ${key.account}`;
    const denied = access.actions.filter((a) => a.decision === "ExplicitDeny").map((a) => a.action);
    const missing = access.actions.filter((a) => a.decision === "ImplicitDeny").map((a) => a.action);
    const delegated = access.actions.filter((a) => a.decision === "Allow" && !a.direct).map((a) => a.action);
    const all = access.actions.map((a) => a.action).join(", ");
    if (denied.length > 0) {
        return {
            id: "principal",
            principal: access.principal,
            status: "fail",
            message: `The key policy explicitly denies the ${who} ${denied.join(", ")} (${requests}); jobs will fail.`,
            fix: "Remove or narrow the Deny statement that matches this principal and action.",
        };
    }
    if (missing.length > 0) {
        let statements: PolicyStatement[];
        if (kind === "job role") {
            statements = [jobRoleKeyPolicyStatement([access.principal])];
        } else {
            statements = submitterKeyPolicyStatements({
                submitterArns: [access.principal],
                region,
                encryptionContext: custom,
            }).filter((st) => {
                const acts = Array.isArray(st.Action) ? st.Action : [st.Action];
                return acts.some((a) => missing.includes(a));
            });
        }
        return {
            id: "principal",
            principal: access.principal,
            status: "fail",
            message: `The key policy does not grant the ${who} ${missing.join(", ")} for ${requests} (neither directly nor through its account); ${kind === "job role" ? "job runs" : "job submissions"} using this key will be refused.`,
            fix:
                "Add the statement(s) below to the key policy (if a statement with the same Sid exists, add the principal to it)" +
                (crossAccount
                    ? `; the principal is in account ${principalAccount}, not ${keyWhere}, so that account must also attach the IAM policy below to it (cross-account KMS use needs both).`
                    : ", or let the account's IAM policies decide by keeping the account-root statement.") +
                (kind === "job role"
                    ? " The statement has no kms:ViaService condition (the AWS guide's job-role grant has none); the" +
                      " advisory submitter-not-via-service finding will name it."
                    : ""),
            statementToAdd: statements.length === 1 ? statements[0] : statements,
            ...(crossAccount ? { iamPolicyToAttach: iamPolicy() } : {}),
        };
    }
    if (delegated.length > 0) {
        return {
            id: "principal",
            principal: access.principal,
            status: "depends",
            message: `The key policy delegates ${delegated.join(", ")} for the ${who} to its account's IAM policies (account principal / :root); whether it may use the key depends on IAM policies this audit does not read.`,
            fix: `Check that the principal's IAM policies${crossAccount ? ` (in account ${principalAccount})` : ""} grant the actions below on the key, or grant them in the key policy.`,
            iamPolicyToAttach: iamPolicy(),
        };
    }
    if (crossAccount) {
        return {
            id: "principal",
            principal: access.principal,
            status: "depends",
            message: `The key policy grants the ${who} ${all} (${requests}), but the principal is in account ${principalAccount}, not ${keyWhere}: KMS across accounts also needs an IAM policy in account ${principalAccount} granting the same on the key, which this audit does not read.`,
            fix: `In account ${principalAccount}, attach the IAM policy below to the principal${key.assumed ? " (or pass --key-arn if the key is in that account)" : ""}.`,
            iamPolicyToAttach: iamPolicy(),
        };
    }
    return {
        id: "principal",
        principal: access.principal,
        status: "pass",
        message: `The key policy grants the ${who} ${all} (${requests})${key.assumed ? `, assuming the key is in the application's account ${key.account} (pass --key-arn to check)` : ""}.`,
    };
}

/** Judges a key policy for EMR Serverless disk encryption. */
export function judgeKeyPolicy(params: JudgeParams): Judgment {
    const app = params.application;
    const region = params.region ?? app?.region;
    const options: AnalyzeOptions = {
        ...(params.analyzeOptions ?? {}),
        ...(region ? { region } : {}),
        ...(app ? { expectedApplication: { arn: app.arn, id: app.id, account: app.account } } : {}),
        ...(params.keyArn ? { keyArn: params.keyArn } : params.keyId ? { keyId: params.keyId } : {}),
    };
    const analysis = analyzeKeyPolicy(params.policy, options);
    const keyId = params.keyArn ? undefined : params.keyId;
    const checks: AuditCheck[] = analysis.findings.map((f) => findingCheck(f, app));
    const parsed = parsePolicyDocument(params.policy);
    if (!analysis.parsed || !parsed.policy) {
        return { checks, analysis };
    }
    const policy = parsed.policy;
    const serviceUnbound = analysis.findings.some((f) => f.kind === "service-unbound");

    if (app) {
        const decisions = SERVICE_ACTIONS.map(
            (a) =>
                [
                    a,
                    evaluateRequest(policy, {
                        ...serviceRequest(a, app, params.keyArn, params.encryptionContext),
                        resourceId: keyId,
                    }),
                ] as const,
        );
        const refused = decisions.filter(([, d]) => d !== "Allow").map(([a]) => a);
        if (refused.length > 0) {
            checks.push({
                id: "service-binding",
                status: "fail",
                message: `The key policy does not let ${EMR_SERVERLESS_PRINCIPAL} use the key for application ${app.id}: ${refused.join(", ")} ${refused.length === 1 ? "is" : "are"} refused for requests from ${app.arn}; jobs with disk encryption will fail.`,
                ...(serviceUnbound
                    ? { fix: "Use the statement printed above, bound to this application, in the key policy." }
                    : {
                          fix: "Add the statement below to the key policy (the AWS guide's statement, bound to this application).",
                          statementToAdd: serviceStatement(app),
                      }),
            });
        } else if (!serviceUnbound) {
            checks.push({
                id: "service-binding",
                status: "pass",
                message: `The key policy lets ${EMR_SERVERLESS_PRINCIPAL} use the key for application ${app.id}, bound to it by ${describeBinding(analysis)}.`,
            });
        }
    } else if (!analysis.grantsService) {
        checks.push({
            id: "service-binding",
            status: "fail",
            message: `The key policy does not allow ${EMR_SERVERLESS_PRINCIPAL} kms:GenerateDataKey or kms:Decrypt: EMR Serverless cannot use this key for disk encryption.`,
            fix: "Add the service statement from the AWS guide bound to your application; run with --application-arn to print it.",
        });
    } else if (!serviceUnbound) {
        checks.push({
            id: "service-binding",
            status: "pass",
            message: `The key policy lets ${EMR_SERVERLESS_PRINCIPAL} use the key, bound by ${describeBinding(analysis)}.`,
        });
    }

    if (app && region) {
        const principals: [PrincipalKind, readonly string[], readonly string[]][] = [
            ["job role", params.jobRoleArns ?? [], SERVICE_ACTIONS],
            ["submitter", params.submitterArns ?? [], SUBMITTER_ACTIONS],
        ];
        for (const [kind, arns, actions] of principals) {
            for (const arn of arns) {
                const { keyArn, encryptionContext } = params;
                const access = principalAccess(
                    kind,
                    policy,
                    arn,
                    actions,
                    app,
                    region,
                    keyArn,
                    encryptionContext,
                    keyId,
                );
                checks.push(principalCheck(kind, access, app, region, keyArn, encryptionContext));
            }
        }
    }
    return { checks, analysis };
}

function describeBinding(analysis: KeyPolicyAnalysis): string {
    const b = analysis.binding;
    if (!b) {
        return "its conditions";
    }
    const parts: string[] = [];
    if (b.sourceArns.length > 0) {
        parts.push(`aws:SourceArn ${b.sourceArns.join(" | ")}`);
    }
    if (b.sourceAccounts.length > 0) {
        parts.push(`aws:SourceAccount ${b.sourceAccounts.join(" | ")}`);
    }
    if (b.applicationIds.length > 0) {
        parts.push(`applicationId ${b.applicationIds.join(" | ")}`);
    }
    return parts.length > 0 ? parts.join(", ") : "its conditions";
}
