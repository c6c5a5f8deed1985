/**
 * The judge: parse a KMS key policy, evaluate requests with IAM semantics, and ask the EMR
 * Serverless disk-encryption questions of it. Self-contained (node built-ins only): the policy pack,
 * the audit command and the offline preview import it from here.
 */
export * from "./constants";
export * from "./grant";
export * from "./setting";
export * from "./types";
export type {
    ConditionOperator,
    ParseProblem,
    ParseResult,
    ParsedCondition,
    ParsedPolicy,
    ParsedPrincipal,
    ParsedStatement,
    PendingStatement,
    PrincipalKind,
} from "./parse";
export {
    CONDITION_OPERATORS,
    MAX_KEY_POLICY_BYTES,
    NEGATED_OPERATORS,
    parseOperator,
    describeCharacter,
    parsePolicyDocument,
    parsePolicyDocumentCached,
    showText,
} from "./parse";
export type { Decision, RequestContext } from "./evaluate";
export { evaluateRequest, globMatch } from "./evaluate";
export { FOREIGN_ACCOUNT, FOREIGN_PRINCIPAL_ARN, OTHER_KMS_ACTIONS, analyzeKeyPolicy } from "./keyPolicy";
export { UNKNOWN_SENTINELS, boundPolicy, holdsUnknown, isUnknownSentinel } from "./unknowns";
export type { Bound } from "./unknowns";
export { editDistance, lookalikeFindings, lookalikeReason, principalSkeleton } from "./principals";
