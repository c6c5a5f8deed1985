/**
 * Placeholders for values that exist only once created: their shapes, their consistency with the stack's region,
 * partition and account, their distinctness, and finding them again in text.
 */
import assert from "node:assert/strict";
import {
    childUrn,
    partitionOfRegion,
    PlaceholderFactory,
    PlaceholderIndex,
    providerContext,
    type PlaceholderContext,
} from "../../engine/placeholders";
import { EXIT, placeholderEntries, placeholderWarnings, type PreviewReport } from "../../engine/previewReport";
import { formatReport } from "../../engine/textReport";
import type { RecordedResource } from "../../engine/previewTypes";
import { UNKNOWN } from "../../engine/properties";

const HERE: PlaceholderContext = { region: "eu-west-1", account: "444455556666" };
const urn = (type: string, name: string, parent = ""): string => childUrn("proj", "dev", parent, type, name);

function create(
    f: PlaceholderFactory,
    type: string,
    name: string,
    inputs: Record<string, unknown> = {},
    ctx: PlaceholderContext = HERE,
    parent = "",
) {
    return f.forCreate({ urn: urn(type, name, parent), type, name, inputs }, ctx);
}

describe("placeholders: shapes", () => {
    it("a KMS key: a UUID key id (also its id) and the key ARN in the stack's region and account", () => {
        const p = create(new PlaceholderFactory(), "aws:kms/key:Key", "k");
        assert.match(p.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(p.outputs["keyId"], p.id);
        assert.equal(p.outputs["arn"], `arn:aws:kms:eu-west-1:444455556666:key/${p.id}`);
        assert.deepEqual(Object.keys(p.placeholders).sort(), ["arn", "id", "keyId"]);
    });

    it("a multi-Region key: an mrk- key id", () => {
        const p = create(new PlaceholderFactory(), "aws:kms/key:Key", "k", { multiRegion: true });
        assert.match(p.id, /^mrk-[0-9a-f]{32}$/);
    });

    it("an EMR Serverless application: 00 + 14 lower-case alphanumerics, in its ARN", () => {
        const p = create(new PlaceholderFactory(), "aws:emrserverless/application:Application", "app");
        assert.match(p.id, /^00[0-9a-z]{14}$/);
        assert.equal(p.outputs["arn"], `arn:aws:emr-serverless:eu-west-1:444455556666:/applications/${p.id}`);
    });

    it("an IAM role: autonamed like Pulumi (name-7 hex), its ARN, an AROA unique id; the id is the name", () => {
        const p = create(new PlaceholderFactory(), "aws:iam/role:Role", "job-role", { path: "/emr/" });
        const name = p.outputs["name"];
        assert.match(name, /^job-role-[0-9a-f]{7}$/);
        assert.equal(p.id, name);
        assert.equal(p.outputs["arn"], `arn:aws:iam::444455556666:role/emr/${name}`);
        assert.match(p.outputs["uniqueId"], /^AROA[A-Z2-7]{17}$/);
    });

    it("an IAM policy: its id is its ARN; an ANPA policy id", () => {
        const p = create(new PlaceholderFactory(), "aws:iam/policy:Policy", "submitters", { name: "submit" });
        assert.equal(p.id, "arn:aws:iam::444455556666:policy/submit");
        assert.equal(p.outputs["arn"], p.id);
        assert.equal("name" in p.outputs, false, "a given name is kept, not replaced");
        assert.match(p.outputs["policyId"], /^ANPA[A-Z2-7]{17}$/);
    });

    it("an alias: its ARN from its name, and the target key's ARN from the key's placeholder id", () => {
        const f = new PlaceholderFactory();
        const key = create(f, "aws:kms/key:Key", "k");
        const alias = create(f, "aws:kms/alias:Alias", "a", { name: "alias/disks", targetKeyId: key.id });
        assert.equal(alias.id, "alias/disks");
        assert.equal(alias.outputs["arn"], "arn:aws:kms:eu-west-1:444455556666:alias/disks");
        assert.equal(alias.outputs["targetKeyArn"], key.outputs["arn"]);
    });

    it("a replica key: the primary's key id, its ARN in the replica's own region", () => {
        const f = new PlaceholderFactory();
        const primary = create(f, "aws:kms/key:Key", "k", { multiRegion: true });
        const replica = create(f, "aws:kms/replicaKey:ReplicaKey", "r", {
            primaryKeyArn: primary.outputs["arn"],
            region: "us-west-2",
        });
        assert.equal(replica.outputs["keyId"], primary.id);
        assert.equal(replica.outputs["arn"], `arn:aws:kms:us-west-2:444455556666:key/${primary.id}`);
    });

    it("aws-native keys and applications: keyId / applicationId and ARNs", () => {
        const f = new PlaceholderFactory();
        const key = create(f, "aws-native:kms:Key", "k");
        assert.equal(key.outputs["arn"], `arn:aws:kms:eu-west-1:444455556666:key/${key.outputs["keyId"]}`);
        const app = create(f, "aws-native:emrserverless:Application", "a");
        assert.match(app.outputs["applicationId"], /^00[0-9a-z]{14}$/);
        assert.equal(app.outputs["arn"].endsWith(`/applications/${app.outputs["applicationId"]}`), true);
    });

    for (const type of [
        "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption",
        "emr-serverless-disk-encryption:index:ApplicationDiskEncryption",
    ]) {
        it(`the disk-encryption setting (${type}): its id is the application id, its outputs its inputs`, () => {
            const p = create(new PlaceholderFactory(), type, "s", {
                applicationId: "00abcdefghijklmn",
                encryptionKeyArn: "arn:aws:kms:eu-west-1:444455556666:key/x",
            });
            assert.equal(p.id, "00abcdefghijklmn");
            assert.deepEqual(p.outputs, {});
            assert.deepEqual(p.placeholders, {}, "nothing made up");
        });
    }

    it("a KeyPolicy's id is its key's id", () => {
        assert.equal(create(new PlaceholderFactory(), "aws:kms/keyPolicy:KeyPolicy", "p", { keyId: "kid" }).id, "kid");
    });

    it("another aws type: a generic id, and a generic ARN only when the type has an arn", () => {
        const f = new PlaceholderFactory();
        const bucket = f.forCreate(
            { urn: urn("aws:s3/bucket:Bucket", "b"), type: "aws:s3/bucket:Bucket", name: "b", inputs: {} },
            HERE,
        );
        assert.match(bucket.id, /^b-[0-9a-f]{12}$/);
        assert.equal(bucket.outputs["arn"], `arn:aws:s3:eu-west-1:444455556666:bucket/${bucket.id}`);
        const grant = f.forCreate(
            {
                urn: urn("aws:iam/rolePolicy:RolePolicy", "g"),
                type: "aws:iam/rolePolicy:RolePolicy",
                name: "g",
                inputs: {},
                properties: new Set(["name", "policy", "role"]),
            },
            HERE,
        );
        assert.equal("arn" in grant.outputs, false, "a type without an arn output gets none");
        assert.match(grant.id, /^g-[0-9a-f]{12}$/);
    });

    it("a new AWS account: twelve digits, never the stack's account", () => {
        const f = new PlaceholderFactory(["444455556666"]);
        const p = create(f, "aws:organizations/account:Account", "acct");
        assert.match(p.id, /^\d{12}$/);
        assert.notEqual(p.id, "444455556666");
    });
});

describe("placeholders: consistent with where the resource lives", () => {
    it("the partition follows the region (aws-cn, aws-us-gov)", () => {
        assert.equal(partitionOfRegion("cn-north-1"), "aws-cn");
        assert.equal(partitionOfRegion("us-gov-west-1"), "aws-us-gov");
        assert.equal(partitionOfRegion("eu-west-1"), "aws");
        const cn = create(new PlaceholderFactory(), "aws:kms/key:Key", "k", {}, { region: "cn-north-1", account: "1" });
        assert.match(cn.outputs["arn"], /^arn:aws-cn:kms:cn-north-1:1:key\//);
        const role = create(
            new PlaceholderFactory(),
            "aws:iam/role:Role",
            "r",
            {},
            {
                region: "us-gov-west-1",
                account: "2",
            },
        );
        assert.match(role.outputs["arn"], /^arn:aws-us-gov:iam::2:role\//);
    });

    it("a resource's own region input wins over its provider's", () => {
        const p = create(new PlaceholderFactory(), "aws:emrserverless/application:Application", "a", {
            region: "ap-south-1",
        });
        assert.match(p.outputs["arn"], /^arn:aws:emr-serverless:ap-south-1:444455556666:/);
    });

    it("without a region or an account the ARN stays unknown, with the reason; the id is still made", () => {
        const noRegion = create(new PlaceholderFactory(), "aws:kms/key:Key", "k", {}, { account: "1" });
        assert.equal(noRegion.outputs["arn"], UNKNOWN.string);
        assert.match(noRegion.unknown["arn"], /region is not known .*aws:region/);
        assert.match(noRegion.id, /^[0-9a-f-]{36}$/);
        const noAccount = create(new PlaceholderFactory(), "aws:iam/role:Role", "r", {}, { region: "eu-west-1" });
        assert.equal(noAccount.outputs["arn"], UNKNOWN.string);
        assert.match(noAccount.unknown["arn"], /--account-id/);
    });

    it("an explicit provider's region and single allowed account (sent as JSON text)", () => {
        assert.deepEqual(providerContext({ region: "us-west-2", allowedAccountIds: '["777788889999"]' }), {
            region: "us-west-2",
            account: "777788889999",
        });
        assert.deepEqual(providerContext({ allowedAccountIds: ["1", "2"] }), {}, "two accounts name none");
        assert.deepEqual(providerContext({ allowedAccountIds: "not json" }), {});
    });

    it("URNs as the engine makes them (a child's type is prefixed with its parent's)", () => {
        const parent = childUrn("p", "s", "", "my:index:Component", "c");
        assert.equal(parent, "urn:pulumi:s::p::my:index:Component::c");
        assert.equal(
            childUrn("p", "s", parent, "aws:kms/key:Key", "k"),
            "urn:pulumi:s::p::my:index:Component$aws:kms/key:Key::k",
        );
    });
});

describe("placeholders: the same value wherever it flows, never two resources alike", () => {
    it("a value already issued is drawn again: a second registration of one URN gets other values", () => {
        const f = new PlaceholderFactory();
        const a = create(f, "aws:emrserverless/application:Application", "app");
        const b = create(f, "aws:emrserverless/application:Application", "app");
        assert.notEqual(a.id, b.id);
        assert.notEqual(a.outputs["arn"], b.outputs["arn"]);
    });

    it("derive from the URN: the same resource gets the same values in another run", () => {
        const a = create(new PlaceholderFactory(), "aws:emrserverless/application:Application", "app");
        const b = create(new PlaceholderFactory(), "aws:emrserverless/application:Application", "app");
        assert.deepEqual(a, b);
        const other = create(new PlaceholderFactory(), "aws:emrserverless/application:Application", "app2");
        assert.notEqual(other.id, a.id);
    });

    it("20,000 same-named roles under parents of different types get 20,000 names, ARNs and unique ids", () => {
        // Their autonamed names differ only by 7 hex characters.
        const f = new PlaceholderFactory();
        const names = new Set<string>();
        const arns = new Set<string>();
        const ids = new Set<string>();
        const n = 20_000;
        for (let i = 0; i < n; i++) {
            const p = create(f, "aws:iam/role:Role", "job-role", {}, HERE, urn(`my:index:C${i}`, "c"));
            names.add(p.outputs["name"]);
            arns.add(p.outputs["arn"]);
            ids.add(p.outputs["uniqueId"]);
        }
        assert.equal(names.size, n);
        assert.equal(arns.size, n);
        assert.equal(ids.size, n);
    });

    it("no placeholder equals a reserved real value or another type's placeholder", () => {
        const f = new PlaceholderFactory(["444455556666"]);
        const seen = new Set<string>();
        for (let i = 0; i < 2_000; i++) {
            for (const type of [
                "aws:kms/key:Key",
                "aws:emrserverless/application:Application",
                "aws:s3/bucket:Bucket",
            ]) {
                const p = create(f, type, `r${i}`);
                assert.equal(seen.has(p.id), false, `${type} r${i} reuses ${p.id}`);
                seen.add(p.id);
            }
        }
    });
});

describe("placeholders: found again in text", () => {
    const f = new PlaceholderFactory();
    const app = create(f, "aws:emrserverless/application:Application", "app");
    const key = create(f, "aws:kms/key:Key", "key");

    it("finds a placeholder alone, inside a document, and upper-cased; the ARN rather than the id inside it", () => {
        assert.deepEqual(f.index.find(app.id), [app.id]);
        assert.deepEqual(f.index.find(app.id.toUpperCase()), [app.id]);
        const doc = JSON.stringify({ arn: app.outputs["arn"] });
        assert.deepEqual(f.index.find(doc), [app.outputs["arn"]]);
        assert.deepEqual(
            f.index.find(`${app.outputs["arn"]} and ${app.id}`).sort(),
            [app.outputs["arn"], app.id].sort(),
            "an id that also stands alone is found too",
        );
    });

    it("finds nothing in text that only looks alike (a slice, another id of the same shape)", () => {
        assert.deepEqual(f.index.find(app.id.slice(0, 10)), []);
        assert.deepEqual(f.index.find("00abcdefghijklmn"), []);
        assert.deepEqual(f.index.find(""), []);
    });

    it("finds placeholders at any depth of a value, in keys too", () => {
        assert.deepEqual(f.findIn({ a: [{ b: `x/${key.id}/y` }] }), [key.id]);
        assert.deepEqual(f.findIn({ [app.id]: 1 }), [app.id]);
        assert.deepEqual(new PlaceholderIndex().findIn({ a: app.id }), [], "an empty index finds nothing");
    });
});

describe("placeholders: what the report says about them", () => {
    const rec = (name: string, extra: Partial<RecordedResource>): RecordedResource => ({
        urn: `urn:pulumi:dev::proj::aws:kms/key:Key::${name}`,
        type: "aws:kms/key:Key",
        name,
        custom: true,
        parent: "",
        inputs: {},
        dependencies: [],
        propertyDependencies: {},
        provider: "",
        version: "",
        protect: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        ...extra,
    });

    it("lists each placeholder with the output it stands for (<urn>#<property>)", () => {
        assert.deepEqual(placeholderEntries([rec("k", { placeholders: { id: "i", arn: "a" } }), rec("j", {})]), [
            { value: "i", of: "urn:pulumi:dev::proj::aws:kms/key:Key::k#id" },
            { value: "a", of: "urn:pulumi:dev::proj::aws:kms/key:Key::k#arn" },
        ]);
    });

    it("groups outputs left unknown by reason, and names the placeholders an invoke received", () => {
        const resources = ["a", "b", "c", "d"].map((n) => rec(n, { unknownOutputs: { arn: "no region" } }));
        const warnings = placeholderWarnings(
            resources,
            [["v1"], ["v1", "v2"]],
            [
                { value: "v1", of: "urn#id" },
                { value: "v1", of: "urn#keyId" },
            ],
        );
        assert.equal(warnings.length, 2);
        assert.match(
            warnings[0],
            /^no placeholder for aws:kms\/key:Key 'a' arn, .* and 1 more: no region; they stay unknown/,
        );
        assert.match(warnings[1], /^2 invoke\(s\) received placeholders \(urn#id, v2\): .* results are unknown/);
        assert.deepEqual(placeholderWarnings([rec("k", {})], [], []), []);
    });

    const report = (mode: PreviewReport["mode"], count: number): PreviewReport => ({
        project: "proj",
        stack: "dev",
        mode,
        placeholders: Array.from({ length: count }, (_, i) => ({
            value: `00placeholder${String(i).padStart(3, "0")}`,
            of: `urn:pulumi:dev::proj::aws:emrserverless/application:Application::a${i}#id`,
        })),
        steps: Array.from({ length: count }, (_, i) => ({
            op: "create" as const,
            urn: `urn:pulumi:dev::proj::aws:emrserverless/application:Application::a${i}`,
            type: "aws:emrserverless/application:Application",
            name: `a${i}`,
            parent: "",
            custom: true,
            inputs: {},
        })),
        diagnostics: [],
        remediations: [],
        checkFailures: [],
        unanswered: [],
        invokes: [],
        exitCode: EXIT.ok,
        timings: { programMs: 0 },
        warnings: [],
    });

    it("the text report names each placeholder's resource and output, at most 20, and the verdict as if created", () => {
        const text = formatReport(report("placeholders", 25));
        assert.match(text, /^ {4}aws:emrserverless\/application:Application 'a0' id = 00placeholder000$/m);
        assert.match(text, /^ {4}aws:emrserverless\/application:Application 'a19' id = 00placeholder019$/m);
        assert.doesNotMatch(text, /00placeholder020/);
        assert.match(text, /^ {4}\.\.\. and 5 more \(--json lists them all\)$/m);
        assert.match(
            text,
            /Preview passed: no mandatory policy violation, 0 advisory, judged as if created \(exit code 0\)/,
        );
    });

    it("with --unknowns the text report says outputs are unknown, and does not claim a verdict as if created", () => {
        const text = formatReport(report("unknowns", 0));
        assert.match(text, /Computed outputs are unknown, as in pulumi preview/);
        assert.doesNotMatch(text, /as if created \(exit code/);
        assert.doesNotMatch(text, /Placeholders:/);
    });
});
