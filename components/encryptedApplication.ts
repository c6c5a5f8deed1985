/**
 * An EMR Serverless application whose worker disks are encrypted with a customer-managed KMS key.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SettingProblem } from "../policypack/judge/setting";
import { attachDiskEncryption, settingIdentityProblemsFor } from "./diskEncryption";
import { removedCredentialsArgument } from "./diskEncryption/identity";
import { KeyUsageMonitoring, KeyUsageMonitoringArgs } from "./keyUsageMonitoring";
import type { ApplicationDiskEncryption, ApplicationDiskEncryptionArgs } from "./diskEncryption";
import {
    checkLivyContext,
    diskEncryptionOverrides,
    DiskEncryptionOverrides,
    livySessionConf as buildLivySessionConf,
} from "./jobOverrides";
import { jobRoleKeyGrantPolicy, jobRoleTrustPolicy, roleNameFromArnOrName, submitterIamPolicy } from "./jobRole";
import { baseKeyPolicyDocument, keyPolicyDocument, PolicyStatement, requiredKeyPolicyStatements } from "./keyPolicy";
import {
    checkExistingKey,
    checkExtraSecretPatterns,
    checkPrincipalArns,
    isPlain,
    throwIfProblems,
    validateEncryptionContextInput,
    validateKeyArnInput,
} from "./validation";

/** The component's type token. */
export const ENCRYPTED_APPLICATION_TYPE = "emr-serverless-disk-encryption:index:EncryptedApplication";

/** Options of the KMS key the component creates (refused together with `existingKeyArn`, never silently ignored). */
export interface EncryptionKeyOptions {
    /** Key description. Default: `Disk encryption for EMR Serverless application <name>`. */
    description?: pulumi.Input<string>;
    /** Waiting period before deletion, 7-30 days. Default 30. */
    deletionWindowInDays?: pulumi.Input<number>;
    /** Automatic rotation period, 90-2560 days (rotation is always on). Default 365. */
    rotationPeriodInDays?: pulumi.Input<number>;
    /** An alias to create for the key, e.g. `alias/emr-disks`. */
    alias?: pulumi.Input<string>;
    /** Tags on the key. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** The job runtime role: created by default, or an existing role that receives the key grant. */
export interface JobRoleOptions {
    /**
     * An existing role (name or ARN) to use instead of creating one. The component does not
     * recreate or modify its trust policy: it attaches the key grant to it as an inline
     * `aws.iam.RolePolicy` (and any `managedPolicyArns`). A role with a path must be given by ARN.
     */
    existingRole?: pulumi.Input<string>;
    /** Managed policy ARNs to attach for the job's own data access (S3, Glue, logs...). */
    managedPolicyArns?: pulumi.Input<string>[];
    /** Permissions boundary of the created role. */
    permissionsBoundary?: pulumi.Input<string>;
    /** Path of the created role. */
    path?: pulumi.Input<string>;
    /** Tags on the created role. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Arguments of {@link EncryptedApplication}. */
export interface EncryptedApplicationArgs {
    /** The application type: `spark` or `hive`. */
    type: pulumi.Input<"spark" | "hive">;
    /** The EMR release label, e.g. `emr-7.9.0`. */
    releaseLabel: pulumi.Input<string>;
    /** Everything else of `aws.emrserverless.Application` (capacity, network, auto start/stop, image, monitoring, name, tags). */
    applicationArgs?: Omit<aws.emrserverless.ApplicationArgs, "type" | "releaseLabel" | "region">;
    /**
     * The custom encryption context: at most 8 entries, keys 1-128 and values 1-384 characters,
     * nothing secret (CloudTrail logs it in plain text). Each entry also binds the submitters' key
     * grant (`kms:EncryptionContext:<key>`).
     */
    encryptionContext?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * A key managed elsewhere (full key ARN, not an alias or id). The component then creates no key
     * and does not touch the key's policy: it checks the key (enabled, symmetric, ENCRYPT_DECRYPT)
     * and outputs `requiredKeyPolicyStatements` for the key's owner.
     */
    existingKeyArn?: pulumi.Input<string>;
    /** IAM users/roles allowed to submit jobs: granted in the key policy (DescribeKey; GenerateDataKey/Decrypt via EMR Serverless). */
    submitterArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** Also create an IAM managed policy for the submitters (for teams that grant through IAM). Default false. */
    createSubmitterPolicy?: boolean;
    /** The job runtime role. Default: a new role trusted by EMR Serverless for this application only. */
    jobRole?: JobRoleOptions;
    /** IAM principals that administer the created key (besides the account root). */
    keyAdministratorArns?: pulumi.Input<pulumi.Input<string>[]>;
    /** Options of the created key. */
    key?: EncryptionKeyOptions;
    /** Region of every child resource. Default: the AWS provider's region. */
    region?: pulumi.Input<string>;
    /** When the application is STARTED while the setting changes: stop, update, start. Default false (a clear error instead). */
    restartIfStarted?: pulumi.Input<boolean>;
    /**
     * Removed in 0.2.0 (refused when given): the setting is applied by this package's provider plugin, whose
     * identity is the provider's configuration (stack config `emr-serverless-disk-encryption:*`, or an
     * explicit `Provider` of this package in `providers`). The component refuses a default provider whose
     * identity differs from the `aws:` stack config's.
     */
    diskEncryptionCredentials?: never;
    /** Extra regular expressions (case-insensitive source text) that mark a context key or value as secret. */
    extraSecretPatterns?: string[];
    /**
     * Monitor the key's use: a CloudWatch Logs Insights query of GenerateDataKey/Decrypt events for
     * this key and application, and an alarm on failed KMS calls for the key, from the CloudTrail
     * log group the account already has (see {@link KeyUsageMonitoringArgs} for the prerequisites).
     * Default: no monitoring resources.
     */
    keyUsageMonitoring?: Omit<KeyUsageMonitoringArgs, "keyArn" | "applicationId">;
}

/**
 * An EMR Serverless application with disk encryption by a customer-managed KMS key.
 *
 * Creates, in order, each child parented to this component: the KMS key (base policy), the
 * application, the full key policy (service statement bound to this application; submitter
 * statements), the job runtime role and its key grant, then the disk-encryption setting.
 */
export class EncryptedApplication extends pulumi.ComponentResource {
    /** The application id. */
    public readonly applicationId: pulumi.Output<string>;
    /** The application ARN. */
    public readonly applicationArn: pulumi.Output<string>;
    /** The disk-encryption key ARN (for an existing key: resolved only once the key passed its checks). */
    public readonly keyArn: pulumi.Output<string>;
    /** The job runtime role ARN. */
    public readonly jobRoleArn: pulumi.Output<string>;
    /** StartJobRun's `configurationOverrides`: `{ diskEncryptionConfiguration: { encryptionKeyArn, encryptionContext? } }`. */
    public readonly jobRunConfigurationOverrides: pulumi.Output<DiskEncryptionOverrides>;
    /** Livy session `conf` entries (undefined when the context cannot be written as `k1:v1,k2:v2`). */
    public readonly livySessionConf: pulumi.Output<Record<string, string> | undefined>;
    /** The key-policy statements this application needs (for an existing key: what its owner must add). */
    public readonly requiredKeyPolicyStatements: pulumi.Output<PolicyStatement[]>;

