/**
 * Violation text: what is wrong, where (resource, statement), and the fix. The judge's findings
 * already name the statement; this adds the resource and the fix.
 */
import type { Finding } from "../../judge";

/** A resource as a reader names it: `aws:kms/key:Key "data-key"`. */
export function label(resource: { type: string; name: string }): string {
    return `${resource.type} "${resource.name}"`;
}

/** One violation message from a judge finding on a resource's key policy. */
export function findingMessage(resource: { type: string; name: string }, finding: Finding, context = ""): string {
    const ctx = context ? ` (${context})` : "";
    return `${label(resource)}${ctx}: ${finding.message} Fix: ${finding.fix}`;
}

/** A violation message from parts. */
export function message(resource: { type: string; name: string }, what: string, fix: string): string {
    return `${label(resource)}: ${what} Fix: ${fix}`;
}
