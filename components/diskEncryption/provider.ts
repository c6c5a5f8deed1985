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
 *   (`DiskEncryptionTimeouts`, in types.ts).
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
 *
 * Where the parts live: this file holds the entry points (and re-exports what the plugin and the
 * tests use from the others); types.ts the inputs and outputs; setting.ts the pure comparison and
 * checks of the setting; timings.ts the bounds and the backoff; errors.ts what an SDK error says;
 * context.ts the SDK client, region and credentials of one operation; converge.ts the calls that
 * apply the setting (waits, read-back, conflicts, restart).
 */
import type * as emr from "@aws-sdk/client-emr-serverless";
import { APPLICATION_ID_PATTERN, parseApplicationArn } from "../../policypack/judge/arn";
import {
    appLabel,
    callerForMessage,
    callerIdentity,
    close,
    type Context,
    nonEmpty,
    openContext,
    regionFor,
} from "./context";
import { converge, getApplication } from "./converge";
import { isNotFound } from "./errors";
import { desiredSetting, sameSetting } from "./setting";
import type {
    AwsAccess,
    DiskEncryptionInputs,
    DiskEncryptionOutputs,
    DiskEncryptionReadOutputs,
    DiskEncryptionReadResult,
} from "./types";

export { APPLICATION_ID_PATTERN, type ApplicationArnParts, parseApplicationArn } from "../../policypack/judge/arn";
export { describeError, isCredentialError, type KeyProblem, keyProblemOf } from "./errors";
export { checkDiskEncryption, sameSetting, type SettingFailure } from "./setting";
export { backoffDelay, resolveTimings } from "./timings";
export type {
    AwsAccess,
    DiskEncryptionInputs,
    DiskEncryptionOutputs,
    DiskEncryptionReadOutputs,
    DiskEncryptionReadResult,
    DiskEncryptionTimeouts,
} from "./types";

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
