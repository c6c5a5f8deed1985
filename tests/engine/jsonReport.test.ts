/**
 * The `--json` format: unknown values and placeholders as documented markers, never as the engine's sentinels or as
 * made-up strings that look real.
 */
import assert from "node:assert/strict";
import { JSON_FORMAT_VERSION, Marker, toJsonReport } from "../../engine/jsonReport";
import { EXIT, type PreviewReport } from "../../engine/previewReport";
import { UNKNOWN } from "../../engine/properties";
import { REDACTED } from "../../engine/redact";

const APP = "urn:pulumi:dev::p::aws:emrserverless/application:Application::app";
const ID = "00k3v9x2m1q8w7ab";
const ARN = `arn:aws:emr-serverless:us-east-1:111122223333:/applications/${ID}`;
const PLACEHOLDERS = [
    { value: ID, of: `${APP}#id` },
    { value: ARN, of: `${APP}#arn` },
];

function report(extra: Partial<PreviewReport> = {}): PreviewReport {
    return {
        project: "p",
        stack: "dev",
        mode: "placeholders",
        placeholders: PLACEHOLDERS,
        steps: [],
        diagnostics: [],
        remediations: [],
        checkFailures: [],
        unanswered: [],
        invokes: [],
        exitCode: EXIT.ok,
        timings: { programMs: 1 },
        warnings: [],
        ...extra,
    };
}

describe("--json markers", () => {
    const mark = new Marker(PLACEHOLDERS);

    it("every unknown sentinel (string, number, boolean, array, object, asset, archive) is {$unknown: true}", () => {
        for (const sentinel of Object.values(UNKNOWN)) {
            assert.deepEqual(mark.value(sentinel), { $unknown: true });
        }
    });

    it("a placeholder is {$placeholder, of: <urn>#<property>}", () => {
        assert.deepEqual(mark.value(ID), { $placeholder: ID, of: `${APP}#id` });
        assert.deepEqual(mark.value(ARN), { $placeholder: ARN, of: `${APP}#arn` });
    });

    it("a string built from placeholders is {$withPlaceholders, placeholders}: documents, derived and upper-cased values", () => {
        const doc = JSON.stringify({ Condition: { StringLike: { "aws:SourceArn": ARN } } });
        assert.deepEqual(mark.value(doc), {
            $withPlaceholders: doc,
            placeholders: [{ $placeholder: ARN, of: `${APP}#arn` }],
        });
        assert.deepEqual(mark.value(ID.toUpperCase()), {
            $withPlaceholders: ID.toUpperCase(),
            placeholders: [{ $placeholder: ID, of: `${APP}#id` }],
        });
    });

    it("marks at any depth and leaves real values as they are", () => {
        assert.deepEqual(mark.value({ a: [UNKNOWN.array, { b: ID }], c: "real", d: 3, e: null, f: false }), {
            a: [{ $unknown: true }, { b: { $placeholder: ID, of: `${APP}#id` } }],
            c: "real",
            d: 3,
            e: null,
            f: false,
        });
    });

    it("a redacted placeholder identifies nothing: it marks nothing", () => {
        const m = new Marker([{ value: REDACTED, of: `${APP}#arn` }]);
        assert.equal(m.value(`x ${REDACTED}`), `x ${REDACTED}`);
    });
});

describe("--json report", () => {
    it("carries the format version, the mode, whether the verdict is as if created, and every placeholder", () => {
        const json = toJsonReport(
            report({
                steps: [
                    {
                        op: "create",
                        urn: "urn:s",
                        type: "t",
                        name: "n",
                        parent: "",
                        custom: true,
                        inputs: { applicationId: ID, later: UNKNOWN.string },
                    },
                ],
                invokes: [{ token: "aws:x", args: { arn: ARN }, source: "fixture" }],
            }),
        );
        assert.equal(json.formatVersion, JSON_FORMAT_VERSION);
        assert.equal(json.mode, "placeholders");
        assert.equal(json.asIfCreated, true);
        assert.deepEqual(json.placeholders, [
            { $placeholder: ID, of: `${APP}#id` },
            { $placeholder: ARN, of: `${APP}#arn` },
        ]);
        assert.deepEqual(json.steps[0].inputs, {
            applicationId: { $placeholder: ID, of: `${APP}#id` },
            later: { $unknown: true },
        });
        assert.deepEqual(json.invokes[0].args, { arn: { $placeholder: ARN, of: `${APP}#arn` } });
        const text = JSON.stringify(json);
        for (const sentinel of Object.values(UNKNOWN)) {
            assert.equal(text.includes(sentinel), false, `the sentinel ${sentinel} is printed`);
        }
    });

    it("with --unknowns: not as if created, no placeholders", () => {
        const json = toJsonReport(report({ mode: "unknowns", placeholders: [] }));
        assert.equal(json.asIfCreated, false);
        assert.deepEqual(json.placeholders, []);
    });
});
