/**
 * The EMR Serverless questions asked of a KMS key policy, answered by MEANING: every question is a set of concrete
 * requests put to the IAM evaluator (evaluate.ts) over the whole document, Deny statements included, never a match
 * on how conditions are spelled. This module parses the document, asks each question in turn and assembles the
 * findings; each question lives in its own module:
 *
 * - does the service get the key, and is each grant bound to one application: serviceBinding.ts (its findings:
 *   serviceBindingFindings.ts);
 * - does the service get more than it needs: serviceOvergrant.ts;
 * - may a principal of another account use the key, and Allows with NotPrincipal: openGrants.ts;
 * - may a named principal use the key outside EMR Serverless: submitters.ts (per region);
 * - whose key it is: keyOwner.ts; what is assumed without the key's ARN: resourceAssumptions.ts.
 *
 * Every request is made on the key's ARN when the caller knows it (AnalyzeOptions.keyArn); otherwise
 * on "this key, ARN unknown", and the analysis lists what that assumed.
 */
import { APPLICATION_ID_CONTEXT_KEY, SOURCE_ACCOUNT_KEY, SOURCE_ARN_KEY } from "./constants";
import { CoreAnalysis, KeyRef, cachedCore, completeCore, givenKey, objectMemoKey } from "./coreCache";
import { DocumentIndex, isUndecidedFinding, undecidedFinding } from "./documentIndex";
import { accountPrincipals, explicitOwner, ownerAccount } from "./keyOwner";
import { SERVICE_ACTION_NAMES } from "./kmsActions";
import { notPrincipalFindings, openGrantFindings } from "./openGrants";
import { parsePolicyDocumentCached } from "./parse";
import type { ParsedPolicy } from "./parsedPolicy";
import { lookalikeFindings } from "./principals";
import { resourceAssumptions } from "./resourceAssumptions";
import { serviceGrants, serviceStatements } from "./serviceBinding";
import { serviceBindingFindings } from "./serviceBindingFindings";
import { overgrantFindings } from "./serviceOvergrant";
import { CONTEXT_KEYS_KEY } from "./serviceRequests";
import { regionKey, submitterFindings } from "./submitters";
import { AnalyzeOptions, ApplicationBinding, Finding, KeyPolicyAnalysis, Undecided } from "./types";
import { boundPolicy, isUnknownSentinel } from "./unknowns";

/**
 * Judges a KMS key policy for EMR Serverless disk encryption. Accepts a JSON string or an object;
 * never throws. See {@link KeyPolicyAnalysis} for the result and {@link AnalyzeOptions} for knobs.
 *
 * The expensive part of a judgment (parse and the questions) depends only on the document, the account keys
 * and the key's owner account; it is memoized for string documents and for object documents of plain data
 * without unknown values (see objectMemoKey in coreCache.ts). What the other options change (the expected
 * application, allowedSourceAccounts, requireEncryptionContextBinding, the region of the submitter question)
 * is derived from it cheaply, so asking about one document with several option sets costs one judgment. Every call returns a fresh object the caller may keep or change.
 */
export function analyzeKeyPolicy(document: unknown, options: AnalyzeOptions = {}): KeyPolicyAnalysis {
    return judge(document, options, true);
}

/**
 * {@link analyzeKeyPolicy} without the memo: every call parses and judges the document afresh. The reference the
 * memo is checked against, and the measure of what a judgment costs.
 */
export function analyzeKeyPolicyAfresh(document: unknown, options: AnalyzeOptions = {}): KeyPolicyAnalysis {
    return judge(document, options, false);
}