    /** The application. */
    public readonly application: aws.emrserverless.Application;
    /** The created key (undefined with `existingKeyArn`). */
    public readonly key?: aws.kms.Key;
    /** The created key alias, if requested. */
    public readonly keyAlias?: aws.kms.Alias;
    /** The full key policy (undefined with `existingKeyArn`). */
    public readonly keyPolicy?: aws.kms.KeyPolicy;
    /** The created job runtime role (undefined with `jobRole.existingRole`). */
    public readonly jobRole?: aws.iam.Role;
    /** The job role's inline grant on the key. */
    public readonly jobRoleKeyGrant: aws.iam.RolePolicy;
    /** Attachments of `jobRole.managedPolicyArns`. */
    public readonly jobRolePolicyAttachments: aws.iam.RolePolicyAttachment[];
    /** The submitters' IAM managed policy, when `createSubmitterPolicy`. */
    public readonly submitterPolicy?: aws.iam.Policy;
    /** The disk-encryption setting on the application. */
    public readonly diskEncryption: ApplicationDiskEncryption;
    /** The key-use monitoring resources, when `keyUsageMonitoring` is given. */
    public readonly keyUsageMonitoring?: KeyUsageMonitoring;

    constructor(name: string, args: EncryptedApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate first, create after: every refusal on a known value throws here, before even
        // this component is registered.
        const subject = `EncryptedApplication "${name}"`;
        throwIfProblems(subject, constructionProblems(args));
        const rules = { extraSecretPatterns: args.extraSecretPatterns };
        const context = validateEncryptionContextInput(subject, args.encryptionContext, "encryptionContext", rules);
        const existingKeyArn =
            args.existingKeyArn === undefined
                ? undefined
                : validateKeyArnInput(subject, args.existingKeyArn, "existingKeyArn");
        // Who the disk-encryption setting acts as: this package's provider, explicit or the default one; the
        // default one must have the AWS provider's identity (refused otherwise, before anything exists).
        throwIfProblems(
            subject,
            removedCredentialsArgument((args as { diskEncryptionCredentials?: unknown }).diskEncryptionCredentials),
        );
        throwIfProblems(subject, settingIdentityProblemsFor(opts));
        const submitters = checkedPrincipals(subject, args.submitterArns, "submitterArns");
        const administrators = checkedPrincipals(subject, args.keyAdministratorArns, "keyAdministratorArns");

        super(ENCRYPTED_APPLICATION_TYPE, name, {}, opts);
        const parent = { parent: this };

        // The invokes a preview needs (same provider as the children, through the parent).
        const partition = aws.getPartitionOutput({}, parent).partition;
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
        const region = args.region !== undefined ? pulumi.output(args.region) : aws.getRegionOutput({}, parent).region;

        // Values only known later (Outputs) are checked when they resolve. The first children wait
        // for those checks (an explicit dependency on an Output of no resources), so a refusal at
        // that point registers nothing further; every other child depends on these first ones.
        const checks: pulumi.Output<unknown>[] = [context, submitters, administrators];
        const afterChecks = (): pulumi.Output<pulumi.Resource[]> => pulumi.all(checks).apply(() => []);

        // 1. The key, or the check of an existing key.
        let keyArn: pulumi.Output<string>;
        if (existingKeyArn === undefined) {
            const keyOpts = args.key ?? {};
            this.key = new aws.kms.Key(
                `${name}-key`,
                {
                    description: keyOpts.description ?? `Disk encryption for EMR Serverless application ${name}`,
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                    keyUsage: "ENCRYPT_DECRYPT",
                    enableKeyRotation: true,
                    rotationPeriodInDays: keyOpts.rotationPeriodInDays ?? 365,
                    deletionWindowInDays: keyOpts.deletionWindowInDays ?? 30,
                    // The base policy: the account root (and the administrators) keep control, so
                    // the key can never be locked out, even if the full policy below fails.
                    policy: pulumi
                        .all([partition, accountId, administrators])
                        .apply(([p, a, admins]) =>
                            JSON.stringify(
                                baseKeyPolicyDocument({ partition: p, accountId: a, administratorArns: admins }),
                            ),
                        ),
                    tags: keyOpts.tags,
                    region: args.region,
                },
                {
                    ...parent,
                    dependsOn: afterChecks(),
                    // aws.kms.KeyPolicy (below) overwrites the key's policy with the full one. Without
                    // ignoreChanges the key would see its base `policy` drift on the next `pulumi up`
                    // and put the base policy back, removing the service statement (and the
                    // KeyPolicy would then put it back again, on every run). The key's policy is owned
                    // by the KeyPolicy resource; the key only sets the initial one.
                    ignoreChanges: ["policy"],
                },
            );
            keyArn = this.key.arn;
            if (keyOpts.alias !== undefined) {
                this.keyAlias = new aws.kms.Alias(
                    `${name}-key-alias`,
                    { name: keyOpts.alias, targetKeyId: this.key.keyId, region: args.region },
                    parent,
                );
            }
        } else {
            const facts = aws.kms.getKeyOutput({ keyId: existingKeyArn, region: args.region }, parent);
            // Every consumer of the key ARN (role grant, setting, outputs) waits for this check.
            keyArn = pulumi.all([existingKeyArn, facts]).apply(([arn, f]) => {
                throwIfProblems(subject, checkExistingKey(arn, f));
                return arn;
            });
            checks.push(keyArn);
        }

        // 2. The application.
        this.application = new aws.emrserverless.Application(
            name,
            { ...(args.applicationArgs ?? {}), type: args.type, releaseLabel: args.releaseLabel, region: args.region },
            { ...parent, dependsOn: afterChecks() },
        );

        // 3. The key-policy statements bound to this application, and the full policy on an owned key.
        const policyInputs = pulumi.all([
            partition,
            accountId,
            region,
            this.application.arn,
            this.application.id,
            administrators,
            submitters,
            context,
        ]);
        this.requiredKeyPolicyStatements = policyInputs.apply(([, a, r, appArn, appId, , subs, ctx]) =>
            requiredKeyPolicyStatements({
                applicationArn: appArn,
                applicationId: appId,
                accountId: a,
                region: r,
                submitterArns: subs,
                encryptionContext: ctx,
            }),
        );
        if (this.key !== undefined) {
            this.keyPolicy = new aws.kms.KeyPolicy(
                `${name}-key-policy`,
                {
                    keyId: this.key.keyId,
                    policy: policyInputs.apply(([p, a, r, appArn, appId, admins, subs, ctx]) =>
                        JSON.stringify(
                            keyPolicyDocument({
                                partition: p,
                                accountId: a,
                                administratorArns: admins,
                                applicationArn: appArn,
                                applicationId: appId,
                                region: r,
                                submitterArns: subs,
                                encryptionContext: ctx,
                            }),
                        ),
                    ),
                    region: args.region,
                },
                { ...parent, dependsOn: [this.application] },
            );
        }

        // 4. The job runtime role and its grant on the key.
        const roleOpts = args.jobRole ?? {};
        let roleName: pulumi.Output<string>;
        if (roleOpts.existingRole === undefined) {
            this.jobRole = new aws.iam.Role(
                `${name}-job-role`,
                {
                    description: `EMR Serverless job runtime role for application ${name}`,
                    assumeRolePolicy: pulumi
                        .all([accountId, this.application.arn])
                        .apply(([a, appArn]) =>
                            JSON.stringify(jobRoleTrustPolicy({ accountId: a, applicationArn: appArn })),
                        ),
                    permissionsBoundary: roleOpts.permissionsBoundary,
                    path: roleOpts.path,
                    tags: roleOpts.tags,
                },
                parent,
            );
            roleName = this.jobRole.name;
            this.jobRoleArn = this.jobRole.arn;
        } else {
            const existing = pulumi.output(roleOpts.existingRole);
            // Nothing is attached to the existing role before the checks above have passed.
            roleName = pulumi.all([existing, afterChecks()]).apply(([v]) => {
                const n = roleNameFromArnOrName(v);
                if (n === undefined) {
                    throwIfProblems(subject, [roleProblem(v)]);
                }
                return n as string;
            });
            this.jobRoleArn = pulumi
                .all([existing, roleName, partition, accountId])
                .apply(([v, n, p, a]) => (v.startsWith("arn:") ? v : `arn:${p}:iam::${a}:role/${n}`));
        }
        this.jobRoleKeyGrant = new aws.iam.RolePolicy(
            `${name}-job-role-key-grant`,
            { role: roleName, policy: keyArn.apply((k) => JSON.stringify(jobRoleKeyGrantPolicy(k))) },
            parent,
        );
        this.jobRolePolicyAttachments = (roleOpts.managedPolicyArns ?? []).map(
            (policyArn, i) =>
                new aws.iam.RolePolicyAttachment(`${name}-job-role-policy-${i}`, { role: roleName, policyArn }, parent),
        );
        if (args.createSubmitterPolicy) {
            this.submitterPolicy = new aws.iam.Policy(
                `${name}-submitters`,
                {
                    description: `Submit EMR Serverless jobs using the disk-encryption key of application ${name}`,
                    policy: pulumi
                        .all([keyArn, region, context])
                        .apply(([k, r, c]) =>
                            JSON.stringify(submitterIamPolicy({ keyArn: k, region: r, encryptionContext: c })),
                        ),
                },
                parent,
            );
        }

        // 5. The disk-encryption setting, once the key policy and the role grant are in place.
        const settingArgs: ApplicationDiskEncryptionArgs = {
            applicationId: this.application.id,
            encryptionKeyArn: keyArn,
            // Output<undefined> when there is no context: the setting then sends none.
            encryptionContext: context as pulumi.Output<Record<string, string>>,
            region,
            restartIfStarted: args.restartIfStarted ?? false,
        };
        const settingDeps: pulumi.Resource[] = [this.jobRoleKeyGrant];
        if (this.keyPolicy !== undefined) {
            settingDeps.unshift(this.keyPolicy);
        }
        this.diskEncryption = attachDiskEncryption(`${name}-disk-encryption`, settingArgs, {
            parent: this,
            dependsOn: settingDeps,
        });

        if (args.keyUsageMonitoring !== undefined) {
            this.keyUsageMonitoring = new KeyUsageMonitoring(
                `${name}-key-usage`,
                { region: args.region, ...args.keyUsageMonitoring, keyArn, applicationId: this.application.id },
                { parent: this },
            );
        }

        this.applicationId = this.application.id;
        this.applicationArn = this.application.arn;
        this.keyArn = keyArn;
        this.jobRunConfigurationOverrides = pulumi
            .all([keyArn, context])
            .apply(([k, c]) => diskEncryptionOverrides(k, c, rules));
        this.livySessionConf = pulumi.all([keyArn, context]).apply(([k, c]) => {
            const problems = checkLivyContext(c);
            if (problems.length > 0) {
                pulumi.log.warn(`livySessionConf is not set: ${problems.map((p) => p.message).join(" ")}`, this);
                return undefined;
            }
            return buildLivySessionConf(k, c, rules);
        });

        this.registerOutputs({
            applicationId: this.applicationId,
            applicationArn: this.applicationArn,
            keyArn: this.keyArn,
            jobRoleArn: this.jobRoleArn,
            jobRunConfigurationOverrides: this.jobRunConfigurationOverrides,
            livySessionConf: this.livySessionConf,
            requiredKeyPolicyStatements: this.requiredKeyPolicyStatements,
        });
    }
}

/** Refusals that can be decided on the arguments as given (plain values only). */
export function constructionProblems(args: EncryptedApplicationArgs): SettingProblem[] {
    const problems: SettingProblem[] = [...checkExtraSecretPatterns(args.extraSecretPatterns, "extraSecretPatterns")];
    if (isPlain(args.type) && !["spark", "hive"].includes(String(args.type).toLowerCase())) {
        problems.push({
            field: "type",
            message: `type ${JSON.stringify(args.type)} is not an EMR Serverless application type.`,
            fix: 'Use "spark" or "hive".',
        });
    }
    if (args.existingKeyArn !== undefined) {
        const ignored = [
            args.key !== undefined ? "key" : undefined,
            args.keyAdministratorArns !== undefined ? "keyAdministratorArns" : undefined,
        ].filter((f): f is string => f !== undefined);
        if (ignored.length > 0) {
            problems.push({
                field: ignored.join(", "),
                message: `${ignored.join(" and ")} apply only to a key the component creates, but existingKeyArn is set.`,
                fix: "Remove them (manage the existing key where it is defined), or remove existingKeyArn.",
            });
        }
    }
    const key = args.key ?? {};
    if (key.alias !== undefined && isPlain(key.alias)) {
        const alias = String(key.alias);
        if (!/^alias\/[a-zA-Z0-9/_-]{1,250}$/.test(alias) || alias.startsWith("alias/aws/")) {
            problems.push({
                field: "key.alias",
                message: `key.alias "${alias}" is not a valid customer alias name.`,
                fix: 'Use "alias/<name>" (letters, digits, /, _, -), not starting with "alias/aws/".',
            });
        }
    }
    problems.push(...rangeProblem(key.rotationPeriodInDays, "key.rotationPeriodInDays", 90, 2560));
    problems.push(...rangeProblem(key.deletionWindowInDays, "key.deletionWindowInDays", 7, 30));
    for (const [field, value] of [
        ["submitterArns", args.submitterArns],
        ["keyAdministratorArns", args.keyAdministratorArns],
    ] as const) {
        if (Array.isArray(value)) {
            const known = value.filter((v) => isPlain(v));
            problems.push(...checkPrincipalArns(known.length === value.length ? value : [], field));
        }
    }
    const role = args.jobRole?.existingRole;
    if (role !== undefined && isPlain(role) && roleNameFromArnOrName(String(role)) === undefined) {
        problems.push(roleProblem(String(role)));
    }
    return problems;
}

function rangeProblem(value: unknown, field: string, min: number, max: number): SettingProblem[] {
    if (value === undefined || !isPlain(value)) {
        return [];
    }
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
        return [
            {
                field,
                message: `${field} ${JSON.stringify(value)} is out of range.`,
                fix: `Use a whole number of days from ${min} to ${max}.`,
            },
        ];
    }
    return [];
}

function roleProblem(value: string): SettingProblem {
    return {
        field: "jobRole.existingRole",
        message: `jobRole.existingRole "${value}" is neither an IAM role name nor a role ARN.`,
        fix: "Pass the role name (e.g. emr-jobs) or its ARN (arn:aws:iam::111122223333:role/emr-jobs).",
    };
}

/** A principal list as an Output, checked when it resolves (plain lists were checked at construction). */
function checkedPrincipals(
    subject: string,
    value: pulumi.Input<pulumi.Input<string>[]> | undefined,
    field: string,
): pulumi.Output<string[]> {
    return pulumi.output(value ?? []).apply((list) => {
        throwIfProblems(subject, checkPrincipalArns(list, field));
        return list;
    });
}
