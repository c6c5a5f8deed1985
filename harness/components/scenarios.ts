/**
 * The EncryptedApplication scenarios the harness runs in each mode. Each builds one component
 * (or throws at construction); names are unique per scenario.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EncryptedApplication, EncryptedApplicationArgs } from "../../components";
import { ACCOUNT, ADMIN_ARN, REGION } from "../fixtures";

type Ctor = typeof EncryptedApplication;

export const SUBMITTER = `arn:aws:iam::${ACCOUNT}:role/data-engineers`;
export const ADMIN = ADMIN_ARN;
export const EXISTING_ROLE = `arn:aws:iam::${ACCOUNT}:role/service/emr-jobs`;
export const MANAGED_POLICY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
/** Existing keys of each kind the component tells apart (the mocks answer kms/getKey for them). */
export const KEY_SYMMETRIC = `arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-1111-1111-1111-111111111111`;
export const KEY_CMK_SPEC_ONLY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/22222222-2222-2222-2222-222222222222`;
export const KEY_ASYMMETRIC = `arn:aws:kms:${REGION}:${ACCOUNT}:key/33333333-3333-3333-3333-333333333333`;
export const KEY_DISABLED = `arn:aws:kms:${REGION}:${ACCOUNT}:key/44444444-4444-4444-4444-444444444444`;
export const CONTEXT = { team: "analytics", environment: "dev" };

const base: EncryptedApplicationArgs = { type: "spark", releaseLabel: "emr-7.9.0" };

/** A value not known yet (what a preview sees for another resource's computed output). */
function notKnownYet(): pulumi.Output<string> {
    return pulumi.output(pulumi.unknown as unknown as string);
}

/** A reference to an existing provider of `pkg` (registers nothing). */
export function providerRef(pkg: string, name: string): pulumi.ProviderResource {
    return new pulumi.DependencyProviderResource(
        `urn:pulumi:example::emr-serverless-encrypted::pulumi:providers:${pkg}::${name}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`,
    );
}

function refused(name: string, extra: Partial<EncryptedApplicationArgs>): (C: Ctor) => EncryptedApplication {
    return (C) => new C(name, { ...base, ...extra });
}

export const scenarios: Record<string, (C: Ctor) => EncryptedApplication> = {
    full: (C) =>
        new C("full", {
            ...base,
            encryptionContext: CONTEXT,
            submitterArns: [SUBMITTER],
            keyAdministratorArns: [ADMIN],
            createSubmitterPolicy: true,
            jobRole: { managedPolicyArns: [MANAGED_POLICY] },
            key: { alias: "alias/emr-disks", rotationPeriodInDays: 180, deletionWindowInDays: 7 },
            applicationArgs: { autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 15 } },
            restartIfStarted: true,
        }),
    minimal: (C) => new C("minimal", { ...base }),
    monitored: (C) =>
        new C("monitored", {
            ...base,
            keyUsageMonitoring: { cloudTrailLogGroupName: "cloudtrail-logs", createTopic: true },
        }),
    outputContext: (C) =>
        new C("outputContext", { ...base, encryptionContext: pulumi.output({ team: pulumi.output("analytics") }) }),
    existingSymmetric: (C) =>
        new C("existingSymmetric", {
            ...base,
            existingKeyArn: KEY_SYMMETRIC,
            encryptionContext: CONTEXT,
            submitterArns: [SUBMITTER],
        }),
    existingCmkSpecOnly: (C) => new C("existingCmkSpecOnly", { ...base, existingKeyArn: KEY_CMK_SPEC_ONLY }),
    existingAsymmetric: (C) => new C("existingAsymmetric", { ...base, existingKeyArn: KEY_ASYMMETRIC }),
    existingDisabled: (C) => new C("existingDisabled", { ...base, existingKeyArn: KEY_DISABLED }),
    existingRole: (C) =>
        new C("existingRole", {
            ...base,
            jobRole: { existingRole: EXISTING_ROLE, managedPolicyArns: [MANAGED_POLICY] },
        }),
    existingRoleByName: (C) => new C("existingRoleByName", { ...base, jobRole: { existingRole: "emr-jobs" } }),
    regionOverride: (C) =>
        new C("regionOverride", {
            ...base,
            region: "eu-west-1",
            submitterArns: [SUBMITTER],
            createSubmitterPolicy: true,
            key: { alias: "alias/emr-disks-eu" },
            keyUsageMonitoring: { cloudTrailLogGroupName: "cloudtrail-logs", createTopic: true },
        }),
    commaContext: (C) => new C("commaContext", { ...base, encryptionContext: { teams: "a,b" } }),
    // Values programs in other languages send as outputs: secrets (anywhere, also inside objects the
    // component takes as plain), and values not known yet at preview.
    secretInputs: (C) =>
        new C("secretInputs", {
            ...base,
            releaseLabel: pulumi.secret("emr-7.9.0"),
            submitterArns: pulumi.secret([SUBMITTER]),
            jobRole: { existingRole: pulumi.secret(EXISTING_ROLE) },
            applicationArgs: { tags: { team: pulumi.secret("analytics") } },
        }),
    unknownInputs: (C) =>
        new C("unknownInputs", {
            ...base,
            releaseLabel: notKnownYet(),
            encryptionContext: { team: notKnownYet() },
            submitterArns: [SUBMITTER, notKnownYet()],
            jobRole: { existingRole: notKnownYet(), managedPolicyArns: [notKnownYet()] },
        }),
    unknownExistingKey: (C) => new C("unknownExistingKey", { ...base, existingKeyArn: notKnownYet() }),
    // Refusals of known values: thrown at construction, nothing registered.
    refuseAliasArn: refused("refuseAliasArn", { existingKeyArn: "arn:aws:kms:us-east-1:111122223333:alias/emr" }),
    refuseBareId: refused("refuseBareId", { existingKeyArn: "11111111-1111-1111-1111-111111111111" }),
    refuseNineEntries: refused("refuseNineEntries", {
        encryptionContext: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, `v${i}`])),
    }),
    refuseLongKey: refused("refuseLongKey", { encryptionContext: { ["k".repeat(129)]: "v" } }),
    refuseLongValue: refused("refuseLongValue", { encryptionContext: { team: "v".repeat(385) } }),
    refuseEmptyKey: refused("refuseEmptyKey", { encryptionContext: { "": "v" } }),
    refusePassword: refused("refusePassword", { encryptionContext: { dbPassword: "hunter2" } }),
    refuseSecretValue: refused("refuseSecretValue", { encryptionContext: { owner: "AKIAIOSFODNN7EXAMPLE" } }),
    refuseExtraPattern: refused("refuseExtraPattern", {
        encryptionContext: { ticket: "INC-12345" },
        extraSecretPatterns: ["^INC-\\d+$"],
    }),
    refuseWildcardSubmitter: refused("refuseWildcardSubmitter", { submitterArns: ["*"] }),
    refuseKeyOptionsWithExistingKey: refused("refuseKeyOptionsWithExistingKey", {
        existingKeyArn: KEY_SYMMETRIC,
        keyAdministratorArns: [ADMIN],
    }),
    refuseRemovedCredentials: refused("refuseRemovedCredentials", {
        diskEncryptionCredentials: { profile: "analytics" },
    } as unknown as Partial<EncryptedApplicationArgs>),
    // An explicit aws provider, whose identity the component cannot read, and none for the setting.
    refuseExplicitAwsProviderOnly: (C) =>
        new C("refuseExplicitAwsProviderOnly", { ...base }, { providers: [providerRef("aws", "deployer")] }),
    // Explicit providers for both: the setting uses this package's (the user's statement of identity).
    explicitProviders: (C) =>
        new C(
            "explicitProviders",
            { ...base },
            { providers: [providerRef("aws", "deployer"), providerRef("emr-serverless-disk-encryption", "setting")] },
        ),
    // Refusal of an Output value: construction succeeds, the outputs reject, no setting is registered.
    refuseOutputContext: (C) =>
        new C("refuseOutputContext", { ...base, encryptionContext: pulumi.output({ apiToken: "abc" }) }),
};
