/**
 * The offline preview: run a Pulumi program under runtime mocks as a preview of an empty stack, then put
 * what the engine would see through the policy pack over the real analyzer protocol, and report like
 * `pulumi preview --policy-pack`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import {
    type AnalyzerStackResource,
    type Diagnostic,
    hasMandatory,
    type ProviderResource,
    PolicyPackClient,
    type ResourceOptions,
} from "./analyzer";
import type { CheckFailureRecord } from "./dynamicProvider";
import { hostEnvironment, parseRuntimeOptions, pwdAndEntry } from "./languageHost";
import { analyzeWithRemediation, PolicyPipeline } from "./policyPasses";
import { parsePolicyPackConfig } from "./policyConfig";
import { Progress } from "./progress";
import { loadStackConfig, readProject } from "./project";
import { displayValue, maskSecrets, type PropertyMap, secret, UNKNOWN, stripInternalKeys } from "./properties";
import { configSecrets, Redactor, secretPairValues, wireSecrets } from "./redact";
import type {
    InvokeFixture,
    ProgramLoadInfo,
    RecordedResource,
    RunnerRequest,
    RunnerResult,
    UnansweredInvoke,
} from "./previewTypes";
import { ownPackageName, resolveProgramSdk, type RunProgramOptions, runProgram } from "./runner";

export { afterRemediation, analyzeWithRemediation, type AnalysisResult, changedKeys } from "./policyPasses";
export { runProgram } from "./runner";

/** Exit codes of the offline preview. */
export const EXIT = {
    /** No mandatory violation. */
    ok: 0,
    /** At least one mandatory policy violation. */
    mandatoryViolation: 1,
    /**
     * The program failed, an invoke could not be answered, a dynamic provider's check failed, the config is invalid,
     * or the pack failed.
     */
    error: 2,
} as const;

/** Options of {@link runPreview}; the CLI flags map onto these. */
export interface PreviewOptions {
    /** The Pulumi project directory (Pulumi.yaml). */
    programDir: string;
    /** The policy pack directory. */
    packDir: string;
    /** Stack name; default "dev". */
    stack?: string;
    /** Organization; default "organization" (the CLI's default for a local backend). */
    organization?: string;
    /** `key=value` config pairs (bare keys are namespaced with the project). */
    config?: string[];
    /** `key=value` pairs marked secret. */
    secretConfig?: string[];
    /** A `--policy-pack-config` file. */
    policyPackConfigFile?: string;
    /** Account id for aws:index/getCallerIdentity. */
    accountId?: string;
    /** A fixtures file for other invokes and reads. */
    invokesFile?: string;
    /**
     * Leave computed outputs unknown, as `pulumi preview` does for a new stack (the pack then notes it cannot judge
     * what depends on them). Default: placeholders, judged as if created.
     */
    unknowns?: boolean;
    /** Seconds the program may run before it is stopped (`--timeout`; default 300). */
    timeoutSeconds?: number;
    /** Receives progress lines during a long preview (the CLI writes them to stderr). */
    onProgress?: (line: string) => void;
    /** Environment for the program on top of this process's (as if the preview were started with it). */
    programEnv?: Readonly<Record<string, string>>;
}

/** A made-up value: which output of which resource it stands for (`<urn>#<property>`). */
export interface PlaceholderEntry {
    value: string;
    of: string;
}

/** One step of the plan, in the order the engine would see it. */
export interface PlannedStep {
    op: "create" | "read";
    urn: string;
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    /** True for a default provider the engine adds (not shown in the plan, as `pulumi preview` does not). */
    defaultProvider?: boolean;
    /** Inputs in wire form, without internal `__` keys, secrets replaced by "[secret]". */
    inputs: PropertyMap;
}

/** A remediation the pack applied, as reported (the changed keys, never their values: they may be secret). */
export interface RemediationReport {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    urn: string;
    /** Top-level input keys the remediation added, changed or removed. */
    changedKeys: string[];
}

