/**
 * Entry of the `emr-serverless-disk-encryption` provider plugin (run by `pulumi-resource-emr-serverless-disk-encryption`,
 * or by the Node.js language host through `provider/package.json`): serves the ResourceProvider service and
 * prints its port. Exports nothing: the language host would serve exported component classes itself.
 *
 * Start-up loads only what the port needs; Construct loads the components (and `@pulumi/aws`) on first use,
 * and the AWS SDK is loaded by the first operation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_NAME, packageVersion } from "../components/packageInfo";
import { serve } from "./server";

/** The schema, from `provider/schema.json` (next to this file in the sources, two levels up from `bin/provider`). */
function readSchema(): string {
    const candidates = [
        path.join(__dirname, "schema.json"),
        path.join(__dirname, "..", "..", "provider", "schema.json"),
    ];
    for (const file of candidates) {
        if (fs.existsSync(file)) {
            return fs.readFileSync(file, "utf8");
        }
    }
    throw new Error(`${PACKAGE_NAME} provider: schema.json not found (looked at ${candidates.join(", ")}).`);
}

serve(process.argv.slice(2), {
    version: packageVersion(),
    getSchema: async () => readSchema(),
    construct: async (name, type, inputs, options) =>
        (await import("./construct")).constructComponent(name, type, inputs, options),
}).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
});
