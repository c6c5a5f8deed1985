/**
 * How `pulumi preview` runs a Node.js program, mirrored for the offline preview:
 *
 * - the CLI's side (`pkg/engine/project.go` `getPwdMain`, the language host `pulumi-language-nodejs`: runtime
 *   options `typescript`, `tsconfig`, `nodeargs`, the `PULUMI_NODEJS_TYPESCRIPT`/`PULUMI_NODEJS_TSCONFIG_PATH`
 *   environment, `node <nodeargs> @pulumi/pulumi/cmd/run ... <entry>` resolved from the program's directory);
 * - the program side (`@pulumi/pulumi/cmd/run/run.js` of the program's own SDK: when ts-node is registered, which
 *   `typescript`/`ts-node` (`tsutils.typeScriptRequireStrings`: the program's, else the SDK's vendored TypeScript
 *   3.8.3 and ts-node 7.0.1), which compiler options (nodenext for TypeScript >= 4.7, else commonjs/node, under the
 *   tsconfig's own `compilerOptions`), type checking (`PULUMI_NODEJS_TRANSPILE_ONLY`, else the tsconfig's
 *   `noCheck`, else ts-node's default: on), the entry point (`main`, else package.json `exports`/`main`), ES
 *   modules (`"type": "module"`: dynamic import, ts-node's ESM hooks when available), an exported function called).
 *
 * The parent process uses the first half to spawn the runner; the runner uses the second half to load the program.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as url from "node:url";

/** The `runtime.options` of Pulumi.yaml the Node.js language host reads. */
export interface NodeRuntimeOptions {
    /** Register ts-node (default true). */
    typescript: boolean;
    /** `tsconfig`: the tsconfig file, relative to the program's directory. */
    tsconfig?: string;
    /** `nodeargs`: arguments for the node process, split like a shell would. */
    nodeargs: string[];
}

/** Parses `runtime.options` as the language host does (`parseOptions`); throws naming the option. */
export function parseRuntimeOptions(
    options: Readonly<Record<string, unknown>>,
    file = "Pulumi.yaml",
): NodeRuntimeOptions {
    const out: NodeRuntimeOptions = { typescript: true, nodeargs: [] };
    if ("typescript" in options) {
        if (typeof options["typescript"] !== "boolean") {
            throw new Error(`${file}: runtime.options.typescript must be a boolean (true or false)`);
        }
        out.typescript = options["typescript"];
    }
    if ("tsconfig" in options) {
        if (typeof options["tsconfig"] !== "string") {
            throw new Error(`${file}: runtime.options.tsconfig must be a string (a path to a tsconfig file)`);
        }
        out.tsconfig = options["tsconfig"];
    }
    if ("nodeargs" in options) {
        if (typeof options["nodeargs"] !== "string") {
            throw new Error(`${file}: runtime.options.nodeargs must be a string (e.g. "--max-old-space-size=4096")`);
        }
        out.nodeargs = splitShellWords(options["nodeargs"], `${file}: runtime.options.nodeargs`);
    }
    return out;
}

/**
 * Splits a command line into words like a POSIX shell (the language host uses `shlex.Split`): whitespace separates,
 * single quotes keep everything literal, double quotes keep whitespace and let `\` escape `"`, `\`, `$` and a
 * backquote, a bare `\` escapes the next character. Throws on an unterminated quote.
 */
export function splitShellWords(text: string, what = "nodeargs"): string[] {
    const words: string[] = [];
    let word = "";
    let inWord = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i] as string;
        if (c === "'") {
            const end = text.indexOf("'", i + 1);
            if (end < 0) {
                throw new Error(`${what}: unterminated single quote in ${JSON.stringify(text)}`);
            }
            word += text.slice(i + 1, end);
            inWord = true;
            i = end;
        } else if (c === '"') {
            let j = i + 1;
            for (; j < text.length && text[j] !== '"'; j++) {
                if (text[j] === "\\" && j + 1 < text.length && '"\\$`'.includes(text[j + 1] as string)) {
                    j++;
                }
                word += text[j];
            }
            if (j >= text.length) {
                throw new Error(`${what}: unterminated double quote in ${JSON.stringify(text)}`);
            }
            inWord = true;
            i = j;
        } else if (c === "\\" && i + 1 < text.length) {
            word += text[++i];
            inWord = true;
        } else if (/\s/.test(c)) {
            if (inWord) {
                words.push(word);
                word = "";
                inWord = false;
            }
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord) {
        words.push(word);
    }
    return words;
}

