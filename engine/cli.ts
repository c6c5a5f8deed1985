#!/usr/bin/env node
/**
 * `npm run preview:offline -- [--program DIR] [--policy-pack DIR] [--stack NAME] [--config key=value ...]
 *  [--secret-config key=value ...] [--policy-pack-config FILE] [--account-id ID] [--invokes FILE] [--unknowns]
 *  [--json] [--timeout SECONDS] [--help]`
 *
 * Exit codes: 0 no mandatory violation (and `--help`); 1 mandatory policy violation(s); 2 program error,
 * unanswerable invoke, a provider's check failure, invalid config or usage, a timeout, or the policy pack failed.
 * `--help` prints the usage on stdout; a usage error prints it on stderr. Nothing printed holds a secret value.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { jsonError, toJsonReport } from "./jsonReport";
import { runPreview, type PreviewOptions } from "./preview";
import { EXIT } from "./previewReport";
import { formatReport } from "./textReport";
import { Redactor, secretPairValues } from "./redact";
import { DEFAULT_TIMEOUT_SECONDS, packageRoot } from "./runner";

const USAGE = `usage: npm run preview:offline -- [options]
  --program DIR              Pulumi project to preview (default: the current directory when it has a
                             Pulumi.yaml, else this package's example program)
  --policy-pack DIR          policy pack directory (default: policypack/)
  --stack NAME               stack name; reads Pulumi.<NAME>.yaml if present
                             (default: the only Pulumi.<stack>.yaml in DIR, else dev)
  --config key=value         stack config; bare keys get the project namespace (repeatable)
  --secret-config key=value  stack config marked secret (repeatable)
  --policy-pack-config FILE  the CLI's policy pack config file ({"<policy>": "<level>" | {...}, "all": ...})
  --account-id ID            AWS account id for aws:index/getCallerIdentity
                             (default: aws:allowedAccountIds when it names exactly one account)
  --invokes FILE             fixtures for other invokes: [{"token": ..., "args": {...}, "result": {...}}]
  --unknowns                 leave values that exist only once created unknown, as pulumi preview does
                             (policies reading them note they can't run); default: placeholders
  --json                     print the report as JSON (unknown values and placeholders as markers:
                             {"$unknown": true}, {"$placeholder": ..., "of": "<urn>#<property>"},
                             {"$withPlaceholders": ..., "placeholders": [...]}; secrets as "[secret]")
  --timeout SECONDS          stop the program if it has not finished after SECONDS (default ${DEFAULT_TIMEOUT_SECONDS})
  --help, -h                 print this text (on stdout) and exit 0
exit codes: 0 passed, 1 mandatory policy violation, 2 error (program, invoke, provider check, config, usage)

What the pack sees, compared with pulumi preview: Remediate then Analyze on every resource's inputs, then
AnalyzeStack on the outputs. By default a create's id and the computed outputs the preview knows the shape of
(KMS key id/keyId/arn, alias name/arn/targetKeyArn, EMR Serverless application id/arn, IAM role and user
name/arn/uniqueId, IAM policy name/arn/policyId, and a generic id, plus an arn for aws: types, for the others)
are placeholders: distinct, derived from the URN, with the stack's region, partition and account, so every
document built from them is known and judged as if created. An invoke given a placeholder returns unknown, as in
pulumi preview. With --unknowns those outputs are unknown instead (the CLI's view of a new stack). Every other
computed output (e.g. tagsAll) is unknown to the program and absent from the outputs. Of the providers' checks,
only this package's (its provider plugin's CheckConfig and Check, run in-process) and dynamic resources' (their
serialized provider) run; other providers' checks and defaults do not. Secret values (secret config, values the
program marks secret) are replaced by "[secret]" in everything printed. The program runs as the Node.js language
host runs it (its own TypeScript, or the SDK's, type-checked unless its tsconfig says noCheck).`;

/** The parsed command line. */
export type CliOptions = PreviewOptions & { json: boolean; help?: boolean };

/** The flags whose value is a path (resolved against the working directory), and the option each sets. */
const PATH_FLAGS = {
    "--program": "programDir",
    "--policy-pack": "packDir",
    "--policy-pack-config": "policyPackConfigFile",
    "--invokes": "invokesFile",
} as const satisfies Record<string, keyof CliOptions>;

const isPathFlag = (flag: string): flag is keyof typeof PATH_FLAGS => Object.hasOwn(PATH_FLAGS, flag);

