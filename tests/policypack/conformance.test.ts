/**
 * The pack's policies, their metadata records, the README's policy table and the example config agree: every policy
 * carries a record and serves the name, default level, severity, link and config schema the record gives; names start
 * with a house verb; every policy is one README row with its record's level and exactly its record's config keys (and
 * its guide link), and every row is a policy; config.example.json names only policies and
 * keys the pack has, each value valid for the record's schema; a resource policy reads only the properties its record
 * lists. Each check is also run on deliberately drifted copies, which it must catch.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
    unknownCheckingProxy,
    UnknownValueError,
    type Policy,
    type ResourceValidation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
} from "@pulumi/policy";
import { validateJson, type JsonSchema, type JsonValue } from "../../engine/policyConfig";
import { policies } from "../../policypack/policies";
import {
    configSchemaOf,
    definePolicy,
    type DescribedPolicy,
    type PolicyBody,
    GUIDE_URL,
    HOUSE_VERBS,
    metadataOf,
    referenceUrl,
    type PolicyMetadata,
} from "../../policypack/policies/metadata";
import { loadCorpus, type CorpusResource } from "../../harness/corpus";

const ROOT = path.resolve(__dirname, "..", "..");
const LEVELS = /^(advisory|mandatory|remediate|disabled)$/;
const NAME = new RegExp(`^(${HOUSE_VERBS.join("|")})-[a-z0-9]+(-[a-z0-9]+)*$`);

interface Row {
    name: string;
    level: string;
    configKeys: string[];
    /** The URL of the row's link cell, when the table has a `Guide` column. */
    link?: string;
}

/**
 * The rows of the README's policy table: the table whose header starts `| Policy | Default |` and has a `Config`
 * column (and, optionally, a `Guide` column of markdown links).
 */
function readmeRows(readme: string): Row[] {
    const lines = readme.split("\n");
    const header = lines.findIndex((l) => l.startsWith("| Policy | Default |") && l.includes("| Config |"));
    assert.ok(header >= 0, "README has no policy table (| Policy | Default | … | Config |)");
    const cellsOf = (line: string): string[] =>
        line
            .replace(/^\| /, "")
            .replace(/ \|$/, "")
            .split(" | ")
            .map((c) => c.trim());
    const columns = cellsOf(lines[header] as string);
    const at = (name: string): number => columns.indexOf(name);
    const rows: Row[] = [];
    for (const line of lines.slice(header + 2)) {
        if (!line.startsWith("| ")) {
            break;
        }
        const cells = cellsOf(line);
        const name = /^`([^`]+)`$/.exec(cells[at("Policy")] ?? "")?.[1];
        assert.ok(name, `a policy table row without a policy name: ${line.slice(0, 80)}`);
        // Config keys are the backquoted identifiers of the Config cell (condition keys such as aws:SourceAccount
        // have a colon and are values, not keys).
        const configKeys = [...(cells[at("Config")] ?? "").matchAll(/`([a-z][A-Za-z]*)`/g)].map((m) => m[1] as string);
        const row: Row = { name, level: cells[at("Default")] ?? "", configKeys };
        if (at("Guide") >= 0) {
            row.link = /\]\(([^)\s]+)\)/.exec(cells[at("Guide")] ?? "")?.[1] ?? "";
        }
        rows.push(row);
    }
    return rows;
}

const keysOf = (o: object | undefined): string[] => Object.keys(o ?? {}).sort();

/** What is wrong with one policy's record, and with the policy against it. */
function recordProblems(p: Policy, m: PolicyMetadata): string[] {
    const problems: string[] = [];
    const name = m.name;
    if (p.name !== name) {
        problems.push(`${name}: the policy is named ${p.name}, its record ${name}`);
    }
    if (!NAME.test(name)) {
        problems.push(`${name}: the name does not start with ${HOUSE_VERBS.join("-, ")}- and lower-case words`);
    }
    if (p.enforcementLevel !== m.enforcementLevel) {
        problems.push(`${name}: the policy's level is ${p.enforcementLevel}, its record's ${m.enforcementLevel}`);
    }
    if (p.severity !== m.severity) {
        problems.push(`${name}: the policy's severity is ${p.severity}, its record's ${m.severity}`);
    }
    if (p.url !== referenceUrl(m)) {
        problems.push(`${name}: the policy's url is ${p.url}, its record's ${referenceUrl(m)}`);
    }
    if (!isDeepStrictEqual(p.configSchema, configSchemaOf(m))) {
        problems.push(
            `${name}: the policy's configSchema (${keysOf(p.configSchema?.properties).join(", ")}) is not its record's ` +
                `config (${keysOf(m.config).join(", ")})`,
        );
    }
    const url = m.reference.url;
    if (!(url === GUIDE_URL || url.startsWith(`${GUIDE_URL}#`) || url.startsWith("https://docs.aws.amazon.com/"))) {
        problems.push(`${name}: the reference ${url} is neither the guide nor an AWS documentation page`);
    }
    if (m.reference.title.trim() === "") {
        problems.push(`${name}: the reference has no title`);
    }
    if (Object.keys(m.reads).length === 0) {
        problems.push(`${name}: the record lists nothing the policy reads`);
    }
    for (const [type, props] of Object.entries(m.reads)) {
        if (!/^[a-z0-9-]+:[A-Za-z0-9/-]*:[A-Za-z0-9]+$/.test(type) || props.length === 0) {
            problems.push(`${name}: reads ${type} (${props.join(", ")}): not a type token with properties`);
        }
    }
    for (const [key, schema] of Object.entries(m.config)) {
        if (typeof schema.description !== "string" || schema.description === "") {
            problems.push(`${name}.${key}: the schema has no description`);
        }
        if (schema.default !== undefined) {
            for (const e of validateJson(schema.default as JsonValue, schema as JsonSchema, `${name}.${key}`)) {
                problems.push(`${e} (the schema's own default)`);
            }
        }
    }
    if ((p.description ?? "").length <= 40) {
        problems.push(`${name}: no description`);
    }
    if ((p.remediationSteps ?? "").length <= 20) {
        problems.push(`${name}: no remediation steps`);
    }
    return problems;
}

