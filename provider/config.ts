/**
 * The provider's configuration: stack config `emr-serverless-disk-encryption:<key>` for the default provider,
 * or the arguments of an explicit `new Provider(...)`. Pure: parsing, checking and diffing; building the
 * credential providers from it is `./access`.
 *
 * Keys: `region`, `profile`, `assumeRole` `{ roleArn, sessionName?, externalId? }`, `accessKey`, `secretKey`,
 * `token`. Values arrive in several shapes and all are accepted: strings from stack config (an object set
 * with `--path` or YAML arrives as its JSON text), objects from an explicit provider, secret wrappers from
 * Configure, unknown sentinels while a preview has not resolved them (never judged).
 *
 * Credentials, in the AWS provider's order: static keys (`accessKey` + `secretKey`, `token` for temporary
 * ones) win; else the named `profile` of the shared config and credentials files (and nothing else: a
 * missing profile is an error, never a fall-back to another identity); else the SDK's default chain
 * (environment, `AWS_PROFILE`, SSO, shared files, web identity from the environment, container and instance
 * credentials). `assumeRole` is assumed on top of whichever applies. Everything else the AWS provider
 * accepts is refused with its field and the fix, because ignoring it would run as another identity or
 * with other rights (role chains, session policies, web identity federation, account allow-lists...).
 */
import { isSecret, isUnknown, reveal, sameValue } from "./wire";
import { REGION_PATTERN, ROLE_ARN_PATTERN } from "../policypack/judge/arn";

/** The configuration keys this provider reads. */
export const CONFIG_KEYS = ["region", "profile", "assumeRole", "accessKey", "secretKey", "token"] as const;
/** One of {@link CONFIG_KEYS}. */
export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** The credential keys, which must be secrets. */
export const CREDENTIAL_KEYS = ["accessKey", "secretKey", "token"] as const;

/** The role the provider assumes; no secrets. */
export interface AssumeRoleConfig {
    /** The role ARN. */
    roleArn: string;
    /** The STS session name. Default `pulumi-emr-disk-encryption`. */
    sessionName?: string;
    /** The external id the role's trust policy requires, if any. */
    externalId?: string;
}

/** The parsed configuration. Absent keys are undefined. */
export interface ProviderConfig {
    /** Region of resources that have no `region` input. */
    region?: string;
    /** Named profile of the shared config and credentials files. */
    profile?: string;
    /** Role assumed on top of the base credentials. */
    assumeRole?: AssumeRoleConfig;
    /** Static access key id (secret). */
    accessKey?: string;
    /** Static secret access key (secret). */
    secretKey?: string;
    /** Session token of temporary static credentials (secret). */
    token?: string;
}

/** One refused configuration value: the key (or `key.field`) and why, with the fix. Never carries a value of a credential. */
export interface ConfigFailure {
    property: string;
    reason: string;
}

/** Keys the engine itself puts into every provider's inputs. */
const ENGINE_KEYS: ReadonlySet<string> = new Set(["version"]);

/** The prefix of the deprecated `variables` map of ConfigureRequest. */
export function variablePrefix(pkg: string): string {
    return `${pkg}:config:`;
}