/**
 * The program's working directory and entry argument (the CLI's `getPwdMain`): without `main`, the project
 * directory and "."; with `main` naming a directory, that directory and "."; naming a file, its directory and its
 * base name. Throws when `main` does not exist, as the CLI does.
 */
export function pwdAndEntry(projectDir: string, main: string | undefined): { pwd: string; entry: string } {
    if (!main) {
        return { pwd: projectDir, entry: "." };
    }
    const full = path.isAbsolute(main) ? main : path.join(path.normalize(projectDir), main);
    let stat: fs.Stats;
    try {
        stat = fs.statSync(full);
    } catch (e) {
        throw new Error(`project 'main' could not be read: ${(e as Error).message}`);
    }
    return stat.isDirectory() ? { pwd: full, entry: "." } : { pwd: path.dirname(full), entry: path.basename(full) };
}

/** The environment the language host adds for the program (besides config, project, stack and organization). */
export function hostEnvironment(opts: NodeRuntimeOptions): Record<string, string> {
    return {
        ...(opts.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
        ...(opts.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: opts.tsconfig } : {}),
    };
}

/** A dependency the program (or its TypeScript setup) needs and cannot resolve. */
export class MissingDependencyError extends Error {
    constructor(
        /** The package name (`@pulumi/aws`), or the relative path a program imports. */
        public readonly dependency: string,
        message: string,
    ) {
        super(message);
        this.name = "MissingDependencyError";
    }
}

/** The package a module specifier names (`@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`), or undefined. */
export function packageOfSpecifier(specifier: string): string | undefined {
    if (specifier.startsWith(".") || path.isAbsolute(specifier) || specifier.startsWith("node:") || !specifier) {
        return undefined;
    }
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** How to install `pkg` for the program in `dir` (one line; this package has its own instructions). */
export function installHint(pkg: string, dir: string, ownPackage?: string): string {
    if (ownPackage && pkg === ownPackage) {
        return (
            `run \`npm install <the ${pkg} tarball or git URL>\` in ${dir} ` +
            `(README: "Using the package in your own program")`
        );
    }
    return `run \`npm install ${pkg}\` in ${dir}`;
}

/**
 * The one-line message for a module the program cannot load, or undefined when `e` is not a missing module: a
 * package (`the program needs @pulumi/aws, which is not installed ...: run npm install @pulumi/aws in DIR`), a
 * relative file, or a TypeScript ES module without ts-node's ESM loader.
 */
export function missingModuleError(e: unknown, dir: string, ownPackage?: string): MissingDependencyError | undefined {
    if (!(e instanceof Error)) {
        return undefined;
    }
    const code = (e as { code?: string }).code;
    if (code === "ERR_UNKNOWN_FILE_EXTENSION" && /\.m?ts\b/.test(e.message)) {
        return new MissingDependencyError(
            "ts-node",
            `the program is a TypeScript ES module ("type": "module"), which needs ts-node 10 or later for its ESM ` +
                `loader: run \`npm install --save-dev ts-node typescript\` in ${dir}`,
        );
    }
    if (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") {
        return undefined;
    }
    const m = /Cannot find (?:module|package) '([^']+)'/.exec(e.message);
    if (!m) {
        return undefined;
    }
    const specifier = m[1] as string;
    const pkg = packageOfSpecifier(specifier);
    if (!pkg) {
        const from = /imported from (\S+)/.exec(e.message)?.[1] ?? /Require stack:\n- (\S+)/.exec(e.message)?.[1];
        return new MissingDependencyError(
            specifier,
            `the program imports ${specifier}${from ? ` (from ${from})` : ""}, which does not exist`,
        );
    }
    return new MissingDependencyError(
        pkg,
        `the program needs ${pkg}, which is not installed for ${dir}: ${installHint(pkg, dir, ownPackage)}`,
    );
}

// ---------------------------------------------------------------------------------------------------------------
// The program side: what `@pulumi/pulumi/cmd/run/run.js` does before and while it loads the program.
// ---------------------------------------------------------------------------------------------------------------

