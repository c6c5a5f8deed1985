#!/usr/bin/env node
/**
 * `npm run preview:offline -- [--program DIR] [--policy-pack DIR] [--stack NAME] [--config key=value ...]
 *  [--secret-config key=value ...] [--policy-pack-config FILE] [--account-id ID] [--invokes FILE] [--json]`
 *
 * Exit codes: 0 no mandatory violation; 1 mandatory policy violation(s); 2 program error, unanswerable invoke,
 * a dynamic provider's check failure, invalid config or usage, or the policy pack failed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT, formatReport, runPreview, type PreviewOptions } from "./preview";
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
  --json                     print the report as JSON
  --timeout SECONDS          stop the program if it has not finished after SECONDS (default ${DEFAULT_TIMEOUT_SECONDS})
exit codes: 0 passed, 1 mandatory policy violation, 2 error (program, invoke, provider check, config, usage)

What the pack sees, compared with pulumi preview: Remediate then Analyze on every resource's inputs, then
AnalyzeStack on the preview outputs. Without the providers' schemas, a create's outputs are its inputs, an
unknown id, and unknown arn/keyId/uniqueId/policyId/targetKeyArn for the few types the pack reads
(aws:kms/key:Key, aws:kms/alias:Alias, aws:emrserverless/application:Application, aws:iam/role:Role,
aws:iam/policy:Policy); every other computed output (e.g. tagsAll, autonamed names) is absent. Only dynamic
resources' provider check runs (their serialized provider); other providers' checks and defaults do not.`;

/** Parses the command line; throws a usage error naming the flag. */
export function parseArgs(argv: readonly string[], cwd: string): PreviewOptions & { json: boolean } {
    const root = packageRoot();
    const opts: PreviewOptions & { json: boolean } = {
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
        switch (flag) {
            case "--program":
                opts.programDir = path.resolve(cwd, value());
                break;
            case "--policy-pack":
                opts.packDir = path.resolve(cwd, value());
                break;
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
            case "--policy-pack-config":
                opts.policyPackConfigFile = path.resolve(cwd, value());
                break;
            case "--account-id":
                opts.accountId = value();
                break;
            case "--invokes":
                opts.invokesFile = path.resolve(cwd, value());
                break;
            case "--json":
                opts.json = true;
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
                throw new Error("help");
            default:
                throw new Error(`unknown option ${JSON.stringify(flag)}`);
        }
    }
    return opts;
}

async function main(): Promise<number> {
    let opts: PreviewOptions & { json: boolean };
    try {
        opts = parseArgs(process.argv.slice(2), process.env["INIT_CWD"] ?? process.cwd());
    } catch (e) {
        const m = (e as Error).message;
        process.stderr.write(m === "help" ? `${USAGE}\n` : `error: ${m}\n${USAGE}\n`);
        return m === "help" ? EXIT.ok : EXIT.error;
    }
    try {
        const report = await runPreview({ ...opts, onProgress: (line) => process.stderr.write(`${line}\n`) });
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
        return report.exitCode;
    } catch (e) {
        const m = e instanceof Error ? e.message : String(e);
        if (opts.json) {
            process.stdout.write(`${JSON.stringify({ error: m, exitCode: EXIT.error }, null, 2)}\n`);
        }
        process.stderr.write(`error: ${m}\n`);
        return EXIT.error;
    }
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
    main().then(
        (code) => exitAfterOutput(code),
        (e: unknown) => {
            process.stderr.write(`error: ${e instanceof Error ? e.stack : String(e)}\n`);
            process.exit(EXIT.error);
        },
    );
}
