import assert from "node:assert/strict";
import type { PolicyResource } from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import { policies } from "../../policypack/policies";
import { deserializeOnce } from "../../policypack/policies/support/deserializeOnce";
import { knownKeyShape, knownRotation, knownSettingHolder } from "../../policypack/policies/support/keys";
import { tryRead } from "../../policypack/policies/support/props";
import { buildStackIndex, stackIndexFor } from "../../policypack/policies/support/stack";
import type { CorpusResource } from "../../harness/corpus";
import { encryptedApplicationGroup } from "../../harness/corpus/build";
import { analyzeStack, policyResources } from "../../harness/policyPack";

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_BOOLEAN = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
const SETTING = "emr-serverless-disk-encryption:index:ApplicationDiskEncryption";

function stack(groups: number, rotation: (i: number) => unknown = () => true): CorpusResource[] {
    return Array.from({ length: groups }, (_, i) => encryptedApplicationGroup(i, rotation(i))).flat();
}

/** Resolves after the current task (and its microtasks) has ended. */
const nextTask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * PolicyResources whose props sit behind a proxy that fails the test on any read of an unknown value through
 * it (the way @pulumi/policy's proxy throws there), while answering the proxy's target like @pulumi/policy's.
 */
function strictResources(resources: readonly CorpusResource[]): PolicyResource[] {
    const sentinels = new Set([UNKNOWN_STRING, UNKNOWN_BOOLEAN, UNKNOWN_OBJECT]);
    const strict = (target: object, path: string): object =>
        new Proxy(target, {
            get(obj, prop) {
                if (prop === "__getSpecialProxyTarget") {
                    return obj;
                }
                const value = (obj as Record<string | symbol, unknown>)[prop];
                if (typeof value === "string" && sentinels.has(value)) {
                    throw new Error(`read the unknown value at ${path}.${String(prop)} through the proxy`);
                }
                return value !== null && typeof value === "object" ? strict(value, `${path}.${String(prop)}`) : value;
            },
        });
    return policyResources(resources).map((r) => ({
        ...r,
        props: strict((r.props as Record<string, unknown>)["__getSpecialProxyTarget"] as object, r.name),
    }));
}

describe("policy pack: reading unknown values without exceptions", () => {
    it("tryRead answers known: false for an unknown value behind the proxy, and the value otherwise", () => {
        const props = unknownCheckingProxy({ a: UNKNOWN_STRING, b: "x", c: { d: UNKNOWN_STRING } }) as Record<
            string,
            unknown
        >;
        assert.deepEqual(tryRead(props, "a"), { known: false });
        assert.deepEqual(tryRead(props, "b"), { known: true, value: "x" });
        // A nested unknown stays a sentinel inside a plain (unproxied) value.
        assert.deepEqual(tryRead(props, "c"), { known: true, value: { d: UNKNOWN_STRING } });
        assert.deepEqual(tryRead(props, "missing"), { known: true, value: undefined });
        assert.throws(() => props["a"], /can't be known during preview/);
    });

    it("key shape, rotation and an application's setting read as unknown, not as defaults", () => {
        const key = unknownCheckingProxy({ customerMasterKeySpec: UNKNOWN_STRING, enableKeyRotation: UNKNOWN_BOOLEAN });
        assert.equal(knownKeyShape("aws:kms/key:Key", key as Record<string, unknown>), undefined);
        assert.equal(knownRotation("aws:kms/key:Key", key as Record<string, unknown>), undefined);
        const known = unknownCheckingProxy({ customerMasterKeySpec: "RSA_2048", enableKeyRotation: false });
        assert.deepEqual(knownKeyShape("aws:kms/key:Key", known as Record<string, unknown>), {
            spec: "RSA_2048",
            usage: "ENCRYPT_DECRYPT",
        });
        assert.equal(knownRotation("aws:kms/key:Key", known as Record<string, unknown>), false);
        const app = unknownCheckingProxy({ diskEncryptionConfiguration: UNKNOWN_OBJECT });
        assert.deepEqual(
            knownSettingHolder("aws:emrserverless/application:Application", app as Record<string, unknown>),
            {
                known: false,
            },
        );
    });

    it("the stack index and every stack policy judge a preview-shaped stack without reading an unknown through the proxy", async () => {
        const resources = stack(6).map((r, n) => {
            const props = { ...r.props };
            if (r.type === "aws:kms/keyPolicy:KeyPolicy" && n % 8 === 2) {
                props.policy = UNKNOWN_STRING;
            }
            if (r.type === SETTING) {
                props.applicationId = UNKNOWN_STRING;
                props.encryptionKeyArn = UNKNOWN_STRING;
            }
            if (r.type === "aws:kms/key:Key" && n % 8 === 4) {
                props.enableKeyRotation = UNKNOWN_BOOLEAN;
                props.customerMasterKeySpec = UNKNOWN_STRING;
                props.arn = UNKNOWN_STRING;
            }
            if (r.type === "aws:emrserverless/application:Application" && n % 8 === 1) {
                props.diskEncryptionConfiguration = UNKNOWN_OBJECT;
            }
            return { ...r, props };
        });
        const index = buildStackIndex(strictResources(resources));
        assert.equal(index.keys.length, 6);
        assert.ok(index.keys.filter((k) => k.shape === undefined).length >= 1);
        assert.ok(
            index.keys.every((k) => k.settings.length === 1),
            "settings join their key by dependency",
        );
        for (const p of policies) {
            if ("validateStack" in p && typeof p.validateStack === "function") {
                await p.validateStack(
                    {
                        resources: strictResources(resources),
                        getConfig: <T extends object>(): T => ({}) as T,
                        stackTags: new Map(),
                        notApplicable: (): never => {
                            throw new Error("not applicable");
                        },
                    },
                    () => undefined,
                );
            }
        }
    });
});

describe("policy pack: the stack index of one AnalyzeStack call", () => {
    it("is built once for every stack policy's copy of the same stack", async () => {
        await nextTask();
        const resources = stack(3);
        const first = stackIndexFor(policyResources(resources));
        // @pulumi/policy deserializes the stack again for each stack policy: separate objects, equal values.
        assert.equal(stackIndexFor(policyResources(resources)), first);
        assert.equal(stackIndexFor(policyResources(resources)), first);
    });

    it("is never another call's: a stack that differs in anything the index reads gets its own", async () => {
        await nextTask();
        const base = stack(3);
        const first = stackIndexFor(policyResources(base));
        assert.equal(first.keys[1]?.rotation, true);
        const changes: [string, CorpusResource[]][] = [
            ["a property", stack(3, (i) => i !== 1)],
            ["a nested property", base.map((r) => (r.type === SETTING ? { ...r, props: { ...r.props, x: [1] } } : r))],
            ["a name", base.map((r, n) => (n === 0 ? { ...r, name: "renamed" } : r))],
            [
                "a property dependency",
                base.map((r) => (r.type === SETTING ? { ...r, propertyDependencies: { encryptionKeyArn: [] } } : r)),
            ],
            ["the order", [...base].reverse()],
            ["one resource fewer", base.slice(1)],
        ];
        for (const [what, changed] of changes) {
            const index = stackIndexFor(policyResources(changed));
            assert.notEqual(index, first, `a change of ${what} reused the index`);
            assert.deepEqual(
                index.keys.map((k) => [k.resource.urn, k.rotation, k.settings.length]),
                buildStackIndex(policyResources(changed)).keys.map((k) => [
                    k.resource.urn,
                    k.rotation,
                    k.settings.length,
                ]),
                what,
            );
        }
        assert.equal(stackIndexFor(policyResources(stack(3, (i) => i !== 1))).keys[1]?.rotation, false);
    });

    it("takes a copy whose properties the request's memo served as the same resource; compares any other copy", async () => {
        await nextTask();
        const base = stack(2);
        // The per-request memo (deserializeOnce.ts): one plain object per resource of one request.
        const memo = deserializeOnce((r) => structuredClone((r as CorpusResource).props));
        const served = (resources: readonly CorpusResource[]): PolicyResource[] =>
            policyResources(resources).map((pr, i) => ({
                ...pr,
                props: unknownCheckingProxy(memo(base[i], false)) as Record<string, unknown>,
            }));
        const first = stackIndexFor(served(base));
        // Copies from one request never differ; this one is renamed only to show that it is not compared.
        const renamed = base.map((r, n) => (n === 0 ? { ...r, name: "renamed" } : r));
        assert.equal(stackIndexFor(served(renamed)), first);
        // The same change on a copy the memo did not serve is a different stack.
        assert.notEqual(stackIndexFor(policyResources(renamed)), first);
    });

    it("holds nothing past the task of its call: the next call builds anew even for an equal stack", async () => {
        await nextTask();
        const resources = stack(2);
        const first = stackIndexFor(policyResources(resources));
        await nextTask();
        assert.notEqual(stackIndexFor(policyResources(resources)), first);
    });

    it("back-to-back AnalyzeStack calls each report their own stack's findings", async () => {
        const rotationOff = stack(4, (i) => i % 2 === 1);
        const rotationOn = stack(4);
        const byPolicy = (ds: { policyName: string; urn?: string }[]): string[] =>
            ds.filter((d) => d.policyName === "missing-key-rotation").map((d) => d.urn ?? "");
        // Interleave the two stacks, so each call follows the other's within the same few tasks.
        const results = await Promise.all([
            analyzeStack(policies, rotationOff),
            analyzeStack(policies, rotationOn),
            analyzeStack(policies, rotationOff),
        ]);
        const expected = ["urn:pulumi:t::p::aws:kms/key:Key::key0", "urn:pulumi:t::p::aws:kms/key:Key::key2"];
        assert.deepEqual(byPolicy(results[0] ?? []).sort(), expected);
        assert.deepEqual(byPolicy(results[1] ?? []), []);
        assert.deepEqual(byPolicy(results[2] ?? []).sort(), expected);
    });
});
