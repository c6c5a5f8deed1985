/**
 * The operations that apply `diskEncryptionConfiguration` to an EMR Serverless application through
 * `@aws-sdk/client-emr-serverless` (no Pulumi provider has the property yet): check, create, update,
 * delete and read of the setting, called by the provider plugin (`provider/resource.ts`) with an
 * {@link AwsAccess}. SDK modules are `require`d inside the functions, so that a plugin that only
 * checks and diffs never loads them; nothing secret is taken as input or returned as output.
 *
 * Credentials and region:
 * - Credentials: the {@link AwsAccess}'s `credentials`, built by the provider plugin from its
 *   configuration (undefined = the SDK's default chain). The inputs carry none.
 * - Region: the resource's `region` (recorded in the state after create), else the region of the
 *   recorded application ARN, else `access.region`; never an ambient region. None is an error.
 * - Endpoints: the SDK's own resolution, which honours `AWS_ENDPOINT_URL_EMR_SERVERLESS` and
 *   `AWS_ENDPOINT_URL_STS` (tests).
 *
 * Guarantees:
 * - Retries: every call uses the SDK's `standard` retry mode with a bounded `maxAttempts` and a
 *   per-request timeout; state transitions (CREATING, STARTING, STOPPING) are waited for by polling
 *   `GetApplication` with exponential backoff and jitter, and each operation is bounded by an
 *   overall time budget. All of these come from the optional `timeouts` input
 *   ({@link DiskEncryptionTimeouts}).
 * - Read-back: after UpdateApplication the setting is read back until it shows, for at most
 *   `timeouts.convergenceMs`, polling with the same backoff.
 * - Restart (`restartIfStarted`): stop, wait STOPPED, update, read back, start, wait STARTED. After
 *   any failure once StopApplication may have taken effect, the application is started again (with
 *   freshly resolved credentials when the failure was a credential error), and the error says what
 *   was changed, the last state actually read and when, and the command that restores it.
 * - A 404 means "gone" only when the call went to the region and the account of the application's
 *   ARN, recorded at create/update/read (one STS GetCallerIdentity on that path). Anything else is
 *   an error: a wrong region or other credentials never pass for a deleted application.
 * - KMS key problems (disabled, pending deletion, pending import, unavailable, not found, not
 *   allowed, not symmetric) are failed at once with the key's fix, never retried as a state conflict.
 * - Every error names the application and the region, and never a credential.
 */
import type * as emr from "@aws-sdk/client-emr-serverless";
import type * as sts from "@aws-sdk/client-sts";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { checkDiskEncryptionSetting } from "../../policypack/judge/setting";
import { UNKNOWN_STRING } from "../../policypack/judge/constants";
import { APPLICATION_ID_PATTERN, type ApplicationArnParts, parseApplicationArn } from "../../policypack/judge/arn";

export { APPLICATION_ID_PATTERN, type ApplicationArnParts, parseApplicationArn };

/** Who the operations act as; built by the provider plugin from its configuration. */
export interface AwsAccess {
    /** Credentials for the SDK clients; undefined = the SDK's default credential chain. */
    credentials?: AwsCredentialIdentityProvider;
    /** Region used when the resource's own `region` input is absent. */
    region?: string;
}

/** Time and attempt bounds of one provider operation. Every field is optional. */
export interface DiskEncryptionTimeouts {
    /** Overall budget of one create, update or delete, in milliseconds. Default 1,800,000 (30 min). */
    totalMs?: number;
    /** First wait between two `GetApplication` polls, in milliseconds. Default 2,000. */
    pollInitialMs?: number;
    /** Longest wait between two polls (the backoff cap), in milliseconds. Default 30,000. */
    pollMaxMs?: number;
    /** Attempts per API call in the SDK's standard retry mode (1 = no retry). Default 5. */
    maxAttempts?: number;
    /** Timeout of one HTTP request (connection and response), in milliseconds. Default 60,000. */
    requestTimeoutMs?: number;
    /**
     * How long the read-back after UpdateApplication may take to show the new setting (the
     * service's eventual consistency), in milliseconds. Default 60,000.
     */
    convergenceMs?: number;
}

/** The plain (resolved) inputs of the setting. */
export interface DiskEncryptionInputs {
    /** The EMR Serverless application id. */
    applicationId: string;
    /** The KMS key ARN. */
    encryptionKeyArn: string;
    /** The custom encryption context, if any. */
    encryptionContext?: Record<string, string>;
    /** The application's region; absent = `AwsAccess.region`. */
    region?: string;
    /** Stop, update and start again a STARTED application. Default false. */
    restartIfStarted?: boolean;
    /** Time and attempt bounds. */
    timeouts?: DiskEncryptionTimeouts;
}

/** The outputs of create and update: the inputs, the region used, and the application's ARN. */
export interface DiskEncryptionOutputs extends DiskEncryptionInputs {
    /** The region the application lives in (resolved). */
    region: string;
    /** The application ARN as GetApplication reported it (absent in states written by 0.1). */
    applicationArn?: string;
}

/** The setting as AWS holds it; `encryptionKeyArn` is absent when the application has no customer-managed key. */
export interface DiskEncryptionReadOutputs extends Omit<DiskEncryptionOutputs, "encryptionKeyArn"> {
    encryptionKeyArn?: string;
}

/**
 * What {@link readDiskEncryption} found. `found: false` only when the application is certainly gone
 * (deleted or TERMINATED in its own account and region), or, for an import (nothing recorded),
 * when no such application is visible in the region to the credentials in use.
 */
export type DiskEncryptionReadResult =
    { found: true; id: string; outputs: DiskEncryptionReadOutputs } | { found: false; id: string; reason: string };

/** The parts of an EMR Serverless application ARN. */

/** What the service's refusal says about the KMS key, when it is about the key. */
export type KeyProblem =
    | "disabled"
    | "pendingDeletion"
    | "pendingImport"
    | "unavailable"
    | "accessDenied"
    | "notFound"
    | "unsupported"
    | "other";

/** Resolved bounds. */
interface Timings {
    totalMs: number;
    pollInitialMs: number;
    pollMaxMs: number;
    maxAttempts: number;
    requestTimeoutMs: number;
    convergenceMs: number;
}