/** Where a README row disagrees with a record. */
function rowProblems(m: PolicyMetadata, rows: readonly Row[]): string[] {
    const matching = rows.filter((r) => r.name === m.name);
    if (matching.length !== 1) {
        return [`${m.name}: ${matching.length} README rows`];
    }
    const row = matching[0] as Row;
    const problems: string[] = [];
    if (row.level !== m.enforcementLevel) {
        problems.push(`${m.name}: README default ${row.level}, record ${m.enforcementLevel}`);
    }
    if (!isDeepStrictEqual([...row.configKeys].sort(), keysOf(m.config))) {
        problems.push(`${m.name}: README config keys [${row.configKeys.join(", ")}], record [${keysOf(m.config)}]`);
    }
    if (row.link !== undefined && row.link !== referenceUrl(m)) {
        problems.push(`${m.name}: README link ${row.link}, record ${referenceUrl(m)}`);
    }
    return problems;
}

/** Where config.example.json names what the pack does not have, or gives a value the record's schema refuses. */
function exampleProblems(example: Record<string, unknown>, records: ReadonlyMap<string, PolicyMetadata>): string[] {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(example)) {
        const m = records.get(name);
        if (!m) {
            problems.push(`config.example.json: ${name} is no policy of the pack`);
            continue;
        }
        if (typeof value === "string") {
            if (!LEVELS.test(value)) {
                problems.push(`config.example.json: ${name} = ${value} is no enforcement level`);
            }
            continue;
        }
        const { enforcementLevel, ...config } = value as Record<string, unknown>;
        if (enforcementLevel !== undefined && !LEVELS.test(String(enforcementLevel))) {
            problems.push(`config.example.json: ${name}.enforcementLevel = ${String(enforcementLevel)}`);
        }
        for (const key of Object.keys(config)) {
            if (!(key in m.config)) {
                problems.push(`config.example.json: ${name}.${key} is not in its record's config`);
            }
        }
        const schema = { type: "object", properties: m.config } as unknown as JsonSchema;
        problems.push(...validateJson(config as JsonValue, schema, `config.example.json: ${name}`));
    }
    return problems;
}

/** Every disagreement between the pack, its records, the README's rows and the example config. */
function conformanceProblems(
    pack: readonly Policy[],
    rows: readonly Row[],
    example: Record<string, unknown>,
): string[] {
    const problems: string[] = [];
    const records = new Map<string, PolicyMetadata>();
    for (const p of pack) {
        const m = metadataOf(p);
        if (!m) {
            problems.push(`${p.name}: no metadata record`);
            continue;
        }
        if (records.has(m.name)) {
            problems.push(`${m.name}: two policies with one name`);
        }
        records.set(m.name, m);
        problems.push(...recordProblems(p, m), ...rowProblems(m, rows));
    }
    for (const r of rows) {
        if (!pack.some((p) => p.name === r.name)) {
            problems.push(`README row ${r.name} is no policy of the pack`);
        }
    }
    problems.push(...exampleProblems(example, records));
    return problems;
}

/** Property names @pulumi/policy's proxy or JSON asks every object for, which no policy reads as data. */
const PLUMBING = new Set(["__getSpecialProxyTarget", "__isSpecialProxy", "toJSON", "then", "constructor"]);

