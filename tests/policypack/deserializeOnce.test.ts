import assert from "node:assert/strict";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import { policies } from "../../policypack/policies";
import {
    deserializeOnce,
    type DeserializeModule,
    installDeserializeOnce,
    isSharedProperties,
} from "../../policypack/policies/support/deserializeOnce";
import type { CorpusResource } from "../../harness/corpus";
import { ACCOUNT, encryptedApplicationGroup } from "../../harness/corpus/build";
import { stackIndexFor } from "../../policypack/policies/support/stack";
import type { StackIndex } from "../../policypack/policies/support/stack";

const deserializeModule = require("@pulumi/policy/deserialize") as {
    deserializeProperties: (s: unknown, proxySecrets?: boolean) => Record<string, unknown>;
};
const server = require("@pulumi/policy/server") as {
    makeAnalyzeStackRpcFun: (
        name: string,
        version: string,
        level: string,
        ps: unknown,
    ) => (
        call: { request: analyzerPb.AnalyzeStackRequest },
        cb: (err: unknown, resp?: analyzerPb.AnalyzeResponse) => void,
    ) => void;
};

/** The request as the engine sends it, decoded from its bytes as the pack's gRPC server decodes it. */
function request(resources: readonly CorpusResource[]): analyzerPb.AnalyzeStackRequest {
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const ar = new analyzerPb.AnalyzerResource();
            ar.setType(r.type);
            ar.setName(r.name);
            ar.setUrn(r.urn ?? "");
            ar.setProperties(Struct.fromJavaScript(r.props as Record<string, JavaScriptValue>));
            const opts = new analyzerPb.AnalyzerResourceOptions();
            opts.setCustomtimeouts(new analyzerPb.AnalyzerResourceOptions.CustomTimeouts());
            ar.setOptions(opts);
            for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                const pd = new analyzerPb.AnalyzerPropertyDependencies();
                pd.setUrnsList(urns);
                ar.getPropertydependenciesMap().set(k, pd);
            }
            return ar;
        }),
    );
    return analyzerPb.AnalyzeStackRequest.deserializeBinary(req.serializeBinary());
}

const analyzeStack = server.makeAnalyzeStackRpcFun("emr-serverless-disk-encryption", "0.2.0", "advisory", policies);

function respond(req: analyzerPb.AnalyzeStackRequest): Promise<analyzerPb.AnalyzeResponse> {
    return new Promise((resolve, reject) => {
        analyzeStack({ request: req }, (err, resp) => {
            if (err || !resp) {
                reject(err instanceof Error ? err : new Error(String(err)));
                return;
            }
            resolve(resp);
        });
    });
}

async function call(req: analyzerPb.AnalyzeStackRequest): Promise<{ policy: string; urn: string }[]> {
    const resp = await respond(req);
    return resp.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), urn: d.getUrn() }));
}

describe("policy pack: one deserialization of a request's properties per call", () => {
    it("answers the same object for the same Struct, a new one for another Struct of equal content", () => {
        let calls = 0;
        const shared = deserializeOnce((s) => {
            calls++;
            return (s as Struct).toJavaScript() as Record<string, unknown>;
        });
        const a = Struct.fromJavaScript({ x: "1" });
        const b = Struct.fromJavaScript({ x: "1" });
        const first = shared(a, false);
        assert.equal(shared(a, false), first);
        assert.equal(calls, 1);
        const other = shared(b, false);
        assert.notEqual(other, first);
        assert.deepEqual(other, first);
        assert.equal(calls, 2);
    });

    it("passes Remediate's deserialization (proxySecrets) through, never shared", () => {
        let calls = 0;
        const shared = deserializeOnce(() => {
            calls++;
            return {};
        });
        const s = Struct.fromJavaScript({});
        assert.notEqual(shared(s, true), shared(s, true));
        assert.equal(calls, 2);
    });

    it("marks what it served for a request as shared, and nothing else", () => {
        const shared = deserializeOnce((s) => (s as Struct).toJavaScript() as Record<string, unknown>);
        const s = Struct.fromJavaScript({ x: "1" });
        assert.equal(isSharedProperties(shared(s, false)), true);
        assert.equal(isSharedProperties(shared(s, true)), false, "Remediate's copy is its own");
        assert.equal(isSharedProperties(s.toJavaScript()), false);
        assert.equal(isSharedProperties(null), false);
        assert.equal(isSharedProperties("x"), false);
    });

    it("installs once, and not at all on a module without the function", () => {
        const plain = (): Record<string, unknown> => ({});
        const mod: DeserializeModule = { deserializeProperties: plain };
        assert.equal(installDeserializeOnce(mod), true);
        assert.notEqual(mod.deserializeProperties, plain);
        const installed = mod.deserializeProperties;
        assert.equal(installDeserializeOnce(mod), false);
        assert.equal(mod.deserializeProperties, installed);
        const empty: DeserializeModule = { deserializeProperties: undefined };
        assert.equal(installDeserializeOnce(empty), false);
        assert.equal(empty.deserializeProperties, undefined);
    });

    it("through @pulumi/policy's own AnalyzeStack: each resource deserialized once per call, each call its own", async () => {
        const original = deserializeModule.deserializeProperties;
        let deserialized = 0;
        deserializeModule.deserializeProperties = (s: unknown, proxySecrets?: boolean) => {
            deserialized++;
            return original(s, proxySecrets);
        };
        try {
            const counting = deserializeModule.deserializeProperties;
            const before = await call(request(encryptedApplicationGroup(1, false)));
            const perPolicyPasses = deserialized;
            assert.ok(perPolicyPasses > 4, `without the memo the server deserializes per policy (${perPolicyPasses})`);
            installDeserializeOnce(deserializeModule as DeserializeModule);
            deserialized = 0;
            const off = await call(request(encryptedApplicationGroup(1, false)));
            assert.equal(deserialized, 4, "one deserialization per resource of the request");
            assert.deepEqual(off, before);
            assert.ok(off.some((d) => d.policy === "missing-key-rotation" && d.urn.endsWith("::key1")));
            // The next request, with the same URNs and other values, is judged on its own values.
            deserialized = 0;
            const on = await call(request(encryptedApplicationGroup(1, true)));
            assert.equal(deserialized, 4);
            assert.ok(!on.some((d) => d.policy === "missing-key-rotation"), JSON.stringify(on));
            const offAgain = await call(request(encryptedApplicationGroup(1, false)));
            assert.deepEqual(offAgain, off);
            deserializeModule.deserializeProperties = counting;
        } finally {
            deserializeModule.deserializeProperties = original;
        }
    });
});

