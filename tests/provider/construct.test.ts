/**
 * Construct over gRPC, as the engine drives it for a program in another language: the plugin is started the
 * way the CLI starts it, configured, then asked to construct the components against a fake engine that
 * records every registration. The component scenarios of the runtime-mocks tests are sent as a Python, Go or
 * YAML program would send them (output values, and the older secret/unknown forms) and must register the
 * same children, parents, dependencies and inputs, and return the same outputs, as under runtime mocks.
 */
import * as assert from "node:assert/strict";
import { mockRecording, type Results } from "../components/harness/mockRecording";
import { scenarios } from "../../harness/components/scenarios";
import type { ScenarioResult } from "../../harness/components/runScenarios";
import { PACKAGED_PLUGIN, ProviderPlugin, assertBuildIsFresh } from "../../harness/providerPlugin";
import { RecordingEngine } from "../../harness/provider/recordingEngine";
import {
    ConstructError,
    type ConstructRun,
    OUTPUT_NAMES,
    type WireForm,
    capturedScenarios,
    constructScenario,
} from "../../harness/provider/constructRun";

/** Scenarios whose inputs only a preview can have (values not known yet). */
const PREVIEW_ONLY = new Set(["unknownInputs", "unknownExistingKey"]);

/**
 * Scenarios of arguments only the TypeScript API ever had: no SDK generated from the schema can send them, and
 * a request that does is refused as any property the schema does not know, naming it.
 */
const TYPESCRIPT_ONLY: Record<string, string> = { refuseRemovedCredentials: "diskEncryptionCredentials" };

/** The refusal lines (`  - ...`) of an error message. */
function problemLines(message: string): string[] {
    return message.split("\n").filter((l) => l.startsWith("  - "));
}

/** What went wrong in a mocks scenario: the construction error, or the first refused output. */
function mocksFailure(r: ScenarioResult): string | undefined {
    if (r.constructionError !== undefined) {
        return r.constructionError;
    }
    return Object.values(r.outputs).find((o) => o.error !== undefined && /refused/.test(o.error))?.error;
}

describe("provider: Construct over gRPC against a fake engine, compared with runtime mocks", function () {
    this.timeout(180_000);
    let engine: RecordingEngine;
    let plugin: ProviderPlugin;
    let mocks: { update: Results; preview: Results };
    const args = capturedScenarios();

    before(async () => {
        assertBuildIsFresh();
        engine = await RecordingEngine.start();
        [plugin, mocks] = await Promise.all([ProviderPlugin.launch(PACKAGED_PLUGIN, engine.address), mockRecording()]);
        await plugin.configure({});
    });

    after(async () => {
        await plugin?.close();
        await engine?.close();
    });

    function construct(key: string, preview: boolean, form: WireForm): Promise<ConstructRun> {
        return constructScenario(plugin, engine, args[key], preview, form);
    }

    function assertSameAsMocks(run: ConstructRun, expected: ScenarioResult, label: string): void {
        const failure = mocksFailure(expected);
        if (failure !== undefined) {
            assert.ok(run.error, `${label}: Construct refuses as the class does under mocks:\n${failure}`);
            for (const line of problemLines(failure)) {
                assert.ok(run.error.message.includes(line.trim()), `${label}: ${run.error.message} names ${line}`);
            }
        } else {
            assert.equal(run.error, undefined, `${label}: ${run.error?.message ?? ""}`);
        }
        const sorted = [...expected.registrations].sort((a, b) =>
            `${a.type}::${a.name}`.localeCompare(`${b.type}::${b.name}`),
        );
        assert.deepEqual(run.registrations, sorted, `${label}: registrations`);
        if (failure === undefined) {
            for (const o of OUTPUT_NAMES) {
                assert.deepEqual(run.outputs[o], expected.outputs[o], `${label}: output ${o}`);
            }
            assert.deepEqual([...run.calls].sort(), [...expected.calls].sort(), `${label}: invokes`);
        }
    }

    for (const key of Object.keys(scenarios)) {
        for (const mode of ["update", "preview"] as const) {
            if (mode === "update" && PREVIEW_ONLY.has(key)) {
                continue;
            }
            if (key in TYPESCRIPT_ONLY) {
                it(`${key} (${mode}): an argument no generated SDK has is refused by name, nothing registered`, async () => {
                    const run = await construct(key, mode === "preview", "outputValues");
                    assert.ok(run.error instanceof ConstructError, run.error?.message ?? "Construct succeeded");
                    assert.deepEqual(
                        run.error.propertyErrors.map((p) => p.propertyPath),
                        [TYPESCRIPT_ONLY[key]],
                    );
                    assert.equal(run.monitor.length, 0);
                    assert.ok(mocksFailure(mocks[mode][key]), "the class refuses it too");
                });
                continue;
            }
            it(`${key} (${mode}): the same registrations and outputs as under runtime mocks`, async () => {
                const run = await construct(key, mode === "preview", "outputValues");
                assertSameAsMocks(run, mocks[mode][key], `${key} ${mode}`);
            });
        }
    }

    for (const key of ["secretInputs", "unknownInputs", "outputContext"]) {
        it(`${key} (preview), sent in the older wire forms (secret wrappers, unknown sentinels): the same as under mocks`, async () => {
            const run = await construct(key, true, "legacy");
            assertSameAsMocks(run, mocks.preview[key], `${key} legacy`);
        });
    }

    it("every scenario of the mocks tests is exercised", () => {
        assert.deepEqual(Object.keys(args).sort(), Object.keys(scenarios).sort());
        assert.ok(Object.keys(mocks.update).length >= Object.keys(scenarios).length);
    });
});