/** The result of an offline preview. */
export interface PreviewReport {
    project: string;
    stack: string;
    /**
     * "placeholders": values that exist only once created were replaced by placeholders, and the verdict is as if
     * the resources were created; "unknowns": they were left unknown, as `pulumi preview` does.
     */
    mode: "placeholders" | "unknowns";
    /** The placeholders, in registration order (a secret one shows as redacted). */
    placeholders: PlaceholderEntry[];
    steps: PlannedStep[];
    policyPack?: { name: string; version: string; dir: string };
    diagnostics: Diagnostic[];
    /** Remediations the pack applied (Remediate runs before Analyze, which then sees the remediated inputs). */
    remediations: RemediationReport[];
    /** Failures of dynamic providers' `check` (errors, as the CLI reports them; the preview fails). */
    checkFailures: CheckFailureRecord[];
    programError?: string;
    unanswered: UnansweredInvoke[];
    invokes: RunnerResult["invokes"];
    exitCode: number;
    timings: { programMs: number; packStartMs?: number; analyzeMs?: number };
    /** Things the user should know that change no verdict (e.g. config entries for policies the pack lacks). */
    warnings: string[];
    /** How the program was loaded (entry point, TypeScript setup), as the Node.js language host would. */
    program?: ProgramLoadInfo;
}

/** A resource as the engine would present it to the analyzer (inputs for Analyze, outputs for AnalyzeStack). */
export interface EngineResource extends AnalyzerStackResource {
    op: "create" | "read";
    custom: boolean;
    /** True for a default provider the engine adds. */
    defaultProvider?: boolean;
    inputs: PropertyMap;
}

/** The root stack resource's URN. */
export function stackUrn(project: string, stack: string): string {
    return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}

/**
 * Computed outputs the offline preview marks unknown on a create when the program did not set them: a small table
 * of the outputs this repository's pack reads, by type token. Without the providers' schemas the offline preview
 * cannot know every computed output: any other computed output (e.g. `tagsAll`, a Role's autonamed `name`) is
 * absent from AnalyzeStack's outputs, where `pulumi preview` would have it (as unknown, or known when the provider
 * computes it at preview). `id` is unknown on every create.
 */
export const KNOWN_COMPUTED_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
    "aws:kms/key:Key": ["arn", "keyId"],
    "aws:kms/alias:Alias": ["arn", "targetKeyArn"],
    "aws:emrserverless/application:Application": ["arn"],
    "aws:iam/role:Role": ["arn", "uniqueId"],
    "aws:iam/policy:Policy": ["arn", "policyId"],
};

/** A create's preview outputs (pure): its inputs, the unknown id, and the table's computed outputs it lacks. */
export function previewCreateOutputs(type: string, inputs: PropertyMap): PropertyMap {
    const out: PropertyMap = { ...inputs };
    for (const k of KNOWN_COMPUTED_OUTPUTS[type] ?? []) {
        if (!(k in out)) {
            out[k] = UNKNOWN.string;
        }
    }
    out["id"] = UNKNOWN.string;
    return out;
}

/** The package of a type token (`aws:kms/key:Key` -> `aws`). */
function packageOf(type: string): string {
    return type.split(":")[0];
}

/**
 * What the engine would see, from the runner's recordings, built as registrations arrive: the root stack, default
 * providers (one per package and version, with the package's config as inputs, secret config keys wrapped as
 * secrets as the CLI sends them), and every resource with its provider, its parent (the root stack when the program
 * gave none), its inputs, and its preview outputs (for a create: inputs, an unknown id and the
 * {@link KNOWN_COMPUTED_OUTPUTS} it lacks; state for a read; registered outputs for a component; exports for the
 * stack). Each resource costs the same whatever the stack's size.
 */
export class EngineViewBuilder {
    private readonly secrets: ReadonlySet<string>;
    private readonly rootUrn: string;
    private readonly providers = new Map<string, ProviderResource>();
    /** The view so far, with the recording each entry came from (components' outputs arrive later). */
    private readonly entries: { resource: EngineResource; recorded?: RecordedResource }[] = [];

    constructor(
        private readonly project: string,
        private readonly stack: string,
        private readonly config: Readonly<Record<string, string>>,
        secretKeys: readonly string[] = [],
    ) {
        this.secrets = new Set(secretKeys);
        this.rootUrn = stackUrn(project, stack);
        this.entries.push({
            resource: {
                op: "create",
                custom: false,
                type: "pulumi:pulumi:Stack",
                name: `${project}-${stack}`,
                urn: this.rootUrn,
                inputs: {},
                properties: {},
            },
        });
    }

    /** The root stack (the first entry). */
    public get root(): EngineResource {
        return (this.entries[0] as { resource: EngineResource }).resource;
    }

