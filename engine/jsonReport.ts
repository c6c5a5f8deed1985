/**
 * The offline preview's `--json` output (pure): the report, with values that are not real written as markers a
 * program can test for, instead of the engine's sentinel strings or made-up strings that look real.
 *
 * In property values (`steps[].inputs`, `invokes[].args`, `unanswered[].args`):
 * - `{"$unknown": true}`: a value not known before the update (the engine's unknown sentinel of any type);
 * - `{"$placeholder": "<value>", "of": "<urn>#<property>"}`: a value made up for an output that exists only once
 *   the resource is created (`of` names the resource and the output it stands for);
 * - `{"$withPlaceholders": "<text>", "placeholders": [<$placeholder marker>, ...]}`: a string built from
 *   placeholders (a policy document holding an ARN, an upper-cased id, an interpolation);
 * - `"[secret]"`: a secret value, whole or inside a string (everywhere in the report, messages included).
 * The report's `placeholders` lists every placeholder as a `$placeholder` marker.
 */
import type { JsonValue } from "./policyConfig";
import { PlaceholderIndex } from "./placeholders";
import type { PlaceholderEntry, PlannedStep, PreviewReport } from "./previewReport";
import { isUnknown } from "./properties";
import { REDACTED } from "./redact";

/** The version of the `--json` format; it changes when a field changes meaning or goes away. */
export const JSON_FORMAT_VERSION = 1;

/** A value that is not known before the update. */
export interface UnknownMarker {
    $unknown: true;
}

/** A placeholder, and the output it stands for. */
export interface PlaceholderMarker {
    $placeholder: string;
    of: string;
}

/** A string that contains placeholders. */
export interface WithPlaceholdersMarker {
    $withPlaceholders: string;
    placeholders: PlaceholderMarker[];
}

/** A property value in the JSON report: JSON, with markers in place of unknown and made-up values. */
export type MarkedValue =
    | string
    | number
    | boolean
    | null
    | UnknownMarker
    | PlaceholderMarker
    | WithPlaceholdersMarker
    | MarkedValue[]
    | { [key: string]: MarkedValue };

/** The `--json` output. */
export interface JsonReport extends Omit<PreviewReport, "steps" | "placeholders" | "invokes" | "unanswered" | "mode"> {
    formatVersion: typeof JSON_FORMAT_VERSION;
    mode: PreviewReport["mode"];
    /** True when placeholders stood for values that do not exist yet: the verdict is as if the stack were created. */
    asIfCreated: boolean;
    steps: (Omit<PlannedStep, "inputs"> & { inputs: { [key: string]: MarkedValue } })[];
    placeholders: PlaceholderMarker[];
    invokes: (Omit<PreviewReport["invokes"][number], "args"> & { args: { [key: string]: MarkedValue } })[];
    unanswered: (Omit<PreviewReport["unanswered"][number], "args"> & { args: { [key: string]: MarkedValue } })[];
}

/** Writes values with markers; one instance per report. */
export class Marker {
    private readonly index: PlaceholderIndex;
    private readonly of: Map<string, string>;

    /** `placeholders`: the report's (a redacted one identifies nothing and is left out). */
    public constructor(placeholders: readonly PlaceholderEntry[]) {
        const real = placeholders.filter((p) => !p.value.includes(REDACTED));
        this.of = new Map();
        for (const p of real) {
            if (!this.of.has(p.value)) {
                this.of.set(p.value, p.of);
            }
        }
        this.index = new PlaceholderIndex(this.of.keys());
    }

    /** The marker of one placeholder. */
    public placeholder(value: string): PlaceholderMarker {
        return { $placeholder: value, of: this.of.get(value) ?? "" };
    }

    /** `value` with unknowns and placeholders as markers (at any depth). */
    public value(value: JsonValue): MarkedValue {
        if (isUnknown(value)) {
            return { $unknown: true };
        }
        if (typeof value === "string") {
            if (this.of.has(value)) {
                return this.placeholder(value);
            }
            const found = this.index.find(value);
            return found.length > 0
                ? { $withPlaceholders: value, placeholders: found.map((v) => this.placeholder(v)) }
                : value;
        }
        if (Array.isArray(value)) {
            return value.map((v) => this.value(v));
        }
        if (typeof value === "object" && value !== null) {
            return this.object(value);
        }
        return value;
    }

    /** An object's values with markers. */
    public object(value: { [key: string]: JsonValue }): { [key: string]: MarkedValue } {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)]));
    }
}

/** The `--json` output of a report (pure). */
export function toJsonReport(report: PreviewReport): JsonReport {
    const mark = new Marker(report.placeholders);
    const { steps, placeholders, invokes, unanswered, mode, exitCode, project, stack, ...rest } = report;
    return {
        formatVersion: JSON_FORMAT_VERSION,
        mode,
        asIfCreated: mode === "placeholders",
        exitCode,
        project,
        stack,
        ...rest,
        steps: steps.map((s) => ({ ...s, inputs: mark.object(s.inputs) })),
        placeholders: placeholders.map((p) => ({ $placeholder: p.value, of: p.of })),
        invokes: invokes.map((i) => ({ ...i, args: mark.object(i.args) })),
        unanswered: unanswered.map((u) => ({ ...u, args: mark.object(u.args) })),
    };
}

/** The `--json` output when the preview could not run at all (bad flags, config, pack). */
export function jsonError(
    message: string,
    exitCode: number,
): { formatVersion: number; error: string; exitCode: number } {
    return { formatVersion: JSON_FORMAT_VERSION, error: message, exitCode };
}
