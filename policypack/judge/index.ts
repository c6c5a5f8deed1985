/**
 * The judge: parse a KMS key policy, evaluate requests with IAM semantics, and ask the EMR
 * Serverless disk-encryption questions of it. Self-contained (node built-ins only): the policy pack
 * and the audit command import it from here (the offline preview runs the pack).
 */
export * from "./constants";
export * from "./grant";
export * from "./setting";
export * from "./types";
export type {
    ParseProblem,
    ParseResult,
    ParsedCondition,
    ParsedPolicy,
    ParsedPrincipal,
    ParsedStatement,
    PendingStatement,
    PrincipalKind,
} from "./parsedPolicy";
export type { ConditionOperator } from "./conditionOperators";
export { CONDITION_OPERATORS, NEGATED_OPERATORS, parseOperator } from "./conditionOperators";
export { MAX_KEY_POLICY_BYTES, parsePolicyDocument, parsePolicyDocumentCached } from "./parse";
export { describeCharacter, showText } from "./jsonText";
export type { Decision, RequestContext } from "./evaluate";
export { evaluateRequest } from "./evaluate";
export { globMatch } from "./wildcards";
export { analyzeKeyPolicy } from "./keyPolicy";
export { OTHER_KMS_ACTIONS } from "./kmsActions";
export { UNKNOWN_SENTINELS, boundPolicy, holdsUnknown, isUnknownSentinel } from "./unknowns";
export type { Bound } from "./unknowns";
export { editDistance, lookalikeFindings, lookalikeReason, principalSkeleton } from "./principals";