    private defaultProvider(r: RecordedResource, added: EngineResource[]): ProviderResource {
        const pkg = packageOf(r.type);
        const name = r.version ? `default_${r.version.replace(/[.-]/g, "_")}` : "default";
        const urn = `urn:pulumi:${this.stack}::${this.project}::pulumi:providers:${pkg}::${name}`;
        let p = this.providers.get(urn);
        if (!p) {
            const properties: PropertyMap = {};
            for (const [k, v] of Object.entries(this.config)) {
                if (k.startsWith(`${pkg}:`)) {
                    properties[k.slice(pkg.length + 1)] = this.secrets.has(k) ? secret(v) : v;
                }
            }
            if (r.version) {
                properties["version"] = r.version;
            }
            p = { type: `pulumi:providers:${pkg}`, name, urn, properties };
            this.providers.set(urn, p);
            const resource: EngineResource = {
                op: "create",
                custom: true,
                defaultProvider: true,
                type: p.type,
                name,
                urn,
                inputs: properties,
                properties,
                parent: this.rootUrn,
            };
            this.entries.push({ resource });
            added.push(resource);
        }
        return p;
    }

    /**
     * Adds one registration (in the order they completed) and returns the entries it added: the default provider
     * its package needs, the first time, then the resource itself.
     */
    public add(r: RecordedResource): EngineResource[] {
        const added: EngineResource[] = [];
        if (r.type.startsWith("pulumi:providers:")) {
            this.providers.set(r.urn, { type: r.type, name: r.name, urn: r.urn, properties: r.inputs });
        }
        const inputs = (stripInternalKeys(r.inputs) ?? {}) as PropertyMap;
        let provider: ProviderResource | undefined;
        if (r.custom && !r.type.startsWith("pulumi:providers:")) {
            const ref = r.provider;
            provider = ref ? this.providers.get(ref.slice(0, ref.lastIndexOf("::"))) : this.defaultProvider(r, added);
        }
        const options: ResourceOptions = {
            protect: r.protect,
            ignoreChanges: r.ignoreChanges,
            additionalSecretOutputs: r.additionalSecretOutputs,
            ...(r.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.deleteBeforeReplace } : {}),
            parent: r.parent || this.rootUrn,
        };
        const resource: EngineResource = {
            op: r.read ? "read" : "create",
            custom: r.custom,
            type: r.type,
            name: r.name,
            urn: r.urn,
            inputs,
            properties: this.outputsOf(r, inputs),
            options,
            ...(provider ? { provider } : {}),
            parent: r.parent || this.rootUrn,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
        };
        this.entries.push({ resource, recorded: r });
        added.push(resource);
        return added;
    }

    private outputsOf(r: RecordedResource, inputs: PropertyMap): PropertyMap {
        return r.read
            ? { ...inputs, id: r.id ?? UNKNOWN.string }
            : r.state
              ? ((stripInternalKeys(r.state) ?? {}) as PropertyMap)
              : r.custom
                ? previewCreateOutputs(r.type, inputs)
                : ((stripInternalKeys(r.outputs ?? {}) ?? {}) as PropertyMap);
    }

    /**
     * The whole view, once the program has finished: the stack's outputs on the root, components' registered
     * outputs on them (they arrive after the component's registration).
     */
    public view(stackOutputs: PropertyMap): EngineResource[] {
        return this.entries.map(({ resource, recorded }, i) => {
            if (i === 0) {
                return { ...resource, properties: stackOutputs };
            }
            if (recorded && !recorded.custom && !recorded.read && !recorded.state) {
                return { ...resource, properties: this.outputsOf(recorded, resource.inputs) };
            }
            return resource;
        });
    }
}

/** {@link EngineViewBuilder} over a whole recording (pure). */
export function engineView(
    project: string,
    stack: string,
    config: Readonly<Record<string, string>>,
    result: Pick<RunnerResult, "resources" | "stackOutputs">,
    secretKeys: readonly string[] = [],
): EngineResource[] {
    const builder = new EngineViewBuilder(project, stack, config, secretKeys);
    for (const r of result.resources) {
        builder.add(r);
    }
    return builder.view(result.stackOutputs);
}

