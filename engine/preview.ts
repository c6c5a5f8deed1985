/**
 * The offline preview: run a Pulumi program under runtime mocks as a preview of an empty stack, then put
 * what the engine would see through the policy pack over the real analyzer protocol, and report like
 * `pulumi preview --policy-pack`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { hasMandatory, PolicyPackClient } from "./analyzer";
import type { Diagnostic } from "./analyzerTypes";
import { type EngineResource, EngineViewBuilder, stackUrn } from "./engineView";
import { analyzeWithRemediation, PolicyPipeline } from "./policyPasses";
import { parsePolicyPackConfig } from "./policyConfig";
import { knownSecrets, prepareProgramRun, type ProgramOptions } from "./programRun";
import { Progress } from "./progress";
import { maskSecrets, type PropertyMap } from "./properties";
import { Redactor, secretPairValues } from "./redact";
import {
    EXIT,
    placeholderEntries,
    placeholderWarnings,
    type PreviewReport,
    unknownPolicyConfigEntries,
} from "./previewReport";
import { runProgram } from "./runner";

/** Options of {@link runPreview}: the program's ({@link ProgramOptions}) and the pack's; the CLI flags map onto these. */
export interface PreviewOptions extends ProgramOptions {
    /** The policy pack directory. */
    packDir: string;
    /** A `--policy-pack-config` file. */
    policyPackConfigFile?: string;
    /** Receives progress lines during a long preview (the CLI writes them to stderr). */
    onProgress?: (line: string) => void;
}

/** {@link analyzeWithRemediation}'s diagnostics only (Remediate, Analyze, AnalyzeStack). */
export async function analyzeView(pack: PolicyPackClient, view: readonly EngineResource[]): Promise<Diagnostic[]> {
    return (await analyzeWithRemediation(pack, view)).diagnostics;
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
