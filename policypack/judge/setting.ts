/**
 * The API's own limits on a `diskEncryptionConfiguration`, and the guide's "no secrets in the
 * encryption context" rule. One implementation for the component's validation (refused at
 * construction), the policy pack (refused at preview/update) and the audit command.
 */
import { BARE_KEY_ID_PATTERN, KEY_ARN_PATTERN, parseKeyArn } from "./arn";
import { MAX_CONTEXT_ENTRIES, MAX_CONTEXT_KEY_LENGTH, MAX_CONTEXT_VALUE_LENGTH } from "./constants";

export { BARE_KEY_ID_PATTERN, KEY_ARN_PATTERN, parseKeyArn };

/** One refused input: which field, what is wrong, how to fix it. */
export interface SettingProblem {
    /** The field, e.g. `encryptionKeyArn` or `encryptionContext["team"]`. */
    field: string;
    /** What is wrong, in a sentence. */
    message: string;
    /** What to do instead. */
    fix: string;
}

/**
 * The encryption-context key EMR Serverless adds itself (AWS guide: CloudTrail shows
 * `"encryptionContext": {"applicationId": ...}`; the key policy binds `kms:EncryptionContext:applicationId`).
 */
export const RESERVED_CONTEXT_KEY = "applicationId";

/** Context keys whose name says they hold a secret. */
const SECRET_KEY_NAME =
    /(pass(?:word|wd|phrase)?|secret|token|api[-_ ]?key|access[-_ ]?key|private[-_ ]?key|credential|session[-_ ]?key)/i;