function judge(document: unknown, options: AnalyzeOptions, memoized: boolean): KeyPolicyAnalysis {
    try {
        const accountKeys = (
            options.sourceAccountKeys?.length ? options.sourceAccountKeys : [SOURCE_ACCOUNT_KEY]
        ).slice(0, 8);
        const memoKey = !memoized
            ? undefined
            : typeof document === "string"
              ? document
              : typeof document === "object" && document !== null
                ? objectMemoKey(document)
                : undefined;
        const coreFor = (opts: AnalyzeOptions): CoreAnalysis =>
            memoKey === undefined
                ? analyzeCore(document, accountKeys, opts, givenKey(opts))
                : cachedCore(document, memoKey, accountKeys, opts, (key) =>
                      analyzeCore(document, accountKeys, opts, key),
                  );
        const core = coreFor(options);
        const result = finishAnalysis(document, core, accountKeys, options, options.serviceOnly !== true);
        if (options.applications) {
            const owner = explicitOwner(options);
            result.applicationBindings = options.applications.map((application) => {
                const appOptions: AnalyzeOptions = { ...options, expectedApplication: application };
                try {
                    // The core depends on the application only through the owner account it names.
                    const appCore = explicitOwner(appOptions) === owner ? core : coreFor(appOptions);
                    return applicationBinding(appCore, accountKeys, appOptions);
                } catch {
                    // As a call with this application would end: a malformed finding, no binding.
                    return { findings: [], serviceActions: [], assumptions: [], hasUnknowns: false };
                }
            });
        }
        return result;
    } catch (e) {
        return {
            parsed: false,
            grantsService: false,
            serviceActions: [],
            assumptions: [],
            hasUnknowns: false,
            findings: [
                {
                    kind: "malformed",
                    message: `The key policy could not be judged: ${String(e)}.`,
                    fix: "Check that the key policy is a JSON policy document.",
                },
            ],
        };
    }
}

/**
 * The analysis for `options` from the core: cheap, except the submitter question for a region not asked before.
 * Without `everyQuestion` (AnalyzeOptions.serviceOnly), a document without unknown parts is answered without the
 * questions after the service binding; a partly unknown one is always judged whole (what its unknown parts leave
 * undecided depends on every question, down to the work budget they spend).
 */
function finishAnalysis(
    document: unknown,
    core: CoreAnalysis,
    accountKeys: readonly string[],
    options: AnalyzeOptions,
    everyQuestion = true,
): KeyPolicyAnalysis {
    if (core.bounds) {
        return finishBounded(document, core, core.bounds, accountKeys, options);
    }
    const findings: Finding[] = core.formFindings.map((f) => ({ ...f }));
    if (!core.parsed) {
        return {
            parsed: false,
            grantsService: false,
            serviceActions: [],
            assumptions: [],
            hasUnknowns: core.hasUnknowns,
            findings,
        };
    }
    const {
        findings: bindingFindings,
        binding,
        serviceActions,
    } = serviceBindingFindings(core.grants, core.principalAccounts, accountKeys, options);
    findings.push(...bindingFindings);
    if (everyQuestion) {
        completeCore(core);
        findings.push(...core.overgrants.map((f) => ({ ...f })), ...core.openGrants.map((f) => ({ ...f })));
        findings.push(...submitterQuestion(document, core, options));
    } else {
        // Only the binding was asked: what it could not decide is reported all the same.
        findings.push(...(core.bindingUndecided ?? core.undecided).map(undecidedFinding));
    }
    if (core.assumptions.length > 0) {
        const assumed = core.assumptions.join(" ");
        for (const f of findings) {
            if (f.kind !== "malformed") {
                f.message = `${f.message} ${assumed}`;
            }
        }
    }
    const result: KeyPolicyAnalysis = {
        parsed: true,
        grantsService: core.grants.some((g) => g.usesKey),
        serviceActions: SERVICE_ACTION_NAMES.filter((a) => serviceActions.has(a)),
        assumptions: [...core.assumptions],
        hasUnknowns: core.hasUnknowns,
        findings,
    };
    if (result.grantsService) {
        result.binding = binding;
        result.grantsServiceByExactName = core.grants.some((g) => g.usesKey && g.exactName);
        result.lookalikeGrants = core.grants.filter((g) => g.usesKey && !g.exactName).map((g) => g.where);
    }
    return result;
}

