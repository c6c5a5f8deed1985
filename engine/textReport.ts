/**
 * The offline preview's text report, rendered like `pulumi preview`: the plan as a tree, "Diagnostics:",
 * "Policies:", and a summary.
 */
import { hasMandatory } from "./analyzer";
import type { Diagnostic } from "./analyzerTypes";
import type { CheckFailureRecord } from "./dynamicProvider";
import { displayValue, type PropertyMap } from "./properties";
import type { UnansweredInvoke } from "./previewTypes";
import { EXIT, type PlannedStep, type PreviewReport } from "./previewReport";

/** A check failure as the CLI prints it (`diag.GetResourcePropertyInvalidValueError` / `GetResourceInvalidError`). */
export function formatCheckFailure(f: CheckFailureRecord, inputs: PropertyMap | undefined): string {
    if (f.property) {
        const value = displayValue(inputs?.[f.property]);
        return `${f.type} resource '${f.name}'s property '${f.property}' value ${value} has a problem: ${f.reason}`;
    }
    return `${f.type} resource '${f.name}' has a problem: ${f.reason}`;
}

/** The fixtures-file entry a user would add to answer `u` (shown when an invoke cannot be answered). */
export function fixtureTemplate(u: UnansweredInvoke): string {
    return JSON.stringify(
        { token: u.token, args: u.args, result: { "...": "the values the real call returns" } },
        null,
        4,
    );
}