/**
 * The `type.property` reads of a resource policy's validateResource over `resources` that its record does not list.
 * Each resource's props are behind @pulumi/policy's unknown-checking proxy, over a proxy that records every top-level
 * property asked for (present or not).
 */
function undeclaredReads(
    validate: ResourceValidation,
    m: PolicyMetadata,
    resources: readonly CorpusResource[],
): string[] {
    const out = new Set<string>();
    for (const r of resources) {
        const seen = new Set<string>();
        const recorder = new Proxy(JSON.parse(JSON.stringify(r.props)) as Record<string, unknown>, {
            get(target, key, receiver) {
                if (typeof key === "string" && !PLUMBING.has(key)) {
                    seen.add(key);
                }
                return Reflect.get(target, key, receiver) as unknown;
            },
        });
        const args: ResourceValidationArgs = {
            type: r.type,
            props: unknownCheckingProxy(recorder) as Record<string, unknown>,
            urn: `urn:pulumi:conformance::emr-serverless::${r.type}::${r.name}`,
            name: r.name,
            opts: {
                protect: false,
                ignoreChanges: [],
                aliases: [],
                additionalSecretOutputs: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            },
            stackTags: new Map(),
            isType: () => false,
            asType: () => undefined,
            getConfig: <T extends object>() => ({}) as T,
            notApplicable: () => {
                throw new Error("not applicable");
            },
        };
        try {
            void validate(args, () => undefined);
        } catch (e) {
            if (!(e instanceof UnknownValueError)) {
                throw e;
            }
        }
        const declared = m.reads[r.type] ?? [];
        for (const key of seen) {
            if (!declared.includes(key)) {
                out.add(`${r.type}.${key}`);
            }
        }
    }
    return [...out].sort();
}

/** A policy's behaviour without what its record gives, to build a policy from another record. */
function bodyOf(p: Policy): PolicyBody<ResourceValidationPolicy> {
    const { name: _n, enforcementLevel: _l, severity: _s, url: _u, configSchema: _c, ...body } = p as DescribedPolicy;
    const { metadata: _m, ...rest } = body;
    return rest as PolicyBody<ResourceValidationPolicy>;
}

/** One resource of each distinct (type, props) in the corpus. */
function corpusResources(): CorpusResource[] {
    const byShape = new Map<string, CorpusResource>();
    for (const c of loadCorpus()) {
        for (const r of c.resources) {
            byShape.set(`${r.type}\u0000${JSON.stringify(r.props)}`, r);
        }
    }
    return [...byShape.values()];
}