/**
 * The submitter findings for the options' region, and the note that the judge ran out of work budget when it did:
 * from the core when the region was asked before, else the submitter question alone, from the budget the
 * open-grant question left (as in one pass). The core must be complete ({@link completeCore}).
 */
function submitterQuestion(document: unknown, core: CoreAnalysis, options: AnalyzeOptions): Finding[] {
    let submitters = core.submitters.get(regionKey(options));
    if (!submitters) {
        const policy = core.policy ?? parsePolicyDocumentCached(document).policy;
        if (!policy) {
            throw new Error("the key policy parsed before no longer parses");
        }
        const index = new DocumentIndex(policy, core.owner, core.keyArn, core.keyId);
        index.restoreBudget(core.budget, core.exhausted, core.undecided);
        submitters = submitterFindings(index, options.region);
        core.submitters.set(regionKey(options), submitters);
    }
    const findings = submitters.findings.map((f) => ({ ...f }));
    findings.push(...submitters.undecided.map(undecidedFinding));
    if (submitters.exhausted) {
        findings.push({
            kind: "malformed",
            message:
                "The key policy is too complex for the judge to decide within its work limit (it has many " +
                "interlocking conditions); its findings are incomplete, so it is not accepted.",
            fix: "Simplify the key policy: fewer Deny statements and fewer distinct condition keys and values.",
        });
    }
    return findings;
}

/**
 * The service binding of a core against `options.expectedApplication`: the service-unbound findings and service
 * actions {@link finishAnalysis} gives for these options (for a partly unknown document, those of its lower
 * bound, as {@link finishBounded} keeps them), without the questions that do not depend on the application.
 */
function applicationBinding(
    core: CoreAnalysis,
    accountKeys: readonly string[],
    options: AnalyzeOptions,
): ApplicationBinding {
    const judged = core.bounds ? core.bounds.lower : core;
    const hasUnknowns = core.bounds ? true : judged.hasUnknowns;
    if (!judged.parsed) {
        return { findings: [], serviceActions: [], assumptions: [], hasUnknowns };
    }
    const { findings, serviceActions } = serviceBindingFindings(
        judged.grants,
        judged.principalAccounts,
        accountKeys,
        options,
    );
    const assumed = judged.assumptions.join(" ");
    return {
        // Without anything but the document's form to judge, a partly unknown document keeps no binding finding.
        findings: core.undecidable
            ? []
            : findings.map((f) => (assumed === "" ? f : { ...f, message: `${f.message} ${assumed}` })),
        serviceActions: SERVICE_ACTION_NAMES.filter((a) => serviceActions.has(a)),
        assumptions: [...judged.assumptions],
        hasUnknowns,
    };
}

/** Finding kinds that follow from the document's form alone (parse problems, look-alike principals, Allow with NotPrincipal). */
const FORM_KINDS: ReadonlySet<string> = new Set(["malformed", "service-principal-lookalike", "not-principal-allow"]);

/** Every kind of answer a partly unknown document may leave undecided, in the order the analysis lists them. */
const ALL_UNDECIDED: readonly Undecided[] = [
    "malformed",
    "service-unbound",
    "open-grant",
    "not-principal-allow",
    "submitter-not-via-service",
    "service-overgrant",
    "service-principal-lookalike",
    "grants-service",
    "service-actions",
];

/**
 * The analysis of a partly unknown document from its two bounds: the lower bound's findings (they hold
 * whatever the unknown parts are), and as undecided what the upper bound adds at some statement.
 */
