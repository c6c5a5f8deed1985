/**
 * The engine harness and the offline preview: the Pulumi CLI's side of the analyzer protocol, offline.
 * Used by `npm run preview:offline`, the tests and the benchmarks.
 */
export * from "./analyzer";
export * from "./analyzerTypes";
export { packEnvironment, packMissingDependency, PolicyPackStartError, readRssKiB } from "./packProcess";
export * from "./policyConfig";
export * from "./properties";
export * from "./project";
export type * from "./previewTypes";
export * from "./dynamicProvider";
export * from "./placeholders";
export * from "./redact";
export * from "./jsonReport";
export * from "./languageHost";
export * from "./policyPasses";
export {
    classifyRunnerEnd,
    DEFAULT_TIMEOUT_SECONDS,
    RunnerFailure,
    type RunnerFailureKind,
    runProgram,
} from "./runner";
export {
    KNOWN_COMPUTED_OUTPUTS,
    previewCreateOutputs,
    engineView,
    EngineViewBuilder,
    stackUrn,
    type EngineResource,
} from "./engineView";
export { analyzeView, runPreview, type PreviewOptions } from "./preview";
export {
    type RemediationReport,
    EXIT,
    placeholderEntries,
    placeholderWarnings,
    type PlaceholderEntry,
    type PlannedStep,
    type PreviewReport,
} from "./previewReport";
export {
    accountIdFrom,
    captureProgram,
    defaultStack,
    prepareProgramRun,
    type PreparedProgram,
    type ProgramOptions,
    knownSecrets,
    readInvokeFixtures,
    type CapturedProgram,
} from "./programRun";
export { formatCheckFailure, formatReport } from "./textReport";
