/**
 * Loads the disk-encryption provider the way Pulumi runs it: serialized with
 * `pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })` (what
 * `pulumi.dynamic.Resource` stores in `__provider`), then evaluated with `require-from-string` and
 * `.handler()` (what `@pulumi/pulumi/cmd/dynamic-provider` does).
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadDynamicProvider } from "../../engine/dynamicProvider";
import { diskEncryptionProvider } from "../../components/diskEncryption";

/** The serialized text and the provider loaded from it. */
export interface LoadedProvider {
    text: string;
    containsSecrets: boolean;
    provider: pulumi.dynamic.ResourceProvider;
}

let cached: Promise<LoadedProvider> | undefined;

/** Serializes and loads the provider once per process. */
export function loadSerializedProvider(): Promise<LoadedProvider> {
    cached ??= (async () => {
        const sf = await pulumi.runtime.serializeFunction(() => diskEncryptionProvider, { allowSecrets: true });
        // Loaded by the offline preview's loader, which does what the dynamic-provider host does.
        const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
        const provider = (await loadDynamicProvider(sf.text, pulumiDir, "test")) as pulumi.dynamic.ResourceProvider;
        return { text: sf.text, containsSecrets: sf.containsSecrets, provider };
    })();
    return cached;
}
