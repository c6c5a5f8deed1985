/**
 * The runtime-mocks recording of the EncryptedApplication scenarios, update and preview mode (one child
 * process each, in parallel: `setMocks` is process-global). Taken once per test run and shared by the tests
 * that read it: the component's own tests, and the Construct tests that must see the same registrations.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ScenarioResult } from "../../../harness/components/runScenarios";

export type Results = Record<string, ScenarioResult>;
const ROOT = path.resolve(__dirname, "../../..");

function runMode(mode: "update" | "preview", dir: string): Promise<Results> {
    const out = path.join(dir, `${mode}.json`);
    return new Promise((resolve, reject) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "harness/components/runScenarios.ts", mode, out],
            { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" }, timeout: 50_000 },
            (err, _stdout, stderr) => {
                // The Pulumi runtime may report leaked promises (the refused scenarios) at exit:
                // the result file is what counts.
                if (!fs.existsSync(out)) {
                    reject(new Error(`harness ${mode} wrote no result (${err?.message ?? ""}):\n${stderr}`));
                    return;
                }
                const parsed = JSON.parse(fs.readFileSync(out, "utf8")) as { mode: string; results: Results };
                assert.equal(parsed.mode, mode);
                resolve(parsed.results);
            },
        );
    });
}

let recording: Promise<{ update: Results; preview: Results }> | undefined;

/** Both modes' results, recorded on first use. */
export function mockRecording(): Promise<{ update: Results; preview: Results }> {
    recording ??= (async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "encrypted-app-"));
        try {
            const [update, preview] = await Promise.all([runMode("update", dir), runMode("preview", dir)]);
            return { update, preview };
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    })();
    return recording;
}
