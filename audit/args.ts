/**
 * Command-line parsing for the audit (pure): argv in, a command or an {@link AuditError} of code `usage` out.
 */
import { parseArgs } from "node:util";
import { AuditError } from "./errors";
import { ApplicationRef, isPrincipalArn, parseApplicationArn } from "./judgment";
import { BARE_KEY_ID_PATTERN, checkEncryptionContext, parseKeyArn } from "../policypack/judge/setting";

/** Options common to both modes. */
interface CommonOptions {
    json: boolean;
    /** Treat advisory findings as violations (exit 1). */
    strict: boolean;
    jobRoleArns: string[];
    submitterArns: string[];
}

/** `--key-policy FILE`: judge a held document. */
export interface KeyPolicyCommand extends CommonOptions {
    mode: "key-policy";
    /** The file, or `-` for standard input. */
    file: string;
    application?: ApplicationRef;
    region?: string;
    keyArn?: string;
    /** The key's bare id, when its ARN is not given (`--key-id`). */
    keyId?: string;
    encryptionContext?: Record<string, string>;
}

/** `--application ID --region R`: read the live application. */
export interface ApplicationCommand extends CommonOptions {
    mode: "application";
    applicationId: string;
    region: string;
}

/** `--help`. */
export interface HelpCommand {
    mode: "help";
}

export type AuditCommand = KeyPolicyCommand | ApplicationCommand | HelpCommand;

/** The command's usage text. */
export const USAGE = `Usage:
  emr-disk-encryption-audit --key-policy FILE|- [--application-arn ARN] [--region R] [--key-arn ARN | --key-id ID]
                            [--encryption-context JSON] [--job-role-arn ARN] [--submitter-arn ARN ...] [--json] [--strict]
  emr-disk-encryption-audit --application ID --region R [--job-role-arn ARN] [--submitter-arn ARN ...] [--json] [--strict]

  --key-policy FILE       judge a key policy document: the output of
                          aws kms get-key-policy --key-id K --policy-name default --output text (or --output json);
                          "-" reads standard input
  --application-arn ARN   the application the key must serve: arn:<partition>:emr-serverless:<region>:<account>:/applications/<id>
  --application ID        read the live application, its key and its key policy (default AWS credential chain)
  --region R              the application's region (required with --application)
  --key-arn ARN           the key's ARN (key-policy mode; decides which statements apply to the key, and is used in
                          printed IAM policies)
  --key-id ID             the key's id, when its ARN is not at hand (key-policy mode; decides what the id can)
  --encryption-context J  the application's custom encryption context as a JSON object (key-policy mode)
  --job-role-arn ARN      check that the key policy lets this job runtime role use the key (repeatable)
  --submitter-arn ARN     check that the key policy lets this principal submit jobs with the key (repeatable)
  --json                  machine-readable output
  --strict                advisory findings also fail (exit 1)

Exit codes: 0 clean, 1 violation found, 2 usage, input, credential or access error.`;

