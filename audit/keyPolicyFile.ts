/**
 * Key-policy mode: read a held policy document and judge it.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { AuditError } from "./errors";
import { judgeKeyPolicy } from "./judgment";
import type { KeyPolicyCommand } from "./args";
import type { AuditReport } from "./report";

/**
 * The policy document inside a file's text. `aws kms get-key-policy --output text` prints the document itself,
 * which is returned exactly as read: its validity (a byte-order mark, characters KMS refuses, an empty file) is
 * the judge's to decide, the same judgment the policy pack makes. `--output json` prints
 * `{"Policy": "<document as a string>", "PolicyName": "default"}`: that wrapper (with any byte-order mark or
 * white space of the file around it, which belong to the file, not to the policy) is unwrapped to its `Policy`.
 */
export function unwrapKeyPolicyText(text: string): string {
    let value: unknown;
    try {
        value = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch {
        return text;
    }
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        const o = value as Record<string, unknown>;
        if (typeof o.Policy === "string" && o.Statement === undefined) {
            return o.Policy;
        }
    }
    return text;
}

/** Where the command was started: npm runs scripts from the package root and records the caller's directory. */
export function invocationDirectory(env: NodeJS.ProcessEnv, cwd: string): string {
    return env.npm_lifecycle_event === "audit" && env.INIT_CWD ? env.INIT_CWD : cwd;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of stream) {
        chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
    }
    return Buffer.concat(chunks).toString("utf8");
}

/** Reads the file named by the command (or stdin for `-`). Throws {@link AuditError} `input` when it cannot. */
export async function readKeyPolicyFile(
    file: string,
    baseDir: string,
    stdin: NodeJS.ReadableStream = process.stdin,
): Promise<string> {
    if (file === "-") {
        return unwrapKeyPolicyText(await readAll(stdin));
    }
    const full = path.resolve(baseDir, file);
    try {
        return unwrapKeyPolicyText(await fs.readFile(full, "utf8"));
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new AuditError(
            "input",
            `--key-policy ${file}: cannot read ${full} (${code ?? String(e)}).`,
            "Pass a readable file (aws kms get-key-policy --key-id <key> --policy-name default --output text > policy.json), or - for standard input.",
        );
    }
}

/** Judges a held key policy. */
export function auditKeyPolicyText(text: string, cmd: KeyPolicyCommand): AuditReport {
    const judgment = judgeKeyPolicy({
        policy: text,
        application: cmd.application,
        region: cmd.region,
        keyArn: cmd.keyArn,
        keyId: cmd.keyId,
        encryptionContext: cmd.encryptionContext,
        jobRoleArns: cmd.jobRoleArns,
        submitterArns: cmd.submitterArns,
    });
    return {
        subject: {
            mode: "key-policy",
            file: cmd.file,
            applicationArn: cmd.application?.arn,
            applicationId: cmd.application?.id,
            region: cmd.region,
            keyArn: cmd.keyArn,
        },
        checks: judgment.checks,
        analysis: judgment.analysis,
    };
}
