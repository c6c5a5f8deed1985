/**
 * The custom resource `emr-serverless-disk-encryption:index:ApplicationDiskEncryption`: the disk-encryption
 * setting of one EMR Serverless application. Check and Diff are pure; Create, Read, Update and Delete are
 * thin calls of the EMR Serverless operations in `components/diskEncryption/provider.ts` (wait, converge,
 * verify, restart, compare-then-unset), acting as the provider's configured identity.
 *
 * Id: the application id (as the dynamic resource had, so existing stacks keep theirs).
 *
 * Import (`pulumi import emr-serverless-disk-encryption:index:ApplicationDiskEncryption <name> <id>`): the id
 * is the application's ARN (`arn:aws:emr-serverless:<region>:<account>:/applications/<id>`, which carries the
 * region), or the bare application id when the provider's `region` is configured. The imported resource's id
 * is the application id either way.
 *
 * Refresh: reads the setting as AWS holds it. A different key or context becomes the resource's state and
 * inputs (the next update puts the program's setting back); an application that no longer exists, is
 * TERMINATED, or holds no customer-managed key has lost the setting, and Read reports the resource gone (the
 * next update applies it again).
 *
 * Secrets: inputs that arrive as secrets stay secrets in outputs; their text never appears in a message. An
 * encryption context (or one of its values) that is a secret is refused: EMR Serverless keeps the context in
 * plain text on the application and CloudTrail logs it with every use of the key.
 *
 * State of the dynamic resource this one replaces (same id and inputs, plus `__provider`, the serialized
 * provider code, and `profile`/`assumeRole`, now provider configuration): Check ignores olds; Diff reports the
 * legacy fields as deleted (an update, never a replacement); that Update sees the same key and context and so
 * makes no AWS call, and the state it writes no longer carries the 37 KB of serialized code.
 */
import * as ops from "../components/diskEncryption/provider";
import type { AwsAccess, DiskEncryptionInputs, DiskEncryptionTimeouts } from "../components/diskEncryption/provider";
import type { ProviderConfig } from "./config";
import {
    isSecret,
    isUnknown,
    redact,
    reveal,
    sameValue,
    secret,
    secretStrings,
    unknownsAsString,
    type Wire,
} from "./wire";

/** The resource's inputs (and outputs). */
export const SETTING_INPUTS = [
    "applicationId",
    "encryptionKeyArn",
    "encryptionContext",
    "region",
    "restartIfStarted",
    "timeouts",
] as const;

/** Inputs whose change replaces the setting (another application). */
export const REPLACE_INPUTS: readonly string[] = ["applicationId", "region"];

/** Inputs of the dynamic resource that are provider configuration now. */
export const MOVED_INPUTS: Readonly<Record<string, string>> = {
    profile:
        "profile is provider configuration now, not an input of the setting. Fix: remove it here and set it on the provider (pulumi config set emr-serverless-disk-encryption:profile <name>, or new Provider(..., { profile })).",
    assumeRole:
        "assumeRole is provider configuration now, not an input of the setting. Fix: remove it here and set it on the provider (pulumi config set --path emr-serverless-disk-encryption:assumeRole.roleArn <arn>, or new Provider(..., { assumeRole })).",
};

/** A property diff kind, as the engine names them. */
export type DiffKind = "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";

/** A check failure. */
export interface Failure {
    property: string;
    reason: string;
}

/** What Read found. */
export type ReadOutcome = { id: string; outputs: Wire; inputs: Wire } | undefined;

const CONTEXT_SECRET_REASON =
    "EMR Serverless stores the encryption context in plain text on the application and AWS CloudTrail logs it with every GenerateDataKey and Decrypt, so a secret cannot stay secret there. Fix: pass non-secret identifiers (team, project, environment) as plain values, and keep secrets out of the encryption context.";

/**
 * Check: the setting's own limits (key ARN, context), the application id, region and timeouts, the no-secrets
 * rule for the context, and the provider's region when the resource has none. Returns the inputs to store
 * (known keys only, secrets kept) and the failures (secret text redacted).
 */
