/**
 * Pure helpers for job submission: the StartJobRun `configurationOverrides` and the Livy session
 * `conf` that select a disk-encryption key and context. A job may use another key than its
 * application's; every helper validates the key ARN and the context first (same checks as the
 * component and the policy pack) and throws {@link DiskEncryptionValidationError} on refusal.
 */
import {
    checkEncryptionContext,
    checkEncryptionKeyArn,
    livyContextString,
    SettingRules,
} from "../policypack/judge/setting";
import { throwIfProblems } from "./validation";
import { SettingProblem } from "../policypack/judge/setting";

/** The `diskEncryptionConfiguration` object of CreateApplication / UpdateApplication / StartJobRun. */
export interface DiskEncryptionConfiguration {
    encryptionKeyArn: string;
    encryptionContext?: Record<string, string>;
}

/** StartJobRun's `configurationOverrides` carrying only the disk-encryption configuration. */
export interface DiskEncryptionOverrides {
    diskEncryptionConfiguration: DiskEncryptionConfiguration;
}

/** Livy conf key for the key ARN. */
export const LIVY_KEY_ARN_CONF = "spark.emr-serverless.disk.encryptionKeyArn";
/** Livy conf key for the context (`k1:v1,k2:v2`). */
export const LIVY_CONTEXT_CONF = "spark.emr-serverless.disk.encryptionContext";

const SUBJECT = "disk-encryption job overrides";

function validate(keyArn: string, context: Record<string, string> | undefined, rules: SettingRules): void {
    throwIfProblems(SUBJECT, [
        ...checkEncryptionKeyArn(keyArn, "encryptionKeyArn"),
        ...checkEncryptionContext(context, rules, "encryptionContext"),
    ]);
}

/**
 * The StartJobRun `configurationOverrides` for a key and context:
 * `{ diskEncryptionConfiguration: { encryptionKeyArn, encryptionContext? } }` (the context is
 * omitted when undefined or empty).
 */
export function diskEncryptionOverrides(
    keyArn: string,
    encryptionContext?: Record<string, string>,
    rules: SettingRules = {},
): DiskEncryptionOverrides {
    validate(keyArn, encryptionContext, rules);
    const config: DiskEncryptionConfiguration = { encryptionKeyArn: keyArn };
    if (encryptionContext && Object.keys(encryptionContext).length > 0) {
        config.encryptionContext = { ...encryptionContext };
    }
    return { diskEncryptionConfiguration: config };
}

/**
 * Merges the disk-encryption configuration into existing `configurationOverrides`, keeping every
 * other field (`applicationConfiguration`, `monitoringConfiguration`, ...). Any existing
 * `diskEncryptionConfiguration` is replaced as a whole (a stale context is never carried over to
 * another key). The input is not modified.
 */
export function mergeDiskEncryptionOverrides<T extends object>(
    existing: T | undefined,
    keyArn: string,
    encryptionContext?: Record<string, string>,
    rules: SettingRules = {},
): Omit<T, "diskEncryptionConfiguration"> & DiskEncryptionOverrides {
    const overrides = diskEncryptionOverrides(keyArn, encryptionContext, rules);
    return { ...(existing ?? ({} as T)), ...overrides };
}

/**
 * Problems that keep a context from being written in the Livy form `k1:v1,k2:v2`: a `,` in a key
 * or value, or a `:` in a key, would change how the string splits. (Values may contain `:`; the
 * value is everything after the first `:`.)
 */
export function checkLivyContext(context: Record<string, string> | undefined): SettingProblem[] {
    const problems: SettingProblem[] = [];
    for (const [k, v] of Object.entries(context ?? {})) {
        if (k.includes(",") || k.includes(":") || v.includes(",")) {
            const where = `encryptionContext[${JSON.stringify(k)}]`;
            problems.push({
                field: where,
                message: `${where} cannot be written in the Livy form ${LIVY_CONTEXT_CONF}="k1:v1,k2:v2": keys may not contain "," or ":", values may not contain ",".`,
                fix: "Use StartJobRun's configurationOverrides for this context, or rename the entry without those characters.",
            });
        }
    }
    return problems;
}

/**
 * The Livy session `conf` entries for a key and context:
 * `{ "spark.emr-serverless.disk.encryptionKeyArn": keyArn, "spark.emr-serverless.disk.encryptionContext": "k1:v1,k2:v2" }`
 * (the context entry is omitted when there is no context).
 */
export function livySessionConf(
    keyArn: string,
    encryptionContext?: Record<string, string>,
    rules: SettingRules = {},
): Record<string, string> {
    validate(keyArn, encryptionContext, rules);
    throwIfProblems(SUBJECT, checkLivyContext(encryptionContext));
    const conf: Record<string, string> = { [LIVY_KEY_ARN_CONF]: keyArn };
    if (encryptionContext && Object.keys(encryptionContext).length > 0) {
        // Entries in key order: the same string however the map was built (a map sent by a program in
        // another language arrives with its keys sorted).
        const byKey = Object.entries(encryptionContext).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        conf[LIVY_CONTEXT_CONF] = livyContextString(Object.fromEntries(byKey));
    }
    return conf;
}

/**
 * Merges the Livy disk-encryption entries into an existing session `conf`, keeping every other
 * entry. An existing context entry is removed when the new configuration has no context (it
 * belonged to the previous key). The input is not modified.
 */
export function mergeLivySessionConf(
    existing: Record<string, string> | undefined,
    keyArn: string,
    encryptionContext?: Record<string, string>,
    rules: SettingRules = {},
): Record<string, string> {
    const entries = livySessionConf(keyArn, encryptionContext, rules);
    const merged: Record<string, string> = { ...(existing ?? {}) };
    delete merged[LIVY_CONTEXT_CONF];
    return { ...merged, ...entries };
}
