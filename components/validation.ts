/**
 * Validation of the disk-encryption inputs, shared with the policy pack (one implementation:
 * `policypack/judge/setting.ts`).
 *
 * Plain values are checked synchronously, so a refusal throws from the constructor before any
 * resource is registered. Values that are Outputs are checked inside `apply`: the returned
 * Output rejects, which fails the preview (or the update) of every resource that consumes it.
 */
import * as pulumi from "@pulumi/pulumi";
import { PRINCIPAL_ARN_PATTERN } from "../policypack/judge/arn";
import {
    checkEncryptionContext,
    checkEncryptionKeyArn,
    SettingProblem,
    SettingRules,
} from "../policypack/judge/setting";

/** Thrown when a disk-encryption input is refused. Lists every problem with its field and fix. */
export class DiskEncryptionValidationError extends Error {
    /** The individual problems (field, message, fix). */
    public readonly problems: readonly SettingProblem[];

    constructor(subject: string, problems: readonly SettingProblem[]) {
        super(formatProblems(subject, problems));
        this.name = "DiskEncryptionValidationError";
        this.problems = problems;
    }
}

/** One message for a list of problems: `<subject>: <field>: <message> Fix: <fix>` per line. */
export function formatProblems(subject: string, problems: readonly SettingProblem[]): string {
    const lines = problems.map((p) => `  - ${p.message} Fix: ${p.fix}`);
    return `${subject}: refused disk-encryption input:\n${lines.join("\n")}`;
}

/** Throws {@link DiskEncryptionValidationError} when `problems` is not empty. */
export function throwIfProblems(subject: string, problems: readonly SettingProblem[]): void {
    if (problems.length > 0) {
        throw new DiskEncryptionValidationError(subject, problems);
    }
}

/** True when `value` is fully known now: not an Output, not a promise, and (for objects) no nested ones. */
export function isPlain(value: unknown): boolean {
    if (pulumi.Output.isInstance(value) || isPromiseLike(value)) {
        return false;
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value as Record<string, unknown>).every(isPlain);
    }
    return true;
}

function isPromiseLike(value: unknown): boolean {
    return (
        value !== null &&
        (typeof value === "object" || typeof value === "function") &&
        typeof (value as { then?: unknown }).then === "function"
    );
}

/**
 * Validates a key ARN input. Plain: checked now (throws). Output/promise: checked when known (the
 * returned Output rejects). Returns the value as an Output that carries the check.
 */
export function validateKeyArnInput(
    subject: string,
    value: pulumi.Input<string>,
    field: string,
): pulumi.Output<string> {
    if (isPlain(value)) {
        throwIfProblems(subject, checkEncryptionKeyArn(value, field));
        return pulumi.output(value);
    }
    return pulumi.output(value).apply((v) => {
        throwIfProblems(subject, checkEncryptionKeyArn(v, field));
        return v;
    });
}

/**
 * Validates an encryption-context input (entry count, key/value lengths, secret-looking entries).
 * Plain: checked now (throws). Output/promise (or any nested Output value): checked when known.
 * Returns the context as an Output of a plain record, or undefined when there is none.
 */
export function validateEncryptionContextInput(
    subject: string,
    value: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
    field: string,
    rules: SettingRules = {},
): pulumi.Output<Record<string, string> | undefined> {
    if (value === undefined) {
        return pulumi.output(undefined);
    }
    if (isPlain(value)) {
        throwIfProblems(subject, checkEncryptionContext(value, rules, field));
        return pulumi.output(value as Record<string, string>) as pulumi.Output<Record<string, string> | undefined>;
    }
    const resolved = pulumi.output(value) as pulumi.Output<Record<string, string> | undefined>;
    return resolved.apply((v) => {
        throwIfProblems(subject, checkEncryptionContext(v, rules, field));
        return v;
    });
}

/**
 * Validates `extraSecretPatterns` themselves: each must be a valid regular expression (an invalid
 * one would silently match nothing).
 */
export function checkExtraSecretPatterns(patterns: readonly string[] | undefined, field: string): SettingProblem[] {
    const problems: SettingProblem[] = [];
    (patterns ?? []).forEach((source, i) => {
        try {
            new RegExp(source, "i");
        } catch (e) {
            problems.push({
                field: `${field}[${i}]`,
                message: `${field}[${i}] "${source}" is not a valid regular expression (${(e as Error).message}).`,
                fix: 'Pass JavaScript regular-expression source text, e.g. "^sk-[A-Za-z0-9]{20,}$".',
            });
        }
    });
    return problems;
}

export { PRINCIPAL_ARN_PATTERN };

/** Problems with a list of principal ARNs (`submitterArns`, `keyAdministratorArns`). */
export function checkPrincipalArns(values: readonly unknown[], field: string): SettingProblem[] {
    const problems: SettingProblem[] = [];
    values.forEach((v, i) => {
        if (typeof v !== "string" || !PRINCIPAL_ARN_PATTERN.test(v)) {
            const open = v === "*" ? " (a wildcard would open the key to every AWS account)" : "";
            problems.push({
                field: `${field}[${i}]`,
                message: `${field}[${i}] ${JSON.stringify(v)} is not an IAM user, role or account-root ARN${open}.`,
                fix: "Pass full ARNs such as arn:aws:iam::111122223333:role/data-engineers or arn:aws:iam::111122223333:user/alice.",
            });
        }
    });
    return problems;
}

/** What `aws.kms.getKey` tells about a key, as far as the checks need. */
export interface ExistingKeyFacts {
    arn?: string;
    enabled?: boolean;
    keyState?: string;
    keySpec?: string;
    customerMasterKeySpec?: string;
    keyUsage?: string;
}

/**
 * Problems that keep an existing key from encrypting EMR Serverless disks: it must be enabled,
 * `SYMMETRIC_DEFAULT` (by `keySpec`, or `customerMasterKeySpec` when `keySpec` is empty) and
 * `ENCRYPT_DECRYPT`.
 */
export function checkExistingKey(keyArn: string, facts: ExistingKeyFacts, field = "existingKeyArn"): SettingProblem[] {
    const problems: SettingProblem[] = [];
    const spec = facts.keySpec || facts.customerMasterKeySpec;
    if (facts.enabled !== true) {
        problems.push({
            field,
            message: `${field} "${keyArn}" is not enabled (key state ${facts.keyState ?? "unknown"}); EMR Serverless cannot use a disabled key.`,
            fix: "Enable the key (aws kms enable-key, or cancel its pending deletion), or pass another key.",
        });
    }
    if (spec !== "SYMMETRIC_DEFAULT") {
        problems.push({
            field,
            message: `${field} "${keyArn}" has key spec ${spec ?? "unknown"}; EMR Serverless disk encryption supports only symmetric keys (SYMMETRIC_DEFAULT).`,
            fix: "Use a symmetric encryption key (key spec SYMMETRIC_DEFAULT), or omit existingKeyArn to let the component create one.",
        });
    }
    if (facts.keyUsage !== "ENCRYPT_DECRYPT") {
        problems.push({
            field,
            message: `${field} "${keyArn}" has key usage ${facts.keyUsage ?? "unknown"}; disk encryption needs ENCRYPT_DECRYPT.`,
            fix: "Use a key created with key usage ENCRYPT_DECRYPT.",
        });
    }
    return problems;
}