export async function checkSetting(news: Wire, config: ProviderConfig): Promise<{ inputs: Wire; failures: Failure[] }> {
    const failures: Failure[] = [];
    const inputs: Wire = {};
    for (const [key, value] of Object.entries(news)) {
        if (value === undefined || value === null || key.startsWith("__")) {
            continue;
        }
        if ((SETTING_INPUTS as readonly string[]).includes(key)) {
            inputs[key] = value;
        } else if (MOVED_INPUTS[key]) {
            failures.push({ property: key, reason: MOVED_INPUTS[key] });
        } else {
            failures.push({
                property: key,
                reason: `${key} is not an input of ApplicationDiskEncryption. Fix: remove it; the inputs are ${SETTING_INPUTS.join(", ")}.`,
            });
        }
    }
    if (inputs.region === undefined) {
        if (config.region !== undefined) {
            inputs.region = config.region;
        } else {
            failures.push({
                property: "region",
                reason: "region is not set, and the provider has no region either. Fix: pass the application's region, or set the provider's (pulumi config set emr-serverless-disk-encryption:region <region>).",
            });
        }
    }

    // The no-secrets rule, on the wire form (the secret bit is gone once revealed).
    const context = inputs.encryptionContext;
    let contextForCheck: unknown = reveal(context);
    if (isSecret(context)) {
        failures.push({
            property: "encryptionContext",
            reason: `encryptionContext is a secret (its keys and values). ${CONTEXT_SECRET_REASON}`,
        });
        contextForCheck = undefined;
    } else if (context !== null && typeof context === "object" && !Array.isArray(context)) {
        const copy: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(context as Record<string, unknown>)) {
            if (isSecret(v)) {
                failures.push({
                    property: `encryptionContext[${JSON.stringify(k)}]`,
                    reason: `encryptionContext[${JSON.stringify(k)}] is a secret. ${CONTEXT_SECRET_REASON}`,
                });
                copy[k] = "secret-value-not-judged";
            } else {
                copy[k] = reveal(v);
            }
        }
        contextForCheck = copy;
    }

    // The operations' own checks, on plain values with every unknown as the string sentinel they skip.
    const plain = unknownsAsString({ ...(reveal(inputs) as Wire), encryptionContext: contextForCheck }) as Wire;
    if (plain.encryptionContext === undefined) {
        delete plain.encryptionContext;
    }
    const reported = new Set(failures.map((f) => f.property));
    for (const f of ops.checkDiskEncryption(plain)) {
        // A property already refused above (a missing region, a secret context) is not refused twice.
        if (!reported.has(f.property)) {
            failures.push(f);
        }
    }
    const hidden = secretStrings(news);
    return {
        inputs,
        failures: failures.map((f) => ({ property: redact(f.property, hidden), reason: redact(f.reason, hidden) })),
    };
}

/**
 * Diff: `applicationId` or `region` replace (create before delete: the old setting's delete unsets only while
 * the application still carries its key and context); key and context update in place; `restartIfStarted`
 * and `timeouts` update without an AWS call; anything else the old state has (the dynamic resource's
 * `__provider`, `profile`, `assumeRole`) is deleted by an update. Values compare without their secret bit;
 * an absent context equals an empty one; an unknown value is a change.
 */
export function diffSetting(
    olds: Wire,
    news: Wire,
): { changes: boolean; replaces: string[]; detailed: Record<string, DiffKind> } {
    const detailed: Record<string, DiffKind> = {};
    const replaces: string[] = [];
    const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])]
        .filter((k) => !COMPUTED_OUTPUTS.includes(k))
        .sort();
    for (const key of keys) {
        const a = olds[key];
        const b = news[key];
        const hasA = a !== undefined && a !== null;
        const hasB = b !== undefined && b !== null;
        let kind: "ADD" | "DELETE" | "UPDATE" | undefined;
        if (key === "encryptionContext") {
            if (isUnknown(b) || !sameContext(reveal(a), reveal(b))) {
                kind = !hasA ? "ADD" : !hasB ? "DELETE" : "UPDATE";
            }
        } else if (hasA !== hasB) {
            kind = hasA ? "DELETE" : "ADD";
        } else if (hasA && (isUnknown(b) || !sameValue(a, b))) {
            kind = "UPDATE";
        }
        if (kind === undefined) {
            continue;
        }
        if (REPLACE_INPUTS.includes(key)) {
            detailed[key] = `${kind}_REPLACE`;
            replaces.push(key);
        } else {
            detailed[key] = kind;
        }
    }
    return { changes: Object.keys(detailed).length > 0, replaces, detailed };
}