describe("policy pack: one stack index per AnalyzeStack call, through @pulumi/policy's own server", () => {
    /** Two stack policies that each ask for the index, as the pack's do; the indexes they got, per call. */
    function recordingServer(): { seen: StackIndex[][]; run: (req: analyzerPb.AnalyzeStackRequest) => Promise<void> } {
        const seen: StackIndex[][] = [];
        let current: StackIndex[] = [];
        const recorder = (name: string): unknown => ({
            name,
            description: name,
            enforcementLevel: "advisory",
            validateStack: (args: { resources: Parameters<typeof stackIndexFor>[0] }) => {
                current.push(stackIndexFor(args.resources));
            },
        });
        const handler = server.makeAnalyzeStackRpcFun("recorder", "0.0.1", "advisory", [
            recorder("first"),
            recorder("second"),
            recorder("third"),
        ]);
        const run = (req: analyzerPb.AnalyzeStackRequest): Promise<void> =>
            new Promise((resolve, reject) => {
                current = [];
                handler({ request: req }, (err) => {
                    seen.push(current);
                    if (err) {
                        reject(err instanceof Error ? err : new Error(String(err)));
                    } else {
                        resolve();
                    }
                });
            });
        return { seen, run };
    }

    for (const memo of [true, false]) {
        it(`serves every stack policy of a call one index, and the next call its own (${memo ? "with" : "without"} the per-request memo)`, async () => {
            const original = deserializeModule.deserializeProperties;
            try {
                if (memo) {
                    assert.equal(installDeserializeOnce(deserializeModule as DeserializeModule), true);
                }
                const { seen, run } = recordingServer();
                await run(request([...encryptedApplicationGroup(0, false), ...encryptedApplicationGroup(1, true)]));
                await run(request([...encryptedApplicationGroup(0, true), ...encryptedApplicationGroup(1, true)]));
                const [first, second] = seen;
                assert.equal(first?.length, 3);
                assert.ok(
                    first.every((i) => i === first[0]),
                    "one index for the call's three stack policies",
                );
                assert.equal(second?.length, 3);
                assert.ok(second.every((i) => i === second[0]));
                assert.notEqual(second[0], first[0], "the next call's stack got its own index");
                assert.deepEqual(
                    first[0]?.keys.map((k) => k.rotation),
                    [false, true],
                );
                assert.deepEqual(
                    second[0]?.keys.map((k) => k.rotation),
                    [true, true],
                );
            } finally {
                deserializeModule.deserializeProperties = original;
            }
        });
    }
});

describe("policy pack: the grant policy's stack pass", () => {
    const grant: CorpusResource = {
        type: "aws:kms/grant:Grant",
        name: "grant",
        urn: "urn:pulumi:t::p::aws:kms/grant:Grant::grant",
        props: {
            keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-000000000001`,
            granteePrincipal: `arn:aws:iam::${ACCOUNT}:role/reader`,
            operations: ["Decrypt"],
        },
        propertyDependencies: { keyId: ["urn:pulumi:t::p::aws:kms/key:Key::key1"] },
    };
    const notApplicable = (resp: analyzerPb.AnalyzeResponse): string[] =>
        resp.getNotApplicableList().map((n) => n.getPolicyName());

    it("is skipped by @pulumi/policy's server when the stack holds no grant (reported not applicable)", async () => {
        const resp = await respond(request(encryptedApplicationGroup(1, true)));
        assert.deepEqual(notApplicable(resp), ["disallow-unconstrained-kms-grants"]);
    });

    it("runs when the stack holds a grant, and reports an unconstrained one on a key the service uses", async () => {
        const resp = await respond(request([...encryptedApplicationGroup(1, true), grant]));
        assert.deepEqual(notApplicable(resp), []);
        const found = resp
            .getDiagnosticsList()
            .filter((d) => d.getPolicyname() === "disallow-unconstrained-kms-grants")
            .map((d) => d.getUrn());
        assert.deepEqual(found, [grant.urn]);
    });
});
