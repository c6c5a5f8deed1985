/** Shared by the engine tests. */
import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "../..");
/** The real policy pack (compiled to policypack/bin by `npm run pretest`). */
export const REAL_PACK = path.join(ROOT, "policypack");

/** Fails clearly when the real pack has not been compiled. */
export function assertPackBuilt(): void {
    const main = path.join(REAL_PACK, "bin", "index.js");
    if (!fs.existsSync(main)) {
        throw new Error(`${main} is missing: run \`npm run pretest\` (tsc -p policypack/tsconfig.json) first`);
    }
}