/** Reads a fixtures file: a JSON array of `{token, args, result}`. Throws naming the entry and the fix. */
export function readInvokeFixtures(file: string): InvokeFixture[] {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new Error(`--invokes ${file}: cannot read JSON (${(e as Error).message})`);
    }
    if (!Array.isArray(raw)) {
        throw new Error(`--invokes ${file}: expected a JSON array of {"token", "args", "result"} entries`);
    }
    raw.forEach((f: unknown, i) => {
        const e = f as Partial<InvokeFixture> | null;
        if (!e || typeof e.token !== "string" || typeof e.result !== "object" || e.result === null) {
            throw new Error(
                `--invokes ${file}: entry #${i + 1} needs a string "token", an "args" object and a "result" object`,
            );
        }
        if (e.args !== undefined && (typeof e.args !== "object" || e.args === null || Array.isArray(e.args))) {
            throw new Error(`--invokes ${file}: entry #${i + 1} "args" must be an object`);
        }
    });
    return (raw as InvokeFixture[]).map((f) => ({ ...f, args: f.args ?? {} }));
}

/** Picks the account id: the flag, else `aws:allowedAccountIds` when it names exactly one account. */
export function accountIdFrom(flag: string | undefined, config: Readonly<Record<string, string>>): string | undefined {
    if (flag) {
        if (!/^\d{12}$/.test(flag)) {
            throw new Error(`--account-id ${JSON.stringify(flag)}: expected a 12-digit AWS account id`);
        }
        return flag;
    }
    const allowed = config["aws:allowedAccountIds"];
    if (allowed) {
        try {
            const ids = JSON.parse(allowed) as unknown;
            if (Array.isArray(ids) && ids.length === 1 && typeof ids[0] === "string") {
                return ids[0];
            }
        } catch {
            return undefined;
        }
    }
    return undefined;
}

/** The stack when none is given: the only `Pulumi.<stack>.yaml` in the directory, else "dev". */
export function defaultStack(programDir: string): string {
    const stacks = fs
        .readdirSync(programDir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined);
    return stacks.length === 1 ? stacks[0] : "dev";
}

/** A program ready to run: its project, its stack config, and what the runner is given. */
export interface PreparedProgram {
    project: string;
    stack: string;
    organization: string;
    config: Record<string, string>;
    secretKeys: string[];
    req: RunnerRequest;
    /** How the runner is started (the language host's node arguments and environment, the time limit). */
    run: Omit<RunProgramOptions, "onResource">;
}

/**
 * Reads the project and its config and prepares the runner's request as the CLI and the Node.js language host
 * would: the working directory and entry from `main`, the runtime options, the program's own `@pulumi/pulumi`.
 * Throws naming the file, the option or the missing dependency.
 */
export function prepareProgramRun(opts: Omit<PreviewOptions, "packDir" | "policyPackConfigFile">): PreparedProgram {
    const programDir = path.resolve(opts.programDir);
    const stack = opts.stack ?? defaultStack(programDir);
    const project = readProject(programDir);
    const runtime = parseRuntimeOptions(project.runtimeOptions, path.join(programDir, "Pulumi.yaml"));
    const { config, secretKeys } = loadStackConfig(programDir, project, stack, opts.config, opts.secretConfig);
    const invokes = opts.invokesFile ? readInvokeFixtures(opts.invokesFile) : [];
    const organization = opts.organization ?? "organization";
    const { pwd, entry } = pwdAndEntry(programDir, project.main);
    const ownPackage = ownPackageName();
    const req: RunnerRequest = {
        programDir,
        pwd,
        entry,
        sdkDir: resolveProgramSdk(pwd),
        ...(ownPackage ? { ownPackage } : {}),
        project: project.name,
        stack,
        organization,
        config,
        secretKeys,
        accountId: accountIdFrom(opts.accountId, config),
        region: config["aws:region"],
        invokes,
        mode: opts.unknowns ? "unknowns" : "placeholders",
    };
    return {
        project: project.name,
        stack,
        organization,
        config,
        secretKeys,
        req,
        run: {
            timeoutSeconds: opts.timeoutSeconds,
            nodeArgs: runtime.nodeargs,
            env: { ...(opts.programEnv ?? {}), ...hostEnvironment(runtime) },
        },
    };
}

/** A program's registrations and the engine's view of them (see {@link captureProgram}). */
export interface CapturedProgram {
    project: string;
    stack: string;
    organization: string;
    config: Record<string, string>;
    secretKeys: string[];
    result: RunnerResult & { stderr: string };
    view: EngineResource[];
    programMs: number;
}

