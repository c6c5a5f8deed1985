import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Policy } from "@pulumi/policy";
import { policies } from "../../policypack/policies";
import { analyzeOptions, schemaDefaults, secretPatterns } from "../../policypack/policies/support/config";
import {
    ASYM,
    COND,
    CorpusCase,
    GRANTS,
    LIMS,
    loadCorpus,
    LOOK,
    MALF,
    MISS,
    OPEN,
    OVER,
    ROT,
    SUBM,
    UNKNOWN,
} from "../../harness/corpus";
import { analyzeResource, analyzeStack, runCase, verdict } from "../../harness/policyPack";

const list = policies as Policy[];
const byName = new Map(list.map((p) => [p.name, p]));

describe("policy pack: policies and their metadata", () => {
    it("has the ten policies with their default enforcement levels", () => {
        assert.deepEqual(Object.fromEntries(list.map((p) => [p.name, p.enforcementLevel])), {
            [ASYM]: "mandatory",
            [COND]: "mandatory",
            [OPEN]: "mandatory",
            [GRANTS]: "mandatory",
            [MALF]: "mandatory",
            [LIMS]: "mandatory",
            [SUBM]: "advisory",
            [MISS]: "advisory",
            [ROT]: "advisory",
            [OVER]: "advisory",
            [LOOK]: "advisory",
        });
    });

    it("names start with a verb-like prefix, are kebab-case and unique", () => {
        for (const p of list) {
            assert.match(p.name, /^(disallow|enforce|missing)-[a-z0-9-]+$/, p.name);
        }
        assert.equal(new Set(list.map((p) => p.name)).size, list.length);
    });

    it("every policy has a description and remediation steps a user can act on", () => {
        for (const p of list) {
            assert.ok(p.description.length > 60, `${p.name}: description too short`);
            assert.ok((p.remediationSteps ?? "").length > 40, `${p.name}: remediationSteps missing`);
        }
    });

    it("config schemas have the documented defaults", () => {
        assert.deepEqual(schemaDefaults(byName.get(COND)?.configSchema), {
            sourceAccountKeys: ["aws:SourceAccount"],
            requireEncryptionContextBinding: true,
            allowedSourceAccounts: [],
        });
        assert.deepEqual(schemaDefaults(byName.get(LIMS)?.configSchema), { extraSecretPatterns: [] });
        assert.ok(byName.get(SUBM)?.configSchema?.properties.region, "submitter policy takes a region");
    });

    it("splits resource and stack halves as documented", () => {
        const kinds = Object.fromEntries(
            list.map((p) => [
                p.name,
                [
                    typeof (p as { validateResource?: unknown }).validateResource === "function" ? "resource" : "",
                    typeof (p as { validateStack?: unknown }).validateStack === "function" ? "stack" : "",
                ]
                    .filter(Boolean)
                    .join("+"),
            ]),
        );
        assert.deepEqual(kinds, {
            [ASYM]: "resource+stack",
            [COND]: "resource+stack",
            [OPEN]: "resource",
            [GRANTS]: "resource+stack",
            [MALF]: "resource",
            [LIMS]: "resource",
            [SUBM]: "resource",
            [MISS]: "stack",
            [ROT]: "resource+stack",
            [OVER]: "resource",
            [LOOK]: "resource",
        });
    });

    it("no file of the pack imports @pulumi/aws (start-up cost)", () => {
        const root = path.join(__dirname, "../../policypack");
        const files: string[] = [];
        const walk = (dir: string): void => {
            for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
                if (e.name === "node_modules" || e.name === "bin") {
                    continue;
                }
                const p = path.join(dir, e.name);
                if (e.isDirectory()) {
                    walk(p);
                } else if (p.endsWith(".ts")) {
                    files.push(p);
                }
            }
        };
        walk(root);
        assert.ok(files.length > 10);
        for (const f of files) {
            assert.doesNotMatch(
                fs.readFileSync(f, "utf8"),
                /from\s+["']@pulumi\/aws(-native)?["']|require\(["']@pulumi\/aws/,
                f,
            );
        }
    });

    it("the entry file only constructs the PolicyPack from ./policies", () => {
        const text = fs.readFileSync(path.join(__dirname, "../../policypack/index.ts"), "utf8");
        assert.match(text, /new PolicyPack\(/);
        assert.match(text, /from "\.\/policies"/);
    });
});

