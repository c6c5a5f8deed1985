/**
 * Construct: the provider builds `EncryptedApplication` and `KeyUsageMonitoring` for programs in other
 * languages, with the same classes TypeScript programs import (`components/`), so both paths share one
 * implementation.
 *
 * The inputs are first turned into the classes' arguments along the schema (`./constructInputs`). Refusals
 * of the classes' own checks become per-property errors. The returned state holds every output property the
 * schema declares for the component: values, and the children as resource references.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import {
    ENCRYPTED_APPLICATION_TYPE,
    EncryptedApplication,
    type EncryptedApplicationArgs,
} from "../components/encryptedApplication";
import {
    KEY_USAGE_MONITORING_TYPE,
    KeyUsageMonitoring,
    type KeyUsageMonitoringArgs,
} from "../components/keyUsageMonitoring";
import { DiskEncryptionValidationError } from "../components/validation";
import { argsFromInputs, readOutput } from "./constructInputs";
import { PACKAGE_SCHEMA, type PackageSchema } from "./packageSchema";

/** The components this provider constructs, by type token. */
const COMPONENTS: Record<
    string,
    (name: string, args: Record<string, unknown>, opts: pulumi.ComponentResourceOptions) => pulumi.ComponentResource
> = {
    [ENCRYPTED_APPLICATION_TYPE]: (name, args, opts) =>
        new EncryptedApplication(name, args as unknown as EncryptedApplicationArgs, opts),
    [KEY_USAGE_MONITORING_TYPE]: (name, args, opts) =>
        new KeyUsageMonitoring(name, args as unknown as KeyUsageMonitoringArgs, opts),
};

/** The type tokens {@link constructComponent} accepts. */
export const CONSTRUCTABLE_TYPES: readonly string[] = Object.keys(COMPONENTS);

/**
 * The output state of a constructed component: each output property of the schema that the component has
 * (absent optional children and undefined values are left out).
 */
export function componentState(
    type: string,
    component: pulumi.ComponentResource,
    schema: PackageSchema = PACKAGE_SCHEMA,
): Record<string, unknown> {
    const spec = schema.resources[type];
    const fields = component as unknown as Record<string, unknown>;
    const state: Record<string, unknown> = {};
    for (const name of Object.keys(spec.properties)) {
        if (fields[name] !== undefined) {
            state[name] = fields[name];
        }
    }
    return state;
}

/**
 * The `construct` member of the provider (`@pulumi/pulumi/provider`'s `Provider` interface): builds the
 * component of type `type`, registered as `name` with `options` (parent, providers, aliases, dependsOn...
 * as the engine sent them).
 */
export async function constructComponent(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
): Promise<provider.ConstructResult> {
    const build = COMPONENTS[type];
    if (build === undefined) {
        throw new Error(
            `unknown component type ${type}: this provider constructs ${CONSTRUCTABLE_TYPES.join(" and ")}. ` +
                "Regenerate the SDK from this provider's schema.",
        );
    }
    const args = await argsFromInputs(type, name, inputs);
    let component: pulumi.ComponentResource;
    try {
        component = build(name, args, options);
    } catch (e) {
        if (e instanceof DiskEncryptionValidationError) {
            // The engine prints these per property, with the whole message above them.
            throw new pulumi.InputPropertiesError({
                message: e.message,
                errors: e.problems.map((p) => ({ propertyPath: p.field, reason: `${p.message} Fix: ${p.fix}` })),
            });
        }
        throw e;
    }
    return { urn: component.urn, state: await withoutUndefinedOutputs(componentState(type, component)) };
}

/**
 * The state without Outputs that resolved to `undefined`. The SDK would send such an Output as an output
 * value without a value, which every SDK reads as unknown, also after an update: an optional output that is
 * not set (`livySessionConf`, `alarmTopicArn`) must be absent instead. A rejected Output rejects here, with
 * the component's refusal, as it would while the state is serialized.
 */
async function withoutUndefinedOutputs(state: Record<string, unknown>): Promise<Record<string, unknown>> {
    const kept = await Promise.all(
        Object.entries(state).map(async ([k, v]) => {
            if (pulumi.Output.isInstance(v)) {
                const { known, value } = await readOutput(v as pulumi.Output<unknown>);
                if (known && value === undefined) {
                    return undefined;
                }
            }
            return [k, v] as const;
        }),
    );
    return Object.fromEntries(kept.filter((e): e is readonly [string, unknown] => e !== undefined));
}
