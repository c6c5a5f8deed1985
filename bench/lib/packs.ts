/**
 * The packs the benchmarks compare, and building the ones that ship TypeScript sources.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Repository root (bench/lib/../..). */
export const ROOT = path.resolve(__dirname, "..", "..");

/** A pack under benchmark. */
export interface PackSpec {
    /** Short id used in tables and results.json. */
    id: string;
    /** What it is. */
    label: string;
    /** Pack directory (the CLI's working directory for it). */
    dir: string;
    /** The pack name its GetAnalyzerInfo must report (checks that the right pack started). */
    expectedName: string;
    /** "target" rows are compared against targets; "info" rows are reported for information. */
    role: "ours" | "floor" | "peer" | "info";
}

/** Our pack (compiled entry), the floor, the common @pulumi/aws pattern, and variants for information. */
export function packSpecs(awsguardDir: string | undefined): PackSpec[] {
    const packs: PackSpec[] = [
        {
            id: "ours",
            label: "our pack (compiled bin/index.js)",
            dir: path.join(ROOT, "policypack"),
            expectedName: "emr-serverless-disk-encryption",
            role: "ours",
        },
        {
            id: "floor",
            label: "floor: one trivial policy (compiled)",
            dir: path.join(ROOT, "bench/packs/floor"),
            expectedName: "bench-floor",
            role: "floor",
        },
        {
            id: "aws-ts",
            label: "@pulumi/aws pattern, index.ts via ts-node",
            dir: path.join(ROOT, "bench/packs/aws-pattern"),
            expectedName: "bench-aws-pattern",
            role: "peer",
        },
        {
            id: "aws-js",
            label: "@pulumi/aws pattern, compiled (info)",
            dir: path.join(ROOT, "bench/packs/aws-pattern-js"),
            expectedName: "bench-aws-pattern",
            role: "info",
        },
        {
            id: "ours-ts",
            label: "our pack from index.ts via ts-node (info)",
            dir: path.join(ROOT, "bench/packs/ours-ts"),
            expectedName: "emr-serverless-disk-encryption",
            role: "info",
        },
    ];
    if (awsguardDir) {
        packs.push({
            id: "awsguard",
            label: "@pulumi/awsguard pack (BENCH_AWSGUARD_DIR)",
            dir: path.resolve(awsguardDir),
            expectedName: "pulumi-awsguard",
            role: "info",
        });
    }
    return packs;
}

function tsc(args: string[]): void {
    const bin = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
    execFileSync(process.execPath, [bin, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
}

const PEER_OPTIONS = [
    "--target",
    "ES2022",
    "--module",
    "commonjs",
    "--moduleResolution",
    "node",
    "--strict",
    "--esModuleInterop",
    "--skipLibCheck",
    "--types",
    "node",
];

/**
 * Builds our pack (through scripts/build.js, which compiles only when its sources changed) and compiles the floor,
 * and with `awsJs` the compiled @pulumi/aws pattern, so the benchmark works from a clean clone. Returns the build
 * time in ms per step.
 */
export function buildPacks(options: { awsJs?: boolean } = {}): Record<string, number> {
    const times: Record<string, number> = {};
    const step = (name: string, f: () => void): void => {
        const t = Date.now();
        try {
            f();
        } catch (e) {
            const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
            throw new Error(
                `building ${name} failed: ${err.stdout?.toString() ?? ""}${err.stderr?.toString() ?? ""}${err.message}`,
            );
        }
        times[name] = Date.now() - t;
    };
    step("policypack", () =>
        execFileSync(process.execPath, [path.join(ROOT, "scripts/build.js"), "policypack"], {
            cwd: ROOT,
            stdio: ["ignore", "pipe", "pipe"],
        }),
    );
    step("floor", () => tsc([...PEER_OPTIONS, "--outDir", "bench/packs/floor/bin", "bench/packs/floor/index.ts"]));
    if (options.awsJs) {
        step("aws-js", () =>
            tsc([...PEER_OPTIONS, "--outDir", "bench/packs/aws-pattern-js/bin", "bench/packs/aws-pattern/index.ts"]),
        );
    }
    for (const f of [
        "policypack/bin/index.js",
        "bench/packs/floor/bin/index.js",
        ...(options.awsJs ? ["bench/packs/aws-pattern-js/bin/index.js"] : []),
    ]) {
        if (!fs.existsSync(path.join(ROOT, f))) {
            throw new Error(`build produced no ${f}`);
        }
    }
    return times;
}