/**
 * Reads the project and its config, runs the program under mocks and builds the engine's view: with placeholders for
 * what creates compute, or (`unknowns`) with those outputs unknown.
 */
export async function captureProgram(
    opts: Omit<PreviewOptions, "packDir" | "policyPackConfigFile">,
): Promise<CapturedProgram> {
    const prepared = prepareProgramRun(opts);
    const { project, stack, config, secretKeys } = prepared;
    const result = await runProgram(prepared.req, prepared.run);
    return {
        project,
        stack,
        organization: prepared.organization,
        config,
        secretKeys,
        result,
        view: engineView(project, stack, config, result, secretKeys),
        programMs: result.ms,
    };
}

/** {@link analyzeWithRemediation}'s diagnostics only (Remediate, Analyze, AnalyzeStack). */
export async function analyzeView(pack: PolicyPackClient, view: readonly EngineResource[]): Promise<Diagnostic[]> {
    return (await analyzeWithRemediation(pack, view)).diagnostics;
}

/** A check failure as the CLI prints it (`diag.GetResourcePropertyInvalidValueError` / `GetResourceInvalidError`). */
export function formatCheckFailure(f: CheckFailureRecord, inputs: PropertyMap | undefined): string {
    if (f.property) {
        const value = displayValue(inputs?.[f.property]);
        return `${f.type} resource '${f.name}'s property '${f.property}' value ${value} has a problem: ${f.reason}`;
    }
    return `${f.type} resource '${f.name}' has a problem: ${f.reason}`;
}

/**
 * Runs the whole offline preview: the pack starts while the program runs, and each registration goes through
 * Remediate and Analyze as soon as it arrives (as the engine calls them during the program); AnalyzeStack follows
 * once the program has finished. Program and policy problems are in the report (never thrown); bad options, config
 * or fixtures files, a missing dependency, a runner that timed out, ran out of memory or crashed, and a pack that
 * fails to start, throw. `pack`: reuse a running pack (it is reconfigured with the policy pack config, and not
 * closed).
 */
export async function runPreview(opts: PreviewOptions, pack?: PolicyPackClient): Promise<PreviewReport> {
    // Every known secret value is redacted from the report and from errors: before the program ran, the values of the
    // --secret-config flags; once it has run, everything its run showed to be secret.
    const secrets = { redactor: new Redactor(secretPairValues(opts.secretConfig ?? [])) };
    try {
        // The report first: the run replaces the redactor with one that knows every secret of the run.
        const report = await previewProgram(opts, secrets, pack);
        return secrets.redactor.json(report);
    } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        const redacted = secrets.redactor.text(message);
        throw redacted === message ? e : new Error(redacted);
    }
}

/** Every value the captured run showed to be secret (see `./redact`). */
export function knownSecrets(captured: Pick<CapturedProgram, "config" | "secretKeys" | "result">): Set<string> {
    const out = new Set<string>();
    configSecrets(captured.config, captured.secretKeys, out);
    for (const r of captured.result.resources) {
        wireSecrets(r.inputs, out);
        wireSecrets(r.state, out);
        wireSecrets(r.outputs, out);
    }
    wireSecrets(captured.result.stackOutputs, out);
    for (const v of captured.result.secretValues ?? []) {
        out.add(v);
    }
    return out;
}

/** The placeholders of a run, in registration order. */
export function placeholderEntries(resources: readonly RecordedResource[]): PlaceholderEntry[] {
    const out: PlaceholderEntry[] = [];
    for (const r of resources) {
        for (const [property, value] of Object.entries(r.placeholders ?? {})) {
            out.push({ value, of: `${r.urn}#${property}` });
        }
    }
    return out;
}

/** What the report says about values placeholders could not stand for, grouped by reason (pure). */
export function placeholderWarnings(
    resources: readonly RecordedResource[],
    placeholderInvokes: readonly (readonly string[])[],
    placeholders: readonly PlaceholderEntry[],
): string[] {
    const byReason = new Map<string, string[]>();
    for (const r of resources) {
        for (const [property, why] of Object.entries(r.unknownOutputs ?? {})) {
            const list = byReason.get(why) ?? [];
            list.push(`${r.type} '${r.name}' ${property}`);
            byReason.set(why, list);
        }
    }
    const some = (list: readonly string[]): string =>
        list.length <= 3 ? list.join(", ") : `${list.slice(0, 3).join(", ")} and ${list.length - 3} more`;
    const out = [...byReason].map(
        ([why, list]) => `no placeholder for ${some(list)}: ${why}; they stay unknown, as in pulumi preview`,
    );
    if (placeholderInvokes.length > 0) {
        const of = new Map<string, string>();
        for (const p of placeholders) {
            if (!of.has(p.value)) {
                of.set(p.value, p.of);
            }
        }
        const used = [...new Set(placeholderInvokes.flat())].map((v) => of.get(v) ?? v);
        out.push(
            `${placeholderInvokes.length} invoke(s) received placeholders (${some(used)}): what they return is not ` +
                "known before the resources exist, so their results are unknown, as in pulumi preview",
        );
    }
    return out;
}