type Credentials = emr.EMRServerlessClientConfig["credentials"];
type Setting = { encryptionKeyArn?: string; encryptionContext?: Record<string, string> };

/** One successful GetApplication. */
interface Observation {
    state: string;
    at: number;
    /** Its number among the operation's reads (1-based). */
    seq: number;
}

/** What one operation works with. */
interface Context {
    client: emr.EMRServerlessClient;
    sdk: typeof emr;
    applicationId: string;
    region: string;
    /** The key this operation deals with (for the key's fix in messages). */
    keyArn?: string;
    restartIfStarted: boolean;
    credentials: Credentials;
    /** Credentials resolved anew (forced refresh) for a second chance after a credential error. */
    freshCredentials: () => Credentials;
    refreshed: boolean;
    timings: Timings;
    deadline: number;
    lastRead?: Observation;
    /** The application ARN from the last GetApplication. */
    arn?: string;
}

/** What a restart did, for the message when it fails. */
interface RestartJournal {
    /** How many reads had been made when StopApplication was sent. */
    readsBeforeStop?: number;
    stopAcceptedAt?: number;
    /** The service answered StopApplication with an error: the application was not stopped. */
    stopRefused?: boolean;
    updateSent?: boolean;
    updateAcceptedAt?: number;
    /** The service answered UpdateApplication with an error: the setting was not changed. */
    updateRefused?: boolean;
    appliedAt?: number;
    startAcceptedAt?: number;
}

/** Resolves `timeouts` against the defaults, clamping each value into a sane range. */
export function resolveTimings(t: DiskEncryptionTimeouts | undefined): Timings {
    const pick = (v: unknown, dflt: number, min: number, max: number): number =>
        typeof v === "number" && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : dflt;
    const src = t ?? {};
    return {
        totalMs: pick(src.totalMs, 1_800_000, 1, 6 * 3_600_000),
        pollInitialMs: pick(src.pollInitialMs, 2_000, 1, 600_000),
        pollMaxMs: pick(src.pollMaxMs, 30_000, 1, 600_000),
        maxAttempts: Math.round(pick(src.maxAttempts, 5, 1, 20)),
        requestTimeoutMs: pick(src.requestTimeoutMs, 60_000, 1, 900_000),
        convergenceMs: pick(src.convergenceMs, 60_000, 1, 3_600_000),
    };
}

/** Wait before poll number `attempt` (0-based): exponential, capped, with "equal jitter" (half fixed, half random). */
export function backoffDelay(
    attempt: number,
    initialMs: number,
    maxMs: number,
    random: number = Math.random(),
): number {
    const cap = Math.min(maxMs, initialMs * Math.pow(2, Math.min(attempt, 30)));
    return cap / 2 + (random * cap) / 2;
}

/** The client settings every SDK client of one operation shares. */
function clientConfig(region: string, timings: Timings, credentials: Credentials) {
    return {
        region,
        retryMode: "standard",
        maxAttempts: timings.maxAttempts,
        requestHandler: {
            requestTimeout: timings.requestTimeoutMs,
            connectionTimeout: timings.requestTimeoutMs,
            // Without this the handler only warns on a timeout and keeps waiting.
            throwOnRequestTimeout: true,
        },
        credentials,
    };
}

/** What {@link openContext} needs: the application, where it lives, and the operation's inputs. */
interface Target {
    applicationId: string;
    region?: string;
    applicationArn?: string;
    encryptionKeyArn?: string;
    restartIfStarted?: boolean;
    timeouts?: DiskEncryptionTimeouts;
}

function nonEmpty(s: unknown): string | undefined {
    return typeof s === "string" && s !== "" ? s : undefined;
}

/** The region to call: the resource's, else its recorded ARN's, else the provider's. None is an error. */
function regionFor(target: Target, access: AwsAccess): string {
    const region =
        nonEmpty(target.region) ?? parseApplicationArn(target.applicationArn)?.region ?? nonEmpty(access.region);
    if (!region) {
        throw new Error(
            `EMR Serverless application ${target.applicationId}: no region to call (the resource has no region and the provider none either). ` +
                `Fix: set the resource's region input, or the provider's region.`,
        );
    }
    return region;
}

function openContext(target: Target, access: AwsAccess): Context {
    const sdk = require("@aws-sdk/client-emr-serverless") as typeof emr;
    const timings = resolveTimings(target.timeouts);
    const region = regionFor(target, access);
    const credentials = access.credentials;
    // A new client resolves the default chain anew; an explicit provider is asked to refresh.
    const freshCredentials = (): Credentials =>
        credentials
            ? (props?: Record<string, unknown>) => credentials({ ...(props ?? {}), forceRefresh: true })
            : undefined;
    const client = new sdk.EMRServerlessClient(clientConfig(region, timings, credentials));
    return {
        client,
        sdk,
        applicationId: target.applicationId,
        region,
        keyArn: nonEmpty(target.encryptionKeyArn),
        restartIfStarted: target.restartIfStarted === true,
        credentials,
        freshCredentials,
        refreshed: false,
        timings,
        deadline: Date.now() + timings.totalMs,
    };
}

/** Replaces the client by one with freshly resolved credentials (once per operation). */
function refreshClient(ctx: Context): void {
    close(ctx);
    ctx.credentials = ctx.freshCredentials();
    ctx.client = new ctx.sdk.EMRServerlessClient(clientConfig(ctx.region, ctx.timings, ctx.credentials));
    ctx.refreshed = true;
}

