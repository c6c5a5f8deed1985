/**
 * Errors that end the audit with exit code 2 (usage, input, credentials, access, not found), and the
 * translation of AWS SDK errors into messages that name the call and the fix.
 */

/** Why the audit could not run. */
export type AuditErrorCode = "usage" | "input" | "credentials" | "access-denied" | "not-found" | "aws";

/** An error that ends the audit with exit code 2. */
export class AuditError extends Error {
    constructor(
        public readonly code: AuditErrorCode,
        message: string,
        public readonly fix: string,
    ) {
        super(message);
        this.name = "AuditError";
    }
}

/** What was being called, for the message. */
export interface AwsCallDescription {
    /** IAM action, e.g. `kms:GetKeyPolicy`. */
    action: string;
    /** The resource, e.g. the key ARN or the application id. */
    resource: string;
    /** Extra advice for access errors on this call. */
    accessHint?: string;
}

function errorName(e: unknown): string {
    if (typeof e === "object" && e !== null) {
        const o = e as { name?: unknown; Code?: unknown; code?: unknown };
        for (const v of [o.name, o.Code, o.code]) {
            if (typeof v === "string" && v !== "Error") {
                return v;
            }
        }
    }
    return "Error";
}

function errorMessage(e: unknown): string {
    return e instanceof Error ? e.message : String(e);
}

/** Turns an error thrown by an SDK call into an {@link AuditError}. */
export function classifyAwsError(e: unknown, call: AwsCallDescription): AuditError {
    if (e instanceof AuditError) {
        return e;
    }
    const name = errorName(e);
    const msg = errorMessage(e);
    if (name === "CredentialsProviderError" || /could not load credentials/i.test(msg)) {
        return new AuditError(
            "credentials",
            `No AWS credentials were found for ${call.action} (${msg}).`,
            "Configure credentials for the default chain: AWS_PROFILE (or aws sso login / aws configure), or " +
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) in the environment.",
        );
    }
    if (
        /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnrecognizedClientException|InvalidSignatureException|ExpiredTokenException)$/.test(
            name,
        )
    ) {
        const expired =
            name === "ExpiredTokenException" ||
            name === "UnrecognizedClientException" ||
            name === "InvalidSignatureException";
        return new AuditError(
            expired ? "credentials" : "access-denied",
            `${call.action} on ${call.resource} was refused: ${name}: ${msg}`,
            expired
                ? "Refresh the credentials (aws sso login, or new access keys) and run the audit again."
                : `Run the audit as a principal allowed ${call.action} on ${call.resource}.` +
                      (call.accessHint ? ` ${call.accessHint}` : ""),
        );
    }
    if (/^(ResourceNotFoundException|NotFoundException)$/.test(name)) {
        return new AuditError(
            "not-found",
            `${call.action}: ${call.resource} was not found (${msg}).`,
            "Check the id/ARN and the --region; EMR Serverless applications and KMS keys are regional.",
        );
    }
    return new AuditError(
        "aws",
        `${call.action} on ${call.resource} failed: ${name}: ${msg}`,
        "Check the region, the network path to the AWS endpoint and the service status, then retry.",
    );
}