describe("policy pack: policies, metadata, README and example config agree", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const rows = readmeRows(readme);
    const example = JSON.parse(fs.readFileSync(path.join(ROOT, "policypack", "config.example.json"), "utf8")) as Record<
        string,
        unknown
    >;
    const first = (level: string): Policy => {
        const p = policies.find((x) => x.enforcementLevel === level && x.configSchema !== undefined);
        assert.ok(p, `the pack has a ${level} policy with config`);
        return p;
    };

    it("every policy carries a record and agrees with it, the README table and config.example.json", () => {
        assert.deepEqual(conformanceProblems(policies, rows, example), []);
        assert.equal(rows.length, policies.length);
        assert.ok(
            rows.every((r) => r.link !== undefined),
            "the README table has a Guide column",
        );
        assert.ok(policies.length >= 11);
    });

    it("catches a policy without a record, or served with a level, schema, name or link other than its record's", () => {
        const p = first("mandatory");
        const m = metadataOf(p) as PolicyMetadata;
        const swap = (q: Policy): Policy[] => policies.map((x) => (x === p ? q : x));
        const caught = (pack: Policy[], text: string): void => {
            const problems = conformanceProblems(pack, rows, example);
            assert.ok(
                problems.some((x) => x.includes(text)),
                `expected a problem with "${text}", got ${JSON.stringify(problems)}`,
            );
        };
        caught(swap({ ...p, metadata: undefined } as Policy), `${p.name}: no metadata record`);
        caught(swap({ ...p, enforcementLevel: "advisory" }), "the policy's level is advisory, its record's mandatory");
        caught(swap({ ...p, severity: "low" }), "the policy's severity is low");
        caught(swap({ ...p, url: `${GUIDE_URL}#elsewhere` }), "the policy's url");
        caught(
            swap({ ...p, configSchema: { properties: { ...p.configSchema?.properties, extra: { type: "string" } } } }),
            "configSchema",
        );
        caught(swap({ ...p, name: `${p.name}-renamed` }), "the policy is named");
        caught([...policies, p], "two policies with one name");
        // A record drifted from the README and the example config: a policy built from it is consistent with it,
        // so only the table and the example catch the drift.
        const drifted = definePolicy<ResourceValidationPolicy>(
            {
                ...m,
                enforcementLevel: "advisory",
                config: { ...m.config, extra: { type: "string", description: "x" } },
            },
            bodyOf(p),
        );
        caught(swap(drifted), `${p.name}: README default mandatory, record advisory`);
        caught(swap(drifted), `${p.name}: README config keys`);
        const unverbed = definePolicy<ResourceValidationPolicy>(
            { ...m, name: "ensure-keys-are-good" as PolicyMetadata["name"] },
            bodyOf(p),
        );
        caught(swap(unverbed), "ensure-keys-are-good: the name does not start with disallow-, enforce-, missing-");
        const badDefault = definePolicy<ResourceValidationPolicy>(
            {
                ...m,
                config: {
                    ...m.config,
                    region: { type: "string", pattern: "^[a-z]+$", default: "US", description: "r" },
                },
            },
            bodyOf(p),
        );
        caught(swap(badDefault), "(the schema's own default)");
    });

    it("catches a README row or an example config that drifted from the records", () => {
        const p = first("mandatory");
        const m = metadataOf(p) as PolicyMetadata;
        const line = readme.split("\n").find((l) => l.startsWith(`| \`${p.name}\` |`)) as string;
        const key = Object.keys(m.config)[0] as string;
        const caughtIn = (text: string, changed: string): void => {
            const problems = conformanceProblems(policies, readmeRows(changed), example);
            assert.ok(
                problems.some((x) => x.includes(text)),
                `expected "${text}", got ${JSON.stringify(problems)}`,
            );
        };
        caughtIn(
            `${p.name}: README default disabled`,
            readme.replace(line, line.replace(" | mandatory | ", " | disabled | ")),
        );
        caughtIn(`${p.name}: README config keys`, readme.replace(line, line.replace(`\`${key}\``, "–")));
        caughtIn(`${p.name}: 0 README rows`, readme.replace(`${line}\n`, ""));
        caughtIn(`${p.name}: 2 README rows`, readme.replace(line, `${line}\n${line}`));
        caughtIn(
            "README row enforce-nothing is no policy of the pack",
            readme.replace(line, `${line}\n| \`enforce-nothing\` | advisory | x | – |`),
        );
        // The Guide column: each row links its record's reference; another link, or none, is caught.
        const url = referenceUrl(m);
        assert.ok(line.endsWith(`](${url}) |`), `${p.name}: the README row ends with its guide link`);
        const relinked = readme.replace(line, line.replace(`](${url}) |`, `](${GUIDE_URL}#not-this-one) |`));
        assert.deepEqual(conformanceProblems(policies, readmeRows(relinked), example), [
            `${p.name}: README link ${GUIDE_URL}#not-this-one, record ${url}`,
        ]);
        const unlinked = readme.replace(line, line.replace(/ \| [^|]*\]\([^)]*\) \|$/, " | – |"));
        caughtIn(`${p.name}: README link , record ${url}`, unlinked);
        const exampleProblemsOf = (changed: Record<string, unknown>): string[] =>
            conformanceProblems(policies, rows, changed);
        assert.deepEqual(exampleProblemsOf({ "enforce-everything": "mandatory" }), [
            "config.example.json: enforce-everything is no policy of the pack",
        ]);
        assert.ok(
            exampleProblemsOf({ [p.name]: { enforcementLevel: "mandatory", notAKey: 1 } }).some((x) =>
                x.includes(`${p.name}.notAKey is not in its record's config`),
            ),
        );
        assert.ok(exampleProblemsOf({ [p.name]: { [key]: 42 } }).length > 0, `${p.name}.${key} = 42 is refused`);
        assert.ok(exampleProblemsOf({ [p.name]: "strict" }).length > 0);
    });

    it("each resource policy reads, over the whole corpus, only properties its record lists", () => {
        const resources = corpusResources();
        assert.ok(new Set(resources.map((r) => r.type)).size >= 8, "the corpus covers the pack's resource types");
        for (const p of policies) {
            const validate = (p as ResourceValidationPolicy).validateResource;
            if (typeof validate !== "function") {
                continue;
            }
            const m = metadataOf(p) as PolicyMetadata;
            assert.deepEqual(undeclaredReads(validate, m, resources), [], p.name);
        }
    });

    it("catches a record that leaves out a property its policy reads", () => {
        const resources = corpusResources();
        const p = policies.find(
            (x) => x.name === "disallow-asymmetric-emr-serverless-keys",
        ) as ResourceValidationPolicy;
        const m = metadataOf(p) as PolicyMetadata;
        const reads = Object.fromEntries(
            Object.entries(m.reads).map(([t, props]) => [t, props.filter((x) => x !== "keyUsage")]),
        );
        const validate = p.validateResource as ResourceValidation;
        assert.ok(undeclaredReads(validate, { ...m, reads }, resources).includes("aws:kms/key:Key.keyUsage"));
    });
});
