/**
 * The context of one operation: the EMR Serverless client (region, credentials, retries and
 * timeouts), its refresh after a credential error, the caller's account from STS, and the errors
 * and labels that name the application and its region. SDK modules are `require`d here, only when
 * an operation runs.
 */
import type * as emr from "@aws-sdk/client-emr-serverless";
import type * as sts from "@aws-sdk/client-sts";
import { parseApplicationArn } from "../../policypack/judge/arn";
import { awsErrorOf, describeError, errorName, isCredentialError, keyFix, keyProblemOf, statusOf } from "./errors";
import { resolveTimings, type Timings } from "./timings";
import type { AwsAccess, DiskEncryptionTimeouts } from "./types";

type Credentials = emr.EMRServerlessClientConfig["credentials"];

/** One successful GetApplication. */
export interface Observation {
    state: string;
    at: number;
    /** Its number among the operation's reads (1-based). */
    seq: number;
}

/** What one operation works with. */
export interface Context {
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

export function nonEmpty(s: unknown): string | undefined {
    return typeof s === "string" && s !== "" ? s : undefined;
}

/** The region to call: the resource's, else its recorded ARN's, else the provider's. None is an error. */
export function regionFor(target: Target, access: AwsAccess): string {
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

export function openContext(target: Target, access: AwsAccess): Context {
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
export function refreshClient(ctx: Context): void {
    close(ctx);
    ctx.credentials = ctx.freshCredentials();
    ctx.client = new ctx.sdk.EMRServerlessClient(clientConfig(ctx.region, ctx.timings, ctx.credentials));
    ctx.refreshed = true;
}

export function close(ctx: Context): void {
    try {
        ctx.client.destroy();
    } catch {
        // nothing to release
    }
}

export function appLabel(ctx: Context): string {
    return `EMR Serverless application ${ctx.applicationId} (region ${ctx.region})`;
}

export function cli(ctx: Context, command: string): string {
    return `aws emr-serverless ${command} --application-id ${ctx.applicationId} --region ${ctx.region}`;
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
export function opError(ctx: Context, op: string, e: unknown): Error {
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
export function briefly(e: unknown): string {
    if (e && typeof e === "object" && "awsOperation" in e) {
        const op = String((e as { awsOperation: unknown }).awsOperation);
        return `${op}: ${describeError(awsErrorOf(e)).replace(/\.$/, "")}`;
    }
    return messageOf(e).replace(/\.$/, "");
}

/** The message of an error these operations raised (they name the application), or `Name: message` of any other. */
export function messageOf(e: unknown): string {
    return e instanceof Error && (e.name === "Error" || "awsError" in e) ? e.message : describeError(e);
}

/** The account (and partition) the credentials in use belong to: one STS GetCallerIdentity. */
export async function callerIdentity(ctx: Context): Promise<{ account: string; partition: string }> {
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
export async function callerForMessage(ctx: Context): Promise<string> {
    try {
        return ` with credentials of account ${(await callerIdentity(ctx)).account}`;
    } catch {
        return "";
    }
}
