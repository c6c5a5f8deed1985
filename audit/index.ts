/**
 * The audit command's modules, for programmatic use. The judgment itself comes from `policypack/judge`.
 */
export { parseAuditArgs, USAGE } from "./args";
export type { AuditCommand, ApplicationCommand, KeyPolicyCommand, HelpCommand } from "./args";
export { AuditError, classifyAwsError } from "./errors";
export type { AuditErrorCode, AwsCallDescription } from "./errors";
export {
    ADVISORY_FINDING_KINDS,
    isPrincipalArn,
    JOB_ROLE_KEY_POLICY_SID,
    jobRoleKeyPolicyStatement,
    judgeKeyPolicy,
    parseApplicationArn,
    principalAccess,
    principalRequest,
    serviceRequest,
    withoutAccountDelegation,
} from "./judgment";
export type { ApplicationRef, JudgeParams, Judgment, PrincipalAccess, PrincipalKind } from "./judgment";
export { auditKeyPolicyText, readKeyPolicyFile, unwrapKeyPolicyText } from "./keyPolicyFile";
export { auditApplication } from "./live";
export type { LiveClients } from "./live";
export { exitCodeOf, renderHuman, renderJson, summarize } from "./report";
export type { AuditCheck, AuditReport, AuditSubject, CheckStatus } from "./report";
export { runCli } from "./cli";
export type { CliIo } from "./cli";
