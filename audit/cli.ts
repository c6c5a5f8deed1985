#!/usr/bin/env node
/**
 * `emr-disk-encryption-audit` / `npm run audit -- ...`: judge a KMS key policy, or a live EMR Serverless
 * application, for disk encryption with a customer-managed key. Exit codes: 0 clean, 1 violation, 2 usage,
 * input, credential or access error. See {@link USAGE}.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAuditArgs, USAGE } from "./args";
import { AuditError } from "./errors";
import { auditKeyPolicyText, invocationDirectory, readKeyPolicyFile } from "./keyPolicyFile";
import { auditApplication, LiveClients } from "./live";
import { exitCodeOf, renderHuman, renderJson } from "./report";

/** Where the CLI writes and reads; `process` by default. */
export interface CliIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    env: NodeJS.ProcessEnv;
    cwd: string;
    stdin: NodeJS.ReadableStream;
    clients?: LiveClients;
}

function defaultIo(): CliIo {
    return {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        env: process.env,
        cwd: process.cwd(),
        stdin: process.stdin,
    };
}

/** Runs the command; resolves to the exit code (never rejects). */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<0 | 1 | 2> {
    const o: CliIo = { ...defaultIo(), ...io };
    const json = argv.includes("--json");
    try {
        const cmd = parseAuditArgs(argv);
        if (cmd.mode === "help") {
            o.stdout(USAGE + "\n");
            return 0;
        }
        const report =
            cmd.mode === "key-policy"
                ? auditKeyPolicyText(await readKeyPolicyFile(cmd.file, invocationDirectory(o.env, o.cwd), o.stdin), cmd)
                : await auditApplication(cmd, o.clients);
        o.stdout((json ? renderJson(report, cmd.strict) : renderHuman(report, cmd.strict)) + "\n");
        return exitCodeOf(report, cmd.strict);
    } catch (e) {
        const err =
            e instanceof AuditError
                ? e
                : new AuditError(
                      "aws",
                      `Unexpected error: ${e instanceof Error ? e.message : String(e)}`,
                      "Report this with the command line you ran.",
                  );
        o.stderr(`error: ${err.message}\nfix: ${err.fix}\n`);
        if (err.code === "usage") {
            o.stderr(`\n${USAGE}\n`);
        }
        if (json) {
            o.stdout(
                JSON.stringify(
                    { error: { code: err.code, message: err.message, fix: err.fix }, exitCode: 2 },
                    null,
                    2,
                ) + "\n",
            );
        }
        return 2;
    }
}

/**
 * In a checkout (the repository root is three levels above audit/bin/audit/cli.js, with `scripts/build.js` and this
 * file's source), the compiled command refuses to run when its sources changed since it was built; an installed
 * package has no sources and no such check.
 */
function refuseStaleBuild(): void {
    const root = path.resolve(__dirname, "..", "..", "..");
    const script = path.join(root, "scripts", "build.js");
    if (__filename.endsWith(".js") && fs.existsSync(script) && fs.existsSync(path.join(root, "audit", "cli.ts"))) {
        (require(script) as { assertFresh(root: string, names: string[]): void }).assertFresh(root, ["audit"]);
    }
}

if (require.main === module) {
    try {
        refuseStaleBuild();
        void runCli(process.argv.slice(2)).then((code) => {
            process.exitCode = code;
        });
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exitCode = 2;
    }
}
