/**
 * Prints the offline preview's example outputs shown in the README, from real runs:
 * 1. the text report of `npm run preview:offline` (the root example stack);
 * 2. the same stack with `--unknowns` (the CLI's view of a new stack), its Policies section;
 * 3. an excerpt of `--json` for the test program `tests/engine/programs/key-policy-binding` with
 *    `--config binding=wildcard`: the KeyPolicy's step, each diagnostic's finding (the message without the policy's
 *    description), long strings cut and long lists shortened, all marked with "…".
 * The checkout's path is printed as /path/to/checkout.
 *
 * Usage: `node -r ts-node/register/transpile-only scripts/previewExamples.ts`
 */
import * as path from "node:path";
import { toJsonReport } from "../engine/jsonReport";
import { runPreview } from "../engine/preview";
import { formatReport } from "../engine/textReport";

const ROOT = path.resolve(__dirname, "..");
const PACK = path.join(ROOT, "policypack");

/** `value` with strings longer than `max` cut and arrays longer than `items` shortened, both marked with "…". */
function excerpt(value: unknown, max = 100, items = 2): unknown {
    if (typeof value === "string") {
        return value.length > max ? `${value.slice(0, max)}…` : value;
    }
    if (Array.isArray(value)) {
        const shown = value.slice(0, items).map((v) => excerpt(v, max, items));
        return value.length > items ? [...shown, `… ${value.length - items} more`] : shown;
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, excerpt(v, max, items)]));
    }
    return value;
}

const local = (text: string): string => text.split(ROOT).join("/path/to/checkout");

async function main(): Promise<void> {
    const root = await runPreview({ programDir: ROOT, packDir: PACK });
    process.stdout.write(`=== npm run preview:offline (exit ${root.exitCode})\n${local(formatReport(root))}\n\n`);

    const unknowns = await runPreview({ programDir: ROOT, packDir: PACK, unknowns: true });
    const text = local(formatReport(unknowns));
    process.stdout.write(
        `=== npm run preview:offline -- --unknowns (exit ${unknowns.exitCode}), from "Computed outputs"\n` +
            `${text.slice(text.indexOf("Computed outputs"))}\n\n`,
    );

    const program = path.join(ROOT, "tests", "engine", "programs", "key-policy-binding");
    const wildcard = await runPreview({ programDir: program, packDir: PACK, config: ["binding=wildcard"] });
    const json = toJsonReport(wildcard);
    const shown = {
        ...json,
        // A pack's message is its description, then what it found: the finding is shown.
        diagnostics: json.diagnostics.map((d) => ({ ...d, message: `…${d.message.split("\n").pop() ?? ""}` })),
        steps: json.steps.filter((s) => s.type === "aws:kms/keyPolicy:KeyPolicy"),
        timings: "…",
    };
    process.stdout.write(
        "=== npm run preview:offline -- --program tests/engine/programs/key-policy-binding " +
            `--config binding=wildcard --json (exit ${wildcard.exitCode}); steps: the KeyPolicy only\n` +
            `${local(JSON.stringify(excerpt(shown), null, 2))}\n`,
    );
}

main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
});
