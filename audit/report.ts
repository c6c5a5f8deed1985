/**
 * The audit's result model and its two renderings (human text and JSON), and the exit-code rule.
 */
import type { KeyPolicyAnalysis } from "../policypack/judge/types";

/**
 * The outcome of one check.
 * - `pass`: satisfied.
 * - `fail`: a violation (the command exits 1).
 * - `warn`: advisory; reported, exit code unchanged unless `--strict`.
 * - `depends`: cannot be decided from what the audit reads (e.g. the key policy delegates to IAM policies, or the
 *   principal is in another account than the key, so an IAM policy in its own account must also grant the use).
 */
export type CheckStatus = "pass" | "fail" | "warn" | "depends";

/** One line of the report. */
export interface AuditCheck {
    /** Stable identifier, e.g. `disk-encryption`, `key-spec`, `service-binding`, `finding:open-grant`, `principal`. */
    id: string;
    status: CheckStatus;
    /** A sentence that reads on its own. */
    message: string;
    /** What to change, when not `pass`. */
    fix?: string;
    /** The principal the check is about (job role or submitter checks). */
    principal?: string;
    /** A key policy statement (or list) to add, built by the component's builders. */
    statementToAdd?: unknown;
    /** When `statementToAdd` should replace an existing statement: its `Sid "X"` / `statement #N`. */
    replaces?: string;
    /** An IAM policy to attach to the principal (when access depends on IAM policies). */
    iamPolicyToAttach?: unknown;
}

/** What the audit looked at. */
export interface AuditSubject {
    mode: "key-policy" | "application";
    /** The key policy file (key-policy mode). */
    file?: string;
    applicationId?: string;
    applicationArn?: string;
    region?: string;
    keyArn?: string;
}

/** The whole result. */
export interface AuditReport {
    subject: AuditSubject;
    checks: AuditCheck[];
    /** The judge's analysis of the key policy, when one was read. */
    analysis?: KeyPolicyAnalysis;
}

/** Counts of the report's non-passing checks. */
export function summarize(report: AuditReport): { violations: number; warnings: number; depends: number } {
    const count = (s: CheckStatus): number => report.checks.filter((c) => c.status === s).length;
    return { violations: count("fail"), warnings: count("warn"), depends: count("depends") };
}

/** 0 when clean, 1 when a check failed (or, with `strict`, warned). */
export function exitCodeOf(report: AuditReport, strict = false): 0 | 1 {
    const s = summarize(report);
    return s.violations > 0 || (strict && s.warnings > 0) ? 1 : 0;
}

/** The `--json` rendering. */
export function renderJson(report: AuditReport, strict = false): string {
    return JSON.stringify({ ...report, summary: summarize(report), exitCode: exitCodeOf(report, strict) }, null, 2);
}

const LABEL: Record<CheckStatus, string> = { pass: "PASS", fail: "FAIL", warn: "WARN", depends: "DEPENDS" };

function indent(text: string, prefix: string): string {
    return text
        .split("\n")
        .map((l) => prefix + l)
        .join("\n");
}

/** The human rendering. */
export function renderHuman(report: AuditReport, strict = false): string {
    const s = report.subject;
    const lines: string[] = [];
    if (s.mode === "application") {
        lines.push(`EMR Serverless disk encryption audit: application ${s.applicationId} in ${s.region}`);
    } else {
        lines.push(`EMR Serverless disk encryption audit: key policy ${s.file ?? ""}`.trimEnd());
        if (s.applicationArn) {
            lines.push(`  for application ${s.applicationArn}`);
        }
    }
    if (s.keyArn) {
        lines.push(`  key ${s.keyArn}`);
    }
    lines.push("");
    for (const c of report.checks) {
        lines.push(`${LABEL[c.status].padEnd(7)} ${c.message}`);
        if (c.fix && c.status !== "pass") {
            lines.push(indent(`fix: ${c.fix}`, "        "));
        }
        if (c.statementToAdd !== undefined) {
            lines.push(
                c.replaces
                    ? `        statement to use in the key policy instead of ${c.replaces}:`
                    : Array.isArray(c.statementToAdd)
                      ? "        statements to add to the key policy's Statement list:"
                      : "        statement to add to the key policy's Statement list:",
            );
            lines.push(indent(JSON.stringify(c.statementToAdd, null, 2), "          "));
        }
        if (c.iamPolicyToAttach !== undefined) {
            lines.push(
                "        IAM policy the principal needs (attach it, or check that an attached policy grants the same):",
            );
            lines.push(indent(JSON.stringify(c.iamPolicyToAttach, null, 2), "          "));
        }
    }
    const sum = summarize(report);
    const code = exitCodeOf(report, strict);
    lines.push("");
    lines.push(
        `Result: ${code === 0 ? "OK" : "VIOLATION"} (${sum.violations} violation(s), ${sum.warnings} warning(s), ` +
            `${sum.depends} depending on IAM policies).`,
    );
    return lines.join("\n");
}