function sameContext(a: unknown, b: unknown): boolean {
    const norm = (v: unknown): unknown =>
        v === undefined || v === null || (typeof v === "object" && Object.keys(v as object).length === 0) ? {} : v;
    return sameValue(norm(a), norm(b));
}

/** Outputs the operations compute (not inputs): kept in the state, never diffed. */
export const COMPUTED_OUTPUTS: readonly string[] = ["applicationArn"];

/**
 * The inputs the operations take, from a wire bag (secrets revealed; the setting's fields and the recorded
 * application ARN, nothing else).
 */
export function operationInputs(props: Wire): DiskEncryptionInputs & { applicationArn?: string } {
    const plain = reveal(props) as Record<string, unknown>;
    const inputs: DiskEncryptionInputs & { applicationArn?: string } = {
        applicationId: typeof plain.applicationId === "string" ? plain.applicationId : "",
        encryptionKeyArn: typeof plain.encryptionKeyArn === "string" ? plain.encryptionKeyArn : "",
    };
    if (typeof plain.region === "string" && plain.region !== "") {
        inputs.region = plain.region;
    }
    const context = plain.encryptionContext;
    if (context !== undefined && context !== null && typeof context === "object") {
        inputs.encryptionContext = context as Record<string, string>;
    }
    if (typeof plain.restartIfStarted === "boolean") {
        inputs.restartIfStarted = plain.restartIfStarted;
    }
    if (plain.timeouts !== undefined && plain.timeouts !== null && typeof plain.timeouts === "object") {
        inputs.timeouts = plain.timeouts as DiskEncryptionTimeouts;
    }
    if (typeof plain.applicationArn === "string") {
        inputs.applicationArn = plain.applicationArn;
    }
    return inputs;
}

/**
 * The state to store: the setting's fields and computed outputs from the operation's result, each a secret
 * when the same input arrived as one.
 */
export function settingState(result: object, inputs: Wire): Wire {
    const values = result as Readonly<Record<string, unknown>>;
    const out: Wire = {};
    for (const key of [...SETTING_INPUTS, ...COMPUTED_OUTPUTS]) {
        const v = values[key];
        if (v !== undefined && v !== null) {
            out[key] = isSecret(inputs[key]) ? secret(v) : v;
        }
    }
    return out;
}

/** Runs `op`; an error is rethrown with the text of every secret of `props` redacted. */
async function redacting<T>(props: readonly Wire[], op: () => Promise<T>): Promise<T> {
    try {
        return await op();
    } catch (e) {
        const hidden = props.flatMap((p) => secretStrings(p));
        const message = e instanceof Error ? e.message : String(e);
        throw new Error(redact(message, hidden));
    }
}

/** Create: apply the setting. Id: the application id. */
export async function createSetting(props: Wire, access: AwsAccess): Promise<{ id: string; outputs: Wire }> {
    const { applicationArn: _ignored, ...inputs } = operationInputs(props);
    const result = await redacting([props], () => ops.createDiskEncryption(inputs, access));
    return { id: result.id, outputs: settingState(result.outs, props) };
}

/**
 * Update: the operations change AWS only when the key or context changed (applicationId and region replace);
 * other inputs, and the dynamic resource's legacy fields, are stored without a call.
 */
export async function updateSetting(id: string, olds: Wire, news: Wire, access: AwsAccess): Promise<Wire> {
    const { applicationArn: _ignored, ...next } = operationInputs(news);
    const result = await redacting([olds, news], () =>
        ops.updateDiskEncryption(id, operationInputs(olds), next, access),
    );
    return settingState(result.outs, news);
}

/** Delete: unset only while the application still carries this resource's key and context. */
export async function deleteSetting(id: string, props: Wire, access: AwsAccess): Promise<void> {
    const inputs = operationInputs(props);
    if (!inputs.applicationId) {
        inputs.applicationId = id;
    }
    await redacting([props], () => ops.deleteDiskEncryption(id, inputs, access));
}

