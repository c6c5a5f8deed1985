/**
 * The engine harness and the offline preview: the Pulumi CLI's side of the analyzer protocol, offline.
 * Used by `npm run preview:offline`, the tests and the benchmarks.
 */
export * from "./analyzer";
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
    accountIdFrom,
    analyzeView,
    formatCheckFailure,
    KNOWN_COMPUTED_OUTPUTS,
    previewCreateOutputs,
    type RemediationReport,
    captureProgram,
    defaultStack,
    engineView,
    EngineViewBuilder,
    prepareProgramRun,
    type PreparedProgram,
    EXIT,
    formatReport,
    knownSecrets,
    placeholderEntries,
    placeholderWarnings,
    readInvokeFixtures,
    runPreview,
    stackUrn,
    type CapturedProgram,
    type EngineResource,
    type PlaceholderEntry,
    type PlannedStep,
    type PreviewOptions,
    type PreviewReport,
} from "./preview";