/** Renders the report like `pulumi preview`: the plan as a tree, then "Policies:", then a summary. */
export function formatReport(report: PreviewReport): string {
    const lines: string[] = [];
    lines.push(`Previewing update (${report.stack}) offline, under runtime mocks:`, "");
    const asIfCreated = report.mode === "placeholders" ? ", judged as if created" : "";
    const children = new Map<string, PlannedStep[]>();
    const shown = report.steps.filter((s) => !s.defaultProvider);
    for (const s of shown) {
        const list = children.get(s.parent) ?? [];
        list.push(s);
        children.set(s.parent, list);
    }
    const rows: [string, string, string][] = [];
    const walk = (parent: string, prefix: string): void => {
        const list = children.get(parent) ?? [];
        list.forEach((s, i) => {
            const last = i === list.length - 1;
            const branch = parent === "" ? "" : last ? "└─ " : "├─ ";
            rows.push([`${prefix}${branch}${s.type}`, s.name, s.op]);
            walk(s.urn, parent === "" ? "" : prefix + (last ? "   " : "│  "));
        });
    };
    walk("", "");
    const w0 = Math.max(4, ...rows.map((r) => r[0].length));
    const w1 = Math.max(4, ...rows.map((r) => r[1].length));
    lines.push(`     ${"Type".padEnd(w0)}  ${"Name".padEnd(w1)}  Plan`);
    for (const [t, n, op] of rows) {
        lines.push(` ${op === "read" ? ">" : "+"}   ${t.padEnd(w0)}  ${n.padEnd(w1)}  ${op}`);
    }
    lines.push("");
    if (report.programError) {
        lines.push("Diagnostics:", "  error: the program failed during preview:");
        for (const l of report.programError.split("\n")) {
            lines.push(`    ${l}`);
        }
        if (report.unanswered.length > 0) {
            lines.push("", "  Invokes the offline preview could not answer (nothing is made up):");
            for (const u of report.unanswered) {
                lines.push(`    - ${u.token}(${JSON.stringify(u.args)}): ${u.reason}`);
            }
            lines.push(
                "",
                "  Record the real answers in a fixtures file and pass it with --invokes FILE, e.g.:",
                ...`[\n${report.unanswered.map(fixtureTemplate).join(",\n")}\n]`.split("\n").map((l) => `    ${l}`),
            );
        }
        lines.push("");
    }
    const byName = new Map(report.steps.map((s) => [s.urn, s]));
    const where = (urn: string): string => {
        const s = byName.get(urn);
        return s ? `  (${s.type}: ${s.name})` : urn ? `  (${urn})` : "";
    };
    if (report.checkFailures.length > 0) {
        lines.push("Diagnostics:");
        for (const f of report.checkFailures) {
            lines.push(`  ${f.type} (${f.name}):`, `    error: ${formatCheckFailure(f, byName.get(f.urn)?.inputs)}`);
        }
        lines.push("");
    }
    for (const w of report.warnings) {
        lines.push(`warning: ${w}`);
    }
    if (report.warnings.length > 0) {
        lines.push("");
    }
    lines.push(...formatPlaceholders(report));
    if (report.policyPack) {
        const failed = hasMandatory(report.diagnostics);
        lines.push("Policies:");
        lines.push(
            `    ${failed ? "❌" : "✅"} ${report.policyPack.name}@v${report.policyPack.version} (local: ${report.policyPack.dir})`,
        );
        const order = (d: Diagnostic): number => (hasMandatory([d]) ? 0 : 1);
        for (const d of [...report.diagnostics].sort((a, b) => order(a) - order(b))) {
            lines.push(`        - [${d.enforcementLevel}]  ${d.policyName}${where(d.urn)}`);
            for (const l of d.message.split("\n")) {
                lines.push(`          ${l}`);
            }
        }
        for (const m of report.remediations) {
            lines.push(`        - [remediated]  ${m.policyName}${where(m.urn)}`);
            lines.push(`          ${m.description}`);
            lines.push(`          changed: ${m.changedKeys.length > 0 ? m.changedKeys.join(", ") : "(nothing)"}`);
        }
        lines.push("");
    }
    const creates = shown.filter((s) => s.op === "create").length;
    const reads = shown.filter((s) => s.op === "read").length;
    lines.push("Resources:", `    + ${creates} to create${reads > 0 ? `, ${reads} to read` : ""}`, "");
    const m = report.diagnostics.filter((d) => hasMandatory([d])).length;
    const a = report.diagnostics.filter((d) => d.enforcementLevel === "advisory").length;
    if (report.exitCode === EXIT.error && report.checkFailures.length > 0 && !report.programError) {
        lines.push(
            `error: preview failed: ${report.checkFailures.length} resource(s) failed their provider's check; ` +
                `fix the inputs named above (exit code 2)`,
        );
    } else if (report.exitCode === EXIT.error) {
        lines.push("error: preview failed; fix the program error above (exit code 2)");
    } else if (report.exitCode === EXIT.mandatoryViolation) {
        lines.push(
            `error: preview failed: ${m} mandatory policy violation(s), ${a} advisory${asIfCreated} (exit code 1)`,
        );
    } else {
        lines.push(`Preview passed: no mandatory policy violation, ${a} advisory${asIfCreated} (exit code 0)`);
    }
    return lines.join("\n");
}

/** How many placeholders the text report lists (the JSON report lists them all). */
const PLACEHOLDER_LINES = 20;

/** The text report's placeholder section: which values are made up, and what that means for the verdict. */
function formatPlaceholders(report: PreviewReport): string[] {
    if (report.mode === "unknowns") {
        return [
            "Computed outputs are unknown, as in pulumi preview: policies that read them note they can't run",
            "(drop --unknowns to judge them with placeholders, as if created).",
            "",
        ];
    }
    if (report.placeholders.length === 0) {
        return [];
    }
    const names = new Map(report.steps.map((s) => [s.urn, `${s.type} '${s.name}'`]));
    const rows = report.placeholders.slice(0, PLACEHOLDER_LINES).map((p) => {
        const at = p.of.lastIndexOf("#");
        return `    ${names.get(p.of.slice(0, at)) ?? p.of.slice(0, at)} ${p.of.slice(at + 1)} = ${p.value}`;
    });
    const more = report.placeholders.length - rows.length;
    return [
        "Placeholders: values that exist only once the resources are created, made up with the right shape, the same",
        "value wherever they flow; the policies judged the stack as if created:",
        ...rows,
        ...(more > 0 ? [`    ... and ${more} more (--json lists them all)`] : []),
        "",
    ];
}