/** The AWS provider's settings that this provider cannot honour, with what to do instead. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
    assumeRoles:
        "assumeRoles is a chain of roles (each assumed with the previous one's credentials, the last one is the identity); this provider assumes at most one role. Fix: set assumeRole to the single role the AWS provider ends up as ({ roleArn, sessionName?, externalId? }), with base credentials (profile, static keys or the environment) that may assume it directly.",
    assumeRoleWithWebIdentity:
        "web identity federation is not configurable here. Fix: export AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (and AWS_ROLE_SESSION_NAME) in the environment that runs pulumi: the SDK's default credential chain uses them; or use assumeRole with other base credentials.",
    sharedCredentialsFiles:
        "custom credentials file locations are not configurable here. Fix: export AWS_SHARED_CREDENTIALS_FILE=<path> in the environment that runs pulumi.",
    sharedConfigFiles:
        "custom config file locations are not configurable here. Fix: export AWS_CONFIG_FILE=<path> in the environment that runs pulumi.",
    allowedAccountIds:
        "account allow-lists are not enforced by this provider, so accepting the setting would pretend a protection that does not exist. Fix: remove it here; restrict the credentials instead (a role in the one allowed account).",
    forbiddenAccountIds:
        "account deny-lists are not enforced by this provider, so accepting the setting would pretend a protection that does not exist. Fix: remove it here; restrict the credentials instead.",
    endpoints:
        "custom endpoints are not configurable here. Fix: export AWS_ENDPOINT_URL_EMR_SERVERLESS (and AWS_ENDPOINT_URL_STS) in the environment that runs pulumi.",
    skipCredentialsValidation:
        "this provider always uses the credentials as configured and validates nothing ahead. Fix: remove it.",
    skipRegionValidation: "this provider validates region names itself. Fix: remove it.",
    skipMetadataApiCheck: "this provider does not query the instance metadata service ahead. Fix: remove it.",
    defaultTags: "the disk-encryption setting has no tags. Fix: remove it.",
    ignoreTags: "the disk-encryption setting has no tags. Fix: remove it.",
    accessKeyId: "the key is called accessKey. Fix: rename it to accessKey (as a secret).",
    secretAccessKey: "the key is called secretKey. Fix: rename it to secretKey (as a secret).",
    sessionToken: "the key is called token. Fix: rename it to token (as a secret).",
};

/** The fields of `assumeRole`. */
const ASSUME_ROLE_FIELDS = ["roleArn", "sessionName", "externalId"] as const;

/** The AWS provider's `assumeRoles` entry fields that cannot be honoured, and why. */
const ASSUME_ROLE_UNSUPPORTED: Readonly<Record<string, string>> = {
    policy: "a session policy narrows what the role may do; this provider does not apply one, so it would act with the role's full rights. Fix: remove it and use a role whose own policies grant only what it needs.",
    policyArns:
        "session policies narrow what the role may do; this provider does not apply them, so it would act with the role's full rights. Fix: remove them and use a role whose own policies grant only what it needs.",
    duration:
        "the session duration is not configurable here (the SDK's default, one hour, is renewed as needed). Fix: remove it.",
    tags: "session tags can change what the role may do (attribute-based access control); this provider does not pass them. Fix: remove them and use a role that needs none.",
    transitiveTagKeys: "session tags are not passed by this provider. Fix: remove them.",
    sourceIdentity: "a source identity is not passed by this provider. Fix: remove it.",
};

const SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
const ACCESS_KEY_PATTERN = /^[A-Z0-9]{16,128}$/;

/** Options of {@link parseProviderConfig}. */
export interface ParseOptions {
    /**
     * Refuse credentials that did not arrive as secrets. Only Configure can tell (CheckConfig receives the
     * values with their secret bit removed by the engine).
     */
    requireSecretCredentials?: boolean;
    /** The package name, for the `pulumi config` commands in fixes. */
    pkg?: string;
}

/**
 * Parses and checks a configuration bag (CheckConfig's `news`, Configure's `args` or its `variables` with the
 * prefix removed). Unknown values are skipped. Failures never quote a credential.
 */
