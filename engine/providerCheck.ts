/**
 * This package's provider plugin at preview, offline: what the CLI would have the plugin do before planning the
 * setting, run in-process with the plugin's own functions. The default provider's CheckConfig on the stack config
 * (`emr-serverless-disk-encryption:*`), or an explicit provider's on its recorded inputs, then Check of each
 * ApplicationDiskEncryption on its inputs in wire form (a provider that accepts secrets sees them wrapped, and
 * unknowns as sentinels).
 */
import { DISK_ENCRYPTION_TYPE } from "../policypack/judge/constants";
import { PACKAGE_NAME } from "../components/packageInfo";
import { parseProviderConfig } from "../provider/config";
import { checkSetting } from "../provider/resource";
import type { CheckFailureRecord } from "./dynamicProvider";
import type { RecordedResource } from "./previewTypes";

/** The type token of this package's provider resources. */
const PROVIDER_TYPE = `pulumi:providers:${PACKAGE_NAME}`;

/** True for a resource this package's provider checks. */
export function isPackageResource(rec: RecordedResource): boolean {
    return rec.custom && !rec.read && rec.type === DISK_ENCRYPTION_TYPE;
}

/** True for what {@link checkPackageResources} reads: this package's resources and its explicit providers. */
export function isPackageRecord(rec: RecordedResource): boolean {
    return isPackageResource(rec) || rec.type === PROVIDER_TYPE;
}

/**
 * The failures of CheckConfig and Check for every setting among `resources`. `stackConfig` is the stack config
 * (namespaced keys, string values).
 */
export async function checkPackageResources(
    resources: readonly RecordedResource[],
    stackConfig: Readonly<Record<string, string>>,
): Promise<CheckFailureRecord[]> {
    const failures: CheckFailureRecord[] = [];
    const prefix = `${PACKAGE_NAME}:`;
    const defaultBag = Object.fromEntries(
        Object.entries(stackConfig)
            .filter(([k]) => k.startsWith(prefix))
            .map(([k, v]) => [k.slice(prefix.length), v]),
    );
    const configs = new Map<string, ReturnType<typeof parseProviderConfig>>();
    const configOf = (rec: RecordedResource): ReturnType<typeof parseProviderConfig> => {
        const ref = rec.provider;
        let parsed = configs.get(ref);
        if (!parsed) {
            const explicit = ref
                ? resources.find((r) => ref.startsWith(`${r.urn}::`) && r.type === PROVIDER_TYPE)
                : undefined;
            parsed = parseProviderConfig(explicit ? explicit.inputs : defaultBag);
            configs.set(ref, parsed);
            const urn = explicit?.urn ?? `default ${PROVIDER_TYPE} provider`;
            for (const f of parsed.failures) {
                failures.push({ urn, type: PROVIDER_TYPE, name: explicit?.name ?? "default", ...f });
            }
        }
        return parsed;
    };
    for (const rec of resources.filter(isPackageResource)) {
        const { config, failures: configFailures } = configOf(rec);
        if (configFailures.length > 0) {
            continue; // the engine stops at the provider's CheckConfig
        }
        const { failures: checked } = await checkSetting(rec.inputs, config);
        for (const f of checked) {
            failures.push({ urn: rec.urn, type: rec.type, name: rec.name, ...f });
        }
    }
    return failures;
}
