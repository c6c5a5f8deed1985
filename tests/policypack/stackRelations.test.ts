import assert from "node:assert/strict";
import { buildStackIndex, multiRegionRelatives } from "../../policypack/policies/support/stack";
import type { KeyEntry, StackIndex } from "../../policypack/policies/support/stack";
import type { CorpusResource } from "../../harness/corpus";
import { ACCOUNT, APPLICATION, KEY, OTHER_ACCOUNT, SETTING, UNKNOWN } from "../../harness/corpus/build";
import { policyResources } from "../../harness/policyPack";

const REPLICA = "aws:kms/replicaKey:ReplicaKey";
const MRK = "mrk-1234abcd12ab34cd56ef1234567890ab";
const OTHER_MRK = "mrk-0987dcba09ab87cd65ef0987654321ba";
const urn = (type: string, name: string): string => `urn:pulumi:t::p::${type}::${name}`;

function key(name: string, arn: string, extra: Record<string, unknown> = {}): CorpusResource {
    return { type: KEY, name, urn: urn(KEY, name), props: { arn, multiRegion: true, ...extra } };
}

function replica(name: string, arn: string, primary?: { urn?: string; literal?: string }): CorpusResource {
    return {
        type: REPLICA,
        name,
        urn: urn(REPLICA, name),
        props: { arn, ...(primary?.literal ? { primaryKeyArn: primary.literal } : {}) },
        propertyDependencies: primary?.urn ? { primaryKeyArn: [primary.urn] } : {},
    };
}

const names = (keys: readonly KeyEntry[]): string[] => keys.map((k) => k.resource.name);
const entry = (index: StackIndex, name: string): KeyEntry => {
    const found = index.keys.find((k) => k.resource.name === name);
    assert.ok(found, name);
    return found;
};

describe("policy pack: multi-Region relatives in the stack index", () => {
    const primaryArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${MRK}`;
    const resources = [
        key("primary", primaryArn),
        // The same multi-Region id in another region of the same account: a replica of the set.
        replica("west", `arn:aws:kms:us-west-2:${ACCOUNT}:key/${MRK}`),
        // The same id in another account: another set, never related.
        key("foreign", `arn:aws:kms:us-east-1:${OTHER_ACCOUNT}:key/${MRK}`),
        // A replica whose ARN is unknown at preview, joined to its primary by dependency only.
        replica("pending", UNKNOWN, { urn: urn(KEY, "primary") }),
        // A replica of another set that names its primary by literal ARN.
        key("otherPrimary", `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${OTHER_MRK}`),
        replica("byLiteral", UNKNOWN, { literal: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${OTHER_MRK}` }),
        // A single-Region key: related to nothing.
        key("single", `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
    ];

    it("relates a set's keys by their shared id within one account, and a replica to its primary, in index order", () => {
        const index = buildStackIndex(policyResources(resources));
        assert.deepEqual(names(multiRegionRelatives(entry(index, "primary"), index)), ["west", "pending"]);
        assert.deepEqual(names(multiRegionRelatives(entry(index, "west"), index)), ["primary"]);
        assert.deepEqual(names(multiRegionRelatives(entry(index, "pending"), index)), ["primary"]);
        assert.deepEqual(names(multiRegionRelatives(entry(index, "foreign"), index)), []);
        assert.deepEqual(names(multiRegionRelatives(entry(index, "otherPrimary"), index)), ["byLiteral"]);
        assert.deepEqual(names(multiRegionRelatives(entry(index, "byLiteral"), index)), ["otherPrimary"]);
        assert.deepEqual(names(multiRegionRelatives(entry(index, "single"), index)), []);
    });

    it("answers each index from its own keys (relations are computed per index)", () => {
        const withoutWest = buildStackIndex(policyResources(resources.filter((r) => r.name !== "west")));
        const full = buildStackIndex(policyResources(resources));
        assert.deepEqual(names(multiRegionRelatives(entry(full, "primary"), full)), ["west", "pending"]);
        assert.deepEqual(names(multiRegionRelatives(entry(withoutWest, "primary"), withoutWest)), ["pending"]);
    });
});

describe("policy pack: applications in the stack index", () => {
    const app = (name: string, props: Record<string, unknown>): CorpusResource => ({
        type: APPLICATION,
        name,
        urn: urn(APPLICATION, name),
        props,
    });

    it("takes an application's id and account from its ARN in every partition, when its id is unknown", () => {
        const arns: [string, string][] = [
            ["aws", `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/00fkq8mtb3cm2d09`],
            ["aws-cn", `arn:aws-cn:emr-serverless:cn-north-1:${ACCOUNT}:/applications/00fkq8mtb3cm2d09`],
            ["aws-us-gov", `arn:aws-us-gov:emr-serverless:us-gov-west-1:${ACCOUNT}:/applications/00fkq8mtb3cm2d09`],
        ];
        for (const [partition, arn] of arns) {
            const index = buildStackIndex(policyResources([app("a", { id: UNKNOWN, arn })]));
            assert.deepEqual(index.apps[0]?.ids, ["00fkq8mtb3cm2d09"], partition);
            assert.equal(index.apps[0]?.account, ACCOUNT, partition);
        }
    });

    it("joins a setting to the application its ARN names, and takes nothing from a value that is not an application ARN", () => {
        const setting: CorpusResource = {
            type: SETTING,
            name: "setting",
            urn: urn(SETTING, "setting"),
            props: { applicationId: "00fkq8mtb3cm2d09", encryptionKeyArn: UNKNOWN },
        };
        const good = buildStackIndex(
            policyResources([
                app("a", { arn: `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/00fkq8mtb3cm2d09` }),
                setting,
            ]),
        );
        assert.equal(good.settings[0]?.app?.resource.name, "a");
        assert.equal(good.apps[0]?.covered, true);
        for (const arn of [
            `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/00fkq8mtb3cm2d09/jobruns/00f1`,
            `arn:aws:kms:us-east-1:${ACCOUNT}:key/00fkq8mtb3cm2d09`,
            "00fkq8mtb3cm2d09",
        ]) {
            const index = buildStackIndex(policyResources([app("a", { arn }), setting]));
            assert.deepEqual(index.apps[0]?.ids, [], arn);
            assert.equal(index.apps[0]?.account, undefined, arn);
            assert.equal(index.settings[0]?.app, undefined, arn);
        }
    });
});
