/**
 * The dynamic provider that applies `diskEncryptionConfiguration` to an EMR Serverless application
 * through `@aws-sdk/client-emr-serverless` (no Pulumi provider has the property yet).
 *
 * Serialization: Pulumi serializes {@link diskEncryptionProvider} and everything it reaches into
 * the stack state (`__provider`), and the `pulumi-resource-pulumi-nodejs` host loads that text with
 * `require-from-string`. Hence the rules in this file:
 * - SDK modules are `require`d inside the functions (loaded from the program's `node_modules`).
 * - The provider functions reference only function declarations of this module and single
 *   properties of imported modules (the serializer captures property chains, not whole modules).
 *   No exported `const` is referenced (TypeScript would compile that to `exports.x` and drag the
 *   whole module in), no module-level `Set`/`Map`, no module-level `process.env` read.
 * - Nothing secret is captured, taken as input or returned as output.
 *
 * Region and credentials: the provider runs in the dynamic-provider host, not in the AWS provider's
 * process, so it never relies on an ambient region. It uses:
 * - region: the `region` input (the application's region) and nothing else;
 * - credentials: with `assumeRole`, `fromTemporaryCredentials` (STS AssumeRole of that role, its
 *   `sessionName` and `externalId`), whose base credentials are the `profile` (`fromIni`) when set,
 *   else the default chain; with only `profile`, `fromIni({ profile })`; with neither, the SDK's
 *   default credential chain (environment, shared files, SSO, container/instance metadata).
 * - endpoint: the SDK's own resolution, which honours `AWS_ENDPOINT_URL_EMR_SERVERLESS` (tests).
 *
 * Retries: every call uses the SDK's `standard` retry mode with a bounded `maxAttempts` and a
 * per-request timeout; state transitions (CREATING, STARTING, STOPPING) are waited for by polling
 * `GetApplication` with exponential backoff and jitter, and each operation is bounded by an overall
 * time budget. All of these come from the optional `timeouts` input ({@link DiskEncryptionTimeouts}).
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as emr from "@aws-sdk/client-emr-serverless";
import { checkDiskEncryptionSetting } from "../../policypack/judge/setting";
import { UNKNOWN_STRING } from "../../policypack/judge/constants";

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
}

/** A role the provider assumes; no secrets. */
export interface DiskEncryptionAssumeRole {
    /** The role ARN. */
    roleArn: string;
    /** The STS session name. Default `pulumi-emr-disk-encryption`. */
    sessionName?: string;
    /** The external id the role's trust policy requires, if any. */
    externalId?: string;
}

/** The plain (resolved) inputs of the dynamic resource; also its outputs. */
export interface DiskEncryptionInputs {
    /** The EMR Serverless application id. */
    applicationId: string;
    /** The KMS key ARN. */
    encryptionKeyArn: string;
    /** The custom encryption context, if any. */
    encryptionContext?: Record<string, string>;
    /** The application's region. */
    region: string;
    /** Stop, update and start again a STARTED application. Default false. */
    restartIfStarted?: boolean;
    /** Named AWS profile. */
    profile?: string;
    /** Role to assume. */
    assumeRole?: DiskEncryptionAssumeRole;
    /** Time and attempt bounds. */
    timeouts?: DiskEncryptionTimeouts;
}

/** Resolved bounds. */
interface Timings {
    totalMs: number;
    pollInitialMs: number;
    pollMaxMs: number;
    maxAttempts: number;
    requestTimeoutMs: number;
}

/** What one operation works with. */
interface Context {
    client: emr.EMRServerlessClient;
    sdk: typeof emr;
    inputs: DiskEncryptionInputs;
    timings: Timings;
    deadline: number;
}

type Setting = { encryptionKeyArn?: string; encryptionContext?: Record<string, string> };

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

/** The credentials provider for `inputs` (undefined = the SDK's default chain). See the module comment. */
function credentialsFor(inputs: DiskEncryptionInputs): emr.EMRServerlessClientConfig["credentials"] {
    if (!inputs.profile && !inputs.assumeRole) {
        return undefined;
    }
    const cp = require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
    const base = inputs.profile ? cp.fromIni({ profile: inputs.profile }) : undefined;
    if (!inputs.assumeRole) {
        return base;
    }
    return cp.fromTemporaryCredentials({
        params: {
            RoleArn: inputs.assumeRole.roleArn,
            RoleSessionName: inputs.assumeRole.sessionName ?? "pulumi-emr-disk-encryption",
            ...(inputs.assumeRole.externalId ? { ExternalId: inputs.assumeRole.externalId } : {}),
        },
        ...(base ? { masterCredentials: base } : {}),
        clientConfig: { region: inputs.region },
    });
}