/** The SDK modules the loader reuses, from the program's own `@pulumi/pulumi` (at `sdkDir`). */
interface SdkHelpers {
    tsutils: {
        loadTypeScriptCompilerOptions(tsConfigPath: string): Record<string, unknown>;
        typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string };
    };
    manifest: {
        searchupPackageManifest(startDir: string): string | undefined;
        readPackageManifest(dir: string): { data: PackageObject };
    };
    semver: {
        parse(v: string): { compare(other: unknown): number } | null;
        SemVer: new (v: string) => unknown;
        satisfies(v: string, range: string): boolean;
    };
    /** For the `engine-strict` check (SDKs that have it). */
    ini?: { parse(text: string): Record<string, unknown> };
    /** Resolves `m` as run.js's own `require` would. */
    resolve(m: string): string;
}

interface PackageObject {
    type?: string;
    main?: string;
    exports?: string | Record<string, string | Record<string, string | undefined> | undefined>;
    engines?: { node?: string };
}

/** `require(m)` when `m` resolves, else undefined (older SDKs lack some of the helpers). */
function optional<T>(resolve: () => string): T | undefined {
    let file: string;
    try {
        file = resolve();
    } catch {
        return undefined;
    }
    return require(file) as T;
}

/** package.json only, as SDKs before package.yaml support read it. */
const packageJsonManifest: SdkHelpers["manifest"] = {
    searchupPackageManifest(startDir: string): string | undefined {
        for (let dir = startDir; ; dir = path.dirname(dir)) {
            if (fs.existsSync(path.join(dir, "package.json"))) {
                return path.join(dir, "package.json");
            }
            if (path.dirname(dir) === dir) {
                return undefined;
            }
        }
    },
    readPackageManifest(dir: string): { data: PackageObject } {
        return { data: JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as PackageObject };
    },
};

function sdkHelpers(sdkDir: string): SdkHelpers {
    const runDir = path.join(sdkDir, "cmd", "run");
    const resolve = (m: string): string => require.resolve(m, { paths: [runDir] });
    return {
        tsutils: require(path.join(sdkDir, "tsutils")) as SdkHelpers["tsutils"],
        manifest:
            optional<SdkHelpers["manifest"]>(() => require.resolve(path.join(sdkDir, "runtime", "manifest"))) ??
            packageJsonManifest,
        semver: require(resolve("semver")) as SdkHelpers["semver"],
        ini: optional<SdkHelpers["ini"]>(() => resolve("ini")),
        resolve,
    };
}

/** What {@link prepareProgram} decided, for the report and the tests. */
export interface ProgramLoad {
    /** The absolute path of the module loaded (after `main`/package.json resolution). */
    program: string;
    /** ES module (package.json `"type": "module"`). */
    esm: boolean;
    /** How TypeScript was registered, when it was. */
    typescript?: {
        compiler: string;
        compilerVersion: string;
        tsNode: string;
        esmHooks: boolean;
        transpileOnly: boolean | undefined;
        compilerOptions: Record<string, unknown>;
    };
    /** Warnings the host would log. */
    warnings: string[];
    /** Runs the program; resolves to its exports (an exported function's result). */
    run: () => Promise<unknown>;
}

/** What a ts-node registration returns (the part used here). */
interface TsNodeService {
    enabled(on?: boolean): boolean;
}

/**
 * Prepares a program as `cmd/run/run.js` does, in the current process (whose working directory is the program's):
 * resolves the entry point, registers TypeScript when `PULUMI_NODEJS_TYPESCRIPT` is "true", and returns a function
 * that loads it. `entry` is the CLI's entry argument ("." or a file name).
 */
