/**
 * Programs placed outside the repository, with the node_modules a user might have: this repository's installed
 * packages linked in one by one, some of them left out (e.g. no `typescript`, no `@pulumi/aws`).
 *
 * Node.js resolves a linked package from its real path, inside the repository, where everything is installed. So a
 * package whose own resolution matters (`@pulumi/pulumi` looks for `typescript` and `ts-node` from where it is) is
 * copied instead of linked: resolved from the sandbox, it finds only what the sandbox holds.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "./support";

/** What to leave out of the sandbox's node_modules, and what to copy rather than link. */
export interface SandboxOptions {
    /** Packages absent from node_modules (e.g. "typescript", "@pulumi/aws"). */
    without?: readonly string[];
    /** Packages copied (their own `require`s resolve from the sandbox). */
    copy?: readonly string[];
    /** No node_modules at all. */
    noModules?: boolean;
}

/** Creates a program directory under a fresh temporary directory; returns its path. Remove it with `rmSandbox`. */
export function sandbox(files: string | Record<string, string>, opts: SandboxOptions = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offline-preview-program-"));
    if (typeof files === "string") {
        fs.cpSync(files, dir, { recursive: true });
    } else {
        for (const [f, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
            fs.writeFileSync(path.join(dir, f), text);
        }
    }
    if (opts.noModules) {
        return dir;
    }
    const without = new Set(opts.without ?? []);
    const copy = new Set(opts.copy ?? []);
    const from = path.join(ROOT, "node_modules");
    const to = path.join(dir, "node_modules");
    fs.mkdirSync(to);
    const place = (name: string): void => {
        if (without.has(name)) {
            return;
        }
        if (copy.has(name)) {
            fs.cpSync(path.join(from, name), path.join(to, name), { recursive: true });
        } else {
            fs.symlinkSync(path.join(from, name), path.join(to, name), "dir");
        }
    };
    for (const entry of fs.readdirSync(from)) {
        if (entry.startsWith(".")) {
            continue;
        }
        if (entry.startsWith("@")) {
            fs.mkdirSync(path.join(to, entry));
            for (const sub of fs.readdirSync(path.join(from, entry))) {
                place(`${entry}/${sub}`);
            }
        } else {
            place(entry);
        }
    }
    return dir;
}

/** Removes a sandbox made by {@link sandbox}. */
export function rmSandbox(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
}
