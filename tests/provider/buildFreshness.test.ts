/**
 * The provider tests' freshness check (assertBuildIsFresh) agrees with scripts/build.js: content decides, through the
 * hashes the build records in its stamp, never modification times. Exercised on a copy of the checkout's
 * components, provider and policy pack with their compiled output and stamp (built there first if the copy is
 * stale).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { assertBuildIsFresh } from "../../harness/providerPlugin";

const ROOT = path.resolve(__dirname, "../..");
const script = require(path.join(ROOT, "scripts", "build.js")) as {
    STAMP: string;
    build(root: string, names: string[], opts?: { log?: (s: string) => void }): number;
};

/** Every file under `dir` (relative to `root`), outside node_modules and bin. */
function filesUnder(root: string, dir: string): string[] {
    return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) {
            return e.name === "node_modules" || e.name === "bin" ? [] : filesUnder(root, rel);
        }
        return [rel];
    });
}

describe("provider tests: the compiled provider is fresh exactly when its sources' content is unchanged", function () {
    this.timeout(180_000);
    let root = "";
    const SOURCE_DIRS = ["components", "provider", "policypack"];
    const at = (file: string): string => path.join(root, file);
    const setTime = (file: string, when: Date): void => fs.utimesSync(at(file), when, when);
    const stale = (pattern: RegExp): void =>
        assert.throws(
            () => assertBuildIsFresh(root),
            (e: Error) => pattern.test(e.message) && /run npm run build/.test(e.message),
        );

    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "provider-fresh-"));
        const notBuilt = (src: string): boolean => !/[\\/](bin|node_modules)$/.test(src);
        for (const dir of SOURCE_DIRS) {
            fs.cpSync(path.join(ROOT, dir), at(dir), { recursive: true, filter: notBuilt });
        }
        for (const file of ["tsconfig.json", "tsconfig.build.json"]) {
            fs.copyFileSync(path.join(ROOT, file), at(file));
        }
        fs.cpSync(path.join(ROOT, "bin"), at("bin"), { recursive: true });
        fs.cpSync(path.join(ROOT, "policypack", "bin"), at("policypack/bin"), { recursive: true });
        fs.symlinkSync(path.join(ROOT, "node_modules"), at("node_modules"), "dir");
        // A no-op when the checkout was built (npm test's pretest); otherwise the copy is compiled here.
        assert.equal(script.build(root, ["components"], { log: () => undefined }), 0);
        assert.ok(fs.existsSync(at(script.STAMP)));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("a freshly built copy is fresh", () => {
        assert.doesNotThrow(() => assertBuildIsFresh(root));
    });

    it("sources rewritten with identical content and newer modification times (a rebase) are not stale", () => {
        const later = new Date(Date.now() + 3_600_000);
        for (const dir of SOURCE_DIRS) {
            for (const file of filesUnder(root, dir)) {
                fs.writeFileSync(at(file), fs.readFileSync(at(file)));
                setTime(file, later);
            }
        }
        const built = fs.statSync(at("bin/provider/index.js")).mtimeMs;
        assert.ok(fs.statSync(at("provider/server.ts")).mtimeMs > built, "the sources are newer than the build");
        assert.doesNotThrow(() => assertBuildIsFresh(root));
    });

    /** Changes `file` with a modification time older than the build, checks it is named, and restores it. */
    function changedIsStale(file: string, change: (text: string) => string, named: RegExp): void {
        const original = fs.readFileSync(at(file));
        const built = fs.statSync(at("bin/provider/index.js")).mtime;
        const earlier = new Date(built.getTime() - 3_600_000);
        try {
            fs.writeFileSync(at(file), change(original.toString("utf8")));
            setTime(file, earlier);
            assert.ok(fs.statSync(at(file)).mtimeMs < built.getTime(), "the change is older than the build");
            stale(named);
        } finally {
            fs.writeFileSync(at(file), original);
        }
        assert.doesNotThrow(() => assertBuildIsFresh(root), "restoring the content makes it fresh again");
    }

    it("a changed provider source is stale even when its modification time is older than the build", () => {
        changedIsStale("provider/server.ts", (t) => `${t}\n// changed\n`, /components: provider\/server\.ts changed/);
    });

    it("a changed schema, component source or judge source the provider loads is stale", () => {
        changedIsStale("provider/schema.json", (t) => t.replace(/\s*$/, "\n\n"), /provider\/schema\.json changed/);
        changedIsStale(
            "components/validation.ts",
            (t) => `${t}\n// changed\n`,
            /components: components\/validation\.ts changed/,
        );
        changedIsStale(
            "policypack/judge/constants.ts",
            (t) => `${t}\n// changed\n`,
            /policypack: policypack\/judge\/constants\.ts changed/,
        );
    });

    it("a new provider source file and a missing compiled file are stale", () => {
        const extra = "provider/extra.ts";
        fs.writeFileSync(at(extra), "export const extra = 1;\n");
        try {
            stale(/components: provider\/extra\.ts is new/);
        } finally {
            fs.rmSync(at(extra));
        }
        const entry = at("bin/provider/index.js");
        const saved = fs.readFileSync(entry);
        fs.rmSync(entry);
        try {
            stale(/bin\/provider\/index\.js is missing/);
        } finally {
            fs.writeFileSync(entry, saved);
        }
        assert.doesNotThrow(() => assertBuildIsFresh(root));
    });
});
