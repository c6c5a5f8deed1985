/**
 * Child process of the Construct benchmark's peer: the same EncryptedApplication (the `full` scenario of the
 * component tests) constructed `count` times, one after another, under Pulumi runtime mocks (update mode),
 * each timed until the component's outputs and every child's URN resolved (what Construct waits for before
 * it answers). The mocks answer as the recording engine does (harness/components/mockAnswers.ts).
 *
 *   node -r ts-node/register/transpile-only bench/lib/constructMocksChild.ts <count> <out.json>
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { createdResource, harnessConfig, invokeResult } from "../../harness/components/mockAnswers";

const count = Number(process.argv[2]);
const outPath = process.argv[3];
if (!Number.isInteger(count) || count <= 0 || !outPath) {
    throw new Error("usage: constructMocksChild.ts <count> <out.json>");
}

pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
            const { id, computed } = createdResource(args.type, args.name);
            return { id, state: { ...args.inputs, ...computed } };
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            return invokeResult(args.token, args.inputs as Record<string, unknown>);
        },
    },
    "emr-serverless-encrypted",
    "example",
    false,
);
pulumi.runtime.setAllConfig(harnessConfig());

/** Resolves when `o` has a value (known or not); the mocks answer every registration. */
function settled(o: pulumi.Output<unknown>): Promise<void> {
    return new Promise((resolve) => {
        o.apply((v) => {
            resolve();
            return v;
        });
    });
}

async function main(): Promise<void> {
    const { EncryptedApplication } = await import("../../components");
    const { capturedScenarios } = await import("../../harness/provider/constructRun");
    const { args } = capturedScenarios().full;
    const samplesMs: number[] = [];
    for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        const app = new EncryptedApplication(`full-${i}`, args) as unknown as Record<string, unknown>;
        const waits: Promise<void>[] = [];
        for (const v of Object.values(app)) {
            const items = Array.isArray(v) ? v : [v];
            for (const item of items) {
                if (pulumi.Resource.isInstance(item)) {
                    waits.push(settled(item.urn));
                } else if (pulumi.Output.isInstance(item)) {
                    waits.push(settled(item as pulumi.Output<unknown>));
                }
            }
        }
        await Promise.all(waits);
        samplesMs.push(performance.now() - t0);
    }
    fs.writeFileSync(outPath, JSON.stringify({ samplesMs }));
}

main().then(
    () => process.exit(0),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
