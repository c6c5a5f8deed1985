/**
 * The EMR Serverless calls that bring an application to a disk-encryption setting: GetApplication
 * polls through state transitions, UpdateApplication with its read-back, retries after a state
 * conflict, and the stop/update/start of `restartIfStarted` with the account of what it did when it
 * fails.
 */
import type * as emr from "@aws-sdk/client-emr-serverless";
import { appLabel, briefly, cli, type Context, messageOf, opError, refreshClient } from "./context";
import { isCredentialError, isRefusal, isStateConflict } from "./errors";
import { sameSetting, showSetting } from "./setting";
import { backoffDelay } from "./timings";
import type { Setting } from "./types";

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

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function iso(t: number): string {
    return new Date(t).toISOString();
}

export async function getApplication(ctx: Context): Promise<emr.Application> {
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
export async function converge(
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
