/**
 * Who the disk-encryption setting acts as, and the guarantee that it is the AWS provider's identity.
 *
 * The setting is applied by this package's provider plugin, not by the AWS provider: by default the default
 * provider of this package, configured by the stack config `emr-serverless-disk-encryption:*`; or an explicit
 * `Provider` of this package passed to the component (`providers`), which is the user's own statement of who
 * the setting acts as. With the default provider, the component refuses (before registering anything) a stack
 * whose `aws:` identity configuration this package's configuration does not reproduce, with the exact
 * `pulumi config` commands that fix it; and a component whose AWS resources use an explicit `aws` provider
 * (whose credentials it cannot read) unless the setting has an explicit provider too. Identity settings read
 * from the environment (`AWS_PROFILE`, `AWS_ACCESS_KEY_ID`, web identity variables...) are shared by both
 * plugins, which run in the same environment.
 *
 * Compared: `profile`; where the AWS provider reads credentials from when it has no static keys
 * (`sharedCredentialsFiles`, `sharedConfigFiles`, `ec2MetadataServiceEndpoint`: this provider takes them only from
 * the environment, so they are refused with the variable to export, unless the environment already sets the same
 * one); the assumed role (`roleArn` and
 * `externalId`; the session name only names the session) and whether the AWS provider chains roles, narrows or
 * conditions the session (session policies, session tags, source identity) or federates a web identity (none of
 * which this provider does); the static keys `accessKey`, `secretKey`, `token` (compared, never shown: the fix
 * copies them with `pulumi config get`).
 */
import type { SettingProblem } from "../../policypack/judge/setting";
import { PACKAGE_NAME } from "../packageInfo";

/** A role as the AWS provider's `assumeRoles` entries and this provider's `assumeRole` hold it. */
export interface RoleConfig {
    roleArn?: string;
    sessionName?: string;
    externalId?: string;
    policy?: string;
    policyArns?: readonly string[];
    tags?: Record<string, string>;
    transitiveTagKeys?: readonly string[];
    sourceIdentity?: string;
}

/** The `aws:` stack config that decides the AWS provider's identity (raw values; objects may be JSON text). */
export interface AwsIdentityConfig {
    profile?: string;
    assumeRoles?: unknown;
    assumeRoleWithWebIdentity?: unknown;
    accessKey?: string;
    secretKey?: string;
    token?: string;
    /** Where the AWS provider reads profiles and credentials from (JSON list text), instead of the default files. */
    sharedCredentialsFiles?: unknown;
    sharedConfigFiles?: unknown;
    /** Where the AWS provider asks for instance credentials, instead of the default metadata endpoint. */
    ec2MetadataServiceEndpoint?: string;
}

/**
 * The AWS provider's settings that change where its credentials come from (not what they are called), which this
 * package's provider cannot be configured with; each has an environment variable that both providers read.
 */
const CREDENTIAL_SOURCES = [
    ["sharedCredentialsFiles", "AWS_SHARED_CREDENTIALS_FILE", "the shared credentials file"],
    ["sharedConfigFiles", "AWS_CONFIG_FILE", "the shared config file"],
    ["ec2MetadataServiceEndpoint", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "the instance metadata endpoint"],
] as const;

/** This package's provider configuration, as the stack config holds it (objects may be JSON text). */
export interface SettingProviderConfig {
    profile?: string;
    assumeRole?: unknown;
    accessKey?: string;
    secretKey?: string;
    token?: string;
}

/** The environment variables that set the credential sources for both providers (the CLI's environment). */
export type CredentialEnvironment = Readonly<Partial<Record<(typeof CREDENTIAL_SOURCES)[number][1], string>>>;

/** Which explicit providers apply to the component. */
export interface ExplicitProviders {
    /** An explicit provider of this package (the setting uses it). */
    setting: boolean;
    /** An explicit `aws` provider (the component's AWS resources use it). */
    aws: boolean;
}

const STATIC_KEYS = ["accessKey", "secretKey", "token"] as const;