export function parseProviderConfig(
    raw: Readonly<Record<string, unknown>>,
    options: ParseOptions = {},
): { config: ProviderConfig; failures: ConfigFailure[] } {
    const pkg = options.pkg ?? "emr-serverless-disk-encryption";
    const failures: ConfigFailure[] = [];
    const fail = (property: string, reason: string): void => {
        failures.push({ property, reason });
    };
    const config: ProviderConfig = {};
    for (const [key, value] of Object.entries(raw)) {
        if (value === undefined || value === null || ENGINE_KEYS.has(key) || key.startsWith("__")) {
            continue;
        }
        if ((CONFIG_KEYS as readonly string[]).includes(key)) {
            continue;
        }
        const why = UNSUPPORTED[key];
        fail(
            key,
            why
                ? `${key} is not supported by the ${pkg} provider: ${why}`
                : `${key} is not a configuration key of the ${pkg} provider. Fix: remove it (pulumi config rm ${pkg}:${key}); the keys are ${CONFIG_KEYS.join(", ")}.`,
        );
    }

    const region = raw.region;
    if (present(region) && !isUnknown(region)) {
        const v = reveal(region);
        if (typeof v !== "string" || !REGION_PATTERN.test(v)) {
            fail(
                "region",
                `region must be an AWS region name such as us-east-1, got ${describe(v)}. Fix: pulumi config set ${pkg}:region <region>.`,
            );
        } else {
            config.region = v;
        }
    }

    const profile = raw.profile;
    if (present(profile) && !isUnknown(profile)) {
        const v = reveal(profile);
        if (typeof v !== "string" || v.trim() === "" || v !== v.trim()) {
            fail(
                "profile",
                `profile must be the name of a profile of the shared AWS config or credentials file, got ${describe(v)}. Fix: pulumi config set ${pkg}:profile <profile name>.`,
            );
        } else {
            config.profile = v;
        }
    }

    const role = raw.assumeRole;
    if (present(role) && !isUnknown(role)) {
        const parsed = parseAssumeRole(reveal(role), pkg);
        failures.push(...parsed.failures);
        if (parsed.role) {
            config.assumeRole = parsed.role;
        }
    }

    for (const key of CREDENTIAL_KEYS) {
        const value = raw[key];
        if (!present(value) || isUnknown(value)) {
            continue;
        }
        const v = reveal(value);
        if (typeof v !== "string" || v === "") {
            fail(key, `${key} must be a non-empty string. Fix: pulumi config set --secret ${pkg}:${key} <value>.`);
            continue;
        }
        if (key === "accessKey" && !ACCESS_KEY_PATTERN.test(v)) {
            fail(
                key,
                `accessKey is not an AWS access key id (16 to 128 upper-case letters and digits, such as the AKIA... or ASIA... id of a key pair). Fix: pulumi config set --secret ${pkg}:accessKey <access key id>.`,
            );
            continue;
        }
        if (options.requireSecretCredentials && !isSecret(value)) {
            fail(
                key,
                `${key} is stored in plain text (stack config without --secret, or a provider argument that is not a secret), so it would be readable in the stack's config or state. Fix: pulumi config set --secret ${pkg}:${key} <value> (in a program: pulumi.secret(...)).`,
            );
            continue;
        }
        config[key] = v;
    }
    const has = (k: (typeof CREDENTIAL_KEYS)[number]): boolean => present(raw[k]);
    if (has("accessKey") && !has("secretKey")) {
        fail(
            "secretKey",
            `secretKey is missing: accessKey needs the secret access key of the same key pair. Fix: pulumi config set --secret ${pkg}:secretKey <secret access key>, or remove accessKey.`,
        );
    }
    if (has("secretKey") && !has("accessKey")) {
        fail(
            "accessKey",
            `accessKey is missing: secretKey needs the access key id of the same key pair. Fix: pulumi config set --secret ${pkg}:accessKey <access key id>, or remove secretKey.`,
        );
    }
    if (has("token") && !(has("accessKey") && has("secretKey"))) {
        fail(
            "token",
            `token is a session token of temporary credentials and needs accessKey and secretKey of the same session. Fix: set all three (pulumi config set --secret ${pkg}:<key> <value>), or remove token.`,
        );
    }
    return { config, failures };
}