function finishBounded(
    document: unknown,
    core: CoreAnalysis,
    bounds: { lower: CoreAnalysis; upper: CoreAnalysis },
    accountKeys: readonly string[],
    options: AnalyzeOptions,
): KeyPolicyAnalysis {
    const lower = finishAnalysis(document, bounds.lower, accountKeys, options);
    const upper = finishAnalysis(document, bounds.upper, accountKeys, options);
    const at = (f: Finding): string => `${f.kind}\u0000${f.where ?? ""}`;
    const certain = new Set(lower.findings.map(at));
    // The characters and length of an unknown value cannot be checked: validity is never decided.
    const undecided = new Set<Undecided>(["malformed"]);
    for (const f of upper.findings) {
        if (!certain.has(at(f))) {
            undecided.add(f.kind);
        }
    }
    if (upper.grantsService && !lower.grantsService) {
        undecided.add("grants-service");
    }
    if (upper.serviceActions.join() !== lower.serviceActions.join()) {
        undecided.add("service-actions");
    }
    // What follows from a statement's form: an unknown principal may turn out to be a look-alike of the
    // service principal, and an unknown statement an Allow with NotPrincipal.
    const unknowns = core.unknowns ?? [];
    const wholeStatement = unknowns.some((u) => u.path[0] === "Statement" && u.path.length <= 2);
    if (wholeStatement || unknowns.some((u) => u.path.includes("Principal") || u.path.includes("NotPrincipal"))) {
        undecided.add("service-principal-lookalike");
    }
    if (wholeStatement) {
        undecided.add("not-principal-allow");
    }
    // The upper bound out of work budget: what it would add is not known.
    const exhausted = bounds.upper.exhausted || upper.findings.some((f) => f.kind === "malformed");
    const result: KeyPolicyAnalysis = {
        ...lower,
        hasUnknowns: true,
        unknowns: (core.unknowns ?? []).map((u) => ({ ...u, path: [...u.path] })),
        undecided: ALL_UNDECIDED.filter((k) => core.undecidable || exhausted || undecided.has(k)),
    };
    if (core.undecidable) {
        result.findings = lower.findings.filter((f) => FORM_KINDS.has(f.kind) && !isUndecidedFinding(f));
        result.grantsService = false;
        delete result.binding;
        delete result.grantsServiceByExactName;
        delete result.lookalikeGrants;
    }
    return result;
}

/** The fields of a core whose questions (after the service binding) are not asked yet. */
function unasked(): Pick<
    CoreAnalysis,
    "overgrants" | "openGrants" | "budget" | "exhausted" | "undecided" | "submitters"
> {
    return { overgrants: [], openGrants: [], budget: 0, exhausted: false, undecided: [], submitters: new Map() };
}

/**
 * Parse and every question but the submitters' (which {@link finishAnalysis} asks per region). `key.arn` is the
 * key ARN every request is made on, or undefined when unknown (then the assumptions are recorded).
 */
function analyzeCore(
    document: unknown,
    accountKeys: readonly string[],
    options: AnalyzeOptions,
    key: KeyRef,
): CoreAnalysis {
    const empty = (parsed: boolean, hasUnknowns: boolean, formFindings: Finding[]): CoreAnalysis => ({
        parsed,
        hasUnknowns,
        owner: "",
        assumptions: [],
        principalAccounts: [],
        formFindings,
        grants: [],
        ...unasked(),
    });
    if (typeof document === "string" && isUnknownSentinel(document.trim())) {
        return empty(false, true, []);
    }
    const parsed = parsePolicyDocumentCached(document);
    const formFindings: Finding[] = parsed.problems.map((p) => ({
        kind: "malformed",
        where: p.where,
        message: p.message,
        fix: p.fix,
    }));
    const policy = parsed.policy;
    if (!policy) {
        return empty(false, false, formFindings);
    }
    formFindings.push(...lookalikeFindings(policy));
    if (policy.unknowns?.length) {
        return boundedCore(policy, formFindings, accountKeys, options, key);
    }
    return questionsCore(policy, formFindings, accountKeys, options, key, undefined, options.serviceOnly === true);
}

/**
 * A document with parts unknown at preview: judged as its two bounds (unknowns.ts), the lower one giving
 * the findings that hold whatever the unknown parts are, the upper one what they could add.
 */
