/**
 * The pack's policies, its README table and its example config agree: every policy is a row of the README's policy
 * table with its default enforcement level and exactly the config keys its schema declares; every row is a policy;
 * names start with a verb of the house (disallow-, enforce-, missing-); every policy says what to do about a
 * violation; config.example.json names only policies and keys the pack has, each value valid for its schema.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { validateJson, type JsonSchema, type JsonValue } from "../../engine/policyConfig";
import { policies } from "../../policypack/policies";

const ROOT = path.resolve(__dirname, "..", "..");

interface Row {
    name: string;
    level: string;
    configKeys: string[];
}

/** The rows of the README table whose header is `| Policy | Default | What it blocks | Config |`. */
function readmeRows(readme: string): Row[] {
    const lines = readme.split("\n");
    const header = lines.findIndex((l) => /^\| Policy \| Default \| What it blocks \| Config \|$/.test(l));
    assert.ok(header >= 0, "README has no policy table (| Policy | Default | What it blocks | Config |)");
    const rows: Row[] = [];
    for (const line of lines.slice(header + 2)) {
        if (!line.startsWith("| ")) {
            break;
        }
        const cells = line.split(" | ");
        const name = /^\| `([^`]+)`$/.exec(cells[0] ?? "")?.[1];
        assert.ok(name, `a policy table row without a policy name: ${line.slice(0, 80)}`);
        const config = (cells[cells.length - 1] ?? "").replace(/ \|$/, "");
        // Config keys are the backquoted identifiers of the last cell (condition keys such as aws:SourceAccount have
        // a colon and are values, not keys).
        const configKeys = [...config.matchAll(/`([a-z][A-Za-z]*)`/g)].map((m) => m[1] as string);
        rows.push({ name, level: (cells[1] ?? "").trim(), configKeys });
    }
    return rows;
}

const schemaKeys = (p: (typeof policies)[number]): string[] =>
    Object.keys((p.configSchema?.properties ?? {}) as Record<string, unknown>);

describe("policy pack: code, README and example config agree", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const rows = readmeRows(readme);

    it("every policy is one README row with its default level and exactly its config keys", () => {
        for (const p of policies) {
            const matching = rows.filter((r) => r.name === p.name);
            assert.equal(matching.length, 1, `${p.name}: ${matching.length} README rows`);
            const row = matching[0] as Row;
            assert.equal(row.level, p.enforcementLevel, `${p.name}: README default level`);
            assert.deepEqual([...row.configKeys].sort(), schemaKeys(p).sort(), `${p.name}: README config keys`);
        }
    });

    it("every README row is a policy of the pack", () => {
        const names = new Set(policies.map((p) => p.name));
        for (const r of rows) {
            assert.ok(names.has(r.name), `README row ${r.name} is no policy of the pack`);
        }
        assert.equal(rows.length, policies.length);
    });

    it("names start with disallow-, enforce- or missing-; each policy has a description and remediation steps", () => {
        for (const p of policies) {
            assert.match(p.name, /^(disallow|enforce|missing)-[a-z0-9-]+$/, p.name);
            assert.ok((p.description ?? "").length > 40, `${p.name}: description`);
            assert.ok((p.remediationSteps ?? "").length > 20, `${p.name}: remediation steps`);
        }
    });

    it("config.example.json names only policies and keys the pack has, each valid for its schema", () => {
        const example = JSON.parse(
            fs.readFileSync(path.join(ROOT, "policypack", "config.example.json"), "utf8"),
        ) as Record<string, unknown>;
        const byName = new Map(policies.map((p) => [p.name, p]));
        for (const [name, value] of Object.entries(example)) {
            const p = byName.get(name);
            assert.ok(p, `config.example.json: ${name} is no policy of the pack`);
            if (typeof value === "string") {
                assert.match(value, /^(advisory|mandatory|remediate|disabled)$/, name);
                continue;
            }
            const { enforcementLevel, ...config } = value as Record<string, unknown>;
            assert.match(String(enforcementLevel ?? "advisory"), /^(advisory|mandatory|remediate|disabled)$/, name);
            for (const key of Object.keys(config)) {
                assert.ok(schemaKeys(p).includes(key), `config.example.json: ${name}.${key} is not in its schema`);
            }
            const schema = { type: "object", ...(p.configSchema ?? {}) } as unknown as JsonSchema;
            assert.deepEqual(validateJson(config as JsonValue, schema, name), [], `config.example.json: ${name}`);
        }
    });

    it("the README table parser sees a changed level, a missing key and an extra row", () => {
        const row = rows.find((r) => r.configKeys.length > 0) as Row;
        const tableLine = readme.split("\n").find((l) => l.startsWith(`| \`${row.name}\` |`)) as string;
        const changed = readme.replace(tableLine, tableLine.replace(` | ${row.level} | `, " | disabled | "));
        assert.equal(readmeRows(changed).find((r) => r.name === row.name)?.level, "disabled");
        const dropped = readme.replace(tableLine, tableLine.replace(`\`${row.configKeys[0]}\``, "–"));
        assert.notDeepEqual(readmeRows(dropped).find((r) => r.name === row.name)?.configKeys, row.configKeys);
        const extra = readme.replace(tableLine, `${tableLine}\n| \`enforce-nothing\` | advisory | x | – |`);
        assert.equal(readmeRows(extra).length, rows.length + 1);
    });
});