/**
 * Runs the program and the pack side by side and builds the (unredacted) report; `secrets.redactor` is replaced,
 * once the program has run, by one that knows every secret value of the run.
 */
async function previewProgram(
    opts: PreviewOptions,
    secrets: { redactor: Redactor },
    pack?: PolicyPackClient,
): Promise<PreviewReport> {
    const packDir = path.resolve(opts.packDir);
    const fileConfig = opts.policyPackConfigFile
        ? parsePolicyPackConfig(fs.readFileSync(opts.policyPackConfigFile, "utf8"), opts.policyPackConfigFile)
        : {};
    const prepared = prepareProgramRun(opts);
    const { project, stack, organization, config, secretKeys } = prepared;
    const started = performance.now();
    let packStartMs: number | undefined;
    const packReady = (
        pack
            ? pack.configure(fileConfig).then(() => pack)
            : PolicyPackClient.launch({
                  packDir,
                  stack: { organization, project, stack, dryRun: true, config, secretKeys },
                  policyPackConfig: fileConfig,
              })
    ).then((client) => {
        packStartMs = performance.now() - started;
        return client;
    });
    // Observed below; a program error makes the pack's own failure moot.
    packReady.catch(() => undefined);
    const closeOwnPack = async (): Promise<void> => {
        if (!pack) {
            await packReady.then(
                (c) => c.close(),
                () => undefined,
            );
        }
    };
    const builder = new EngineViewBuilder(project, stack, config, secretKeys);
    const pipeline = new PolicyPipeline(packReady);
    pipeline.push(builder.root);
    let registered = 0;
    const progress = new Progress(opts.onProgress, () => ({ registered, analyzed: pipeline.analyzed }));
    let result: Awaited<ReturnType<typeof runProgram>>;
    try {
        result = await runProgram(prepared.req, {
            ...prepared.run,
            onResource: (r) => {
                registered++;
                for (const e of builder.add(r)) {
                    pipeline.push(e);
                }
            },
        });
    } catch (e) {
        progress.stop();
        await closeOwnPack();
        throw e;
    }
    const view = builder.view(result.stackOutputs);
    const placeholders = placeholderEntries(result.resources);
    secrets.redactor = new Redactor(knownSecrets({ config, secretKeys, result }));
    const report: PreviewReport = {
        project,
        stack,
        mode: opts.unknowns ? "unknowns" : "placeholders",
        placeholders,
        steps: view.map((r) => ({
            op: r.op,
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.urn === stackUrn(project, stack) ? "" : (r.parent ?? ""),
            custom: r.custom,
            ...(r.defaultProvider ? { defaultProvider: true } : {}),
            inputs: maskSecrets(r.inputs) as PropertyMap,
        })),
        diagnostics: [],
        remediations: [],
        checkFailures: result.checkFailures ?? [],
        unanswered: result.unanswered,
        invokes: result.invokes,
        exitCode: EXIT.ok,
        timings: { programMs: result.ms },
        warnings: [
            ...(result.warnings ?? []),
            ...placeholderWarnings(result.resources, result.placeholderInvokes ?? [], placeholders),
        ],
        ...(result.load ? { program: result.load } : {}),
    };
    if (result.error || result.unanswered.length > 0) {
        progress.stop();
        await closeOwnPack();
        const cannot = result.unanswered.map((u) => `cannot answer ${u.token}(${JSON.stringify(u.args)}): ${u.reason}`);
        report.programError = [...cannot, ...(result.error ? [result.error] : [])].join("\n");
        report.exitCode = EXIT.error;
        return report;
    }
    let client: PolicyPackClient;
    try {
        progress.enter("program finished, waiting for the policy pack");
        client = await packReady;
    } catch (e) {
        progress.stop();
        throw e;
    }
    try {
        report.timings.packStartMs = packStartMs;
        report.policyPack = { name: client.info.name, version: client.info.version, dir: packDir };
        report.warnings.push(
            ...unknownPolicyConfigEntries(client.info.policies, fileConfig, opts.policyPackConfigFile),
        );
        const t2 = performance.now();
        progress.enter(`Remediate and Analyze, then AnalyzeStack over ${view.length} resources`);
        const analysis = await pipeline.finish(view);
        report.diagnostics = analysis.diagnostics;
        report.remediations = analysis.remediations;
        report.timings.analyzeMs = performance.now() - t2;
    } finally {
        progress.stop();
        if (!pack) {
            await client.close();
        }
    }
    // A provider check failure makes the resource invalid: an error, as in `pulumi preview` (policies still ran, so
    // all problems show at once; the CLI stops at the first invalid resource).
    report.exitCode =
        report.checkFailures.length > 0
            ? EXIT.error
            : hasMandatory(report.diagnostics)
              ? EXIT.mandatoryViolation
              : EXIT.ok;
    return report;
}