function parseAssumeRole(value: unknown, pkg: string): { role?: AssumeRoleConfig; failures: ConfigFailure[] } {
    const failures: ConfigFailure[] = [];
    const fix = `Fix: pulumi config set --path ${pkg}:assumeRole.roleArn arn:aws:iam::<account>:role/<name> (and assumeRole.sessionName, assumeRole.externalId if needed).`;
    let v = value;
    if (typeof v === "string") {
        try {
            v = JSON.parse(v);
        } catch {
            return {
                failures: [
                    {
                        property: "assumeRole",
                        reason: `assumeRole must be an object { roleArn, sessionName?, externalId? }, got text that is not JSON. ${fix}`,
                    },
                ],
            };
        }
    }
    if (Array.isArray(v)) {
        return {
            failures: [
                {
                    property: "assumeRole",
                    reason: `assumeRole must be one role, got a list: role chains are not supported (the last role of a chain is the identity, assumed with the previous one's credentials). Fix: set assumeRole to the single role the AWS provider ends up as, with base credentials that may assume it directly.`,
                },
            ],
        };
    }
    if (typeof v !== "object" || v === null) {
        return {
            failures: [
                {
                    property: "assumeRole",
                    reason: `assumeRole must be an object { roleArn, sessionName?, externalId? }, got ${describe(v)}. ${fix}`,
                },
            ],
        };
    }
    const obj = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(obj)) {
        if (x === undefined || x === null || (ASSUME_ROLE_FIELDS as readonly string[]).includes(k)) {
            continue;
        }
        const why = ASSUME_ROLE_UNSUPPORTED[k];
        failures.push({
            property: `assumeRole.${k}`,
            reason: why
                ? `assumeRole.${k} is not supported: ${why}`
                : `assumeRole.${k} is not a field of assumeRole. Fix: remove it; the fields are ${ASSUME_ROLE_FIELDS.join(", ")}.`,
        });
    }
    const role: Partial<AssumeRoleConfig> = {};
    const roleArn = obj.roleArn;
    if (!isUnknown(roleArn)) {
        if (typeof roleArn !== "string" || !ROLE_ARN_PATTERN.test(roleArn)) {
            failures.push({
                property: "assumeRole.roleArn",
                reason: `assumeRole.roleArn must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>), got ${describe(roleArn)}. ${fix}`,
            });
        } else {
            role.roleArn = roleArn;
        }
    }
    for (const [field, pattern, what] of [
        ["sessionName", SESSION_NAME_PATTERN, "2-64 letters, digits and +=,.@_-"],
        ["externalId", EXTERNAL_ID_PATTERN, "2-1224 letters, digits and +=,.@:/_-"],
    ] as const) {
        const x = obj[field];
        if (x === undefined || x === null || isUnknown(x)) {
            continue;
        }
        if (typeof x !== "string" || !pattern.test(x)) {
            failures.push({
                property: `assumeRole.${field}`,
                reason: `assumeRole.${field} must be ${what}, got ${describe(x)}. Fix: pulumi config set --path ${pkg}:assumeRole.${field} <value>, or remove it.`,
            });
        } else {
            role[field] = x;
        }
    }
    return { role: role.roleArn !== undefined ? (role as AssumeRoleConfig) : undefined, failures };
}

/**
 * DiffConfig: which keys changed between two configuration bags (values compared without their secret bit;
 * engine keys such as `version` included, `__`-prefixed ones not). A configuration change never replaces the
 * provider: the setting is identified by its application and region, not by who reads it, and a replaced
 * provider would replace every setting it serves.
 */
export function diffProviderConfig(
    olds: Readonly<Record<string, unknown>>,
    news: Readonly<Record<string, unknown>>,
): { changed: string[]; kinds: Record<string, "add" | "delete" | "update"> } {
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)].filter((k) => !k.startsWith("__")));
    const kinds: Record<string, "add" | "delete" | "update"> = {};
    for (const k of [...keys].sort()) {
        const a = olds[k];
        const b = news[k];
        const hasA = a !== undefined && a !== null;
        const hasB = b !== undefined && b !== null;
        if (!hasA && !hasB) {
            continue;
        }
        if (!hasA) {
            kinds[k] = "add";
        } else if (!hasB) {
            kinds[k] = "delete";
        } else if (isUnknown(b) || !sameValue(a, b)) {
            kinds[k] = "update";
        }
    }
    return { changed: Object.keys(kinds), kinds };
}

/**
 * The configuration bag of a ConfigureRequest: `args` when the engine sent them (typed, secrets kept:
 * `fromArgs` true), else the deprecated `variables` (`<pkg>:config:<key>` to strings, secrets already removed
 * by the engine, so their secret bit cannot be checked).
 */
export function configureBag(
    args: Readonly<Record<string, unknown>> | undefined,
    variables: ReadonlyMap<string, string> | Readonly<Record<string, string>>,
    pkg: string,
): { bag: Record<string, unknown>; fromArgs: boolean } {
    if (args !== undefined && Object.keys(args).length > 0) {
        return { bag: { ...args }, fromArgs: true };
    }
    const entries = variables instanceof Map ? [...variables.entries()] : Object.entries(variables);
    const prefix = variablePrefix(pkg);
    const bag: Record<string, unknown> = {};
    for (const [k, v] of entries) {
        bag[k.startsWith(prefix) ? k.slice(prefix.length) : k] = v;
    }
    return { bag, fromArgs: false };
}

function present(v: unknown): boolean {
    return v !== undefined && v !== null;
}

function describe(v: unknown): string {
    if (v === undefined) {
        return "nothing";
    }
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "a list";
    }
    if (typeof v === "object") {
        return "an object";
    }
    return `${typeof v} ${JSON.stringify(v)}`;
}