function boundedCore(
    policy: ParsedPolicy,
    formFindings: Finding[],
    accountKeys: readonly string[],
    options: AnalyzeOptions,
    key: KeyRef,
): CoreAnalysis {
    // The key's account, and its account principals, as the known statements tell them. An unknown principal,
    // Effect or statement may add an account principal (the key's own accounts): then a binding to another
    // account is only a possible violation (the upper bound's), not a certain one.
    const known = { owner: ownerAccount(policy, options), principalAccounts: accountPrincipals(policy) };
    const accountsOpen = (policy.unknowns ?? []).some(
        (u) =>
            u.path.includes("Principal") ||
            u.path[u.path.length - 1] === "Effect" ||
            (u.path[0] === "Statement" && u.path.length <= 2),
    );
    const lower = questionsCore(boundPolicy(policy, "lower"), formFindings, accountKeys, options, key, {
        owner: known.owner,
        principalAccounts: accountsOpen ? [] : known.principalAccounts,
    });
    const upper = questionsCore(boundPolicy(policy, "upper"), [], accountKeys, options, key, known);
    return {
        ...lower,
        hasUnknowns: true,
        unknowns: policy.unknowns,
        bounds: { lower, upper },
        // Policy variables are literal text without Version "2012-10-17": with the Version unknown, none can be read.
        undecidable:
            policy.versionUnknown === true && policy.statements.some((st) => st.conditions.some((c) => c.variables)),
    };
}

/**
 * Every question over a policy without unknowns: the service binding, the over-grant and the open grants, then the
 * submitters for the region asked (from where the work budget stands, as {@link finishAnalysis} does for other
 * regions).
 */
function questionsCore(
    policy: ParsedPolicy,
    formFindings: Finding[],
    accountKeys: readonly string[],
    options: AnalyzeOptions,
    key: KeyRef,
    known?: { owner: string; principalAccounts: string[] },
    deferRest = false,
): CoreAnalysis {
    const owner = known?.owner ?? ownerAccount(policy, options);
    const index = new DocumentIndex(policy, owner, key.arn, key.id);
    const bindingKeys = [SOURCE_ARN_KEY, ...accountKeys, APPLICATION_ID_CONTEXT_KEY];
    // Every request of the service carries its application's id in the encryption context, so its context keys.
    const serviceKeys = [...bindingKeys, CONTEXT_KEYS_KEY];
    const statements = serviceStatements(policy);
    const { grants, baselines } = serviceGrants(index, statements, accountKeys, bindingKeys, serviceKeys);
    const core: CoreAnalysis = {
        parsed: true,
        hasUnknowns: policy.hasUnknowns,
        owner: index.owner,
        keyArn: key.arn,
        keyId: key.arn === undefined ? key.id : undefined,
        assumptions: key.arn === undefined ? resourceAssumptions(policy, key.id) : [],
        principalAccounts: known?.principalAccounts ?? accountPrincipals(policy),
        policy: known ? policy : undefined,
        formFindings: [...formFindings, ...notPrincipalFindings(policy)],
        grants,
        ...unasked(),
    };
    core.bindingUndecided = [...index.undecided];
    // The questions after the binding, on the index as the binding left it.
    const rest = (from: DocumentIndex): void => {
        core.overgrants = overgrantFindings(from, statements, baselines, serviceKeys);
        core.openGrants = openGrantFindings(from);
        const budget = from.saveBudget();
        core.budget = budget.left;
        core.exhausted = budget.exhausted;
        core.undecided = budget.undecided;
        core.submitters.set(regionKey(options), submitterFindings(from, options.region));
    };
    if (deferRest) {
        // Kept: the policy and the binding's baselines, not the index (its caches are pure; only its budget
        // carries over, as for a region asked later).
        const left = index.saveBudget();
        core.rest = () => {
            const again = new DocumentIndex(policy, owner, key.arn, key.id);
            again.restoreBudget(left.left, left.exhausted, left.undecided);
            rest(again);
        };
    } else {
        rest(index);
    }
    return core;
}