/**
 * What an import id names: an application ARN (region and account included), or a bare application id with
 * the provider's region. Throws with the accepted forms otherwise.
 */
export function parseImportId(
    id: string,
    config: ProviderConfig,
): { applicationId: string; region: string; applicationArn?: string } {
    const arn = ops.parseApplicationArn(id);
    if (arn) {
        return { applicationId: arn.applicationId, region: arn.region, applicationArn: id };
    }
    if (ops.APPLICATION_ID_PATTERN.test(id)) {
        if (config.region === undefined) {
            throw new Error(
                `Cannot tell the region of application ${id}: the import id is a bare application id and the provider has no region. ` +
                    `Fix: import with the application's ARN (arn:aws:emr-serverless:<region>:<account>:/applications/${id}), or set the provider's region (pulumi config set emr-serverless-disk-encryption:region <region>).`,
            );
        }
        return { applicationId: id, region: config.region };
    }
    // Application ids and ARNs are lower-case: a copy with another case, spaces or a trailing slash is named exactly.
    const meant = id.trim().replace(/\/+$/, "").toLowerCase();
    const hint =
        meant !== id && (ops.parseApplicationArn(meant) !== undefined || ops.APPLICATION_ID_PATTERN.test(meant))
            ? ` (did you mean ${meant}?)`
            : "";
    throw new Error(
        `${JSON.stringify(id)} is not an import id of ApplicationDiskEncryption${hint}. ` +
            "Fix: use the application's ARN (arn:aws:emr-serverless:<region>:<account>:/applications/<application id>), or its id when the provider's region is set.",
    );
}

/**
 * Read, for refresh (`state` holds the old outputs) and import (`state` empty; `id` as {@link parseImportId}
 * takes it). Returns undefined when the setting no longer exists (see the module comment); an import of a
 * setting that does not exist is an error that says what was looked at.
 */
export async function readSetting(
    id: string,
    state: Wire,
    oldInputs: Wire,
    config: ProviderConfig,
    access: AwsAccess,
): Promise<ReadOutcome> {
    const importing = Object.keys(state).length === 0;
    let lookupId = id;
    let lookup: Partial<DiskEncryptionInputs> & { applicationArn?: string };
    if (importing) {
        const target = parseImportId(id, config);
        lookupId = target.applicationArn ?? target.applicationId;
        lookup = { applicationId: target.applicationId, region: target.region };
    } else {
        lookup = operationInputs(state);
        if (!lookup.applicationId) {
            lookup.applicationId = id;
        }
        if (!lookup.region) {
            delete lookup.region;
        }
    }
    const result = await redacting([state, oldInputs], () => ops.readDiskEncryption(lookupId, lookup, access));
    const held = result.found && result.outputs.encryptionKeyArn ? result.outputs : undefined;
    if (!held) {
        if (importing) {
            const why = result.found
                ? `EMR Serverless application ${lookup.applicationId} (region ${lookup.region}) holds no customer-managed disk-encryption key.`
                : result.reason;
            throw new Error(
                `${why} There is no setting to import. Fix: check the id and region (and that the provider's credentials belong to the application's account), or create the setting instead of importing it.`,
            );
        }
        return undefined;
    }
    const observed: Record<string, unknown> = { ...held };
    if (!observed.encryptionContext || Object.keys(observed.encryptionContext as object).length === 0) {
        delete observed.encryptionContext;
    }
    const outputs = settingState(observed, state);
    // The inputs: the old ones (restart option, timeouts, region as given), with what AWS holds for the setting.
    const inputs: Wire = {};
    const baseInputs = importing ? {} : oldInputs;
    for (const key of SETTING_INPUTS) {
        const fromAws = key === "applicationId" || key === "encryptionKeyArn" || key === "encryptionContext";
        const v = fromAws || (importing && key === "region") ? observed[key] : baseInputs[key];
        if (v !== undefined && v !== null) {
            inputs[key] = isSecret(baseInputs[key]) && !isSecret(v) ? secret(v) : v;
        }
    }
    return { id: result.id, outputs, inputs };
}
