import assert from "node:assert/strict";
import { policies } from "../../policypack/policies";
import type { CorpusResource } from "../../harness/corpus";
import { MISS } from "../../harness/corpus";
import { encryptedApplicationGroup } from "../../harness/corpus/build";
import { analyzeStack, policyResources } from "../../harness/policyPack";
import { buildStackIndex } from "../../policypack/policies/support/stack";

/** `groups` copies of the component's four resources (key, application, KeyPolicy, setting), distinct ids; half the keys have rotation off. */
function bigStack(groups: number): CorpusResource[] {
    return Array.from({ length: groups }, (_, i) => encryptedApplicationGroup(i, i % 2 === 0)).flat();
}

describe("policy pack: scale", () => {
    it("indexes a 10,000-resource stack and resolves every join", () => {
        const index = buildStackIndex(policyResources(bigStack(2500)));
        assert.equal(index.keys.length, 2500);
        assert.ok(index.keys.every((k) => k.settings.length === 1 && k.keyPolicies.length === 1));
        assert.ok(index.apps.every((a) => a.covered));
    });

    it("runs every stack policy over 10,000 resources in linear time", async function () {
        this.timeout(120_000);
        const small = bigStack(250);
        const big = bigStack(2500);
        // CPU time of this process (the work is in-process): other load on the machine does not move it.
        const cpuMs = (): number => {
            const u = process.cpuUsage();
            return (u.user + u.system) / 1000;
        };
        const t0 = cpuMs();
        await analyzeStack(policies, small);
        const t1 = cpuMs();
        const ds = await analyzeStack(policies, big);
        const t2 = cpuMs();
        const smallMs = t1 - t0;
        const bigMs = t2 - t1;
        // Half the keys have rotation off: one advisory each, nothing else.
        assert.equal(ds.length, 1250);
        assert.ok(
            ds.every((d) => d.policyName === "missing-key-rotation"),
            ds[0]?.message,
        );
        assert.ok(!ds.some((d) => d.policyName === MISS));
        assert.ok(bigMs < 20_000, `10,000 resources took ${bigMs.toFixed(0)} ms of CPU`);
        // 10x the resources may cost at most ~25x the time (linear with noise; quadratic would be 100x).
        assert.ok(bigMs < Math.max(smallMs, 20) * 25, `small ${smallMs.toFixed(0)} ms, big ${bigMs.toFixed(0)} ms`);
        console.log(
            `      (stack policies, CPU: 1,000 resources ${smallMs.toFixed(0)} ms, 10,000 resources ${bigMs.toFixed(0)} ms)`,
        );
    });
});