function close(ctx: Context): void {
    try {
        ctx.client.destroy();
    } catch {
        // nothing to release
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function iso(t: number): string {
    return new Date(t).toISOString();
}

function errorName(e: unknown): string {
    if (e && typeof e === "object" && "name" in e && typeof (e as { name: unknown }).name === "string") {
        return (e as { name: string }).name;
    }
    return "Error";
}

/** `Name: message` of an error, without anything but the service's own message. */
export function describeError(e: unknown): string {
    const message = e instanceof Error ? e.message : String(e);
    const name = errorName(e);
    return message && message !== name ? `${name}: ${message}` : name;
}

/** The SDK error inside an error this module wrapped (or the error itself). */
function awsErrorOf(e: unknown): unknown {
    return e && typeof e === "object" && "awsError" in e ? (e as { awsError: unknown }).awsError : e;
}

function statusOf(e: unknown): number | undefined {
    return (awsErrorOf(e) as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** The service answered with a 4xx: the call did not take effect. */
function isRefusal(e: unknown): boolean {
    const status = statusOf(e);
    return status !== undefined && status >= 400 && status < 500;
}

/** Credentials that the service refused or that could not be resolved (expired, invalid, missing). */
export function isCredentialError(e: unknown): boolean {
    return /^(?:ExpiredToken(?:Exception)?|UnrecognizedClient(?:Exception)?|InvalidClientTokenId|InvalidAccessKeyId|InvalidSignatureException|SignatureDoesNotMatch|IncompleteSignature(?:Exception)?|MissingAuthenticationToken(?:Exception)?|RequestExpired|AuthFailure|CredentialsProviderError|TokenProviderError)$/.test(
        errorName(awsErrorOf(e)),
    );
}

/**
 * What a refusal says about the KMS key, or undefined when it is not about the key. EMR Serverless
 * reports key problems as ValidationException/AccessDeniedException with the KMS message inside,
 * e.g. "The key state is Disabled", "KMSInvalidStateException: <key ARN> is pending deletion.",
 * "User ... is not authorized to perform: kms:DescribeKey on resource: <key ARN>"; KMS error shapes
 * (`DisabledException`, `KMSInvalidStateException`, `KeyUnavailableException`, ...) count too.
 */
export function keyProblemOf(e: unknown): KeyProblem | undefined {
    const err = awsErrorOf(e);
    if (isCredentialError(err)) {
        return undefined;
    }
    const name = errorName(err);
    const message = err instanceof Error ? err.message : typeof err === "string" ? err : "";
    const kmsShape =
        /^(?:KMS|Kms)\w*(?:Exception|Fault)$|^(?:Disabled|KeyUnavailable|InvalidKeyUsage|IncorrectKey)Exception$/.test(
            name,
        );
    const mentionsKey =
        /\bkms\b|\bcmk\b|arn:aws[\w-]*:kms:|customer[ -](?:managed|master) key|encryptionKeyArn|\bkey[ _]?(?:state|arn|usage|spec|material|store|policy)\b|(?<!access )\bkey[ _]?id\b/i.test(
            message,
        );
    if (!kmsShape && !mentionsKey) {
        return undefined;
    }
    const text = `${name} ${message}`;
    if (/KMSInternal|DependencyTimeout|internal error|timed? ?out|throttl|try again/i.test(text)) {
        // KMS itself failed for a moment: not a property of the key.
        return undefined;
    }
    if (/pending[ _]?deletion|scheduled for deletion/i.test(text)) return "pendingDeletion";
    if (/pending[ _]?import|key material/i.test(text)) return "pendingImport";
    if (
        /KeyUnavailable|custom key store|disconnected|(?:key|state)\W+(?:is\W+)?unavailable|unavailable\W+state/i.test(
            text,
        )
    )
        return "unavailable";
    if (/DisabledException|\bdisabled\b|not enabled|isn't enabled/i.test(text)) return "disabled";
    if (/not authori[sz]ed|access ?denied|permission|not allowed|forbidden/i.test(text)) return "accessDenied";
    if (/not ?found|does ?n[o']t exist|no such|invalid (?:kms )?(?:key )?arn|not a valid/i.test(text))
        return "notFound";
    if (
        /symmetric|key[ _]?usage|key[ _]?spec|SIGN_VERIFY|GENERATE_VERIFY_MAC|KEY_AGREEMENT|not supported|unsupported/i.test(
            text,
        )
    )
        return "unsupported";
    return "other";
}

/** The application itself was not found (a 404 that is not about the key). */
function isNotFound(e: unknown): boolean {
    const err = awsErrorOf(e);
    return (errorName(err) === "ResourceNotFoundException" || statusOf(err) === 404) && !keyProblemOf(err);
}

/** A refusal the service gives when the application is not in a state that allows the call (never a key problem). */
function isStateConflict(e: unknown): boolean {
    const err = awsErrorOf(e);
    if (keyProblemOf(err) || isCredentialError(err)) {
        return false;
    }
    const name = errorName(err);
    if (name === "ConflictException") {
        return true;
    }
    return name === "ValidationException" && /\bstates?\b/i.test(err instanceof Error ? err.message : "");
}

/** The fix for a key problem, with the commands for `keyArn`. */
function keyFix(problem: KeyProblem, keyArn: string | undefined): string {
    const key = keyArn ?? "<key ARN>";
    const region = /^arn:[^:]+:kms:([^:]+):/.exec(key)?.[1];
    const at = `--key-id ${key}${region ? ` --region ${region}` : ""}`;
    switch (problem) {
        case "disabled":
            return `The KMS key ${key} is disabled. Fix: enable it (aws kms enable-key ${at}) and run again, or point encryptionKeyArn at an enabled key.`;
        case "pendingDeletion":
            return `The KMS key ${key} is pending deletion. Fix: cancel the deletion and enable it (aws kms cancel-key-deletion ${at}, then aws kms enable-key ${at}) and run again, or point encryptionKeyArn at another key.`;
        case "pendingImport":
            return `The KMS key ${key} has no key material (pending import). Fix: import its key material (aws kms import-key-material) or point encryptionKeyArn at another key.`;
        case "unavailable":
            return `The KMS key ${key} is unavailable (its custom key store is disconnected). Fix: connect the custom key store (aws kms connect-custom-key-store) or point encryptionKeyArn at another key.`;
        case "accessDenied":
            return `The KMS key ${key} may not be used by the caller or by EMR Serverless. Fix: check the key policy (and grants, SCPs): the caller needs kms:DescribeKey, kms:GenerateDataKey and kms:Decrypt, and emr-serverless.amazonaws.com needs kms:GenerateDataKey and kms:Decrypt bound to this application.`;
        case "notFound":
            return `The KMS key ${key} was not found. Fix: point encryptionKeyArn at a key that exists, in the account and region its ARN names.`;
        case "unsupported":
            return `The KMS key ${key} cannot encrypt disks. Fix: use a symmetric encryption key (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT).`;
        default:
            return `EMR Serverless refused the KMS key ${key}. Fix: check it (aws kms describe-key ${at}): it must be Enabled and symmetric, and its policy must let the caller and EMR Serverless use it.`;
    }
}

/** The fix for an SDK error of `op` (empty when there is nothing better than the service's message). */
function fixFor(ctx: Context, op: string, e: unknown): string {
    const problem = keyProblemOf(e);
    if (problem) {
        const inMessage = /arn:aws[\w-]*:kms:[^\s"',)]+:key\/[0-9a-zA-Z-]+/.exec(e instanceof Error ? e.message : "");
        return keyFix(problem, inMessage?.[0] ?? ctx.keyArn);
    }
    if (isCredentialError(e)) {
        return "Fix: the credentials were refused or could not be resolved (expired or invalid): renew them (a new session, aws sso login, or the provider's credentials) and run again.";
    }
    const name = errorName(e);
    if (name === "AccessDeniedException" || name === "AccessDenied" || statusOf(e) === 403) {
        const action = op.includes(":") ? op : `emr-serverless:${op}`;
        return `Fix: allow ${action} on ${ctx.arn ?? `application ${ctx.applicationId}`} for the identity in use.`;
    }
    if (/Throttl|TooManyRequests/.test(name) || statusOf(e) === 429) {
        return "Fix: the call was still throttled after timeouts.maxAttempts attempts; run again later or raise timeouts.maxAttempts.";
    }
    return "";
}

/** Wraps an SDK error of `op` with the application, the region and the fix (the SDK error stays reachable). */
function opError(ctx: Context, op: string, e: unknown): Error {
    const fix = fixFor(ctx, op, e);
    const err = new Error(
        `${op} failed for ${appLabel(ctx)}: ${describeError(e).replace(/\.$/, "")}.${fix ? ` ${fix}` : ""}`,
        {
            cause: e,
        },
    );
    return Object.assign(err, { awsError: e, awsOperation: op });
}

/** A short account of an error for a sentence: `Op: Name: message` of a wrapped SDK error, else its message. */
function briefly(e: unknown): string {
    if (e && typeof e === "object" && "awsOperation" in e) {
        const op = String((e as { awsOperation: unknown }).awsOperation);
        return `${op}: ${describeError(awsErrorOf(e)).replace(/\.$/, "")}`;
    }
    return messageOf(e).replace(/\.$/, "");
}

/** The message of an error this module raised (they name the application), or `Name: message` of any other. */
function messageOf(e: unknown): string {
    return e instanceof Error && (e.name === "Error" || "awsError" in e) ? e.message : describeError(e);
}

function sameContext(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
    const ea = Object.entries(a ?? {});
    const eb = b ?? {};
    return (
        ea.length === Object.keys(eb).length &&
        ea.every(([k, v]) => Object.prototype.hasOwnProperty.call(eb, k) && eb[k] === v)
    );
}

/** Whether two disk-encryption settings are the same (an absent context equals an empty one; no key = unset). */
export function sameSetting(a: Setting | undefined, b: Setting | undefined): boolean {
    const keyA = a?.encryptionKeyArn ?? "";
    const keyB = b?.encryptionKeyArn ?? "";
    if (keyA === "" && keyB === "") {
        return true;
    }
    return keyA === keyB && sameContext(a?.encryptionContext, b?.encryptionContext);
}

function desiredSetting(inputs: Setting): Setting {
    return inputs.encryptionContext && Object.keys(inputs.encryptionContext).length > 0
        ? { encryptionKeyArn: inputs.encryptionKeyArn, encryptionContext: { ...inputs.encryptionContext } }
        : { encryptionKeyArn: inputs.encryptionKeyArn };
}

function appLabel(ctx: Context): string {
    return `EMR Serverless application ${ctx.applicationId} (region ${ctx.region})`;
}

function cli(ctx: Context, command: string): string {
    return `aws emr-serverless ${command} --application-id ${ctx.applicationId} --region ${ctx.region}`;
}

async function getApplication(ctx: Context): Promise<emr.Application> {
    let out: emr.GetApplicationCommandOutput;
    try {
        out = await ctx.client.send(new ctx.sdk.GetApplicationCommand({ applicationId: ctx.applicationId }));
    } catch (e) {
        throw opError(ctx, "GetApplication", e);
    }
    const app = out.application;
    if (!app) {
        throw new Error(`GetApplication returned no application for ${appLabel(ctx)}.`);
    }
    ctx.lastRead = { state: app.state ?? "(none reported)", at: Date.now(), seq: (ctx.lastRead?.seq ?? 0) + 1 };
    if (app.arn) {
        ctx.arn = app.arn;
    }
    return app;
}

/**
 * Polls until the state is one of `accept`, waiting (with backoff and jitter) while it is one of
 * `through`; any other state is an error. Bounded by the operation's deadline.
 */
async function waitFor(ctx: Context, accept: readonly string[], through: readonly string[]): Promise<emr.Application> {
    for (let attempt = 0; ; attempt++) {
        const app = await getApplication(ctx);
        const state = app.state ?? "(none reported)";
        if (accept.includes(state)) {
            return app;
        }
        if (!through.includes(state)) {
            throw new Error(
                `${appLabel(ctx)} is in state ${state}; expected ${accept.join(" or ")}. ` +
                    `Check the application (${cli(ctx, "get-application")}) and run the update again.`,
            );
        }
        const delay = backoffDelay(attempt, ctx.timings.pollInitialMs, ctx.timings.pollMaxMs);
        if (Date.now() + delay > ctx.deadline) {
            throw new Error(
                `Timed out after ${ctx.timings.totalMs} ms waiting for ${appLabel(ctx)} to reach ${accept.join(" or ")}; it is still ${state}. ` +
                    `Raise timeouts.totalMs, or wait for the application to settle and run the update again.`,
            );
        }
        await sleep(delay);
    }
}

async function updateSetting(ctx: Context, setting: Setting): Promise<void> {
    try {
        await ctx.client.send(
            new ctx.sdk.UpdateApplicationCommand({
                applicationId: ctx.applicationId,
                diskEncryptionConfiguration: setting,
            }),
        );
    } catch (e) {
        throw opError(ctx, "UpdateApplication", e);
    }
}

async function stopApplication(ctx: Context): Promise<void> {
    try {
        await ctx.client.send(new ctx.sdk.StopApplicationCommand({ applicationId: ctx.applicationId }));
    } catch (e) {
        throw opError(ctx, "StopApplication", e);
    }
}

async function startApplication(ctx: Context): Promise<void> {
    try {
        await ctx.client.send(new ctx.sdk.StartApplicationCommand({ applicationId: ctx.applicationId }));
    } catch (e) {
        throw opError(ctx, "StartApplication", e);
    }
}

function showSetting(s: Setting | undefined): string {
    if (!s?.encryptionKeyArn) {
        return "no customer-managed key";
    }
    return `key ${s.encryptionKeyArn}, context ${JSON.stringify(s.encryptionContext ?? {})}`;
}

/**
 * Reads the setting back until it shows (the service is eventually consistent), for at most
 * `timeouts.convergenceMs` and within the operation's deadline, polling with the usual backoff.
 */
async function verifySetting(ctx: Context, setting: Setting, acceptedAt: number): Promise<void> {
    const window = Math.min(acceptedAt + ctx.timings.convergenceMs, ctx.deadline);
    let seen: Setting | undefined;
    let reads = 0;
    for (let attempt = 0; ; attempt++) {
        seen = (await getApplication(ctx)).diskEncryptionConfiguration;
        reads++;
        if (sameSetting(seen, setting)) {
            return;
        }
        const delay = backoffDelay(attempt, ctx.timings.pollInitialMs, ctx.timings.pollMaxMs);
        if (Date.now() + delay > window) {
            break;
        }
        await sleep(delay);
    }
    const lastAt = ctx.lastRead?.at ?? Date.now();
    throw new Error(
        `UpdateApplication for ${appLabel(ctx)} was accepted at ${iso(acceptedAt)}, but for ${lastAt - acceptedAt} ms (${reads} reads, the last at ${iso(lastAt)}) ` +
            `GetApplication still reported ${showSetting(seen)} instead of ${showSetting(setting)}: the service is slower to converge than allowed, or the disk-encryption setting did not take. ` +
            `Fix: check with ${cli(ctx, "get-application")}; if it shows the new setting, run the update again (it will find it in place) or raise timeouts.convergenceMs (now ${ctx.timings.convergenceMs} ms); ` +
            `if not, check that the application's release supports diskEncryptionConfiguration and that the caller may use the key, then run the update again.`,
    );
}

function startedError(ctx: Context): Error {
    return new Error(
        `${appLabel(ctx)} is STARTED; EMR Serverless changes diskEncryptionConfiguration only when the application is CREATED or STOPPED. ` +
            `Fix: stop it (${cli(ctx, "stop-application")}) and run the update again, ` +
            `or set restartIfStarted: true to let the component stop it, apply the setting and start it again.`,
    );
}

/**
 * Brings a stopped (or stopping, or starting) application back to STARTED. `known` is a state read
 * after the last change (skips one read).
 */
async function bringToStarted(ctx: Context, journal: RestartJournal, known?: string): Promise<void> {
    const state =
        known === "STOPPED" || known === "CREATED"
            ? known
            : (await waitFor(ctx, ["STARTED", "CREATED", "STOPPED"], ["STARTING", "STOPPING"])).state;
    if (state === "STARTED") {
        return;
    }
    await startApplication(ctx);
    journal.startAcceptedAt = Date.now();
    await waitFor(ctx, ["STARTED"], ["STARTING", "CREATED", "STOPPED"]);
}

/**
 * Starts the application again after restartIfStarted stopped it (or may have). After a credential
 * error, and once after one here, the client is rebuilt with freshly resolved credentials.
 */
async function startAgain(
    ctx: Context,
    journal: RestartJournal,
    cause: unknown,
    known?: string,
): Promise<{ ok: true } | { ok: false; error: unknown }> {
    // A start must not be lost to the operation's deadline: give it its own bounded budget.
    ctx.deadline = Math.max(ctx.deadline, Date.now() + Math.min(ctx.timings.totalMs, 600_000));
    if (cause !== undefined && isCredentialError(cause) && !ctx.refreshed) {
        refreshClient(ctx);
    }
    for (let round = 0; ; round++) {
        try {
            // `known` holds only for the first round of a restart that went through without failure.
            await bringToStarted(ctx, journal, cause === undefined && round === 0 ? known : undefined);
            return { ok: true };
        } catch (e) {
            if (isCredentialError(e) && !ctx.refreshed) {
                refreshClient(ctx);
                continue;
            }
            return { ok: false, error: e };
        }
    }
}

/** The message of a restart that failed somewhere between stop and STARTED; every sentence is what is known. */
function restartMessage(
    ctx: Context,
    journal: RestartJournal,
    failure: unknown,
    restart: { ok: true } | { ok: false; error: unknown } | undefined,
): string {
    const parts: string[] = [];
    parts.push(
        failure !== undefined
            ? `restartIfStarted could not apply the disk-encryption setting to ${appLabel(ctx)}. ${messageOf(failure)}`
            : `restartIfStarted applied the disk-encryption setting to ${appLabel(ctx)} but could not finish starting the application again.`,
    );
    if (journal.appliedAt !== undefined) {
        parts.push(`The disk-encryption setting was applied (read back at ${iso(journal.appliedAt)}).`);
    } else if (journal.updateAcceptedAt !== undefined) {
        parts.push(
            `UpdateApplication was accepted at ${iso(journal.updateAcceptedAt)} but the new setting was not read back: AWS may hold the old or the new setting (${cli(ctx, "get-application")} shows which).`,
        );
    } else if (journal.updateSent && !journal.updateRefused) {
        parts.push(
            `UpdateApplication got no answer: the setting may or may not have changed (${cli(ctx, "get-application")} shows which).`,
        );
    } else {
        parts.push("The disk-encryption setting was not changed.");
    }
    const last = ctx.lastRead;
    const lastRead = last
        ? `the last state read was ${last.state} (at ${iso(last.at)}${
              journal.readsBeforeStop !== undefined && last.seq <= journal.readsBeforeStop
                  ? ", before StopApplication"
                  : ""
          })`
        : "no state could be read";
    if (journal.stopRefused) {
        parts.push(`The application was not stopped (StopApplication was refused); ${lastRead}.`);
    } else if (restart?.ok && journal.startAcceptedAt !== undefined) {
        parts.push(`The application was stopped for the update and has been started again; ${lastRead}.`);
    } else if (restart?.ok) {
        parts.push(`The application is running (it did not have to be started again); ${lastRead}.`);
    } else {
        const stop =
            journal.stopAcceptedAt !== undefined
                ? `StopApplication was accepted at ${iso(journal.stopAcceptedAt)}`
                : "StopApplication got no answer, so it may have stopped the application";
        const why = restart && !restart.ok ? ` (${briefly(restart.error)})` : "";
        if (journal.startAcceptedAt !== undefined) {
            parts.push(
                `${stop}; StartApplication was accepted at ${iso(journal.startAcceptedAt)}, but STARTED could not be confirmed${why}; ${lastRead}. ` +
                    `It may still reach STARTED on its own: check with ${cli(ctx, "get-application")}; if it is STOPPED, start it with: ${cli(ctx, "start-application")}.`,
            );
        } else {
            const credentials =
                restart && !restart.ok && isCredentialError(restart.error) ? " (with valid credentials)" : "";
            parts.push(
                `${stop}, and the application could not be started again${why}; ${lastRead}. ` +
                    `Start it with: ${cli(ctx, "start-application")}${credentials}.`,
            );
        }
    }
    return parts.join(" ");
}

/** STARTED and opted in: stop, wait STOPPED, update and verify, start again (also after a failure). */
async function restartAround(ctx: Context, setting: Setting): Promise<void> {
    const journal: RestartJournal = {};
    let failure: unknown;
    try {
        journal.readsBeforeStop = ctx.lastRead?.seq ?? 0;
        try {
            await stopApplication(ctx);
        } catch (e) {
            journal.stopRefused = isRefusal(e);
            throw e;
        }
        journal.stopAcceptedAt = Date.now();
        await waitFor(ctx, ["STOPPED"], ["STARTED", "STOPPING"]);
        journal.updateSent = true;
        try {
            await updateSetting(ctx, setting);
        } catch (e) {
            journal.updateRefused = isRefusal(e);
            throw e;
        }
        journal.updateAcceptedAt = Date.now();
        await verifySetting(ctx, setting, journal.updateAcceptedAt);
        journal.appliedAt = ctx.lastRead?.at ?? Date.now();
    } catch (e) {
        failure = e;
    }
    const restart = journal.stopRefused ? undefined : await startAgain(ctx, journal, failure, ctx.lastRead?.state);
    if (failure === undefined && restart?.ok) {
        return;
    }
    throw new Error(restartMessage(ctx, journal, failure, restart));
}

/**
 * Brings the application to `setting`. `precondition` (delete) is re-checked on every read: when it
 * no longer holds, nothing is changed. Returns false when the precondition stopped it.
 */
async function converge(
    ctx: Context,
    setting: Setting,
    precondition?: (app: emr.Application) => boolean,
): Promise<boolean> {
    let conflicts = 0;
    for (;;) {
        const app = await waitFor(
            ctx,
            ["CREATED", "STOPPED", "STARTED", "TERMINATED"],
            ["CREATING", "STARTING", "STOPPING"],
        );
        if (precondition && !precondition(app)) {
            return false;
        }
        if (sameSetting(app.diskEncryptionConfiguration, setting)) {
            return true;
        }
        if (app.state === "TERMINATED") {
            throw new Error(
                `${appLabel(ctx)} is TERMINATED; its disk-encryption setting cannot be changed. Point applicationId at a live application.`,
            );
        }
        if (app.state === "STARTED") {
            if (!ctx.restartIfStarted) {
                throw startedError(ctx);
            }
            await restartAround(ctx, setting);
            return true;
        }
        try {
            await updateSetting(ctx, setting);
        } catch (e) {
            if (isStateConflict(e) && conflicts < 3) {
                // The state changed between the read and the update (e.g. a job started it): read again.
                conflicts++;
                continue;
            }
            throw e;
        }
        await verifySetting(ctx, setting, Date.now());
        return true;
    }
}

/** The account (and partition) the credentials in use belong to: one STS GetCallerIdentity. */
async function callerIdentity(ctx: Context): Promise<{ account: string; partition: string }> {
    const stsSdk = require("@aws-sdk/client-sts") as typeof sts;
    const client = new stsSdk.STSClient(clientConfig(ctx.region, ctx.timings, ctx.credentials));
    try {
        const out = await client.send(new stsSdk.GetCallerIdentityCommand({}));
        if (!out.Account) {
            throw new Error("GetCallerIdentity returned no account");
        }
        return { account: out.Account, partition: /^arn:([^:]+):/.exec(out.Arn ?? "")?.[1] ?? "aws" };
    } catch (e) {
        throw opError(ctx, "sts:GetCallerIdentity", e);
    } finally {
        client.destroy();
    }
}

/** ` with credentials of account N`, or nothing when STS cannot say (for messages only). */
async function callerForMessage(ctx: Context): Promise<string> {
    try {
        return ` with credentials of account ${(await callerIdentity(ctx)).account}`;
    } catch {
        return "";
    }
}

/**
 * After a 404: returns why the application is certainly gone, or throws. Gone = the call went to
 * the region and the account (and partition) of the application's recorded ARN.
 */
async function confirmGone(ctx: Context, recordedArn: string | undefined, operation: string): Promise<string> {
    const arn = parseApplicationArn(recordedArn);
    if (arn && arn.applicationId !== ctx.applicationId) {
        throw new Error(
            `${appLabel(ctx)} was not found (ResourceNotFoundException), and the application ARN recorded in the state (${recordedArn}) names another application, ` +
                `so the ${operation} was not done. Fix: remove this resource from the state (pulumi state delete <urn>) and import the setting again.`,
        );
    }
    if (!arn) {
        const who = await callerForMessage(ctx);
        throw new Error(
            `${appLabel(ctx)} was not found${who} (ResourceNotFoundException), and the state records no application ARN ` +
                `that would tell a deleted application from one in another account or region, so the ${operation} was not done. ` +
                `Fix: if the application was deleted, remove this resource from the state (pulumi state delete <urn>); ` +
                `otherwise point the region and the provider's credentials at the application's account and region, and run again.`,
        );
    }
    if (arn.region !== ctx.region) {
        throw new Error(
            `${appLabel(ctx)} was not found (ResourceNotFoundException) in region ${ctx.region}, but its ARN ${recordedArn} (recorded in the state) puts it in region ${arn.region}: ` +
                `a 404 from another region says nothing about the application, so the ${operation} was not done and its disk-encryption setting was not unset. ` +
                `Fix: set the resource's region to ${arn.region} and run again.`,
        );
    }
    const caller = await callerIdentity(ctx);
    if (caller.account !== arn.account || caller.partition !== arn.partition) {
        throw new Error(
            `${appLabel(ctx)} was not found (ResourceNotFoundException) with credentials of account ${caller.account} (${caller.partition}), ` +
                `but the application ${recordedArn} belongs to account ${arn.account} (${arn.partition}): a 404 from another account says nothing about the application, ` +
                `so the ${operation} was not done and its disk-encryption setting was not unset. Fix: give the provider credentials of account ${arn.account} and run again.`,
        );
    }
    return `${appLabel(ctx)} no longer exists: GetApplication answered ResourceNotFoundException to account ${caller.account} in region ${ctx.region}, the application's own account and region (${recordedArn}).`;
}

/** The outputs of create/update: the inputs without undefined fields, the region used and the ARN seen. */
function outputsOf(
    inputs: DiskEncryptionInputs,
    region: string,
    applicationArn: string | undefined,
): DiskEncryptionOutputs {
    const outs: DiskEncryptionOutputs = {
        applicationId: inputs.applicationId,
        encryptionKeyArn: inputs.encryptionKeyArn,
        region,
    };
    if (inputs.encryptionContext !== undefined) outs.encryptionContext = inputs.encryptionContext;
    if (inputs.restartIfStarted !== undefined) outs.restartIfStarted = inputs.restartIfStarted;
    if (inputs.timeouts !== undefined) outs.timeouts = inputs.timeouts;
    if (applicationArn !== undefined) outs.applicationArn = applicationArn;
    return outs;
}

/** Create: apply the setting (see {@link converge}); a missing application is a clear error. */
export async function createDiskEncryption(
    inputs: DiskEncryptionInputs,
    access: AwsAccess,
): Promise<{ id: string; outs: DiskEncryptionOutputs }> {
    return applySetting(inputs, inputs, access);
}

/** Create and update: `where` carries the recorded location (update) or is the inputs (create). */
async function applySetting(
    inputs: DiskEncryptionInputs,
    where: { region?: string; applicationArn?: string },
    access: AwsAccess,
): Promise<{ id: string; outs: DiskEncryptionOutputs }> {
    const ctx = openContext({ ...inputs, region: where.region, applicationArn: where.applicationArn }, access);
    try {
        await converge(ctx, desiredSetting(inputs));
    } catch (e) {
        if (isNotFound(e)) {
            const who = await callerForMessage(ctx);
            throw new Error(
                `${appLabel(ctx)} was not found${who} (ResourceNotFoundException). Fix: check applicationId and region, ` +
                    `and that the provider's credentials belong to the application's account.`,
            );
        }
        throw e;
    } finally {
        close(ctx);
    }
    return { id: inputs.applicationId, outs: outputsOf(inputs, ctx.region, ctx.arn ?? where.applicationArn) };
}

/**
 * Update: key or context changed (id and region changes replace); other inputs need no call. The
 * region is the new input's, else the recorded one; the recorded ARN carries over.
 */
export async function updateDiskEncryption(
    _id: string,
    olds: DiskEncryptionInputs & { applicationArn?: string },
    news: DiskEncryptionInputs,
    access: AwsAccess,
): Promise<{ outs: DiskEncryptionOutputs }> {
    const where = { region: nonEmpty(news.region) ?? nonEmpty(olds.region), applicationArn: olds.applicationArn };
    if (sameSetting(desiredSetting(olds), desiredSetting(news))) {
        const region = regionFor({ ...news, ...where }, access);
        return { outs: outputsOf(news, region, olds.applicationArn) };
    }
    const applied = await applySetting(news, where, access);
    return { outs: applied.outs };
}

/**
 * Delete: unset (empty `diskEncryptionConfiguration`) only while the application still carries this
 * resource's key and context; a replacement's newer setting is left alone. A TERMINATED application
 * is success; a missing one only when {@link confirmGone} shows it is gone.
 */
export async function deleteDiskEncryption(
    id: string,
    props: DiskEncryptionInputs & { applicationArn?: string },
    access: AwsAccess,
): Promise<void> {
    const ctx = openContext({ ...props, applicationId: props.applicationId || id }, access);
    const mine = desiredSetting(props);
    try {
        await converge(
            ctx,
            {},
            (app) => app.state !== "TERMINATED" && sameSetting(app.diskEncryptionConfiguration, mine),
        );
    } catch (e) {
        if (isNotFound(e)) {
            await confirmGone(ctx, props.applicationArn, "delete");
            return;
        }
        throw e;
    } finally {
        close(ctx);
    }
}

/**
 * Read (refresh and import): the setting as AWS holds it. `id` is the application id, or its ARN
 * (an import id that carries the region and the account). Inputs AWS does not hold (restart
 * option, timeouts) are carried over from `props`.
 */
export async function readDiskEncryption(
    id: string,
    props: Partial<DiskEncryptionInputs> & { applicationArn?: string },
    access: AwsAccess,
): Promise<DiskEncryptionReadResult> {
    const fromId = parseApplicationArn(id);
    const applicationId = fromId?.applicationId ?? nonEmpty(id) ?? nonEmpty(props.applicationId) ?? "";
    if (!APPLICATION_ID_PATTERN.test(applicationId)) {
        throw new Error(
            `${JSON.stringify(id)} is neither an EMR Serverless application id nor an application ARN. ` +
                `Fix: import with the application id (e.g. 00f1abcdexample09; the region comes from the provider) or its ARN (arn:aws:emr-serverless:<region>:<account>:/applications/<id>).`,
        );
    }
    const recordedArn = fromId ? id : nonEmpty(props.applicationArn);
    const ctx = openContext(
        {
            ...props,
            applicationId,
            region: nonEmpty(props.region) ?? fromId?.region,
            applicationArn: recordedArn,
        },
        access,
    );
    try {
        let app: emr.Application;
        try {
            app = await getApplication(ctx);
        } catch (e) {
            if (!isNotFound(e)) {
                throw e;
            }
            if (recordedArn !== undefined || props.encryptionKeyArn !== undefined) {
                return { found: false, id: applicationId, reason: await confirmGone(ctx, recordedArn, "refresh") };
            }
            // An import: nothing recorded that could be lost.
            return {
                found: false,
                id: applicationId,
                reason: `${appLabel(ctx)} was not found${await callerForMessage(ctx)} (ResourceNotFoundException).`,
            };
        }
        if (app.state === "TERMINATED") {
            return {
                found: false,
                id: applicationId,
                reason: `${appLabel(ctx)} is TERMINATED: it can never run again, so its disk-encryption setting is gone with it.`,
            };
        }
        const outputs: DiskEncryptionReadOutputs = { applicationId, region: ctx.region };
        // Inputs AWS does not hold come from the recorded state, and nothing else does.
        if (props.restartIfStarted !== undefined) outputs.restartIfStarted = props.restartIfStarted;
        if (props.timeouts !== undefined) outputs.timeouts = props.timeouts;
        const dec = app.diskEncryptionConfiguration;
        if (dec?.encryptionKeyArn) {
            outputs.encryptionKeyArn = dec.encryptionKeyArn;
            if (dec.encryptionContext && Object.keys(dec.encryptionContext).length > 0) {
                outputs.encryptionContext = { ...dec.encryptionContext };
            }
        }
        const arn = app.arn ?? recordedArn;
        if (arn !== undefined) {
            outputs.applicationArn = arn;
        }
        return { found: true, id: applicationId, outputs };
    } finally {
        close(ctx);
    }
}

function isUnknown(v: unknown): boolean {
    return v === UNKNOWN_STRING;
}

/** One refused input of the setting: the property (or `property.field`) and why, with the fix. */
export interface SettingFailure {
    property: string;
    reason: string;
}

/**
 * The setting's own checks on plain inputs (the provider plugin's Check runs them after its wire-level ones):
 * application id, region, key ARN and context limits, restart option, timeouts. Unknown values (the string
 * sentinel) are skipped.
 */
export function checkDiskEncryption(news: Readonly<Record<string, unknown>>): SettingFailure[] {
    const failures: SettingFailure[] = [];
    const fail = (property: string, reason: string) => failures.push({ property, reason });
    const id = news.applicationId;
    if (!isUnknown(id) && (typeof id !== "string" || !APPLICATION_ID_PATTERN.test(id))) {
        fail(
            "applicationId",
            `applicationId must be an EMR Serverless application id (lower-case letters and digits), got ${JSON.stringify(id)}. Fix: pass the application's id output.`,
        );
    }
    const region = news.region;
    if (!isUnknown(region) && (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))) {
        fail(
            "region",
            `region must be an AWS region name such as us-east-1, got ${JSON.stringify(region)}. Fix: pass the application's region.`,
        );
    }
    let context = news.encryptionContext;
    if (isUnknown(context)) {
        context = undefined;
    } else if (context && typeof context === "object" && !Array.isArray(context)) {
        // Entries still unknown at preview are checked when they are known.
        context = Object.fromEntries(
            Object.entries(context as Record<string, unknown>).map(([k, v]) => [k, isUnknown(v) ? "unknown" : v]),
        );
    }
    const key = isUnknown(news.encryptionKeyArn) ? undefined : news.encryptionKeyArn;
    for (const p of checkDiskEncryptionSetting({ encryptionKeyArn: key, encryptionContext: context })) {
        if (p.field === "encryptionKeyArn" && key === undefined && isUnknown(news.encryptionKeyArn)) {
            continue;
        }
        fail(p.field, `${p.message} Fix: ${p.fix}`);
    }
    const restart = news.restartIfStarted;
    if (restart !== undefined && !isUnknown(restart) && typeof restart !== "boolean") {
        fail("restartIfStarted", `restartIfStarted must be true or false, got ${JSON.stringify(restart)}.`);
    }
    const timeouts = news.timeouts as Record<string, unknown> | undefined;
    if (timeouts !== undefined && !isUnknown(timeouts)) {
        if (!timeouts || typeof timeouts !== "object" || Array.isArray(timeouts)) {
            fail("timeouts", "timeouts must be an object such as { totalMs: 600000 }.");
        } else {
            for (const [k, v] of Object.entries(timeouts)) {
                if (
                    ![
                        "totalMs",
                        "pollInitialMs",
                        "pollMaxMs",
                        "maxAttempts",
                        "requestTimeoutMs",
                        "convergenceMs",
                    ].includes(k)
                ) {
                    fail(
                        `timeouts.${k}`,
                        `timeouts.${k} is not a known bound. Fix: use totalMs, pollInitialMs, pollMaxMs, maxAttempts, requestTimeoutMs or convergenceMs.`,
                    );
                } else if (!isUnknown(v) && (typeof v !== "number" || !Number.isFinite(v) || v <= 0)) {
                    fail(`timeouts.${k}`, `timeouts.${k} must be a positive number, got ${JSON.stringify(v)}.`);
                }
            }
        }
    }
    return failures;
}