/** Values that look like a credential, whatever their key is called. */
const SECRET_VALUE_PATTERNS: ReadonlyArray<{ what: string; pattern: RegExp }> = [
    { what: "an AWS access key id", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/ },
    { what: "an AWS secret access key", pattern: /(?:^|[^A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?:$|[^A-Za-z0-9/+=])/ },
    { what: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
    { what: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./ },
    { what: "a GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36}\b/ },
    { what: "a Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
    { what: "a password assignment", pattern: /(?:password|passwd|pwd|secret)\s*[:=]\s*\S+/i },
];

/** Options shared by every front end. */
export interface SettingRules {
    /** Extra regular expressions (source text, case-insensitive) that mark a context key or value as secret. */
    extraSecretPatterns?: readonly string[];
}

/** Why `text` looks like a secret, or undefined. */
export function secretLooking(
    text: string,
    asKey: boolean,
    extraSecretPatterns: readonly string[] = [],
): string | undefined {
    if (asKey && SECRET_KEY_NAME.test(text)) {
        return "its name suggests a secret";
    }
    for (const { what, pattern } of SECRET_VALUE_PATTERNS) {
        if (pattern.test(text)) {
            return `it looks like ${what}`;
        }
    }
    for (const source of extraSecretPatterns) {
        let re: RegExp;
        try {
            re = new RegExp(source, "i");
        } catch {
            continue;
        }
        if (re.test(text)) {
            return `it matches the configured secret pattern /${source}/`;
        }
    }
    return undefined;
}

/** Problems with an `encryptionKeyArn` value (empty list when it is a valid key ARN). */
export function checkEncryptionKeyArn(value: unknown, field = "encryptionKeyArn"): SettingProblem[] {
    if (typeof value !== "string") {
        return [
            {
                field,
                message: `${field} must be a string, got ${describe(value)}.`,
                fix: "Pass the key ARN, e.g. arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab.",
            },
        ];
    }
    if (KEY_ARN_PATTERN.test(value)) {
        return [];
    }
    let why = "it is not a KMS key ARN";
    if (/^arn:[^:]*:kms:[^:]*:[^:]*:alias\//.test(value) || value.startsWith("alias/")) {
        why = "it is an alias; EMR Serverless takes only a key ARN";
    } else if (/^(?:mrk-)?[0-9a-fA-F-]{32,36}$/.test(value)) {
        why = "it is a bare key id; EMR Serverless takes only a full key ARN";
    } else if (/^arn:[^:]*:kms:/.test(value)) {
        why = "it is not of the form arn:<partition>:kms:<region>:<12-digit account>:key/<key id>";
    }
    return [
        {
            field,
            message: `${field} "${value}" is refused: ${why}.`,
            fix: "Use the key's ARN (aws kms describe-key --key-id <alias or id> --query KeyMetadata.Arn), not an alias or a bare id.",
        },
    ];
}

/** Problems with an `encryptionContext` value (empty list when it satisfies the API and holds nothing secret-looking). */
export function checkEncryptionContext(
    value: unknown,
    rules: SettingRules = {},
    field = "encryptionContext",
): SettingProblem[] {
    if (value === undefined || value === null) {
        return [];
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        return [
            {
                field,
                message: `${field} must be a map of strings, got ${describe(value)}.`,
                fix: 'Pass an object such as { team: "analytics" }.',
            },
        ];
    }
    const problems: SettingProblem[] = [];
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > MAX_CONTEXT_ENTRIES) {
        problems.push({
            field,
            message: `${field} has ${entries.length} entries; EMR Serverless accepts at most ${MAX_CONTEXT_ENTRIES}.`,
            fix: `Remove ${entries.length - MAX_CONTEXT_ENTRIES} entr${entries.length - MAX_CONTEXT_ENTRIES === 1 ? "y" : "ies"}.`,
        });
    }
    for (const [k, v] of entries) {
        const where = `${field}[${JSON.stringify(k)}]`;
        if (k.length < 1 || k.length > MAX_CONTEXT_KEY_LENGTH) {
            problems.push({
                field: where,
                message: `${where}: the key is ${k.length} characters long; keys must be 1-${MAX_CONTEXT_KEY_LENGTH} characters.`,
                fix: `Use a key of 1 to ${MAX_CONTEXT_KEY_LENGTH} characters.`,
            });
        }
        if (k === RESERVED_CONTEXT_KEY) {
            problems.push({
                field: where,
                message: `${where}: "${RESERVED_CONTEXT_KEY}" is the key EMR Serverless itself puts in the encryption context (the application id, which the key policy's kms:EncryptionContext:${RESERVED_CONTEXT_KEY} condition checks); a custom entry with that name would collide with it.`,
                fix: `Rename the entry (e.g. "app" or "team"); EMR Serverless adds ${RESERVED_CONTEXT_KEY} on its own.`,
            });
        }
        if (typeof v !== "string") {
            problems.push({
                field: where,
                message: `${where} must be a string, got ${describe(v)}.`,
                fix: "Encryption context values are strings.",
            });
            continue;
        }
        if (v.length < 1 || v.length > MAX_CONTEXT_VALUE_LENGTH) {
            problems.push({
                field: where,
                message: `${where}: the value is ${v.length} characters long; values must be 1-${MAX_CONTEXT_VALUE_LENGTH} characters.`,
                fix: `Use a value of 1 to ${MAX_CONTEXT_VALUE_LENGTH} characters.`,
            });
        }
        const keyWhy = secretLooking(k, true, rules.extraSecretPatterns);
        const valueWhy = secretLooking(v, false, rules.extraSecretPatterns);
        if (keyWhy || valueWhy) {
            problems.push({
                field: where,
                message: `${where} looks like a secret (${keyWhy ?? valueWhy}); the encryption context is logged in plain text in AWS CloudTrail.`,
                fix: "Keep only non-secret identifiers (team, project, environment) in the encryption context.",
            });
        }
    }
    return problems;
}

/** Both checks for one setting. */
export function checkDiskEncryptionSetting(
    setting: { encryptionKeyArn?: unknown; encryptionContext?: unknown },
    rules: SettingRules = {},
): SettingProblem[] {
    return [
        ...checkEncryptionKeyArn(setting.encryptionKeyArn),
        ...checkEncryptionContext(setting.encryptionContext, rules),
    ];
}

/** The Livy conf form of a context: `k1:v1,k2:v2`. */
export function livyContextString(context: Record<string, string>): string {
    return Object.entries(context)
        .map(([k, v]) => `${k}:${v}`)
        .join(",");
}

function describe(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "an array";
    }
    return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}