export function prepareProgram(sdkDir: string, entry: string): ProgramLoad {
    const sdk = sdkHelpers(sdkDir);
    const warnings: string[] = [];
    const typeScript = process.env["PULUMI_NODEJS_TYPESCRIPT"] === "true";
    const defaultTsConfigPath = "tsconfig.json";
    const tsConfigPath = process.env["PULUMI_NODEJS_TSCONFIG_PATH"] ?? defaultTsConfigPath;
    const skipProject = !fs.existsSync(tsConfigPath);
    const hasEntrypoint = entry !== ".";
    let program = path.isAbsolute(entry) ? entry : path.join(process.cwd(), entry);

    // npmPackageRootFromProgramPath / packageObjectFromProjectRoot
    let isDirectory = false;
    try {
        isDirectory = fs.lstatSync(program).isDirectory();
    } catch {
        isDirectory = false;
    }
    const programDirectory = isDirectory ? program : path.dirname(program);
    const manifestPath = sdk.manifest.searchupPackageManifest(programDirectory);
    if (manifestPath === undefined) {
        warnings.push(
            "Could not find a package.json or package.yaml file for the program. " +
                "Using the Pulumi program directory as the project root.",
        );
    }
    const packageRoot = manifestPath === undefined ? programDirectory : path.dirname(manifestPath);
    let packageObject: PackageObject = {};
    try {
        packageObject = sdk.manifest.readPackageManifest(packageRoot).data ?? {};
    } catch {
        packageObject = {};
    }
    const resolveEntrypoint = (e: string, fallback: string): string => {
        const p = path.join(packageRoot, e);
        if (fs.existsSync(p)) {
            return p;
        }
        warnings.push(`Could not find entry point '${e}' specified in package.json; using '${fallback}' instead`);
        return fallback;
    };
    if (!hasEntrypoint) {
        const exp = packageObject.exports;
        if (typeof exp === "string") {
            program = resolveEntrypoint(exp, program);
        } else if (typeof exp === "object" && exp !== null) {
            const mainExport = exp["."];
            if (typeof mainExport === "string") {
                program = resolveEntrypoint(mainExport, program);
            } else if (typeof mainExport === "object" && mainExport !== null) {
                const target = mainExport["default"] || mainExport["require"] || mainExport["import"];
                if (typeof target === "string") {
                    program = resolveEntrypoint(target, program);
                }
            }
        } else if (typeof packageObject.main === "string" && packageObject.main) {
            program = resolveEntrypoint(packageObject.main, program);
        }
    }

    const esm = packageObject.type === "module";
    let typescript: ProgramLoad["typescript"];
    if (typeScript) {
        const compilerOptions = sdk.tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
        let transpileOnly: boolean | undefined;
        const transpileOnlyEnv = process.env["PULUMI_NODEJS_TRANSPILE_ONLY"];
        if (transpileOnlyEnv) {
            transpileOnly = transpileOnlyEnv === "true";
        } else {
            transpileOnly = compilerOptions["noCheck"] as boolean | undefined;
        }
        const { tsnodeRequire, typescriptRequire } = sdk.tsutils.typeScriptRequireStrings();
        const options: Record<string, unknown> = {
            compiler: typescriptRequire,
            transpileOnly,
            project: tsConfigPath,
            skipProject,
            compilerOptions: {},
        };
        const ts = require(sdk.resolve(typescriptRequire)) as { version: string };
        const tsVersion = sdk.semver.parse(ts.version);
        const hasLoaders = process.execArgv.find((a) => a === "--loader" || a === "--import" || a === "--require");
        let tsNodeESMRequire = "";
        try {
            tsNodeESMRequire = sdk.resolve("ts-node/esm");
        } catch {
            tsNodeESMRequire = "";
        }
        if (
            esm &&
            tsVersion &&
            tsVersion.compare(new sdk.semver.SemVer("4.7.0")) > 0 &&
            !hasLoaders &&
            tsNodeESMRequire
        ) {
            options["compilerOptions"] = {
                target: "ES2022",
                module: "nodenext",
                moduleResolution: "nodenext",
                sourceMap: "true",
                ...compilerOptions,
            };
            const mod = require("node:module") as {
                register(specifier: string, parentURL: string, opts: { data: unknown }): void;
            };
            mod.register("./hooks.js", url.pathToFileURL(path.join(sdkDir, "cmd", "run", "run.js")).href, {
                data: options,
            });
            typescript = {
                compiler: typescriptRequire,
                compilerVersion: ts.version,
                tsNode: sdk.resolve("ts-node"),
                esmHooks: true,
                transpileOnly,
                compilerOptions: options["compilerOptions"] as Record<string, unknown>,
            };
        } else {
            const useNodeNext = tsVersion !== null && tsVersion.compare(new sdk.semver.SemVer("4.7.0")) >= 0;
            options["compilerOptions"] = {
                target: "ES2020",
                module: useNodeNext ? "nodenext" : "commonjs",
                moduleResolution: useNodeNext ? "nodenext" : "node",
                sourceMap: "true",
                ...compilerOptions,
            };
            const tsNodePath = sdk.resolve(tsnodeRequire);
            const tsn = require(tsNodePath) as { register(o: Record<string, unknown>): TsNodeService };
            tsn.register(options);
            typescript = {
                compiler: typescriptRequire,
                compilerVersion: ts.version,
                tsNode: tsNodePath,
                esmHooks: false,
                transpileOnly,
                compilerOptions: options["compilerOptions"] as Record<string, unknown>,
            };
        }
    }

    const run = async (): Promise<unknown> => {
        if (skipProject && tsConfigPath !== defaultTsConfigPath) {
            throw new Error(`tsconfig path was set to ${tsConfigPath} but the file was not found`);
        }
        let programExport: unknown;
        try {
            if (esm) {
                let mainPath = await fs.promises.realpath(path.resolve(program));
                if ((await fs.promises.lstat(mainPath)).isDirectory()) {
                    const index = ["index.js", "index.mjs", "index.ts", "index.mts"].find((f) =>
                        fs.existsSync(path.join(mainPath, f)),
                    );
                    if (!index) {
                        throw new Error(`No entrypoint found in ${mainPath}`);
                    }
                    mainPath = path.join(mainPath, index);
                }
                const exported = (await dynamicImport(url.pathToFileURL(mainPath).href)) as Record<string, unknown>;
                programExport = exported;
                if (Object.getOwnPropertyDescriptor(exported, "default") !== undefined) {
                    if (Object.keys(exported).length !== 1) {
                        throw new Error(
                            "expected entrypoint module to have either a default export or named exports but not both",
                        );
                    }
                    programExport = exported["default"];
                }
            } else {
                const stats = await fs.promises.lstat(program);
                if (stats.isDirectory() && !program.endsWith("/")) {
                    program = program + "/";
                }
                programExport = require(program);
            }
            if (await containsTsAndJsModules(program)) {
                warnings.push(
                    "Found a TypeScript project containing an index.js file and no explicit entrypoint in Pulumi.yaml - " +
                        "Pulumi will use index.js",
                );
            }
            checkEngines(sdk, packageRoot, packageObject);
            const invoked = programExport instanceof Function ? (programExport as () => unknown)() : programExport;
            return await invoked;
        } catch (e) {
            if (e instanceof Error && (e as { code?: string }).code === "MODULE_NOT_FOUND") {
                const m = /Cannot find module '(.*)'/.exec(e.message);
                if (m && m[1] === program) {
                    throw new MissingDependencyError(
                        program,
                        `the program's entry point ${program} does not exist (Pulumi.yaml "main", else package.json ` +
                            `"main"/"exports", else index.js)`,
                    );
                }
            }
            throw e;
        }
    };
    return { program, esm, typescript, warnings, run };
}