describe("policy pack: configuration", () => {
    it("analyzeOptions falls back to the secure defaults for missing or mistyped config", () => {
        for (const bad of [
            undefined,
            {},
            { sourceAccountKeys: "aws:SourceOrgID" },
            { sourceAccountKeys: [] },
            { sourceAccountKeys: [1] },
        ]) {
            const o = analyzeOptions(bad as never);
            assert.deepEqual(o.sourceAccountKeys, ["aws:SourceAccount"], JSON.stringify(bad));
            assert.equal(o.requireEncryptionContextBinding, true);
        }
        assert.equal(
            analyzeOptions({ requireEncryptionContextBinding: "false" }).requireEncryptionContextBinding,
            true,
        );
        assert.equal(analyzeOptions({ requireEncryptionContextBinding: false }).requireEncryptionContextBinding, false);
        assert.deepEqual(analyzeOptions({ sourceAccountKeys: ["aws:SourceOrgID"] }).sourceAccountKeys, [
            "aws:SourceOrgID",
        ]);
        assert.equal(analyzeOptions({ region: "eu-west-1" }).region, "eu-west-1");
    });

    it("secretPatterns separates invalid regular expressions", () => {
        assert.deepEqual(secretPatterns({ extraSecretPatterns: ["^cc-", "(["] }), {
            patterns: ["^cc-"],
            invalid: ["(["],
        });
        assert.deepEqual(secretPatterns({}), { patterns: [], invalid: [] });
    });

    it("an invalid extraSecretPatterns entry is reported, not silently skipped", async () => {
        const ds = await analyzeResource(
            policies,
            {
                type: "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption",
                name: "disk-encryption",
                props: {
                    applicationId: "00fabcdexample09",
                    encryptionKeyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                },
            },
            { [LIMS]: { extraSecretPatterns: ["(["] } },
        );
        assert.equal(ds.length, 1);
        assert.match(ds[0].message, /extraSecretPatterns entry \/\(\[\/ is not a valid regular expression/);
    });

    it("a mandatory policy can be downgraded and an advisory one upgraded", async () => {
        const c = loadCorpus().find((x) => x.name === "kms:* to the service") as CorpusCase;
        const up = verdict(await runCase(policies, { ...c, config: { [OVER]: { enforcementLevel: "mandatory" } } }));
        assert.deepEqual(up.mandatory, [OVER]);
        const d = loadCorpus().find((x) => x.name === "aws:SourceArn removed") as CorpusCase;
        const down = verdict(await runCase(policies, { ...d, config: { [COND]: { enforcementLevel: "advisory" } } }));
        assert.deepEqual(down, { mandatory: [], advisory: [COND], notes: [] });
    });

    it("requireEncryptionContextBinding false still requires aws:SourceArn and aws:SourceAccount", async () => {
        const c = loadCorpus().find((x) => x.name === "aws:SourceArn removed") as CorpusCase;
        const v = verdict(
            await runCase(policies, { ...c, config: { [COND]: { requireEncryptionContextBinding: false } } }),
        );
        assert.deepEqual(v.mandatory, [COND]);
    });

    it("sourceAccountKeys with only aws:SourceOrgID refuses a policy bound by aws:SourceAccount alone", async () => {
        const c = loadCorpus().find((x) => x.name === "guide policy") as CorpusCase;
        const v = verdict(
            await runCase(policies, { ...c, config: { [COND]: { sourceAccountKeys: ["aws:SourceOrgID"] } } }),
        );
        assert.deepEqual(v.mandatory, [COND]);
    });
});

describe("policy pack: messages", () => {
    const WHERE_POLICIES = new Set([OPEN, OVER, SUBM]);
    it("every violation names the resource, the statement where it applies, and the fix", async () => {
        let checked = 0;
        for (const c of loadCorpus()) {
            const names = c.resources.map((r) => `${r.type} "${r.name}"`);
            for (const d of await runCase(policies, c)) {
                if (d.note) {
                    assert.match(d.message, /^can't run policy '.+' .* during preview: /);
                    continue;
                }
                const [description, body] = d.message.split("\n");
                assert.equal(description, byName.get(d.policyName)?.description);
                assert.ok(body, `${c.name}: ${d.policyName} gave no specific message`);
                assert.ok(
                    names.some((n) => body.startsWith(n)),
                    `${c.name}: message does not start with the resource: ${body}`,
                );
                assert.match(body, / Fix: \S/, `${c.name}: no fix in ${body}`);
                if (WHERE_POLICIES.has(d.policyName)) {
                    assert.match(body, /Sid "[^"]+"|statement #\d+/, `${c.name}: no statement in ${body}`);
                }
                checked++;
            }
        }
        assert.ok(checked > 40, `only ${checked} messages checked`);
    });

    it("stack violations carry the URN of the resource they are about", async () => {
        const c = loadCorpus().find((x) => x.name === "two applications, one covered") as CorpusCase;
        const ds = await analyzeStack(policies, c.resources, c.config);
        assert.equal(ds.length, 1);
        assert.equal(ds[0].urn, c.resources.find((r) => r.name === "other-app")?.urn);
        assert.match(ds[0].message, /aws:emrserverless\/application:Application "other-app"/);
    });

    it("a mismatched application binding names the expected application and the statement", async () => {
        const c = loadCorpus().find((x) => x.name === "key policy bound to another application") as CorpusCase;
        const ds = (await analyzeStack(policies, c.resources, c.config)).filter((d) => d.policyName === COND);
        assert.equal(ds.length, 1);
        assert.match(ds[0].message, /00fabcdexample09/);
        assert.match(ds[0].message, /Sid "AllowEmrServerlessDiskEncryption"/);
        assert.match(ds[0].message, /keyPolicy:KeyPolicy "disk-key-policy"/);
    });

    it("the setting-without-grant violation names the key and the setting", async () => {
        const c = loadCorpus().find((x) => x.name === "setting whose key policy lacks the service") as CorpusCase;
        const ds = (await analyzeStack(policies, c.resources, c.config)).filter((d) => d.policyName === COND);
        assert.equal(ds.length, 1);
        assert.match(
            ds[0].message,
            /ApplicationDiskEncryption "disk-encryption": it encrypts disks with aws:kms\/key:Key "disk-key"/,
        );
        assert.match(ds[0].message, /jobs would fail/);
    });
});

describe("policy pack: preview and unknowns", () => {
    it("a stack policy judges the other resources when one resource's props are unknown", async () => {
        const ds = await analyzeStack(policies, [
            {
                type: "aws:kms/key:Key",
                name: "k",
                urn: "urn:k",
                props: { customerMasterKeySpec: UNKNOWN, policy: UNKNOWN, enableKeyRotation: UNKNOWN },
            },
            {
                type: "aws:emrserverless/application:Application",
                name: "a",
                urn: "urn:a",
                props: { id: UNKNOWN, arn: UNKNOWN },
            },
        ]);
        assert.deepEqual(
            ds.map((d) => [d.policyName, d.note, d.urn]),
            [[MISS, false, "urn:a"]],
        );
    });

    it("an unknown key policy in a resource policy is a note, never a violation", async () => {
        const ds = await analyzeResource(policies, {
            type: "aws:kms/keyPolicy:KeyPolicy",
            name: "kp",
            props: { keyId: UNKNOWN, policy: UNKNOWN },
        });
        assert.ok(ds.length > 0);
        assert.ok(ds.every((d) => d.note && d.enforcementLevel === "advisory"));
    });

    it("a setting whose whole encryptionContext is unknown still has its key ARN judged", async () => {
        const ds = await analyzeResource(policies, {
            type: "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption",
            name: "s",
            props: { applicationId: "x", encryptionKeyArn: "alias/disks", encryptionContext: UNKNOWN },
        });
        assert.deepEqual(
            ds.map((d) => [d.policyName, d.note]),
            [
                [LIMS, false],
                [LIMS, true],
            ],
        );
        assert.match(ds[0].message, /alias/);
    });
});

describe("policy pack: one report per problem", () => {
    it("no case reports the same message twice", async () => {
        for (const c of loadCorpus()) {
            const bodies = (await runCase(policies, c))
                .filter((d) => !d.note)
                .map((d) => `${d.policyName}|${d.message}`);
            assert.equal(new Set(bodies).size, bodies.length, `${c.name}: duplicate reports\n${bodies.join("\n")}`);
        }
    });

    for (const [name, policy] of [
        ["setting -> HMAC key by literal ARN whose own policy grants the service", ASYM],
        ["RSA_2048 key whose policy grants the service", ASYM],
        ["rotation off on a key used only through the stack", ROT],
        ["key policy bound to another application", COND],
        ["submitter without kms:ViaService", SUBM],
    ] as const) {
        it(`${policy} reports "${name}" once, by one half`, async () => {
            const c = loadCorpus().find((x) => x.name === name) as CorpusCase;
            const ds = (await runCase(policies, c)).filter((d) => d.policyName === policy && !d.note);
            assert.equal(ds.length, 1, ds.map((d) => d.message).join("\n"));
        });
    }
});