/**
 * Entries of a `--policy-pack-config` file that name no policy of the pack. The CLI keeps them silently, so a
 * misspelled policy name changes nothing (e.g. a level meant to be mandatory stays advisory): say so.
 */
export function unknownPolicyConfigEntries(
    policies: readonly { name: string }[],
    fileConfig: Readonly<Record<string, unknown>>,
    source = "the policy pack config",
): string[] {
    const known = new Set(policies.map((p) => p.name));
    return Object.keys(fileConfig)
        .filter((name) => name !== "all" && !known.has(name))
        .map(
            (name) =>
                `${source}: "${name}" is not a policy of this pack, so the entry changes nothing ` +
                `(policies: ${[...known].sort().join(", ")})`,
        );
}

/** The fixtures-file entry a user would add to answer `u` (shown when an invoke cannot be answered). */
export function fixtureTemplate(u: UnansweredInvoke): string {
    return JSON.stringify(
        { token: u.token, args: u.args, result: { "...": "the values the real call returns" } },
        null,
        4,
    );
}

/** Renders the report like `pulumi preview`: the plan as a tree, then "Policies:", then a summary. */
export function formatReport(report: PreviewReport): string {
    const lines: string[] = [];
    lines.push(`Previewing update (${report.stack}) offline, under runtime mocks:`, "");
    const asIfCreated = report.mode === "placeholders" ? ", judged as if created" : "";
    const children = new Map<string, PlannedStep[]>();
    const shown = report.steps.filter((s) => !s.defaultProvider);
    for (const s of shown) {
        const list = children.get(s.parent) ?? [];
        list.push(s);
        children.set(s.parent, list);
    }
    const rows: [string, string, string][] = [];
    const walk = (parent: string, prefix: string): void => {
        const list = children.get(parent) ?? [];
        list.forEach((s, i) => {
            const last = i === list.length - 1;
            const branch = parent === "" ? "" : last ? "└─ " : "├─ ";
            rows.push([`${prefix}${branch}${s.type}`, s.name, s.op]);
            walk(s.urn, parent === "" ? "" : prefix + (last ? "   " : "│  "));
        });
    };
    walk("", "");
    const w0 = Math.max(4, ...rows.map((r) => r[0].length));
    const w1 = Math.max(4, ...rows.map((r) => r[1].length));
    lines.push(`     ${"Type".padEnd(w0)}  ${"Name".padEnd(w1)}  Plan`);
    for (const [t, n, op] of rows) {
        lines.push(` ${op === "read" ? ">" : "+"}   ${t.padEnd(w0)}  ${n.padEnd(w1)}  ${op}`);
    }
    lines.push("");
    if (report.programError) {
        lines.push("Diagnostics:", "  error: the program failed during preview:");
        for (const l of report.programError.split("\n")) {
            lines.push(`    ${l}`);
        }
        if (report.unanswered.length > 0) {
            lines.push("", "  Invokes the offline preview could not answer (nothing is made up):");
            for (const u of report.unanswered) {
                lines.push(`    - ${u.token}(${JSON.stringify(u.args)}): ${u.reason}`);
            }
            lines.push(
                "",
                "  Record the real answers in a fixtures file and pass it with --invokes FILE, e.g.:",
                ...`[\n${report.unanswered.map(fixtureTemplate).join(",\n")}\n]`.split("\n").map((l) => `    ${l}`),
            );
        }
        lines.push("");
    }
    const byName = new Map(report.steps.map((s) => [s.urn, s]));
    const where = (urn: string): string => {
        const s = byName.get(urn);
        return s ? `  (${s.type}: ${s.name})` : urn ? `  (${urn})` : "";
    };
    if (report.checkFailures.length > 0) {
        lines.push("Diagnostics:");
        for (const f of report.checkFailures) {
            lines.push(`  ${f.type} (${f.name}):`, `    error: ${formatCheckFailure(f, byName.get(f.urn)?.inputs)}`);
        }
        lines.push("");
    }
    for (const w of report.warnings) {
        lines.push(`warning: ${w}`);
    }
    if (report.warnings.length > 0) {
        lines.push("");
    }
    lines.push(...formatPlaceholders(report));
    if (report.policyPack) {
        const failed = hasMandatory(report.diagnostics);
        lines.push("Policies:");
        lines.push(
            `    ${failed ? "❌" : "✅"} ${report.policyPack.name}@v${report.policyPack.version} (local: ${report.policyPack.dir})`,
        );
        const order = (d: Diagnostic): number => (hasMandatory([d]) ? 0 : 1);
        for (const d of [...report.diagnostics].sort((a, b) => order(a) - order(b))) {
            lines.push(`        - [${d.enforcementLevel}]  ${d.policyName}${where(d.urn)}`);
            for (const l of d.message.split("\n")) {
                lines.push(`          ${l}`);
            }
        }
        for (const m of report.remediations) {
            lines.push(`        - [remediated]  ${m.policyName}${where(m.urn)}`);
            lines.push(`          ${m.description}`);
            lines.push(`          changed: ${m.changedKeys.length > 0 ? m.changedKeys.join(", ") : "(nothing)"}`);
        }
        lines.push("");
    }
    const creates = shown.filter((s) => s.op === "create").length;
    const reads = shown.filter((s) => s.op === "read").length;
    lines.push("Resources:", `    + ${creates} to create${reads > 0 ? `, ${reads} to read` : ""}`, "");
    const m = report.diagnostics.filter((d) => hasMandatory([d])).length;
    const a = report.diagnostics.filter((d) => d.enforcementLevel === "advisory").length;
    if (report.exitCode === EXIT.error && report.checkFailures.length > 0 && !report.programError) {
        lines.push(
            `error: preview failed: ${report.checkFailures.length} resource(s) failed their provider's check; ` +
                `fix the inputs named above (exit code 2)`,
        );
    } else if (report.exitCode === EXIT.error) {
        lines.push("error: preview failed; fix the program error above (exit code 2)");
    } else if (report.exitCode === EXIT.mandatoryViolation) {
        lines.push(
            `error: preview failed: ${m} mandatory policy violation(s), ${a} advisory${asIfCreated} (exit code 1)`,
        );
    } else {
        lines.push(`Preview passed: no mandatory policy violation, ${a} advisory${asIfCreated} (exit code 0)`);
    }
    return lines.join("\n");
}

/** How many placeholders the text report lists (the JSON report lists them all). */
const PLACEHOLDER_LINES = 20;

/** The text report's placeholder section: which values are made up, and what that means for the verdict. */
function formatPlaceholders(report: PreviewReport): string[] {
    if (report.mode === "unknowns") {
        return [
            "Computed outputs are unknown, as in pulumi preview: policies that read them note they can't run",
            "(drop --unknowns to judge them with placeholders, as if created).",
            "",
        ];
    }
    if (report.placeholders.length === 0) {
        return [];
    }
    const names = new Map(report.steps.map((s) => [s.urn, `${s.type} '${s.name}'`]));
    const rows = report.placeholders.slice(0, PLACEHOLDER_LINES).map((p) => {
        const at = p.of.lastIndexOf("#");
        return `    ${names.get(p.of.slice(0, at)) ?? p.of.slice(0, at)} ${p.of.slice(at + 1)} = ${p.value}`;
    });
    const more = report.placeholders.length - rows.length;
    return [
        "Placeholders: values that exist only once the resources are created, made up with the right shape, the same",
        "value wherever they flow; the policies judged the stack as if created:",
        ...rows,
        ...(more > 0 ? [`    ... and ${more} more (--json lists them all)`] : []),
        "",
    ];
}