/** Parses the command line; throws a usage error naming the flag. */
export function parseArgs(argv: readonly string[], cwd: string): CliOptions {
    const root = packageRoot();
    const opts: CliOptions = {
        programDir: fs.existsSync(path.join(cwd, "Pulumi.yaml")) ? cwd : root,
        packDir: path.join(root, "policypack"),
        config: [],
        secretConfig: [],
        json: false,
    };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const value = (): string => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) {
                throw new Error(`${flag} needs a value`);
            }
            return v;
        };
        if (isPathFlag(flag)) {
            opts[PATH_FLAGS[flag]] = path.resolve(cwd, value());
            continue;
        }
        switch (flag) {
            case "--stack":
                opts.stack = value();
                break;
            case "--config":
            case "-c":
                opts.config?.push(value());
                break;
            case "--secret-config":
                opts.secretConfig?.push(value());
                break;
            case "--account-id":
                opts.accountId = value();
                break;
            case "--json":
                opts.json = true;
                break;
            case "--unknowns":
                opts.unknowns = true;
                break;
            case "--timeout": {
                const text = value();
                const seconds = Number(text);
                if (!/^\d+(\.\d+)?$/.test(text) || !(seconds > 0)) {
                    throw new Error(`--timeout ${JSON.stringify(text)}: expected a positive number of seconds`);
                }
                opts.timeoutSeconds = seconds;
                break;
            }
            case "--help":
            case "-h":
                opts.help = true;
                break;
            default:
                throw new Error(`unknown option ${JSON.stringify(flag)}`);
        }
    }
    return opts;
}

/** Where the CLI writes. */
export interface CliIo {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

/** Runs the command; resolves to the exit code (never rejects). Nothing it writes holds a known secret value. */
export async function runCli(argv: readonly string[], cwd: string, io: CliIo): Promise<number> {
    // Before the preview knows every secret, the values of the --secret-config flags are (a mistyped flag included).
    const flagSecrets = new Redactor(secretPairValues(secretConfigValues(argv)));
    let opts: CliOptions;
    try {
        opts = parseArgs(argv, cwd);
    } catch (e) {
        io.stderr(flagSecrets.text(`error: ${(e as Error).message}\n${USAGE}\n`));
        return EXIT.error;
    }
    if (opts.help) {
        io.stdout(`${USAGE}\n`);
        return EXIT.ok;
    }
    try {
        const report = await runPreview({ ...opts, onProgress: (line) => io.stderr(flagSecrets.text(`${line}\n`)) });
        io.stdout(opts.json ? `${JSON.stringify(toJsonReport(report), null, 2)}\n` : `${formatReport(report)}\n`);
        return report.exitCode;
    } catch (e) {
        // runPreview redacts what it knows; the flags' values are redacted again in case it failed before.
        const m = flagSecrets.text(e instanceof Error ? e.message : String(e));
        if (opts.json) {
            io.stdout(`${JSON.stringify(jsonError(m, EXIT.error), null, 2)}\n`);
        }
        io.stderr(`error: ${m}\n`);
        return EXIT.error;
    }
}

/** The values given to --secret-config, found without parsing the rest (which may be what is wrong). */
function secretConfigValues(argv: readonly string[]): string[] {
    const out: string[] = [];
    argv.forEach((a, i) => {
        if (a === "--secret-config" && argv[i + 1] !== undefined) {
            out.push(argv[i + 1]);
        } else if (a.startsWith("--secret-config=")) {
            out.push(a.slice("--secret-config=".length));
        }
    });
    return out;
}

/**
 * In a checkout (where `scripts/build.js` exists), the compiled command refuses to run when its sources changed
 * since it was built; an installed package has no sources and no such check.
 */
function refuseStaleBuild(): void {
    const script = path.join(packageRoot(), "scripts", "build.js");
    if (__filename.endsWith(".js") && fs.existsSync(script)) {
        (require(script) as { assertFresh(root: string, names: string[]): void }).assertFresh(packageRoot(), [
            "engine",
            "policypack",
        ]);
    }
}

/** Exits once stdout has taken everything written (a large --json report must not be cut off by the exit). */
function exitAfterOutput(code: number): void {
    process.stdout.write("", () => process.exit(code));
}

if (require.main === module) {
    try {
        refuseStaleBuild();
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exit(EXIT.error);
    }
    runCli(process.argv.slice(2), process.env["INIT_CWD"] ?? process.cwd(), {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
    }).then(
        (code) => exitAfterOutput(code),
        (e: unknown) => {
            const m = e instanceof Error ? e.message : String(e);
            process.stderr.write(
                `error: ${new Redactor(secretPairValues(secretConfigValues(process.argv))).text(m)}\n`,
            );
            process.exit(EXIT.error);
        },
    );
}
