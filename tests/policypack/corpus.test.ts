import assert from "node:assert/strict";
import { loadCorpus } from "../../harness/corpus";
import { policies } from "../../policypack/policies";
import { assertMentions, runCase, verdict } from "../../harness/policyPack";

const corpus = loadCorpus();

describe("policy pack over the corpus", () => {
    it("has at least 60 cases, good and bad, resource and stack", () => {
        assert.ok(corpus.length >= 60, `only ${corpus.length} cases`);
        assert.ok(corpus.filter((c) => c.expect.none).length >= 15);
        assert.ok(corpus.filter((c) => c.expect.mandatory.length > 0).length >= 25);
        assert.ok(corpus.filter((c) => c.kind === "stack").length >= 15);
    });

    for (const c of corpus) {
        it(`${c.kind}: ${c.name}`, async () => {
            const ds = await runCase(policies, c);
            const got = verdict(ds);
            const want = {
                mandatory: [...c.expect.mandatory].sort(),
                advisory: [...(c.expect.advisory ?? [])].sort(),
                notes: [...(c.expect.notes ?? [])].sort(),
            };
            if (c.expect.none) {
                assert.deepEqual(want, { mandatory: [], advisory: [], notes: [] }, "expect.none with non-empty lists");
            }
            const shown = `${c.why}\n${ds.map((d) => `[${d.enforcementLevel}] ${d.message}`).join("\n")}`;
            assert.deepEqual(got, want, shown);
            assertMentions(
                c,
                ds.map((d) => d.message),
                shown,
            );
        });
    }
});
