/**
 * This package's name and version, as the provider plugin and the resources that need it agree on them:
 * the plugin reports the version to the engine, and the setting and the explicit provider ask the engine
 * for a plugin of exactly this version.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The package name: also the provider plugin's name and the first part of its type tokens. */
export const PACKAGE_NAME = "emr-serverless-disk-encryption";

let cachedVersion: string | undefined;

/**
 * The version in this package's `package.json`, found by walking up from this file (the same code runs from
 * the TypeScript sources and from the compiled `bin/` tree). Throws when no such `package.json` is found.
 */
export function packageVersion(): string {
    if (cachedVersion !== undefined) {
        return cachedVersion;
    }
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file)) {
            const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
            if (manifest.name === PACKAGE_NAME && typeof manifest.version === "string") {
                cachedVersion = manifest.version;
                return cachedVersion;
            }
        }
        if (path.dirname(dir) === dir) {
            throw new Error(`${PACKAGE_NAME}: no package.json named ${PACKAGE_NAME} above ${__dirname}.`);
        }
    }
}
