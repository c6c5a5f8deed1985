/**
 * Helpers for the audit tests: run the CLI in-process or as a child process.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { runCli, CliIo } from "../../audit/cli";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "..", "..");
/** The held key policies. */
export const FIXTURES = path.join(ROOT, "tests", "fixtures", "keyPolicies");
/** The application the fixtures are written for is the tests' own. */
import { ACCOUNT, APP_ARN, APP_ID, KEY_ARN, REGION } from "../../harness/fixtures";

export { ACCOUNT, APP_ARN, APP_ID, KEY_ARN, REGION };

/** What a run produced. */
export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs the CLI in this process. */
export async function runInProcess(argv: string[], io: Partial<CliIo> = {}): Promise<RunResult> {
    let stdout = "";
    let stderr = "";
    const code = await runCli(argv, {
        cwd: ROOT,
        env: {},
        stdout: (t) => {
            stdout += t;
        },
        stderr: (t) => {
            stderr += t;
        },
        ...io,
    });
    return { code, stdout, stderr };
}

/** Runs `node -r ts-node/register/transpile-only audit/cli.ts ...`: the command from its sources (`npm run audit` runs it compiled). */
export function runSpawned(
    argv: string[],
    options: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string } = {},
): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join(ROOT, "audit", "cli.ts"), ...argv],
            {
                cwd: options.cwd ?? ROOT,
                env: options.env ?? { PATH: process.env.PATH ?? "" },
                stdio: ["pipe", "pipe", "pipe"],
            },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
        child.stdin.end(options.stdin ?? "");
    });
}

/** A failure-free environment for spawned live runs: fake static credentials, loopback endpoints. */
export function fakeAwsEnv(endpoints: { emr?: string; kms?: string }): NodeJS.ProcessEnv {
    return {
        PATH: process.env.PATH ?? "",
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        AWS_REGION: REGION,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: path.join(ROOT, "tests", "fixtures", "keyPolicies", "no-such-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(ROOT, "tests", "fixtures", "keyPolicies", "no-such-aws-credentials"),
        ...(endpoints.emr ? { AWS_ENDPOINT_URL_EMR_SERVERLESS: endpoints.emr } : {}),
        ...(endpoints.kms ? { AWS_ENDPOINT_URL_KMS: endpoints.kms } : {}),
    };
}
