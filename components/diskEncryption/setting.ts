/**
 * The disk-encryption setting as plain values: comparing two settings, the setting the inputs ask
 * for, and the checks of the inputs before any call. Pure.
 */
import { checkDiskEncryptionSetting } from "../../policypack/judge/setting";
import { UNKNOWN_STRING } from "../../policypack/judge/constants";
import { APPLICATION_ID_PATTERN } from "../../policypack/judge/arn";
import type { Setting } from "./types";

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

export function desiredSetting(inputs: Setting): Setting {
    return inputs.encryptionContext && Object.keys(inputs.encryptionContext).length > 0
        ? { encryptionKeyArn: inputs.encryptionKeyArn, encryptionContext: { ...inputs.encryptionContext } }
        : { encryptionKeyArn: inputs.encryptionKeyArn };
}

export function showSetting(s: Setting | undefined): string {
    if (!s?.encryptionKeyArn) {
        return "no customer-managed key";
    }
    return `key ${s.encryptionKeyArn}, context ${JSON.stringify(s.encryptionContext ?? {})}`;
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
