/**
 * Replays the policy corpus (harness/corpus) over the real analyzer protocol: the verdicts that come
 * back over gRPC from the compiled pack must be the ones the corpus expects. One pack process for the whole
 * corpus, reconfigured (Configure) whenever a case's policy config differs from the previous one.
 */
import assert from "node:assert/strict";
import { PolicyPackClient } from "../../engine/analyzer";
import type { AnalyzerStackResource, Diagnostic } from "../../engine/analyzerTypes";
import { type PolicyConfig, parsePolicyPackConfig } from "../../engine/policyConfig";
import type { PropertyMap } from "../../engine/properties";
import { type CorpusCase, type CorpusResource, loadCorpus } from "../../harness/corpus";
import { assertMentions } from "../../harness/policyPack";
import { assertPackBuilt, REAL_PACK } from "./support";

/** The verdict as the corpus states it: policies by kind; "can't run policy" notes apart. */
export function wireVerdict(ds: readonly Diagnostic[]): { mandatory: string[]; advisory: string[]; notes: string[] } {
    const isNote = (d: Diagnostic): boolean => d.message.startsWith("can't run policy");
    const set = (f: (d: Diagnostic) => boolean): string[] => [...new Set(ds.filter(f).map((d) => d.policyName))].sort();
    return {
        mandatory: set((d) => !isNote(d) && d.enforcementLevel === "mandatory"),
        advisory: set((d) => !isNote(d) && d.enforcementLevel === "advisory"),
        notes: set(isNote),
    };
}

function toWire(r: CorpusResource): AnalyzerStackResource {
    return {
        type: r.type,
        name: r.name,
        urn: r.urn ?? "",
        properties: r.props as PropertyMap,
        ...(r.parent ? { parent: r.parent } : {}),
        ...(r.dependencies ? { dependencies: r.dependencies } : {}),
        ...(r.propertyDependencies ? { propertyDependencies: r.propertyDependencies } : {}),
    };
}

/** Sends a corpus case through Analyze (every resource) and, for a stack case, AnalyzeStack. */
export async function replayCase(pack: PolicyPackClient, c: CorpusCase): Promise<Diagnostic[]> {
    const ds: Diagnostic[] = [];
    const resources = c.resources.map(toWire);
    for (const r of resources) {
        ds.push(...(await pack.analyze(r)));
    }
    if (c.kind === "stack") {
        ds.push(...(await pack.analyzeStack(resources)));
    }
    return ds;
}

describe("engine: the policy corpus replayed over gRPC", () => {
    const corpus = loadCorpus();
    let pack: PolicyPackClient;
    let current = "";
    before(async () => {
        assertPackBuilt();
        pack = await PolicyPackClient.launch({
            packDir: REAL_PACK,
            stack: { project: "emr-serverless", stack: "corpus", dryRun: true, config: { "aws:region": "us-east-1" } },
        });
    });
    after(async () => {
        await pack?.close();
    });

    it("has cases to replay", () => {
        assert.ok(corpus.length >= 30, `only ${corpus.length} corpus cases`);
    });

    for (const c of corpus) {
        it(`${c.kind}: ${c.name}`, async () => {
            const key = JSON.stringify(c.config ?? {});
            if (key !== current) {
                const config: Record<string, PolicyConfig> = parsePolicyPackConfig(
                    key,
                    `corpus case "${c.name}" config`,
                );
                await pack.configure(config);
                current = key;
            }
            const ds = await replayCase(pack, c);
            const want = {
                mandatory: [...c.expect.mandatory].sort(),
                advisory: [...(c.expect.advisory ?? [])].sort(),
                notes: [...(c.expect.notes ?? [])].sort(),
            };
            const shown = `${c.why}\n${ds.map((d) => `[${d.enforcementLevel}] ${d.policyName}: ${d.message}`).join("\n")}`;
            assert.deepEqual(wireVerdict(ds), want, shown);
            assertMentions(
                c,
                ds.map((d) => d.message),
                shown,
            );
        });
    }
});
