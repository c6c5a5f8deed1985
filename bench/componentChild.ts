/**
 * Child process of the component benchmark: constructs `count` EncryptedApplications under Pulumi
 * runtime mocks (update mode) and waits until every output resolved. One size per process, because
 * `pulumi.runtime.setMocks` is process-global and memory must not mix between sizes.
 *
 *   node -r ts-node/register/transpile-only bench/componentChild.ts <count> <out.json>
 *
 * Writes {@link ComponentChildResult} to <out.json>.
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import * as pulumi from "@pulumi/pulumi";
import { builtinInvoke } from "../engine/invokes";
import type { JsonValue } from "../engine/policyConfig";
import { ACCOUNT, REGION } from "../harness/fixtures";

/** What the child measured. */
export interface ComponentChildResult {
    count: number;
    /** Importing the component module (includes @pulumi/aws and ts-node's transpilation of components/). */
    importMs: number;
    /** Constructing `count` components, until every output resolved. */
    constructMs: number;
    /** Resources registered with the mock monitor. */
    registrations: number;
    registrationsByType: Record<string, number>;
    /** RSS and heap before construction (after import) and after. */
    rssBeforeMiB: number;
    rssAfterMiB: number;
    heapBeforeMiB: number;
    heapAfterMiB: number;
    /** Peak RSS of the process (VmHWM). */
    hwmMiB: number;
}

const count = Number(process.argv[2]);
const outPath = process.argv[3];
if (!Number.isInteger(count) || count <= 0 || !outPath) {
    throw new Error("usage: componentChild.ts <count> <out.json>");
}

const byType: Record<string, number> = {};
let registrations = 0;

pulumi.runtime.setMocks(
    {
        newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
            registrations++;
            byType[args.type] = (byType[args.type] ?? 0) + 1;
            const state: Record<string, unknown> = { ...args.inputs };
            const suffix = registrations.toString(16).padStart(12, "0");
            switch (args.type) {
                case "aws:kms/key:Key": {
                    const keyId = `1234abcd-12ab-34cd-56ef-${suffix}`;
                    return {
                        id: keyId,
                        state: { ...state, keyId, arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}` },
                    };
                }
                case "aws:emrserverless/application:Application": {
                    const id = `00f${suffix}a`;
                    return {
                        id,
                        state: { ...state, arn: `arn:aws:emr-serverless:${REGION}:${ACCOUNT}:/applications/${id}` },
                    };
                }
                case "aws:iam/role:Role":
                    return {
                        id: args.name,
                        state: { ...state, name: args.name, arn: `arn:aws:iam::${ACCOUNT}:role/${args.name}` },
                    };
                case "aws:iam/policy:Policy":
                    return { id: args.name, state: { ...state, arn: `arn:aws:iam::${ACCOUNT}:policy/${args.name}` } };
                default:
                    return { id: `${args.name}-id`, state };
            }
        },
        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            // Partition, caller identity and region: answered as the offline preview answers them.
            const answered = builtinInvoke(
                { accountId: ACCOUNT, region: REGION },
                args.token,
                args.inputs as Record<string, JsonValue>,
            );
            if (answered !== undefined && "result" in answered) {
                return answered.result;
            }
            switch (args.token) {
                default:
                    throw new Error(`benchmark mocks: unexpected invoke ${args.token}`);
            }
        },
    },
    "emr-bench",
    "bench",
    false,
);

function hwmMiB(): number {
    try {
        const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync("/proc/self/status", "utf8"));
        return m ? Number(m[1]) / 1024 : Number.NaN;
    } catch {
        return Number.NaN;
    }
}

function settle<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}

async function main(): Promise<void> {
    const t0 = performance.now();
    // Imported after setMocks, as the mocks require.
    const { EncryptedApplication } = await import("../components");
    const importMs = performance.now() - t0;
    const mem0 = process.memoryUsage();

    const t1 = performance.now();
    const apps = Array.from(
        { length: count },
        (_, i) =>
            new EncryptedApplication(`app${i}`, {
                type: "spark",
                releaseLabel: "emr-7.9.0",
                region: REGION,
                encryptionContext: { team: "analytics" },
                submitterArns: [`arn:aws:iam::${ACCOUNT}:role/submitter-${i}`],
            }),
    );
    await Promise.all(
        apps.flatMap((a) => [
            settle(a.applicationId),
            settle(a.applicationArn),
            settle(a.keyArn),
            settle(a.jobRoleArn),
            settle(a.jobRunConfigurationOverrides),
            settle(a.requiredKeyPolicyStatements),
        ]),
    );
    // Let the remaining registrations (children without awaited outputs) drain.
    await new Promise((r) => setTimeout(r, 0));
    const constructMs = performance.now() - t1;
    const mem1 = process.memoryUsage();
    const result: ComponentChildResult = {
        count,
        importMs,
        constructMs,
        registrations,
        registrationsByType: byType,
        rssBeforeMiB: mem0.rss / 1048576,
        rssAfterMiB: mem1.rss / 1048576,
        heapBeforeMiB: mem0.heapUsed / 1048576,
        heapAfterMiB: mem1.heapUsed / 1048576,
        hwmMiB: hwmMiB(),
    };
    fs.writeFileSync(outPath, JSON.stringify(result));
}

main().then(
    () => process.exit(0),
    (e: unknown) => {
        console.error(e);
        process.exit(1);
    },
);