function parsed(v: unknown): unknown {
    if (typeof v === "string") {
        try {
            return JSON.parse(v);
        } catch {
            return v;
        }
    }
    return v;
}

/** Set to something: not absent, null, an empty string, list or object. */
function isSet(v: unknown): boolean {
    if (v === undefined || v === null || v === "") {
        return false;
    }
    if (Array.isArray(v)) {
        return v.length > 0;
    }
    return typeof v !== "object" || Object.keys(v).length > 0;
}

function roleOf(v: unknown): RoleConfig | undefined {
    const r = parsed(v);
    return r !== null && typeof r === "object" && !Array.isArray(r) ? (r as RoleConfig) : undefined;
}

/**
 * The problems that would make the setting act as another identity than the AWS provider (empty when it would
 * not, or when an explicit provider of this package is given). Pure; no value of a static key is ever quoted.
 */
export function settingIdentityProblems(
    aws: AwsIdentityConfig,
    setting: SettingProviderConfig,
    explicit: ExplicitProviders,
    environment: CredentialEnvironment = {},
): SettingProblem[] {
    if (explicit.setting) {
        return [];
    }
    const pkg = PACKAGE_NAME;
    const explicitFix =
        `Pass an explicit provider of this package with the same identity, next to the aws one: ` +
        `providers: { aws: awsProvider, "${pkg}": new Provider("setting", { region, profile, assumeRole, accessKey, secretKey, token }) } ` +
        `(Provider from ${pkg}; set only what your aws provider sets).`;
    if (explicit.aws) {
        return [
            {
                field: "providers",
                message: `the component's AWS resources use an explicit aws provider, whose credentials the component cannot read, while the disk-encryption setting would use the default ${pkg} provider (stack config ${pkg}:*): it could act as another identity.`,
                fix: explicitFix,
            },
        ];
    }
    const problems: SettingProblem[] = [];
    const roles = parsed(aws.assumeRoles);
    const roleList = Array.isArray(roles) ? roles.map(roleOf).filter((r): r is RoleConfig => r !== undefined) : [];
    if (roleList.length > 1) {
        problems.push({
            field: "aws:assumeRoles",
            message: `the AWS provider chains ${roleList.length} roles (the last one is the identity, assumed with the previous one's credentials); the ${pkg} provider assumes at most one role.`,
            fix: `If base credentials may assume the last role directly, ${explicitFix} Otherwise the setting cannot act as the AWS provider's identity.`,
        });
    }
    const awsRole = roleList.length === 1 ? roleList[0] : undefined;
    const sessionExtras = awsRole
        ? (["policy", "policyArns", "tags", "transitiveTagKeys", "sourceIdentity"] as const).filter((k) =>
              isSet(awsRole[k]),
          )
        : [];
    if (sessionExtras.length > 0) {
        problems.push({
            field: "aws:assumeRoles[0]",
            message: `the AWS provider's role session carries ${sessionExtras.join(", ")}, which narrow or condition what it may do (session policies, session tags, source identity); the ${pkg} provider passes none of them, so it would act with other rights.`,
            fix: `Remove ${sessionExtras.join(", ")} from aws:assumeRoles[0] and express the restriction in the role's own policies, so that both providers act with the same rights.`,
        });
    }
    if (aws.assumeRoleWithWebIdentity !== undefined && aws.assumeRoleWithWebIdentity !== null) {
        problems.push({
            field: "aws:assumeRoleWithWebIdentity",
            message: `the AWS provider federates a web identity from its configuration, which the ${pkg} provider does not.`,
            fix: "Export AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE in the environment that runs pulumi instead (both providers' default credential chains use them), and remove aws:assumeRoleWithWebIdentity.",
        });
    }
    if (!isSet(aws.accessKey)) {
        // Without static keys the AWS provider's credentials come from these sources; with them, they do not.
        for (const [key, variable, what] of CREDENTIAL_SOURCES) {
            const value = parsed(aws[key]);
            if (!isSet(value)) {
                continue;
            }
            const files = Array.isArray(value) ? value.map(String) : [String(value)];
            if (files.length === 1 && environment[variable] === files[0]) {
                continue; // the environment gives this provider the same one
            }
            const target = files.length === 1 ? files[0] : `<one file that merges ${files.join(", ")}>`;
            problems.push({
                field: `aws:${key}`,
                message: `the AWS provider reads ${what} from aws:${key}, which the ${pkg} provider cannot be configured with: it would read the default one, and so could act as another identity (the same profile name in another file, other instance credentials).`,
                fix: `Set it for both providers through the environment that runs pulumi instead: pulumi config rm aws:${key} && export ${variable}=${target}`,
            });
        }
    }
    if ((aws.profile ?? undefined) !== (setting.profile ?? undefined)) {
        problems.push({
            field: `${pkg}:profile`,
            message: `the AWS provider uses profile ${aws.profile === undefined ? "(none)" : JSON.stringify(aws.profile)} and the ${pkg} provider ${setting.profile === undefined ? "(none)" : JSON.stringify(setting.profile)}.`,
            fix:
                aws.profile === undefined
                    ? `pulumi config rm ${pkg}:profile`
                    : `pulumi config set ${pkg}:profile ${aws.profile}`,
        });
    }
    const mine = roleOf(setting.assumeRole);
    if (roleList.length <= 1 && (awsRole?.roleArn !== mine?.roleArn || awsRole?.externalId !== mine?.externalId)) {
        const fix =
            awsRole?.roleArn === undefined
                ? `pulumi config rm ${pkg}:assumeRole`
                : [
                      `pulumi config set --path ${pkg}:assumeRole.roleArn ${awsRole.roleArn}`,
                      awsRole.externalId !== undefined
                          ? `pulumi config set --path ${pkg}:assumeRole.externalId "$(pulumi config get --path 'aws:assumeRoles[0].externalId')"`
                          : `pulumi config rm --path ${pkg}:assumeRole.externalId`,
                      ...(awsRole.sessionName !== undefined
                          ? [`pulumi config set --path ${pkg}:assumeRole.sessionName ${awsRole.sessionName}`]
                          : []),
                  ].join(" && ");
        problems.push({
            field: `${pkg}:assumeRole`,
            message: `the AWS provider assumes ${awsRole?.roleArn ?? "no role"}${awsRole?.externalId !== undefined ? " (with an external id)" : ""} and the ${pkg} provider ${mine?.roleArn ?? "no role"}${mine?.externalId !== undefined ? " (with an external id)" : ""}${awsRole?.externalId !== mine?.externalId && awsRole?.roleArn === mine?.roleArn ? "; the external ids differ" : ""}.`,
            fix,
        });
    }
    const differing = STATIC_KEYS.filter((k) => (aws[k] ?? undefined) !== (setting[k] ?? undefined));
    if (differing.length > 0) {
        problems.push({
            field: differing.map((k) => `${pkg}:${k}`).join(", "),
            message: `the static credentials of the two providers differ (${differing.join(", ")}; values not shown).`,
            fix: differing
                .map((k) =>
                    aws[k] === undefined
                        ? `pulumi config rm ${pkg}:${k}`
                        : `pulumi config set --secret ${pkg}:${k} "$(pulumi config get aws:${k})"`,
                )
                .join(" && "),
        });
    }
    return problems;
}

/** The removed `diskEncryptionCredentials` argument, refused with what replaced it. */
export function removedCredentialsArgument(value: unknown): SettingProblem[] {
    if (value === undefined) {
        return [];
    }
    return [
        {
            field: "diskEncryptionCredentials",
            message: `diskEncryptionCredentials was removed in 0.2.0: the disk-encryption setting is applied by the ${PACKAGE_NAME} provider plugin, which takes its identity from the provider's configuration.`,
            fix: `Remove it, and configure the provider instead: pulumi config set ${PACKAGE_NAME}:profile <name> / pulumi config set --path ${PACKAGE_NAME}:assumeRole.roleArn <arn> (matching aws:profile and aws:assumeRoles), or pass providers: { "${PACKAGE_NAME}": new Provider("setting", { profile, assumeRole }) }.`,
        },
    ];
}
