/**
 * What the engine answers for the component's children and invokes in the component tests: the computed
 * outputs of each created resource (update mode; at preview the engine knows none) and the invokes
 * (partition, caller identity and region as the offline preview answers them; `kms/getKey` from a fixed set
 * of keys). One copy, used by the runtime-mocks harness and by the fake engine that drives Construct over
 * gRPC, so both see the same world.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { builtinInvoke } from "../../engine/invokes";
import type { JsonValue } from "../../engine/policyConfig";
import { ACCOUNT, APP_ID, DEPLOYER_ROLE_ARN, KEY_ID, REGION } from "../fixtures";

export { ACCOUNT, APP_ID, REGION };
/** The id of the key the component creates. */
export const NEW_KEY_ID = KEY_ID;

/**
 * The stack config of the component tests: the AWS provider's region, a profile and one assumed role, and this
 * package's provider configured with the same identity (the component refuses a default provider that
 * differs: tests/components/settingIdentity.test.ts).
 */
export const IDENTITY_CONFIG: Record<string, string> = {
    "aws:region": REGION,
    "aws:profile": "analytics",
    "aws:assumeRoles": JSON.stringify([{ roleArn: DEPLOYER_ROLE_ARN, sessionName: "pulumi", externalId: "ext-1" }]),
    "emr-serverless-disk-encryption:profile": "analytics",
    "emr-serverless-disk-encryption:assumeRole": JSON.stringify({
        roleArn: "arn:aws:iam::111122223333:role/deployer",
        sessionName: "pulumi",
        externalId: "ext-1",
    }),
};

/**
 * The whole stack config of the component tests, as `<namespace>:<key>` to text: the example stack's
 * (Pulumi.example.yaml, for the example program) and {@link IDENTITY_CONFIG}.
 */
export function harnessConfig(): Record<string, string> {
    const yaml = require("js-yaml") as { load(text: string): unknown }; // a dependency of @pulumi/pulumi
    const example = yaml.load(fs.readFileSync(path.join(__dirname, "../../Pulumi.example.yaml"), "utf8")) as {
        config: Record<string, unknown>;
    };
    return {
        ...Object.fromEntries(
            Object.entries(example.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        ),
        ...IDENTITY_CONFIG,
    };
}

/** Keys the getKey answer knows, by ARN. */
const KEYS: Record<string, Record<string, unknown>> = {
    [`arn:aws:kms:${REGION}:${ACCOUNT}:key/11111111-1111-1111-1111-111111111111`]: {
        enabled: true,
        keyState: "Enabled",
        keySpec: "SYMMETRIC_DEFAULT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
    },
    [`arn:aws:kms:${REGION}:${ACCOUNT}:key/22222222-2222-2222-2222-222222222222`]: {
        enabled: true,
        keyState: "Enabled",
        keySpec: "",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
    },
    [`arn:aws:kms:${REGION}:${ACCOUNT}:key/33333333-3333-3333-3333-333333333333`]: {
        enabled: true,
        keyState: "Enabled",
        keySpec: "RSA_2048",
        customerMasterKeySpec: "RSA_2048",
        keyUsage: "SIGN_VERIFY",
    },
    [`arn:aws:kms:${REGION}:${ACCOUNT}:key/44444444-4444-4444-4444-444444444444`]: {
        enabled: false,
        keyState: "Disabled",
        keySpec: "SYMMETRIC_DEFAULT",
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
    },
};

/** The id and computed outputs of a created custom resource of `type` named `name` (update mode). */
export function createdResource(type: string, name: string): { id: string; computed: Record<string, unknown> } {
    switch (type) {
        case "aws:kms/key:Key":
            return {
                id: NEW_KEY_ID,
                computed: { keyId: NEW_KEY_ID, arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${NEW_KEY_ID}` },
            };
        case "aws:emrserverless/application:Application":
            return {
                id: APP_ID,
                computed: { arn: `arn:aws:emr-serverless:${REGION}:${ACCOUNT}:/applications/${APP_ID}` },
            };
        case "aws:iam/role:Role":
            return {
                id: `${name}-id`,
                computed: { name: `${name}-1234567`, arn: `arn:aws:iam::${ACCOUNT}:role/${name}-1234567` },
            };
        case "aws:iam/policy:Policy":
            return { id: `${name}-id`, computed: { arn: `arn:aws:iam::${ACCOUNT}:policy/${name}` } };
        default:
            return { id: `${name}-id`, computed: {} };
    }
}

/** The result of the invoke `token` with `inputs`; throws as the provider would for an unknown key. */
export function invokeResult(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const answered = builtinInvoke({ accountId: ACCOUNT, region: REGION }, token, inputs as Record<string, JsonValue>);
    if (answered !== undefined && "result" in answered) {
        return answered.result;
    }
    if (token === "aws:kms/getKey:getKey") {
        const keyId = String(inputs.keyId);
        const facts = KEYS[keyId];
        if (!facts) {
            throw new Error(`NotFoundException: key ${keyId} does not exist`);
        }
        return { id: keyId, arn: keyId, keyId: keyId.split("/")[1], ...facts };
    }
    throw new Error(`unexpected invoke ${token}`);
}

/** The component's value outputs that the mocks harness and the Construct run read. */
export const OUTPUT_NAMES = [
    "applicationId",
    "applicationArn",
    "keyArn",
    "jobRoleArn",
    "jobRunConfigurationOverrides",
    "livySessionConf",
    "requiredKeyPolicyStatements",
];