function usage(message: string, fix: string): AuditError {
    return new AuditError("usage", message, fix);
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

/** Parses argv (without `node` and the script). Throws {@link AuditError} `usage` on a bad command line. */
export function parseAuditArgs(argv: readonly string[]): AuditCommand {
    let values: Record<string, string | boolean | string[] | undefined>;
    try {
        ({ values } = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: {
                "key-policy": { type: "string" },
                "application-arn": { type: "string" },
                application: { type: "string" },
                region: { type: "string" },
                "key-arn": { type: "string" },
                "key-id": { type: "string" },
                "encryption-context": { type: "string" },
                "job-role-arn": { type: "string", multiple: true },
                "submitter-arn": { type: "string", multiple: true },
                json: { type: "boolean" },
                strict: { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (e) {
        throw usage(e instanceof Error ? e.message : String(e), "Run with --help for the options.");
    }
    if (values.help) {
        return { mode: "help" };
    }
    const str = (k: string): string | undefined => values[k] as string | undefined;
    const list = (k: string): string[] => (values[k] as string[] | undefined) ?? [];
    const common: CommonOptions = {
        json: values.json === true,
        strict: values.strict === true,
        jobRoleArns: list("job-role-arn"),
        submitterArns: list("submitter-arn"),
    };
    for (const [flag, arns] of [
        ["--job-role-arn", common.jobRoleArns],
        ["--submitter-arn", common.submitterArns],
    ] as const) {
        for (const arn of arns) {
            if (!isPrincipalArn(arn)) {
                throw usage(
                    `${flag} "${arn}" is not an IAM principal ARN.`,
                    `Pass a role or user ARN, e.g. arn:aws:iam::111122223333:role/emr-job-role.`,
                );
            }
        }
    }
    const region = str("region");
    if (region !== undefined && !REGION.test(region)) {
        throw usage(`--region "${region}" is not an AWS region name.`, "Pass a region such as us-east-1.");
    }
    const keyPolicy = str("key-policy");
    const applicationId = str("application");
    if (keyPolicy !== undefined && applicationId !== undefined) {
        throw usage(
            "--key-policy and --application are exclusive.",
            "Judge a held document with --key-policy, or a live application with --application.",
        );
    }
    if (keyPolicy !== undefined) {
        const arn = str("application-arn");
        let application: ApplicationRef | undefined;
        if (arn !== undefined) {
            application = parseApplicationArn(arn);
            if (!application) {
                throw usage(
                    `--application-arn "${arn}" is not an EMR Serverless application ARN.`,
                    "Pass arn:<partition>:emr-serverless:<region>:<account>:/applications/<id> (aws emr-serverless get-application --query application.arn).",
                );
            }
            if (region !== undefined && region !== application.region) {
                throw usage(
                    `--region ${region} differs from the region ${application.region} in --application-arn.`,
                    "Drop --region or make it match the application ARN.",
                );
            }
        }
        if ((common.jobRoleArns.length > 0 || common.submitterArns.length > 0) && !application) {
            throw usage(
                "--job-role-arn and --submitter-arn need --application-arn in key-policy mode.",
                "Add --application-arn so the audit knows the application id and region the requests carry.",
            );
        }
        const keyArn = str("key-arn");
        if (keyArn !== undefined && !parseKeyArn(keyArn)) {
            throw usage(
                `--key-arn "${keyArn}" is not a KMS key ARN.`,
                "Pass arn:<partition>:kms:<region>:<account>:key/<key id>.",
            );
        }
        const keyId = str("key-id");
        if (keyId !== undefined && !BARE_KEY_ID_PATTERN.test(keyId)) {
            throw usage(
                `--key-id "${keyId}" is not a KMS key id.`,
                "Pass the key's id (a UUID, or mrk- and 32 hex digits for a multi-Region key), not an alias.",
            );
        }
        if (keyId !== undefined && keyArn !== undefined) {
            throw usage("--key-id and --key-arn name the key twice.", "Pass --key-arn alone: the ARN holds the id.");
        }
        let encryptionContext: Record<string, string> | undefined;
        const ctxText = str("encryption-context");
        if (ctxText !== undefined) {
            let ctx: unknown;
            try {
                ctx = JSON.parse(ctxText);
            } catch {
                throw usage(
                    `--encryption-context is not JSON: ${ctxText}`,
                    `Pass a JSON object, e.g. '{"team":"analytics"}'.`,
                );
            }
            const problems = checkEncryptionContext(ctx, {}, "--encryption-context");
            if (problems.length > 0) {
                throw usage(problems[0].message, problems[0].fix);
            }
            encryptionContext = ctx as Record<string, string>;
        }
        return {
            mode: "key-policy",
            file: keyPolicy,
            application,
            region: region ?? application?.region,
            keyArn,
            ...(keyId !== undefined ? { keyId } : {}),
            encryptionContext,
            ...common,
        };
    }
    if (applicationId !== undefined) {
        if (!/^[0-9a-z]{1,64}$/.test(applicationId)) {
            throw usage(
                `--application "${applicationId}" is not an EMR Serverless application id.`,
                "Pass the id (lowercase letters and digits, aws emr-serverless list-applications --query 'applications[].id'), not the name or the ARN.",
            );
        }
        if (region === undefined) {
            throw usage("--application needs --region.", "Add --region, e.g. --region us-east-1.");
        }
        for (const flag of ["application-arn", "key-arn", "key-id", "encryption-context"]) {
            if (values[flag] !== undefined) {
                throw usage(
                    `--${flag} is for --key-policy mode.`,
                    `Drop --${flag}: the live audit reads it from the application.`,
                );
            }
        }
        return { mode: "application", applicationId, region, ...common };
    }
    throw usage(
        "Nothing to audit: pass --key-policy FILE or --application ID --region R.",
        "Run with --help for the options.",
    );
}
