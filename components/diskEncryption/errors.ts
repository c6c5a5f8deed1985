/**
 * What an SDK error says: its name and status, whether the service refused the call, whether the
 * credentials were at fault, what it says about the KMS key (and that key's fix), and whether the
 * application is missing or in a state that does not allow the call. Pure.
 */

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

export function errorName(e: unknown): string {
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

/** The SDK error inside an error wrapped by `opError` (context.ts), or the error itself. */
export function awsErrorOf(e: unknown): unknown {
    return e && typeof e === "object" && "awsError" in e ? (e as { awsError: unknown }).awsError : e;
}

export function statusOf(e: unknown): number | undefined {
    return (awsErrorOf(e) as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** The service answered with a 4xx: the call did not take effect. */
export function isRefusal(e: unknown): boolean {
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
export function isNotFound(e: unknown): boolean {
    const err = awsErrorOf(e);
    return (errorName(err) === "ResourceNotFoundException" || statusOf(err) === 404) && !keyProblemOf(err);
}

/** A refusal the service gives when the application is not in a state that allows the call (never a key problem). */
export function isStateConflict(e: unknown): boolean {
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
export function keyFix(problem: KeyProblem, keyArn: string | undefined): string {
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
