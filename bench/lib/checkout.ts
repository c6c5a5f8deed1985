/**
 * A copy of another revision of this repository for the benchmarks that compare it with the working tree.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "./packs";

/**
 * A copy of `rev`'s tracked files (all of them, or only `paths`) in a new temporary directory named with `prefix`,
 * next to this checkout's node_modules (a symbolic link). The caller removes it.
 */
export function checkout(rev: string, prefix: string, paths: readonly string[] = []): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const archive = spawnSync("git", ["archive", "--format=tar", rev, ...paths], {
        cwd: ROOT,
        maxBuffer: 512 * 1024 * 1024,
    });
    if (archive.status !== 0) {
        throw new Error(`git archive ${rev}: ${archive.stderr.toString()}`);
    }
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (untar.status !== 0) {
        throw new Error(`tar: ${untar.stderr.toString()}`);
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}