function openContext(inputs: DiskEncryptionInputs): Context {
    const sdk = require("@aws-sdk/client-emr-serverless") as typeof emr;
    const timings = resolveTimings(inputs.timeouts);
    const client = new sdk.EMRServerlessClient({
        region: inputs.region,
        retryMode: "standard",
        maxAttempts: timings.maxAttempts,
        requestHandler: {
            requestTimeout: timings.requestTimeoutMs,
            connectionTimeout: timings.requestTimeoutMs,
            // Without this the handler only warns on a timeout and keeps waiting.
            throwOnRequestTimeout: true,
        },
        credentials: credentialsFor(inputs),
    });
    return { client, sdk, inputs, timings, deadline: Date.now() + timings.totalMs };
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
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

function isNotFound(e: unknown): boolean {
    const status = (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
    return errorName(e) === "ResourceNotFoundException" || status === 404;
}

/** A refusal the service gives when the application is not in a state that allows the call. */
function isStateConflict(e: unknown): boolean {
    const name = errorName(e);
    if (name === "ConflictException") {
        return true;
    }
    return name === "ValidationException" && /state/i.test(e instanceof Error ? e.message : "");
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

function desiredSetting(inputs: DiskEncryptionInputs): Setting {
    return inputs.encryptionContext && Object.keys(inputs.encryptionContext).length > 0
        ? { encryptionKeyArn: inputs.encryptionKeyArn, encryptionContext: { ...inputs.encryptionContext } }
        : { encryptionKeyArn: inputs.encryptionKeyArn };
}

function appLabel(ctx: Context): string {
    return `EMR Serverless application ${ctx.inputs.applicationId} (region ${ctx.inputs.region})`;
}

async function getApplication(ctx: Context): Promise<emr.Application> {
    const out = await ctx.client.send(new ctx.sdk.GetApplicationCommand({ applicationId: ctx.inputs.applicationId }));
    if (!out.application) {
        throw new Error(`GetApplication returned no application for ${appLabel(ctx)}.`);
    }
    return out.application;
}

/** The state now, or a description of why it could not be read (for error messages). */
async function stateForMessage(ctx: Context): Promise<string> {
    try {
        return (await getApplication(ctx)).state ?? "UNKNOWN";
    } catch (e) {
        return `unknown (GetApplication failed: ${describeError(e)})`;
    }
}

/**
 * Polls until the state is one of `accept`, waiting (with backoff and jitter) while it is one of
 * `through`; any other state is an error. Bounded by the operation's deadline.
 */
async function waitFor(ctx: Context, accept: readonly string[], through: readonly string[]): Promise<emr.Application> {
    for (let attempt = 0; ; attempt++) {
        const app = await getApplication(ctx);
        const state = app.state ?? "UNKNOWN";
        if (accept.includes(state)) {
            return app;
        }
        if (!through.includes(state)) {
            throw new Error(
                `${appLabel(ctx)} is in state ${state}; expected ${accept.join(" or ")}. ` +
                    `Check the application (aws emr-serverless get-application --application-id ${ctx.inputs.applicationId} --region ${ctx.inputs.region}) and run the update again.`,
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
    await ctx.client.send(
        new ctx.sdk.UpdateApplicationCommand({
            applicationId: ctx.inputs.applicationId,
            diskEncryptionConfiguration: setting,
        }),
    );
}

function showSetting(s: Setting | undefined): string {
    if (!s?.encryptionKeyArn) {
        return "no customer-managed key";
    }
    return `key ${s.encryptionKeyArn}, context ${JSON.stringify(s.encryptionContext ?? {})}`;
}

/** Reads the setting back (a few polls, for eventual consistency) and fails when it did not take. */
async function verifySetting(ctx: Context, setting: Setting): Promise<void> {
    let seen: Setting | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0) {
            await sleep(backoffDelay(attempt - 1, ctx.timings.pollInitialMs, ctx.timings.pollMaxMs));
        }
        seen = (await getApplication(ctx)).diskEncryptionConfiguration;
        if (sameSetting(seen, setting)) {
            return;
        }
    }
    throw new Error(
        `UpdateApplication succeeded but ${appLabel(ctx)} reports ${showSetting(seen)} instead of ${showSetting(setting)}: ` +
            `the disk-encryption setting did not take. Check that the application's release supports diskEncryptionConfiguration and that the caller may use the key, then run the update again.`,
    );
}

function startedError(ctx: Context): Error {
    return new Error(
        `${appLabel(ctx)} is STARTED; EMR Serverless changes diskEncryptionConfiguration only when the application is CREATED or STOPPED. ` +
            `Fix: stop it (aws emr-serverless stop-application --application-id ${ctx.inputs.applicationId} --region ${ctx.inputs.region}) and run the update again, ` +
            `or set restartIfStarted: true to let the component stop it, apply the setting and start it again.`,
    );
}

/** STARTED and opted in: stop, wait STOPPED, update and verify, start again (also after a failure). */
async function restartAround(ctx: Context, setting: Setting): Promise<void> {
    const id = ctx.inputs.applicationId;
    try {
        await ctx.client.send(new ctx.sdk.StopApplicationCommand({ applicationId: id }));
        await waitFor(ctx, ["STOPPED"], ["STARTED", "STOPPING"]);
    } catch (e) {
        const state = await stateForMessage(ctx);
        throw new Error(
            `Could not stop ${appLabel(ctx)} to apply the disk-encryption setting (restartIfStarted): ${describeError(e)}. ` +
                `The setting was not changed; the application is now in state ${state}.`,
        );
    }
    let failure: unknown;
    try {
        await updateSetting(ctx, setting);
        await verifySetting(ctx, setting);
    } catch (e) {
        failure = e;
    }
    try {
        await ctx.client.send(new ctx.sdk.StartApplicationCommand({ applicationId: id }));
        // A start must not be lost to the operation's deadline: give it its own small budget.
        ctx.deadline = Math.max(ctx.deadline, Date.now() + Math.min(ctx.timings.totalMs, 600_000));
        await waitFor(ctx, ["STARTED"], ["STARTING", "CREATED", "STOPPED"]);
    } catch (e) {
        const state = await stateForMessage(ctx);
        const what = failure
            ? `Applying the disk-encryption setting failed (${describeError(failure)}), and starting it again also failed`
            : "The disk-encryption setting was applied, but starting the application again failed";
        throw new Error(
            `${what}: ${describeError(e)}. ${appLabel(ctx)} was stopped by restartIfStarted and is now in state ${state}. ` +
                `Start it with: aws emr-serverless start-application --application-id ${id} --region ${ctx.inputs.region}.`,
        );
    }
    if (failure) {
        const state = await stateForMessage(ctx);
        throw new Error(
            `Applying the disk-encryption setting to ${appLabel(ctx)} failed: ${describeError(failure)}. ` +
                `The application was stopped for it (restartIfStarted) and has been started again; it is now in state ${state}.`,
        );
    }
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
        const current = app.diskEncryptionConfiguration;
        if (precondition && !precondition(app)) {
            return false;
        }
        if (sameSetting(current, setting)) {
            return true;
        }
        if (app.state === "TERMINATED") {
            throw new Error(
                `${appLabel(ctx)} is TERMINATED; its disk-encryption setting cannot be changed. Point applicationId at a live application.`,
            );
        }
        if (app.state === "STARTED") {
            if (!ctx.inputs.restartIfStarted) {
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
            throw new Error(`UpdateApplication failed for ${appLabel(ctx)}: ${describeError(e)}.`);
        }
        await verifySetting(ctx, setting);
        return true;
    }
}

function close(ctx: Context): void {
    try {
        ctx.client.destroy();
    } catch {
        // nothing to release
    }
}

function plainOutputs(inputs: DiskEncryptionInputs): DiskEncryptionInputs {
    const outs: DiskEncryptionInputs = {
        applicationId: inputs.applicationId,
        encryptionKeyArn: inputs.encryptionKeyArn,
        region: inputs.region,
    };
    if (inputs.encryptionContext !== undefined) outs.encryptionContext = inputs.encryptionContext;
    if (inputs.restartIfStarted !== undefined) outs.restartIfStarted = inputs.restartIfStarted;
    if (inputs.profile !== undefined) outs.profile = inputs.profile;
    if (inputs.assumeRole !== undefined) outs.assumeRole = inputs.assumeRole;
    if (inputs.timeouts !== undefined) outs.timeouts = inputs.timeouts;
    return outs;
}

/** Provider `create`: apply the setting (see {@link converge}); a missing application is a clear error. */
export async function createDiskEncryption(
    inputs: DiskEncryptionInputs,
): Promise<pulumi.dynamic.CreateResult<DiskEncryptionInputs>> {
    const ctx = openContext(inputs);
    try {
        await converge(ctx, desiredSetting(inputs));
    } catch (e) {
        if (isNotFound(e)) {
            throw new Error(
                `${appLabel(ctx)} was not found (ResourceNotFoundException). Fix: check applicationId and region, ` +
                    `and that the credentials in use (profile, assumeRole or the default chain) belong to the application's account.`,
            );
        }
        throw e;
    } finally {
        close(ctx);
    }
    return { id: inputs.applicationId, outs: plainOutputs(inputs) };
}

/** Provider `update`: key or context changed (id and region changes replace); other inputs need no call. */
export async function updateDiskEncryption(
    _id: string,
    olds: DiskEncryptionInputs,
    news: DiskEncryptionInputs,
): Promise<pulumi.dynamic.UpdateResult<DiskEncryptionInputs>> {
    if (sameSetting(desiredSetting(olds), desiredSetting(news))) {
        return { outs: plainOutputs(news) };
    }
    const created = await createDiskEncryption(news);
    return { outs: created.outs };
}

/**
 * Provider `delete`: unset (empty `diskEncryptionConfiguration`) only while the application still
 * carries this resource's key and context; a replacement's newer setting is left alone. A missing
 * or TERMINATED application is success.
 */
export async function deleteDiskEncryption(_id: string, props: DiskEncryptionInputs): Promise<void> {
    const ctx = openContext(props);
    const mine = desiredSetting(props);
    try {
        await converge(
            ctx,
            {},
            (app) => app.state !== "TERMINATED" && sameSetting(app.diskEncryptionConfiguration, mine),
        );
    } catch (e) {
        if (isNotFound(e)) {
            return;
        }
        throw e;
    } finally {
        close(ctx);
    }
}

function isUnknown(v: unknown): boolean {
    return v === UNKNOWN_STRING;
}

/** Provider `check`: the API's limits and the no-secrets rule, plus the provider's own inputs. */
export async function checkDiskEncryption(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<pulumi.dynamic.CheckResult<Record<string, unknown>>> {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    const fail = (property: string, reason: string) => failures.push({ property, reason });
    const id = news.applicationId;
    if (!isUnknown(id) && (typeof id !== "string" || !/^[0-9a-z]{1,64}$/.test(id))) {
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
    const profile = news.profile;
    if (profile !== undefined && !isUnknown(profile) && (typeof profile !== "string" || profile === "")) {
        fail("profile", `profile must be the name of an AWS profile, got ${JSON.stringify(profile)}.`);
    }
    const role = news.assumeRole as Record<string, unknown> | undefined;
    if (role !== undefined && !isUnknown(role)) {
        const arn = role && typeof role === "object" ? role.roleArn : undefined;
        if (!isUnknown(arn) && (typeof arn !== "string" || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(arn))) {
            fail(
                "assumeRole.roleArn",
                `assumeRole.roleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${JSON.stringify(arn)}. Fix: pass the role the AWS provider assumes.`,
            );
        }
    }
    const timeouts = news.timeouts as Record<string, unknown> | undefined;
    if (timeouts !== undefined && !isUnknown(timeouts)) {
        if (!timeouts || typeof timeouts !== "object" || Array.isArray(timeouts)) {
            fail("timeouts", "timeouts must be an object such as { totalMs: 600000 }.");
        } else {
            for (const [k, v] of Object.entries(timeouts)) {
                if (!["totalMs", "pollInitialMs", "pollMaxMs", "maxAttempts", "requestTimeoutMs"].includes(k)) {
                    fail(
                        `timeouts.${k}`,
                        `timeouts.${k} is not a known bound. Fix: use totalMs, pollInitialMs, pollMaxMs, maxAttempts or requestTimeoutMs.`,
                    );
                } else if (!isUnknown(v) && (typeof v !== "number" || !Number.isFinite(v) || v <= 0)) {
                    fail(`timeouts.${k}`, `timeouts.${k} must be a positive number, got ${JSON.stringify(v)}.`);
                }
            }
        }
    }
    return { inputs: news, failures };
}

/** Provider `diff`: a new application or region replaces (create before delete); key or context update in place. */
export async function diffDiskEncryption(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<pulumi.dynamic.DiffResult> {
    const replaces: string[] = [];
    for (const p of ["applicationId", "region"]) {
        if (olds[p] !== news[p]) {
            replaces.push(p);
        }
    }
    const same = (p: string): boolean => JSON.stringify(olds[p] ?? null) === JSON.stringify(news[p] ?? null);
    const settingChanged =
        olds.encryptionKeyArn !== news.encryptionKeyArn ||
        isUnknown(news.encryptionContext) ||
        !sameContext(
            olds.encryptionContext as Record<string, string> | undefined,
            news.encryptionContext as Record<string, string> | undefined,
        );
    const others = ["restartIfStarted", "profile", "assumeRole", "timeouts"].some((p) => !same(p));
    return { changes: replaces.length > 0 || settingChanged || others, replaces, deleteBeforeReplace: false };
}

/**
 * The dynamic provider (serialized into the state; see the module comment). `read` is not
 * implemented: dynamic resources cannot be imported or refreshed.
 */
export const diskEncryptionProvider: pulumi.dynamic.ResourceProvider = {
    check: (olds, news) => checkDiskEncryption(olds, news),
    diff: (id, olds, news) => diffDiskEncryption(id, olds, news),
    create: (inputs) => createDiskEncryption(inputs),
    update: (id, olds, news) => updateDiskEncryption(id, olds, news),
    delete: (id, props) => deleteDiskEncryption(id, props),
};