// `import()` kept as an import in CommonJS output (TypeScript would turn it into a require).
const dynamicImport = new Function("u", "return import(u)") as (u: string) => Promise<unknown>;

async function containsTsAndJsModules(programPath: string): Promise<boolean> {
    const stats = await fs.promises.lstat(programPath);
    if (!stats.isDirectory()) {
        return false;
    }
    const files = await fs.promises.readdir(programPath);
    return files.includes("index.js") && files.includes("index.ts");
}

/** The host's `engine-strict` check: package.json `engines.node` enforced when `.npmrc` sets engine-strict. */
function checkEngines(sdk: SdkHelpers, packageRoot: string, packageObject: PackageObject): void {
    let npmRc: Record<string, unknown> = {};
    try {
        const rc = path.join(packageRoot, ".npmrc");
        if (sdk.ini && fs.existsSync(rc)) {
            npmRc = sdk.ini.parse(fs.readFileSync(rc, "utf-8"));
        }
    } catch {
        npmRc = {};
    }
    const required = packageObject.engines?.node;
    if (npmRc["engine-strict"] && required && !sdk.semver.satisfies(process.versions.node, required)) {
        throw new Error(
            [
                `Your current Node version is incompatible to run ${packageRoot}`,
                `Expected version: ${required} as found in package.json > engines > node`,
                `Actual Node version: ${process.versions.node}`,
                `To fix issue, install a Node version that is compatible with ${required}`,
            ].join("\n"),
        );
    }
}
