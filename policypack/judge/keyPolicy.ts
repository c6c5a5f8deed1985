/**
 * The EMR Serverless questions asked of a KMS key policy, answered by MEANING: every question is a
 * set of concrete requests put to the IAM evaluator ({@link evaluateNormalized}) over the whole
 * document, Deny statements included, never a match on how conditions are spelled.
 *
 * Binding (question 2): for a statement that lets the service use the key, build a request the
 * statement allows (values taken from the document's own conditions), then change one binding key at
 * a time to adversarial values generated from the document (every literal and pattern for that key,
 * wildcards instantiated two ways, one character appended or changed, case flipped, a foreign value,
 * the key absent). If any changed request is still allowed, the key is not bound to one value. The
 * service's requests carry only values it really sends ({@link serviceValue}: application ARNs and ids
 * are lower-case), so a case variant of the bound application is that application, not another one.
 *
 * Every request is made on the key's ARN when the caller knows it (AnalyzeOptions.keyArn); otherwise
 * on "this key, ARN unknown", and the analysis lists what that assumed.
 */
import {
    APPLICATION_ID_CONTEXT_KEY,
    EMR_SERVERLESS_PRINCIPAL,
    SOURCE_ACCOUNT_KEY,
    SOURCE_ARN_KEY,
    VIA_SERVICE_KEY,
    emrServerlessViaService,
} from "./constants";
import {
    NormalizedRequest,
    accountOf,
    actionMatches,
    conditionHolds,
    evaluateNormalized,
    globMatch,
    principalMatches,
    resourceDependsOnKey,
    statementApplies,
    substituteVariables,
} from "./evaluate";
import { ParsedPolicy, ParsedStatement, parsePolicyDocumentCached } from "./parse";
import { BARE_KEY_ID_PATTERN, parseKeyArn, RESERVED_CONTEXT_KEY } from "./setting";
import { lookalikeFindings, namesServiceExactly } from "./principals";
import { AnalyzeOptions, Finding, KeyPolicyAnalysis, ServiceBinding, Undecided, UnknownPart } from "./types";
import { boundPolicy, holdsUnknown, isUnknownSentinel } from "./unknowns";
import { Constraint, Element, Language, classChar, glob, literal, literalChar } from "./languages";
import {
    KeyDomain,
    KeyRequirement,
    MULTI_VALUED_KEYS,
    TooHard,
    Unsupported,
    findAllowedRequestExactly,
    foreignCaller,
    valueLanguage,
} from "./witness";

/** The foreign principal used to probe open grants. */
export const FOREIGN_ACCOUNT = "999999999999";
export const FOREIGN_PRINCIPAL_ARN = `arn:aws:iam::${FOREIGN_ACCOUNT}:role/x`;
const FOREIGN_ORG = "o-foreign0000";

/**
 * KMS actions on a key, other than the two the service needs, probed for over-grants and open grants. With
 * {@link MORE_KMS_ACTIONS} and those two, every action of the Service Authorization Reference whose resource is
 * a key: a key policy governs these only (kms:CreateKey, kms:GenerateRandom, kms:ListKeys and the custom key
 * store actions are not on a key, and a name KMS does not have grants nothing).
 */
export const OTHER_KMS_ACTIONS: readonly string[] = [
    "kms:Encrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:ListGrants",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:EnableKey",
    "kms:UpdateKeyDescription",
    "kms:TagResource",
    "kms:Sign",
    "kms:GenerateMac",
];

/** Further key-resource KMS actions, tried by the open-grant probe. */
const MORE_KMS_ACTIONS: readonly string[] = [
    "kms:Verify",
    "kms:VerifyMac",
    "kms:GetPublicKey",
    "kms:DeriveSharedSecret",
    "kms:CancelKeyDeletion",
    "kms:EnableKeyRotation",
    "kms:DisableKeyRotation",
    "kms:GetKeyRotationStatus",
    "kms:RotateKeyOnDemand",
    "kms:ListKeyRotations",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:UntagResource",
    "kms:ImportKeyMaterial",
    "kms:DeleteImportedKeyMaterial",
    "kms:GetParametersForImport",
    "kms:CreateAlias",
    "kms:UpdateAlias",
    "kms:DeleteAlias",
    "kms:ReplicateKey",
    "kms:UpdatePrimaryRegion",
    "kms:SynchronizeMultiRegionKey",
];

/**
 * Foreign accounts the open-grant probe may use; it takes the first two the document does not mention
 * (so that a Deny naming the probe account cannot hide an open grant to every other account).
 */
const PROBE_ACCOUNTS: readonly string[] = [
    FOREIGN_ACCOUNT,
    "468013579246",
    "730582916473",
    "205937461820",
    "851620394756",
    "319475086231",
    "046285917350",
    "572904163839",
    "184736250917",
    "623049581724",
];

/**
 * Fillers for `*` when a pattern is instantiated, by length (one filler of each length is used, the
 * first the document does not mention), so that neither a Deny listing values nor one listing lengths
 * (`???b`) can block every instantiation the judge tries.
 */
const STAR_FILLERS: readonly (readonly string[])[] = [
    ["k", "w", "j", "7", "q", "z"],
    ["zq", "k7", "w3", "j9"],
    ["zz9", "k7w", "j4p", "q8m"],
    ["q3xj8", "w9k2d", "j7m4z"],
    ["m0vd2pt6", "k9wz3qj7", "v5n8x2r1"],
    ["m0vd2pt6hyr4k", "z8q3wj7k5v2nd"],
];
/** Fillers for `?`. */
const QUESTION_FILLERS: readonly string[] = ["Q", "a", "7", "w", "K", "3", "v", "J", "0", "m", "Z", "5"];

const SERVICE_ACTION_LIST = ["kms:GenerateDataKey", "kms:Decrypt"];

/**
 * Further actions that use or hand on the key's material: a grant of any of them to the service must be
 * bound like the grant of the two it needs (a kms:CreateGrant without binding lets the service create
 * grants for any caller's context). Read-only metadata actions (kms:DescribeKey, ...) carry no
 * encryption context and are left to the over-grant advisory.
 */
export const KEY_MATERIAL_ACTIONS: readonly string[] = [
    "kms:Encrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:CreateGrant",
];

/**
 * The actions whose grant to the service is put to the binding question for `st`: the two the service
 * needs, then one representative of each further class of {@link KEY_MATERIAL_ACTIONS} that every
 * statement's Action/NotAction treats differently from those already chosen (conditions never depend on
 * the action, so an action of an already chosen class would get the same verdicts).
 */
function bindingProbeActions(policy: ParsedPolicy, st: ParsedStatement): string[] {
    const signature = (action: string): string => {
        let out = "";
        for (const s of policy.statements) {
            out += actionMatches(s, action) ? "1" : "0";
        }
        return out;
    };
    const classes = new Set(SERVICE_ACTION_LIST.map(signature));
    const out = [...SERVICE_ACTION_LIST];
    for (const action of KEY_MATERIAL_ACTIONS) {
        if (!actionMatches(st, action)) {
            continue;
        }
        const sig = signature(action);
        if (!classes.has(sig)) {
            classes.add(sig);
            out.push(action);
        }
    }
    return out;
}

type Value = string | string[] | undefined;
type Context = Map<string, string[]>;

const MAX_DOC_VALUES = 16;
const MAX_CANDIDATES = 64;
const MAX_SEARCH_EVALUATIONS = 400;
/**
 * Statement checks one analysis may spend (≈0.2 µs each). A typical key policy needs a few thousand;
 * only a pathological document (hundreds of interlocking Deny statements) reaches the limit, and then
 * the analysis reports that it could not decide rather than passing the document.
 */
const WORK_BUDGET = 1_500_000;

/** Keys that describe who the caller is; a principal cannot choose them. */
const IDENTITY_KEYS = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principaltype",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:userid",
    "aws:username",
    "kms:calleraccount",
];
/** Keys that describe where a request comes from; for a foreign caller they are absent or foreign. */
const ORIGIN_KEYS = new Set([
    "aws:sourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:vpcsourceip",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceidentity",
]);

/** A foreign (not this owner's) value for a key. */
function foreignValue(lower: string): string {
    switch (lower) {
        case "aws:sourcearn":
            return `arn:aws:emr-serverless:us-east-1:${FOREIGN_ACCOUNT}:/applications/00foreignapp0`;
        case "aws:sourceaccount":
        case "aws:principalaccount":
        case "kms:calleraccount":
        case "aws:resourceaccount":
            return FOREIGN_ACCOUNT;
        case "kms:encryptioncontext:applicationid":
            return "00foreignapp0";
        case "aws:principalorgid":
        case "aws:sourceorgid":
            return FOREIGN_ORG;
        case "aws:principalarn":
            return FOREIGN_PRINCIPAL_ARN;
        case "kms:viaservice":
            return "s3.us-east-1.amazonaws.com";
        default:
            return "foreign-value";
    }
}

/** A plausible own value for a binding key the document never mentions. */
function ownDefault(lower: string, owner: string): string {
    switch (lower) {
        case "aws:sourcearn":
            return `arn:aws:emr-serverless:us-east-1:${owner}:/applications/00exampleapp0`;
        case "aws:sourceaccount":
            return owner;
        case "kms:encryptioncontext:applicationid":
            return "00exampleapp0";
        default:
            return "example-value";
    }
}

function hasWildcard(s: string): boolean {
    return s.includes("*") || s.includes("?");
}

function instantiate(pattern: string, star: string, question: string): string {
    return pattern.replace(/\*/g, star).replace(/\?/g, question);
}

function flipCase(s: string): string {
    const lower = s.toLowerCase();
    return s === lower ? s.toUpperCase() : lower;
}

function changeLast(s: string): string {
    if (s.length === 0) {
        return "a";
    }
    const last = s[s.length - 1];
    return s.slice(0, -1) + (last === "0" ? "1" : last === "a" ? "b" : "0");
}

/** Every string of the parsed document that a request could be compared with, lower-cased, joined. */
function documentText(policy: ParsedPolicy): string {
    const parts: string[] = [];
    for (const st of policy.statements) {
        parts.push(...(st.actions ?? []), ...(st.notActions ?? []));
        parts.push(...(st.resources ?? []), ...(st.notResources ?? []));
        for (const pr of [st.principal, st.notPrincipal]) {
            for (const list of Object.values(pr?.values ?? {})) {
                parts.push(...(list ?? []));
            }
        }
        for (const c of st.conditions) {
            parts.push(c.key, ...c.values);
        }
    }
    return parts.join("\u0000").toLowerCase();
}

/** The first `n` of `candidates` that the document text does not contain (falling back to the first ones). */
function unmentioned(text: string, candidates: readonly string[], n: number): string[] {
    const out = candidates.filter((c) => !text.includes(c.toLowerCase())).slice(0, n);
    for (const c of candidates) {
        if (out.length >= n) {
            break;
        }
        if (!out.includes(c)) {
            out.push(c);
        }
    }
    return out;
}

/** What the analysis knows about the document, computed once. */
class DocumentIndex {
    /** Condition keys (lower-case) to their spelling in the document. */
    readonly keys = new Map<string, string>();
    /** Condition keys (lower-case) to every value written for them anywhere. */
    readonly values = new Map<string, string[]>();
    private readonly variantCache = new Map<string, string[]>();
    /** Context values the judge knows for every probe, for resolving policy variables. */
    readonly known = new Map<string, string[]>();
    private textCache?: string;
    private fillersCache?: Array<[string, string]>;

    /** The document's strings, lower-cased (to pick probe values it does not mention). */
    get text(): string {
        this.textCache ??= documentText(this.policy);
        return this.textCache;
    }

    /**
     * Pairs (filler for `*`, filler for `?`) to instantiate wildcard patterns with: ("", "a") and one
     * filler of each of several lengths that the document never mentions, so that a Deny listing a few
     * values cannot block every instantiation the judge tries.
     */
    get fillers(): Array<[string, string]> {
        if (!this.fillersCache) {
            const stars = STAR_FILLERS.map((options) => unmentioned(this.text, options, 1)[0]);
            const questions = unmentioned(this.text, QUESTION_FILLERS, 3);
            this.fillersCache = [
                ["", "a"],
                ...stars.map((s, i): [string, string] => [s, questions[i % questions.length]]),
            ];
        }
        return this.fillersCache;
    }

    /**
     * Two foreign accounts for the open-grant probe: accounts the document does not mention, and among
     * them the ones that the fewest wildcard condition values of the document match (so that a Deny on
     * an account pattern such as "9*" cannot hide an open grant to every other account either).
     */
    get probeAccounts(): string[] {
        const patterns: string[] = [];
        for (const st of this.policy.statements) {
            for (const c of st.conditions) {
                patterns.push(...c.values.filter(hasWildcard));
            }
        }
        const text = this.text;
        const scored = PROBE_ACCOUNTS.map((account) => ({
            account,
            // Mentioned literally: last resort only.
            score:
                (text.includes(account) ? 1_000_000 : 0) + patterns.filter((p) => globMatch(p, account, false)).length,
        }));
        return scored
            .sort((a, b) => a.score - b.score)
            .slice(0, 2)
            .map((s) => s.account);
    }
    /** The partition of the key's ARN ("aws" when unknown). */
    get partition(): string {
        return /^arn:([^:]+):/.exec(this.keyArn ?? "")?.[1] ?? "aws";
    }

    /** The values written for a key without wildcards or policy variables (an organization's own ids). */
    literalsOf(lower: string): string[] {
        const out = new Set<string>();
        for (const st of this.policy.statements) {
            for (const c of st.conditions) {
                if (c.keyLower === lower && c.base !== "Null" && !c.variables) {
                    c.values.filter((v) => !hasWildcard(v)).forEach((v) => out.add(v));
                }
            }
        }
        return [...out];
    }

    /** A foreign value of a key: one that no value the document writes for it matches, under its operator. */
    foreignShape(lower: string): Constraint[] {
        const out: Constraint[] = [];
        for (const st of this.policy.statements) {
            for (const c of st.conditions) {
                if (c.keyLower === lower && c.base !== undefined && c.base !== "Null" && !c.variables) {
                    for (const v of c.values) {
                        out.push({ language: valueLanguage(c.base, v), want: false });
                    }
                }
            }
        }
        return out;
    }

    /** Work left (statement checks); when it runs out the analysis says so instead of guessing. */
    private budget = WORK_BUDGET;
    exhausted = false;

    /** Takes `n` units of work; false (and `exhausted`) when the budget is spent. */
    spend(n: number): boolean {
        this.budget -= n;
        if (this.budget < 0) {
            this.exhausted = true;
            return false;
        }
        return true;
    }

    /** Where the budget stands (to continue a judgment later on a fresh index of the same document). */
    saveBudget(): { left: number; exhausted: boolean } {
        return { left: this.budget, exhausted: this.exhausted };
    }

    /** Continues from a saved budget; the index's other caches are pure, so the judgment is the same as in one pass. */
    restoreBudget(left: number, exhausted: boolean): void {
        this.budget = left;
        this.exhausted = exhausted;
    }

    constructor(
        readonly policy: ParsedPolicy,
        /** The account the key lives in (value of aws:ResourceAccount in every probe). */
        readonly owner: string,
        /** The key's ARN, the resource of every probe; undefined when unknown (see AnalyzeOptions.keyArn). */
        readonly keyArn: string | undefined,
        /** The key's id when its ARN is unknown (see AnalyzeOptions.keyId). */
        readonly keyId?: string,
    ) {
        const known = this.known;
        known.set("aws:resourceaccount", [owner]);
        for (const st of policy.statements) {
            for (const c of st.conditions) {
                if (!this.keys.has(c.keyLower)) {
                    this.keys.set(c.keyLower, c.key);
                }
                if (c.base === "Null" || c.base === undefined) {
                    continue;
                }
                const list = this.values.get(c.keyLower) ?? [];
                for (const raw of c.values) {
                    // A value with policy variables is tried with the variables the judge knows resolved.
                    const v = c.variables ? (substituteVariables(raw, known) ?? raw) : raw;
                    if (list.length < MAX_DOC_VALUES && !list.includes(v)) {
                        list.push(v);
                    }
                }
                this.values.set(c.keyLower, list);
            }
        }
    }

    /** Adversarial values for a key: document literals and patterns, instantiated and perturbed. */
    variants(lower: string, extra: readonly string[] = []): string[] {
        const cacheKey = lower + "\u0000" + extra.join("\u0000");
        const hit = this.variantCache.get(cacheKey);
        if (hit) {
            return hit;
        }
        const out = new Set<string>();
        const add = (v: string): void => {
            if (out.size < MAX_CANDIDATES) {
                out.add(v);
            }
        };
        const seeds = [...extra, ...(this.values.get(lower) ?? [])];
        const literals: string[] = [];
        for (const v of seeds) {
            if (hasWildcard(v)) {
                for (const [star, question] of this.fillers) {
                    literals.push(instantiate(v, star, question));
                }
            } else {
                literals.push(v);
            }
        }
        for (const l of literals) {
            add(l);
        }
        add(foreignValue(lower));
        for (const l of literals) {
            add(l + "x");
            add(changeLast(l));
            add(flipCase(l));
        }
        const result = [...out];
        this.variantCache.set(cacheKey, result);
        return result;
    }
}

/** How the search treats each condition key. */
interface SearchSpec {
    principal: { type: "AWS" | "Service"; id: string };
    action: string;
    /** The key's ARN (the request's resource), undefined when unknown. */
    resource: string | undefined;
    /** The key's id when its ARN is unknown. */
    resourceId?: string;
    /**
     * Maps a candidate value of a searched key to the value a real request would carry (see
     * {@link serviceValue}), or undefined when no real request carries it; identity when absent.
     */
    normalize?: (lower: string, value: string) => string | undefined;
    /** Keys whose value is fixed (undefined = absent). */
    fixed: Map<string, Value>;
    /** Ordered candidate values for a searchable key (undefined = absent). */
    candidates: (lower: string) => Value[];
    /** Extra keys to put in the request besides the document's own. */
    extraKeys: readonly string[];
}

function toList(v: Value): string[] | undefined {
    if (v === undefined) {
        return undefined;
    }
    return Array.isArray(v) ? (v.length > 0 ? v : undefined) : [v];
}

function withKey(ctx: Context, key: string, v: Value): Context {
    const next = new Map(ctx);
    const list = toList(v);
    if (list) {
        next.set(key, list);
    } else {
        next.delete(key);
    }
    return next;
}

function makeRequest(
    spec: { principal: SearchSpec["principal"]; action: string; resource?: string; resourceId?: string },
    context: Context,
): NormalizedRequest {
    return {
        principal: spec.principal,
        account: spec.principal.type === "AWS" ? accountOf(spec.principal.id) : undefined,
        action: spec.action,
        resource: spec.resource,
        resourceId: spec.resource === undefined ? spec.resourceId : undefined,
        context,
    };
}

/**
 * Whether the statement's conditions on one key hold for one value of it, given the fixed context.
 * A condition whose policy variables refer to other (searched) keys is left to the final check.
 */
function keySatisfies(st: ParsedStatement, lower: string, v: Value, fixedCtx: Context): boolean {
    if (!st.conditions.some((c) => c.keyLower === lower)) {
        return true;
    }
    const list = toList(v);
    const ctx: Context = new Map(fixedCtx);
    if (list) {
        ctx.set(lower, list);
    } else {
        ctx.delete(lower);
    }
    for (const c of st.conditions) {
        if (c.keyLower !== lower) {
            continue;
        }
        if (c.variables && c.values.some((x) => substituteVariables(x, ctx) === undefined)) {
            continue;
        }
        if (!conditionHolds(c, ctx)) {
            return false;
        }
    }
    return true;
}

/**
 * Finds a request that `st` allows and the whole document allows (no Deny applies), or undefined.
 * Condition keys are independent within one statement, so each key's value is chosen among the
 * values that satisfy the statement's conditions on that key; Denies are then avoided by a bounded
 * hill-climb that changes one key at a time.
 */
function findAllowedRequest(index: DocumentIndex, st: ParsedStatement, spec: SearchSpec): Context | undefined {
    const policy = index.policy;
    const fixedCtx: Context = new Map();
    for (const [key, v] of spec.fixed) {
        const list = toList(v);
        if (list) {
            fixedCtx.set(key, list);
        }
    }
    const isFixed = (key: string): boolean => spec.fixed.has(key) || key.startsWith("aws:principaltag/");
    const statementKeys = new Set(st.conditions.map((c) => c.keyLower));
    const extra = new Set(spec.extraKeys.map((k) => k.toLowerCase()));
    // The fixed context first (it may also hold keys, e.g. aws:ResourceAccount, that only policy
    // variables mention); then each key the statement constrains, from the values that satisfy it;
    // then the extra (binding) keys at a realistic value. Other keys start absent.
    const ctx: Context = new Map(fixedCtx);
    const choices = new Map<string, Value[]>();
    const choicesFor = (key: string): Value[] => {
        let options = choices.get(key);
        if (!options) {
            options = spec.candidates(key).filter((v) => keySatisfies(st, key, v, fixedCtx));
            choices.set(key, options);
        }
        return options;
    };
    for (const key of statementKeys) {
        if (isFixed(key)) {
            if (!keySatisfies(st, key, spec.fixed.get(key), fixedCtx)) {
                return undefined;
            }
            continue;
        }
        const options = choicesFor(key);
        if (options.length === 0) {
            return undefined;
        }
        const list = toList(options[0]);
        if (list) {
            ctx.set(key, list);
        }
    }
    for (const key of extra) {
        if (!statementKeys.has(key) && !isFixed(key)) {
            const list = toList(choicesFor(key)[0]);
            if (list) {
                ctx.set(key, list);
            }
        }
    }
    let current = ctx;
    let req = makeRequest(spec, current);
    if (!index.spend(st.conditions.length + 1) || !statementApplies(st, req)) {
        return undefined;
    }
    if (!index.spend(policy.statements.length)) {
        return undefined;
    }
    if (evaluateNormalized(policy, req) === "Allow") {
        return current;
    }
    // Denies stand in the way: change one key at a time, among the keys of the Denies that apply,
    // keeping any change that makes fewer Denies apply (bounded).
    const denies = policy.statements.filter((d) => d.effect === "Deny");
    const applying = (r: NormalizedRequest): ParsedStatement[] => denies.filter((d) => statementApplies(d, r));
    let blocking = applying(req);
    let evaluations = 0;
    for (let round = 0; round < 4 && blocking.length > 0; round++) {
        const keys = new Set<string>();
        for (const d of blocking) {
            for (const c of d.conditions) {
                if (!isFixed(c.keyLower)) {
                    keys.add(c.keyLower);
                }
            }
        }
        let improvement: { ctx: Context; blocking: ParsedStatement[] } | undefined;
        for (const key of keys) {
            // The key absent first (a Deny that lists many values must not push it out of reach).
            const options = choicesFor(key);
            const tries = options.includes(undefined)
                ? [undefined, ...options.filter((v) => v !== undefined).slice(0, 16)]
                : options.slice(0, 16);
            for (const v of tries) {
                if (++evaluations > MAX_SEARCH_EVALUATIONS || !index.spend(denies.length + 1)) {
                    return undefined;
                }
                const next = withKey(current, key, v);
                req = makeRequest(spec, next);
                const now = applying(req);
                if (now.length === 0) {
                    return index.spend(policy.statements.length) && evaluateNormalized(policy, req) === "Allow"
                        ? next
                        : undefined;
                }
                if (now.length < (improvement?.blocking.length ?? blocking.length)) {
                    improvement = { ctx: next, blocking: now };
                }
            }
        }
        if (!improvement) {
            break;
        }
        current = improvement.ctx;
        blocking = improvement.blocking;
    }
    return undefined;
}

function allowedBy(index: DocumentIndex, st: ParsedStatement, req: NormalizedRequest): boolean {
    if (!index.spend(st.conditions.length + 1) || !statementApplies(st, req)) {
        return false;
    }
    return index.spend(index.policy.statements.length) && evaluateNormalized(index.policy, req) === "Allow";
}

/**
 * The account the key lives in: the expected application's account, else the account named by an
 * account principal of an Allow statement (the usual "Enable IAM User Permissions" statement), else a
 * 12-digit aws:SourceAccount literal, else a placeholder. Used as aws:ResourceAccount in every probe.
 */
function ownerAccount(policy: ParsedPolicy, options: AnalyzeOptions): string {
    const expected = options.expectedApplication?.account;
    if (expected && /^\d{12}$/.test(expected)) {
        return expected;
    }
    const principals = accountPrincipals(policy);
    if (principals.length > 0) {
        return principals[0];
    }
    for (const st of policy.statements) {
        for (const c of st.conditions) {
            if (c.keyLower === "aws:sourceaccount") {
                const literal = c.values.find((v) => /^\d{12}$/.test(v));
                if (literal) {
                    return literal;
                }
            }
        }
    }
    return "111122223333";
}

/**
 * The accounts named by account principals (`"111122223333"`, `"arn:aws:iam::111122223333:root"`) of
 * the document's Allow statements, in document order, without repeats: who the key policy says owns
 * the key when the caller does not say (the usual "Enable IAM User Permissions" statement).
 */
function accountPrincipals(policy: ParsedPolicy): string[] {
    const out: string[] = [];
    for (const st of policy.statements) {
        for (const v of st.effect === "Allow" ? (st.principal?.values.AWS ?? []) : []) {
            const m = /^(?:arn:[^:]+:iam::)?(\d{12})(?::root)?$/.exec(v);
            if (m && !out.includes(m[1])) {
                out.push(m[1]);
            }
        }
    }
    return out;
}

/** The region field of an ARN (`arn:partition:service:REGION:...`) when it holds no wildcard, else undefined. */
function arnRegion(arn: string): string | undefined {
    const parts = arn.split(":");
    return parts.length >= 6 && parts[0] === "arn" && parts[3] !== "" && !hasWildcard(parts[3]) ? parts[3] : undefined;
}

/** The account field of an ARN (`arn:partition:service:region:ACCOUNT:...`) when it is 12 digits, else undefined. */
function arnAccount(arn: string): string | undefined {
    const parts = arn.split(":");
    return parts.length >= 6 && parts[0] === "arn" && /^\d{12}$/.test(parts[4]) ? parts[4] : undefined;
}

/** Fixed context of a request made by the EMR Serverless service principal itself. */
function serviceFixed(owner: string): Map<string, Value> {
    const fixed = new Map<string, Value>([["aws:resourceaccount", owner]]);
    for (const k of IDENTITY_KEYS) {
        fixed.set(k, undefined);
    }
    fixed.set("aws:principalservicename", EMR_SERVERLESS_PRINCIPAL);
    fixed.set("aws:principalservicenameslist", [EMR_SERVERLESS_PRINCIPAL]);
    fixed.set("aws:principalisawsservice", "true");
    fixed.set("kms:viaservice", undefined);
    for (const k of ["aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip"]) {
        fixed.set(k, undefined);
    }
    return fixed;
}

/** Candidate values when looking for ANY allowed request: statement literals first, then the rest. */
function ownCandidates(index: DocumentIndex, st: ParsedStatement, lower: string): Value[] {
    const out: Value[] = [];
    const seen = new Set<string>();
    const add = (v: string): void => {
        if (!seen.has(v) && out.length < MAX_CANDIDATES) {
            seen.add(v);
            out.push(v);
        }
    };
    for (const c of st.conditions) {
        if (c.keyLower === lower && !c.negated && c.base !== "Null") {
            for (const raw of c.values) {
                const v = c.variables ? (substituteVariables(raw, index.known) ?? raw) : raw;
                add(instantiate(v, "x", "x"));
            }
        }
    }
    for (const v of index.values.get(lower) ?? []) {
        add(instantiate(v, "x", "x"));
    }
    add(ownDefault(lower, index.owner));
    index.variants(lower).forEach(add);
    out.push(undefined);
    return out;
}

/**
 * The value a request of the EMR Serverless service principal carries for `lower`: the service sends its
 * application's ARN as aws:SourceArn and the application's id as kms:EncryptionContext:applicationId, and
 * both are lower-case (application ids are `[0-9a-z]+`; an application ARN's partition, service and region
 * are lower-case and its account is digits). So for these keys a value is lower-cased: a case variant of an
 * application's ARN or id stands for that application, never for another one, and a value no real request
 * carries (an upper-cased ARN under StringEquals) matches nothing.
 */
function serviceValue(lower: string, value: string): string | undefined {
    const real =
        lower === "aws:sourcearn" || lower === "kms:encryptioncontext:applicationid" ? value.toLowerCase() : value;
    return serviceSends(lower, real) ? real : undefined;
}

/** An application ARN as the service sends it: lower-case fields, a 12-digit account, an id of `[0-9a-z]`. */
const APPLICATION_ARN_VALUE =
    /^arn:aws[a-z-]*:emr-serverless:[a-z]{2}(?:-[a-z]+)+-\d+:\d{12}:\/applications\/[0-9a-z]+$/;

/**
 * Whether a request of the service can carry `value` for `lower`: an application's ARN as aws:SourceArn, its
 * id as kms:EncryptionContext:applicationId, a 12-digit account as aws:SourceAccount (a value that stands for
 * one unknown at preview always can). So a condition that only an empty string, a literal "*" or a malformed
 * ARN satisfies lets the service in for no request at all.
 */
function serviceSends(lower: string, value: string): boolean {
    if (holdsUnknown(value)) {
        return true;
    }
    switch (lower) {
        case "aws:sourcearn":
            return APPLICATION_ARN_VALUE.test(value);
        case "kms:encryptioncontext:applicationid":
            return /^[0-9a-z]+$/.test(value);
        case "aws:sourceaccount":
            return /^\d{12}$/.test(value);
        default:
            return true;
    }
}

/** Field values tried for a pattern's partition and region (a pattern that names others is filled field by field). */
const PARTITIONS: readonly string[] = ["aws", "aws-cn", "aws-us-gov"];
const REGIONS: readonly string[] = ["us-east-1", "us-west-2", "eu-west-1", "cn-north-1", "us-gov-west-1"];

/** Values of one ARN field a pattern field matches: listed options first, then the pattern filled in. */
function fieldValues(
    pattern: string,
    options: readonly string[],
    fill: (p: string) => string[],
    valid: RegExp,
): string[] {
    if (!hasWildcard(pattern)) {
        return valid.test(pattern) ? [pattern] : [];
    }
    const out = options.filter((o) => globMatch(pattern, o, false));
    for (const v of fill(pattern)) {
        if (valid.test(v) && !out.includes(v)) {
            out.push(v);
        }
    }
    return out.slice(0, 2);
}

/** A pattern with its `?` filled by `q` and its `*` by `stars[i]` in turn (the last filler for the rest). */
function fillStars(pattern: string, stars: readonly string[], q: string): string {
    let i = 0;
    return pattern.replace(/[*?]/g, (c) => (c === "?" ? q : (stars[Math.min(i++, stars.length - 1)] ?? "")));
}

/**
 * Application ARNs (values the service can send as aws:SourceArn) that a wildcard pattern matches, two at most
 * and different: each of its six fields filled with a value of that field's form (`arn:aws:emr-serverless:us-west-2:*`
 * filled with one filler for the whole `*` is no application's ARN, filled field by field it is). A pattern whose
 * `*` spans fields is tried against whole ARNs of the owner's and a foreign account.
 */
function sentInstances(index: DocumentIndex, lower: string, pattern: string): string[] {
    if (lower !== "aws:sourcearn" || !hasWildcard(pattern) || holdsUnknown(pattern)) {
        return [];
    }
    const out: string[] = [];
    const add = (arn: string): void => {
        if (out.length < 2 && !out.includes(arn) && APPLICATION_ARN_VALUE.test(arn) && globMatch(pattern, arn, false)) {
            out.push(arn);
        }
    };
    const fields = pattern.split(":");
    if (fields.length >= 6) {
        const resource = fields.slice(5).join(":");
        const partitions = fieldValues(fields[1], PARTITIONS, (p) => [fillStars(p, [""], "a")], /^aws[a-z-]*$/);
        const services = fieldValues(fields[2], ["emr-serverless"], () => [], /^emr-serverless$/);
        const regions = fieldValues(
            fields[3],
            REGIONS,
            (p) => [fillStars(p, ["", "1"], "1")],
            /^[a-z]{2}(?:-[a-z]+)+-\d+$/,
        );
        const accounts = fieldValues(
            fields[4],
            [index.owner, FOREIGN_ACCOUNT],
            (p) => {
                const digits = p.replace(/[*?]/g, "").length + (p.match(/\?/g) ?? []).length;
                return [fillStars(p, ["0".repeat(Math.max(0, 12 - digits)), ""], "0")];
            },
            /^\d{12}$/,
        );
        const ids = fieldValues(
            resource,
            ["/applications/00exampleapp0", "/applications/00k7w3j9q2zz"],
            (p) => [fillStars(p, ["k7", ""], "q"), fillStars(p, ["z9w", ""], "7")],
            /^\/applications\/[0-9a-z]+$/,
        );
        for (const partition of partitions) {
            for (const service of services) {
                for (const region of regions) {
                    for (const account of accounts) {
                        for (const id of ids) {
                            add(`${fields[0]}:${partition}:${service}:${region}:${account}:${id}`);
                        }
                    }
                }
            }
        }
    }
    for (const account of [index.owner, FOREIGN_ACCOUNT]) {
        for (const region of REGIONS.slice(0, 2)) {
            for (const id of ["00exampleapp0", "00k7w3j9q2zz"]) {
                add(`arn:aws:emr-serverless:${region}:${account}:/applications/${id}`);
            }
        }
    }
    return out;
}

/** The condition key listing the encryption context's keys. */
const CONTEXT_KEYS_KEY = "kms:EncryptionContextKeys";

/**
 * The encryption-context key lists a request of the service can carry: always its application's id
 * (`applicationId`), with or without the other context keys the document names (a setting's custom entries).
 */
function serviceContextKeys(index: DocumentIndex): Value[] {
    const own = RESERVED_CONTEXT_KEY;
    const others = (index.values.get(CONTEXT_KEYS_KEY.toLowerCase()) ?? []).filter((k) => k !== own && !hasWildcard(k));
    const out: Value[] = [[own]];
    for (const k of others.slice(0, 6)) {
        out.push([own, k]);
    }
    if (others.length > 1) {
        out.push([own, ...others.slice(0, 6)]);
    }
    out.push([own, "custom-entry"]);
    return out;
}

/** {@link ownCandidates} as the service principal's requests can carry them ({@link serviceValue}). */
function serviceCandidates(index: DocumentIndex, st: ParsedStatement, lower: string): Value[] {
    if (lower === CONTEXT_KEYS_KEY.toLowerCase()) {
        return serviceContextKeys(index);
    }
    const out: Value[] = [];
    const seen = new Set<string>();
    const add = (v: string): void => {
        const real = serviceValue(lower, v);
        if (real !== undefined && !seen.has(real)) {
            seen.add(real);
            out.push(real);
        }
    };
    for (const v of ownCandidates(index, st, lower)) {
        if (typeof v === "string") {
            add(v);
        } else {
            out.push(v);
        }
    }
    for (const c of st.conditions) {
        if (c.keyLower === lower && !c.negated && c.base !== "Null") {
            c.values.forEach((v) => sentInstances(index, lower, v).forEach(add));
        }
    }
    return out;
}

interface KeyVerdict {
    key: string;
    bound: boolean;
    value?: string;
    /** Why it is not bound: an allowed other value, or undefined for "absent allowed". */
    also?: string;
    absentAllowed?: boolean;
}

/** Whether `key` is bound to one value for the statement, starting from an allowed request. */
function checkBinding(
    index: DocumentIndex,
    st: ParsedStatement,
    spec: SearchSpec,
    base: Context,
    key: string,
): KeyVerdict {
    const lower = key.toLowerCase();
    const current = base.get(lower);
    const currentValue = current && current.length === 1 ? current[0] : undefined;
    // Absent.
    if (current !== undefined && allowedBy(index, st, makeRequest(spec, withKey(base, lower, undefined)))) {
        return { key, bound: false, absentAllowed: true };
    }
    if (current === undefined) {
        return { key, bound: false, absentAllowed: true };
    }
    // The statement's own values for the key come first (its patterns instantiated several ways), so
    // that values elsewhere in the document cannot crowd them out of the candidates.
    const own: string[] = [];
    for (const c of st.conditions) {
        if (c.keyLower === lower && c.base !== undefined && c.base !== "Null") {
            for (const raw of c.values) {
                const v = c.variables ? (substituteVariables(raw, index.known) ?? raw) : raw;
                if (!own.includes(v) && own.length < MAX_DOC_VALUES) {
                    own.push(v);
                }
            }
        }
    }
    const instances = spec.normalize ? own.flatMap((v) => sentInstances(index, lower, v)) : [];
    for (const raw of index.variants(lower, [...current, ...own, ...instances])) {
        const v = spec.normalize ? spec.normalize(lower, raw) : raw;
        if (v === undefined || (current.length === 1 && v === currentValue)) {
            continue; // no request of the service carries it, or it is the value itself
        }
        if (allowedBy(index, st, makeRequest(spec, withKey(base, lower, v)))) {
            return { key, bound: false, also: v };
        }
    }
    if (current.length !== 1) {
        return { key, bound: false, also: current.join(", ") };
    }
    return { key, bound: true, value: currentValue };
}

function quote(v: string): string {
    return holdsUnknown(v) ? "(unknown at preview)" : `"${v}"`;
}

function verdictReason(v: KeyVerdict): string {
    return v.absentAllowed
        ? `a request without ${v.key} is allowed`
        : `${v.key} = ${quote(v.also ?? "")} is also allowed`;
}

function mismatch(bound: string | undefined, expected: string | undefined): boolean {
    return (
        bound !== undefined &&
        expected !== undefined &&
        !holdsUnknown(bound) &&
        !holdsUnknown(expected) &&
        bound !== expected
    );
}

function otherRegion(region: string | undefined): string {
    return region === "us-west-2" ? "eu-west-1" : "us-west-2";
}

/**
 * Judges a KMS key policy for EMR Serverless disk encryption. Accepts a JSON string or an object;
 * never throws. See {@link KeyPolicyAnalysis} for the result and {@link AnalyzeOptions} for knobs.
 *
 * The expensive part of a judgment (parse and probes) depends only on the document, the account keys
 * and the key's owner account; it is memoized for string documents (see {@link coreCache}). What the
 * other options change (the expected application, allowedSourceAccounts, requireEncryptionContextBinding, the region of the
 * kms:ViaService probe) is derived from it cheaply, so asking about one document with several option
 * sets costs one judgment. Every call returns a fresh object the caller may keep or change.
 */
export function analyzeKeyPolicy(document: unknown, options: AnalyzeOptions = {}): KeyPolicyAnalysis {
    try {
        const accountKeys = (
            options.sourceAccountKeys?.length ? options.sourceAccountKeys : [SOURCE_ACCOUNT_KEY]
        ).slice(0, 8);
        const core =
            typeof document === "string"
                ? cachedCore(document, accountKeys, options)
                : analyzeCore(document, accountKeys, options, givenKey(options));
        return finishAnalysis(document, core, accountKeys, options);
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

/** One service statement's binding verdicts (questions 1 and 2). */
interface ServiceGrant {
    where: string;
    /** Whether the statement lets the service use kms:GenerateDataKey or kms:Decrypt (else only other key-material actions). */
    usesKey: boolean;
    /** Which of kms:GenerateDataKey and kms:Decrypt the statement lets the service use (with the whole document). */
    actions: string[];
    /** The first action for which a binding key was found unbound. */
    unboundVia?: string;
    arn?: KeyVerdict;
    accountVerdicts: KeyVerdict[];
    appId?: KeyVerdict;
    /** Whether the statement names the service exactly (or everyone), not only by a look-alike spelling. */
    exactName: boolean;
}

/** Question 4's outcome for one region: its findings, and whether the work budget ran out by its end. */
interface SubmitterOutcome {
    findings: Finding[];
    exhausted: boolean;
}

/**
 * The option-independent part of a judgment: everything but the expected application's mismatches,
 * the requireEncryptionContextBinding filter and question 4 (which depends on the region). Never
 * mutated once built, except for `submitters`, which only gains entries (each a pure function of the
 * document, the owner and the region, computed from the budget left after question 3).
 */
interface CoreAnalysis {
    parsed: boolean;
    hasUnknowns: boolean;
    /** The owner account the probes used (aws:ResourceAccount). */
    owner: string;
    /** The key ARN the probes used as their resource (undefined: unknown, see AnalyzeOptions.keyArn). */
    keyArn?: string;
    /** The key id the probes used when the ARN is unknown (see AnalyzeOptions.keyId). */
    keyId?: string;
    /** What was assumed for want of the key's ARN (empty when the ARN was known or the document does not depend on it). */
    assumptions: string[];
    /** The accounts of the document's Allow account principals ({@link accountPrincipals}). */
    principalAccounts: string[];
    /** Parse problems, then Allow-with-NotPrincipal findings. */
    leading: Finding[];
    /** The service statements that allow the service, in document order. */
    grants: ServiceGrant[];
    /** Over-grant (question 5), then open-grant (question 3) findings. */
    middle: Finding[];
    /** The work budget left after question 3, and whether it ran out. */
    budget: number;
    exhausted: boolean;
    /** Question 4 by {@link regionKey}. */
    submitters: Map<string, SubmitterOutcome>;
    /** The policy the probes ran on, when it is not the document's own parse (a bound of a partly unknown one). */
    policy?: ParsedPolicy;
    /** For a document with parts unknown at preview: where they are, and the two bounds' judgments. */
    unknowns?: UnknownPart[];
    bounds?: { lower: CoreAnalysis; upper: CoreAnalysis };
    /** True when the unknown parts leave nothing but the document's form to judge (see boundedCore). */
    undecidable?: boolean;
}

/**
 * Memo of {@link CoreAnalysis} for string documents: document -> (account keys and owner -> core). It
 * is the one analysis cache of the judge and the policy pack: the stack policies of one AnalyzeStack
 * call (each handed fresh resource objects) ask about the same documents, with different options.
 * Keyed by the document itself (not a concatenation) so a lookup hashes no new string. Safe to share:
 * each core is a pure function of its keys (the owner is in the key, or checked on a hit) and callers
 * get fresh copies. Bounded by entries and by total document length, oldest document dropped first.
 */
const coreCache = new Map<string, Map<string, CoreAnalysis>>();
const CORE_CACHE_ENTRIES = 10_000;
const CORE_CACHE_CHARS = 16 * 1024 * 1024;
let coreCacheEntries = 0;
let coreCacheChars = 0;

/** What the judge knows of the key a document is attached to: its ARN, or else perhaps its id. */
interface KeyRef {
    arn?: string;
    id?: string;
}

/** The core's key within its document's entry. */
function variantKey(accountKeys: readonly string[], owner: string, key: KeyRef): string {
    return `${owner}\u0000${key.arn ?? ""}\u0000${key.id ?? ""}\u0000${JSON.stringify(accountKeys)}`;
}

/** The key of the options: its ARN when that is one (see AnalyzeOptions.keyArn), else its bare id when that is one. */
function givenKey(options: AnalyzeOptions): KeyRef {
    const arn = options.keyArn;
    if (typeof arn === "string" && parseKeyArn(arn)) {
        return { arn };
    }
    const id = options.keyId;
    return typeof id === "string" && BARE_KEY_ID_PATTERN.test(id) ? { id } : {};
}

/**
 * The key as far as the judgment of `document` depends on it: nothing when no statement's Resource/NotResource
 * depends on the key (then every key gets the same judgment, and one cache entry serves them all).
 */
function judgedKey(document: unknown, options: AnalyzeOptions): KeyRef {
    const key = givenKey(options);
    if (key.arn === undefined && key.id === undefined) {
        return key;
    }
    const policy = parsePolicyDocumentCached(document).policy;
    return policy && policy.statements.some((st) => resourceDependsOnKey(st)) ? key : {};
}

/** The explicit owner account (the expected application's 12-digit account), or "" to derive it from the document. */
function explicitOwner(options: AnalyzeOptions): string {
    const expected = options.expectedApplication?.account;
    return expected && /^\d{12}$/.test(expected) ? expected : "";
}

function cachedCore(document: string, accountKeys: readonly string[], options: AnalyzeOptions): CoreAnalysis {
    const owner = explicitOwner(options);
    const key = judgedKey(document, options);
    const variant = variantKey(accountKeys, owner, key);
    const byDocument = coreCache.get(document);
    let hit = byDocument?.get(variant);
    if (!hit && byDocument && owner !== "") {
        // The judgment with the owner derived from the document is the same judgment when it derived this owner.
        const derived = byDocument.get(variantKey(accountKeys, "", key));
        if (derived && derived.owner === owner) {
            hit = derived;
        }
    }
    if (hit) {
        return hit;
    }
    const core = analyzeCore(document, accountKeys, options, key);
    remember(document, variant, core);
    return core;
}

/** Adds a core to {@link coreCache}, first dropping the oldest other documents while a limit would be passed. */
function remember(document: string, variant: string, core: CoreAnalysis): void {
    const known = coreCache.has(document);
    const chars = known ? 0 : document.length;
    for (const [oldest, cores] of coreCache) {
        if (coreCacheEntries + 1 <= CORE_CACHE_ENTRIES && coreCacheChars + chars <= CORE_CACHE_CHARS) {
            break;
        }
        if (oldest !== document) {
            coreCache.delete(oldest);
            coreCacheEntries -= cores.size;
            coreCacheChars -= oldest.length;
        }
    }
    if (coreCacheEntries + 1 > CORE_CACHE_ENTRIES || coreCacheChars + chars > CORE_CACHE_CHARS) {
        return; // one document alone fills the cache: judged, not kept
    }
    let cores = coreCache.get(document);
    if (!cores) {
        cores = new Map();
        coreCache.set(document, cores);
        coreCacheChars += chars;
    }
    if (!cores.has(variant)) {
        coreCacheEntries++;
    }
    cores.set(variant, core);
}

/** Question 4's memo key: the region, told apart from no region (an empty region is a different probe). */
function regionKey(options: AnalyzeOptions): string {
    return options.region === undefined ? "\u0000none" : options.region;
}

/** The analysis for `options` from the core: cheap, except question 4 for a region not asked before. */
function finishAnalysis(
    document: unknown,
    core: CoreAnalysis,
    accountKeys: readonly string[],
    options: AnalyzeOptions,
): KeyPolicyAnalysis {
    if (core.bounds) {
        return finishBounded(document, core, core.bounds, accountKeys, options);
    }
    const findings: Finding[] = core.leading.map((f) => ({ ...f }));
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
    const requireContext = options.requireEncryptionContextBinding !== false;
    const expected = options.expectedApplication;
    const binding: ServiceBinding = { sourceArns: [], sourceAccounts: [], applicationIds: [] };
    // The key's own account: the expected application's when given, else the document's account
    // principals' (any of them when it names several); unknown (no account check) when neither.
    const explicit = explicitOwner(options);
    const ownAccounts = explicit !== "" ? [explicit] : core.principalAccounts;
    const permittedAccounts = new Set([...ownAccounts, ...(options.allowedSourceAccounts ?? [])]);
    const ownText =
        ownAccounts.map(quote).join(" or ") +
        (explicit !== "" ? " (the application's account)" : " (from the key policy's account principals)");
    // The service actions of the statements that may serve the expected application (all, without one).
    const serviceActions = new Set<string>();
    for (const grant of core.grants) {
        const where = grant.where;
        const problems: string[] = [];
        const unboundKeys: string[] = [];
        const { arn, accountVerdicts, appId } = grant;
        if (arn && !arn.bound) {
            unboundKeys.push(SOURCE_ARN_KEY);
            problems.push(verdictReason(arn));
        }
        if (!accountVerdicts.some((v) => v.bound)) {
            unboundKeys.push(accountKeys.length === 1 ? accountKeys[0] : `one of ${accountKeys.join(", ")}`);
            problems.push(...accountVerdicts.slice(0, 2).map(verdictReason));
        }
        if (requireContext && appId && !appId.bound) {
            unboundKeys.push(APPLICATION_ID_CONTEXT_KEY);
            problems.push(verdictReason(appId));
        }
        // Record what is bound, and compare with the expected application.
        const mismatches: string[] = [];
        if (arn?.bound && arn.value !== undefined) {
            if (grant.usesKey && !binding.sourceArns.includes(arn.value)) binding.sourceArns.push(arn.value);
            if (mismatch(arn.value, expected?.arn)) {
                mismatches.push(
                    `${SOURCE_ARN_KEY} is bound to ${quote(arn.value)} but the application is ${quote(expected?.arn ?? "")}`,
                );
            } else if (expected?.arn === undefined && mismatch(arnRegion(arn.value), expected?.region)) {
                mismatches.push(
                    `${SOURCE_ARN_KEY} is bound to ${quote(arn.value)}, an application of region ` +
                        `${quote(arnRegion(arn.value) ?? "")}, but the application is in ${quote(expected?.region ?? "")}`,
                );
            }
        }
        for (const v of accountVerdicts) {
            if (v.bound && v.value !== undefined) {
                if (grant.usesKey && !binding.sourceAccounts.includes(v.value)) binding.sourceAccounts.push(v.value);
                if (v.key.toLowerCase() === SOURCE_ACCOUNT_KEY.toLowerCase() && mismatch(v.value, expected?.account)) {
                    mismatches.push(
                        `${v.key} is bound to ${quote(v.value)} but the application's account is ${quote(expected?.account ?? "")}`,
                    );
                }
            }
        }
        if (appId?.bound && appId.value !== undefined) {
            if (grant.usesKey && !binding.applicationIds.includes(appId.value))
                binding.applicationIds.push(appId.value);
            if (requireContext && mismatch(appId.value, expected?.id)) {
                mismatches.push(
                    `${APPLICATION_ID_CONTEXT_KEY} is bound to ${quote(appId.value)} but the application id is ${quote(expected?.id ?? "")}`,
                );
            }
        }
        // Bindings to another account's application, and an ARN and account that no request can both carry.
        const foreign: string[] = [];
        const boundArnAccount = arn?.bound && arn.value !== undefined ? arnAccount(arn.value) : undefined;
        const boundSourceAccount = accountVerdicts.find(
            (v) =>
                v.bound &&
                v.key.toLowerCase() === SOURCE_ACCOUNT_KEY.toLowerCase() &&
                v.value !== undefined &&
                /^\d{12}$/.test(v.value),
        )?.value;
        if (ownAccounts.length > 0) {
            if (
                boundArnAccount !== undefined &&
                !permittedAccounts.has(boundArnAccount) &&
                !mismatch(arn?.value, expected?.arn)
            ) {
                foreign.push(
                    `${SOURCE_ARN_KEY} is bound to ${quote(arn?.value ?? "")}, an application of account ` +
                        `${quote(boundArnAccount)}`,
                );
            }
            if (
                boundSourceAccount !== undefined &&
                !permittedAccounts.has(boundSourceAccount) &&
                !mismatch(boundSourceAccount, expected?.account)
            ) {
                foreign.push(`${SOURCE_ACCOUNT_KEY} is bound to account ${quote(boundSourceAccount)}`);
            }
        }
        const inconsistent =
            boundArnAccount !== undefined && boundSourceAccount !== undefined && boundArnAccount !== boundSourceAccount;
        if (mismatches.length === 0 && !inconsistent && grant.exactName) {
            grant.actions.forEach((a) => serviceActions.add(a));
        }
        if (unboundKeys.length > 0 || mismatches.length > 0 || foreign.length > 0 || inconsistent) {
            // One finding per statement: the unbound keys first, then bindings to another application.
            const block = unboundKeys
                .map((k) =>
                    k === SOURCE_ARN_KEY
                        ? `"${SOURCE_ARN_KEY}": "<application-arn>"`
                        : k === APPLICATION_ID_CONTEXT_KEY
                          ? `"${APPLICATION_ID_CONTEXT_KEY}": "<application-id>"`
                          : `"${accountKeys[0]}": "<account-id>"`,
                )
                .join(", ");
            const parts: string[] = [];
            const fixes: string[] = [];
            if (unboundKeys.length > 0) {
                const via =
                    grant.unboundVia === undefined || SERVICE_ACTION_LIST.includes(grant.unboundVia)
                        ? "kms:GenerateDataKey/kms:Decrypt"
                        : grant.unboundVia;
                parts.push(
                    `${where} lets ${EMR_SERVERLESS_PRINCIPAL} use the key (${via}) without ` +
                        `binding ${unboundKeys.join(", ")} to one value: ${problems.join("; ")}.`,
                );
                fixes.push(
                    `In ${where}, add "Condition": {"StringEquals": {${block}}} with exactly one value each, and no ` +
                        `...IfExists, negated, wildcard or multi-value form of these keys.`,
                );
            }
            if (mismatches.length > 0) {
                parts.push(
                    `${where} binds ${EMR_SERVERLESS_PRINCIPAL} to another application: ${mismatches.join("; ")}.`,
                );
                fixes.push(`In ${where}, set the condition values to this application's own ARN, account and id.`);
            }
            if (foreign.length > 0) {
                parts.push(
                    `${where} binds ${EMR_SERVERLESS_PRINCIPAL} to an account other than the key's account ` +
                        `${ownText}: ${foreign.join("; ")}` +
                        (inconsistent ? "." : ", so that account's EMR Serverless applications can use this key."),
                );
                fixes.push(
                    `In ${where}, bind ${SOURCE_ARN_KEY} and ${SOURCE_ACCOUNT_KEY} to an application in the key's ` +
                        `own account ${ownText}; if cross-account use is intended, allow that account explicitly ` +
                        `(judge option allowedSourceAccounts).`,
                );
            }
            if (inconsistent) {
                parts.push(
                    `${where} can never be used by ${EMR_SERVERLESS_PRINCIPAL}: ${SOURCE_ARN_KEY} is bound to an ` +
                        `application of account ${quote(boundArnAccount ?? "")} but ${SOURCE_ACCOUNT_KEY} to ` +
                        `${quote(boundSourceAccount ?? "")}; the service sends the application's own account as ` +
                        `${SOURCE_ACCOUNT_KEY}, so no request satisfies both, the statement grants the service ` +
                        `nothing and jobs cannot use the key.`,
                );
                fixes.push(
                    `In ${where}, bind ${SOURCE_ARN_KEY} and ${SOURCE_ACCOUNT_KEY} to the same application's ARN ` +
                        `and account.`,
                );
            }
            findings.push({ kind: "service-unbound", where, message: parts.join(" "), fix: fixes.join(" ") });
        }
    }
    findings.push(...core.middle.map((f) => ({ ...f })));
    let submitters = core.submitters.get(regionKey(options));
    if (!submitters) {
        // A region not asked before: question 4 alone, from the budget question 3 left (as in one pass).
        const policy = core.policy ?? parsePolicyDocumentCached(document).policy;
        if (!policy) {
            throw new Error("the key policy parsed before no longer parses");
        }
        const index = new DocumentIndex(policy, core.owner, core.keyArn, core.keyId);
        index.restoreBudget(core.budget, core.exhausted);
        submitters = submitterQuestion(index, options.region);
        core.submitters.set(regionKey(options), submitters);
    }
    findings.push(...submitters.findings.map((f) => ({ ...f })));
    if (submitters.exhausted) {
        findings.push({
            kind: "malformed",
            message:
                "The key policy is too complex for the judge to decide within its work limit (it has many " +
                "interlocking conditions); its findings are incomplete, so it is not accepted.",
            fix: "Simplify the key policy: fewer Deny statements and fewer distinct condition keys and values.",
        });
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
        serviceActions: SERVICE_ACTION_LIST.filter((a) => serviceActions.has(a)),
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

/** Finding kinds that follow from the document's form alone (parse problems, look-alike principals, Allow with NotPrincipal). */
const FORM_KINDS: ReadonlySet<string> = new Set(["malformed", "service-principal-lookalike", "not-principal-allow"]);

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
        result.findings = lower.findings.filter((f) => FORM_KINDS.has(f.kind));
        result.grantsService = false;
        delete result.binding;
        delete result.grantsServiceByExactName;
        delete result.lookalikeGrants;
    }
    return result;
}

/**
 * Parse and every probe but question 4's (which {@link finishAnalysis} runs per region). `key.arn` is the
 * key ARN every probe is made on, or undefined when unknown (then the assumptions are recorded).
 */
function analyzeCore(
    document: unknown,
    accountKeys: readonly string[],
    options: AnalyzeOptions,
    key: KeyRef,
): CoreAnalysis {
    const empty = (parsed: boolean, hasUnknowns: boolean, leading: Finding[]): CoreAnalysis => ({
        parsed,
        hasUnknowns,
        owner: "",
        assumptions: [],
        principalAccounts: [],
        leading,
        grants: [],
        middle: [],
        budget: 0,
        exhausted: false,
        submitters: new Map(),
    });
    if (typeof document === "string" && isUnknownSentinel(document.trim())) {
        return empty(false, true, []);
    }
    const parsed = parsePolicyDocumentCached(document);
    const leading: Finding[] = parsed.problems.map((p) => ({
        kind: "malformed",
        where: p.where,
        message: p.message,
        fix: p.fix,
    }));
    const policy = parsed.policy;
    if (!policy) {
        return empty(false, false, leading);
    }
    leading.push(...lookalikeFindings(policy));
    if (policy.unknowns?.length) {
        return boundedCore(policy, leading, accountKeys, options, key);
    }
    return probeCore(policy, leading, accountKeys, options, key);
}

/**
 * A document with parts unknown at preview: judged as its two bounds (unknowns.ts), the lower one giving
 * the findings that hold whatever the unknown parts are, the upper one what they could add.
 */
function boundedCore(
    policy: ParsedPolicy,
    leading: Finding[],
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
    const lower = probeCore(boundPolicy(policy, "lower"), leading, accountKeys, options, key, {
        owner: known.owner,
        principalAccounts: accountsOpen ? [] : known.principalAccounts,
    });
    const upper = probeCore(boundPolicy(policy, "upper"), [], accountKeys, options, key, known);
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

/** The probes (questions 1, 2, 3 and 5, and 4 for the region asked) over a policy without unknowns. */
function probeCore(
    policy: ParsedPolicy,
    leading: Finding[],
    accountKeys: readonly string[],
    options: AnalyzeOptions,
    key: KeyRef,
    known?: { owner: string; principalAccounts: string[] },
): CoreAnalysis {
    leading = [...leading];
    const index = new DocumentIndex(policy, known?.owner ?? ownerAccount(policy, options), key.arn, key.id);
    const bindingKeys = [SOURCE_ARN_KEY, ...accountKeys, APPLICATION_ID_CONTEXT_KEY];
    // Every request of the service carries its application's id in the encryption context, so its context keys.
    const serviceKeys = [...bindingKeys, CONTEXT_KEYS_KEY];
    const service = { type: "Service" as const, id: EMR_SERVERLESS_PRINCIPAL };
    const serviceReq = makeRequest({ principal: service, action: "kms:GenerateDataKey" }, new Map());
    const fixedForService = serviceFixed(index.owner);
    const grants: ServiceGrant[] = [];
    const middle: Finding[] = [];

    for (const st of policy.statements) {
        if (st.effect === "Allow" && st.notPrincipal) {
            leading.push({
                kind: "not-principal-allow",
                where: st.where,
                message:
                    `${st.where} is an Allow with NotPrincipal: it grants the key to every principal except the ` +
                    `ones listed, including principals in other accounts.`,
                fix: `Replace NotPrincipal in ${st.where} with a Principal that names who may use the key.`,
            });
        }
    }

    const serviceStatements = policy.statements.filter(
        (st) =>
            st.effect === "Allow" &&
            (st.principal
                ? principalMatches(st.principal, serviceReq)
                : st.notPrincipal
                  ? !principalMatches(st.notPrincipal, serviceReq)
                  : false),
    );

    // Questions 1 and 2: does the service get GenerateDataKey/Decrypt (or another key-material action),
    // and is each grant bound?
    const baselines = new Map<ParsedStatement, Context>();
    for (const st of serviceStatements) {
        const verdicts = new Map<string, KeyVerdict>();
        let allowsService = false;
        const actions: string[] = [];
        let unboundVia: string | undefined;
        const exact = exactServiceGrant(index, st, bindingProbeActions(policy, st), bindingKeys, serviceKeys);
        if (exact) {
            allowsService = exact.actions.length > 0;
            for (const action of exact.actions) {
                if (SERVICE_ACTION_LIST.includes(action)) {
                    actions.push(action);
                }
            }
            if (exact.base) {
                baselines.set(st, exact.base);
            }
            exact.verdicts.forEach((v, k) => verdicts.set(k, v));
            unboundVia = exact.unboundVia;
        }
        for (const action of exact ? [] : bindingProbeActions(policy, st)) {
            const spec: SearchSpec = {
                principal: service,
                action,
                resource: index.keyArn,
                resourceId: index.keyId,
                normalize: serviceValue,
                fixed: fixedForService,
                candidates: (lower) => serviceCandidates(index, st, lower),
                extraKeys: serviceKeys,
            };
            const base = findAllowedRequest(index, st, spec);
            if (!base) {
                continue;
            }
            allowsService = true;
            if (SERVICE_ACTION_LIST.includes(action)) {
                actions.push(action);
            }
            if (!baselines.has(st)) {
                baselines.set(st, base);
            }
            for (const key of bindingKeys) {
                const prior = verdicts.get(key);
                if (prior && !prior.bound) {
                    continue;
                }
                const verdict = checkBinding(index, st, spec, base, key);
                verdicts.set(key, verdict);
                if (!verdict.bound) {
                    unboundVia ??= action;
                }
            }
        }
        if (!allowsService) {
            continue;
        }
        grants.push({
            where: st.where,
            usesKey: actions.length > 0,
            actions,
            unboundVia,
            arn: verdicts.get(SOURCE_ARN_KEY),
            accountVerdicts: accountKeys.map((k) => verdicts.get(k)).filter((v): v is KeyVerdict => !!v),
            appId: verdicts.get(APPLICATION_ID_CONTEXT_KEY),
            exactName: namesServiceExactly(st),
        });
    }

    // Question 5: the service gets more than it needs.
    for (const st of serviceStatements) {
        const extra: string[] = [];
        const base = baselines.get(st);
        // Conditions never depend on the action: actions the same statements cover get the same answer.
        const answered = new Map<string, boolean>();
        for (const action of OTHER_KMS_ACTIONS) {
            if (!actionMatches(st, action)) {
                continue;
            }
            const spec: SearchSpec = {
                principal: service,
                action,
                resource: index.keyArn,
                resourceId: index.keyId,
                normalize: serviceValue,
                fixed: fixedForService,
                candidates: (lower) => serviceCandidates(index, st, lower),
                extraKeys: serviceKeys,
            };
            const reused = base ? allowedBy(index, st, makeRequest(spec, base)) : false;
            if (reused) {
                extra.push(action);
                continue;
            }
            const sig = actionSignature(policy, action);
            let allowed = answered.get(sig);
            if (allowed === undefined) {
                allowed = exactServiceAllows(index, st, action, serviceKeys) ?? !!findAllowedRequest(index, st, spec);
                answered.set(sig, allowed);
            }
            if (allowed) {
                extra.push(action);
            }
        }
        if (extra.length > 0) {
            middle.push({
                kind: "service-overgrant",
                where: st.where,
                message:
                    `${st.where} allows ${EMR_SERVERLESS_PRINCIPAL} ${extra.slice(0, 6).join(", ")}` +
                    `${extra.length > 6 ? ` and ${extra.length - 6} more` : ""}, more than the kms:GenerateDataKey and ` +
                    `kms:Decrypt that disk encryption needs.`,
                fix: `In ${st.where}, set "Action": ["kms:GenerateDataKey", "kms:Decrypt"] for the service principal.`,
            });
        }
    }

    // Question 3: grants to everyone that do not pin the caller.
    for (const st of policy.statements) {
        if (
            st.effect !== "Allow" ||
            !st.principal ||
            !(st.principal.wildcard || st.principal.values.AWS?.includes("*"))
        ) {
            continue;
        }
        const probe = openGrantProbe(index, st);
        if (probe) {
            middle.push({
                kind: "open-grant",
                where: st.where,
                message:
                    `${st.where} allows everyone ("*") to use the key: a principal in another account is allowed ` +
                    `${probe}, because the conditions do not pin the caller's account or organization.`,
                fix:
                    `In ${st.where}, name the principals explicitly, or add "Condition": {"StringEquals": ` +
                    `{"kms:CallerAccount": "<account-id>"}} (or "aws:PrincipalOrgID": "<org-id>").`,
            });
        }
    }

    const budget = index.saveBudget();
    const core: CoreAnalysis = {
        parsed: true,
        hasUnknowns: policy.hasUnknowns,
        owner: index.owner,
        keyArn: key.arn,
        keyId: key.arn === undefined ? key.id : undefined,
        assumptions: key.arn === undefined ? resourceAssumptions(policy, key.id) : [],
        principalAccounts: known?.principalAccounts ?? accountPrincipals(policy),
        policy: known ? policy : undefined,
        leading,
        grants,
        middle,
        budget: budget.left,
        exhausted: budget.exhausted,
        submitters: new Map(),
    };
    // Question 4 for the region asked now, from where the budget stands (as in one pass).
    core.submitters.set(regionKey(options), submitterQuestion(index, options.region));
    return core;
}

/** The shapes of the values the service sends for the binding keys (see {@link serviceSends}). */
const LOWER_ALNUM = /^[0-9a-z]$/;
const LOWER_ALPHA = /^[a-z]$/;
const DIGIT_CHAR = /^[0-9]$/;

function text(s: string): Element[] {
    return Array.from(s, (c) => literalChar(c));
}

/** An application ARN as the service sends it (the region's letters and hyphens are not checked further). */
const APPLICATION_ARN_SHAPE: Language = [
    [
        ...text("arn:aws"),
        classChar(/^[a-z-]$/, true),
        ...text(":emr-serverless:"),
        classChar(LOWER_ALPHA),
        classChar(LOWER_ALPHA),
        literalChar("-"),
        classChar(LOWER_ALPHA),
        classChar(/^[a-z-]$/, true),
        literalChar("-"),
        classChar(DIGIT_CHAR),
        classChar(DIGIT_CHAR, true),
        literalChar(":"),
        ...Array.from({ length: 12 }, () => classChar(DIGIT_CHAR)),
        ...text(":/applications/"),
        classChar(LOWER_ALNUM),
        classChar(LOWER_ALNUM, true),
    ],
];

/** The binding keys' domains for the service's requests (what it sends, or nothing). */
const SERVICE_SENDS: ReadonlyMap<string, KeyDomain> = new Map<string, KeyDomain>([
    [
        "aws:sourcearn",
        { kind: "free", absent: true, multi: false, shape: [{ language: APPLICATION_ARN_SHAPE, want: true }] },
    ],
    [
        "aws:sourceaccount",
        {
            kind: "free",
            absent: true,
            multi: false,
            shape: [{ language: [Array.from({ length: 12 }, () => classChar(DIGIT_CHAR))], want: true }],
        },
    ],
    [
        "kms:encryptioncontext:applicationid",
        {
            kind: "free",
            absent: true,
            multi: false,
            shape: [{ language: [[classChar(LOWER_ALNUM), classChar(LOWER_ALNUM, true)]], want: true }],
        },
    ],
    [
        CONTEXT_KEYS_KEY.toLowerCase(),
        { kind: "free", absent: false, multi: true, shape: [], mustContain: [RESERVED_CONTEXT_KEY] },
    ],
]);

/** How a context key varies in a request of the EMR Serverless service principal itself. */
function serviceDomain(fixed: Map<string, Value>, lower: string): KeyDomain {
    if (fixed.has(lower)) {
        return { kind: "fixed", value: toList(fixed.get(lower)) };
    }
    const sent = SERVICE_SENDS.get(lower);
    if (sent) {
        return sent;
    }
    if (lower.startsWith("aws:principaltag/")) {
        return { kind: "fixed", value: undefined };
    }
    return { kind: "free", absent: true, multi: MULTI_VALUED_KEYS.has(lower), shape: [] };
}

/** What the exact search finds about one statement's grant to the service. */
interface ExactGrant {
    /** The actions (of those asked) the statement lets the service use on the key. */
    actions: string[];
    /** A request it allows (the first action's). */
    base?: Context;
    verdicts: Map<string, KeyVerdict>;
    unboundVia?: string;
}

/**
 * Questions 1 and 2 for one statement, exactly (see witness.ts): for each action, whether the service may use it
 * under the statement, and for each binding key whether it is bound to one value (no allowed request lacks it or
 * carries another). Undefined when the document is outside the exact search's model.
 */
function exactServiceGrant(
    index: DocumentIndex,
    st: ParsedStatement,
    actions: readonly string[],
    bindingKeys: readonly string[],
    serviceKeys: readonly string[],
): ExactGrant | undefined {
    if (index.policy.statements.some((s) => s.conditions.some((c) => c.values.some(holdsUnknown)))) {
        return undefined; // a value unknown at preview stands for any value the service may send
    }
    const fixed = serviceFixed(index.owner);
    const out: ExactGrant = { actions: [], verdicts: new Map() };
    const ask = (action: string, require?: Map<string, KeyRequirement>): NormalizedRequest | undefined =>
        findAllowedRequestExactly({
            policy: index.policy,
            statement: st,
            action,
            resource: index.keyArn,
            resourceId: index.keyId,
            principal: { type: "Service", id: EMR_SERVERLESS_PRINCIPAL },
            domain: (lower) => serviceDomain(fixed, lower),
            require: require ?? new Map(serviceKeys.map((k) => [k.toLowerCase(), ANY_VALUE])),
        });
    // Conditions never depend on the action: an action that the same statements cover as an earlier one gets the
    // same answers.
    const signature = (action: string): string =>
        index.policy.statements.map((s) => (actionMatches(s, action) ? "1" : "0")).join("");
    const answered = new Map<string, boolean>();
    try {
        for (const action of actions) {
            const sig = signature(action);
            const known = answered.get(sig);
            if (known !== undefined) {
                if (known) {
                    out.actions.push(action);
                }
                continue;
            }
            const base = ask(action);
            answered.set(sig, base !== undefined);
            if (!base) {
                continue;
            }
            out.actions.push(action);
            out.base ??= base.context;
            for (const key of bindingKeys) {
                const lower = key.toLowerCase();
                if (out.verdicts.get(key)?.bound === false) {
                    continue;
                }
                const verdict = exactBinding(key, base.context.get(lower), (r) => ask(action, new Map([[lower, r]])));
                out.verdicts.set(key, verdict);
                if (!verdict.bound) {
                    out.unboundVia ??= action;
                }
            }
        }
    } catch (e) {
        if (e instanceof TooHard) {
            index.exhausted = true;
            return out;
        }
        if (e instanceof Unsupported) {
            return undefined;
        }
        throw e;
    }
    return out;
}

/** Which statements' Action/NotAction cover `action`. */
function actionSignature(policy: ParsedPolicy, action: string): string {
    return policy.statements.map((s) => (actionMatches(s, action) ? "1" : "0")).join("");
}

/**
 * Whether the statement lets the service use `action` on the key for some request the document allows (exactly,
 * see witness.ts); undefined for a document outside the exact search's model.
 */
function exactServiceAllows(
    index: DocumentIndex,
    st: ParsedStatement,
    action: string,
    serviceKeys: readonly string[],
): boolean | undefined {
    if (index.policy.statements.some((s) => s.conditions.some((c) => c.values.some(holdsUnknown)))) {
        return undefined;
    }
    const fixed = serviceFixed(index.owner);
    try {
        return (
            findAllowedRequestExactly({
                policy: index.policy,
                statement: st,
                action,
                resource: index.keyArn,
                resourceId: index.keyId,
                principal: { type: "Service", id: EMR_SERVERLESS_PRINCIPAL },
                domain: (lower) => serviceDomain(fixed, lower),
                require: new Map(serviceKeys.map((k) => [k.toLowerCase(), ANY_VALUE])),
            }) !== undefined
        );
    } catch (e) {
        if (e instanceof TooHard) {
            index.exhausted = true;
            return false;
        }
        if (e instanceof Unsupported) {
            return undefined;
        }
        throw e;
    }
}

/** A key may be absent or take any value. */
const ANY_VALUE: KeyRequirement = { absent: true, present: true, constraints: [] };

/** Whether a binding key is bound to the value an allowed request carries: no allowed request lacks it or differs. */
function exactBinding(
    key: string,
    current: string[] | undefined,
    ask: (r: KeyRequirement) => NormalizedRequest | undefined,
): KeyVerdict {
    const lower = key.toLowerCase();
    if (current === undefined) {
        return { key, bound: false, absentAllowed: true };
    }
    if (current.length !== 1) {
        return { key, bound: false, also: current.join(", ") };
    }
    // One question: is a request without the key, or with another value, allowed? (Without it is tried first.)
    const other = ask({ absent: true, present: true, constraints: [{ language: literal(current[0]), want: false }] });
    if (other) {
        const value = other.context.get(lower);
        return value === undefined
            ? { key, bound: false, absentAllowed: true }
            : { key, bound: false, also: value.join(", ") };
    }
    return { key, bound: true, value: current[0] };
}

/** A Resource/NotResource list as a message shows it: up to three values, quoted, and how many more. */
function resourceText(values: readonly string[]): string {
    const shown = values.slice(0, 3).map((v) => JSON.stringify(v.length > 120 ? `${v.slice(0, 117)}...` : v));
    return shown.join(", ") + (values.length > 3 ? ` and ${values.length - 3} more` : "");
}

/**
 * What the judgment assumes when the key's ARN is unknown, for a document whose statements name
 * resources other than "*" (see resourceMatches): Allows apply to this key, Denies do not. One sentence,
 * or none when no statement depends on the key.
 */
function resourceAssumptions(policy: ParsedPolicy, keyId: string | undefined): string[] {
    const allows: string[] = [];
    const denies: string[] = [];
    for (const st of policy.statements) {
        if (!resourceDependsOnKey(st, keyId)) {
            continue;
        }
        const what = st.resources
            ? `Resource ${resourceText(st.resources)}`
            : `NotResource ${resourceText(st.notResources ?? [])}`;
        (st.effect === "Deny" ? denies : allows).push(`${st.where} (${what})`);
    }
    if (allows.length === 0 && denies.length === 0) {
        return [];
    }
    const list = (items: string[]): string =>
        items.slice(0, 3).join(", ") + (items.length > 3 ? ` and ${items.length - 3} more` : "");
    const parts: string[] = [];
    if (allows.length > 0) {
        parts.push(`the Allow ${list(allows)} ${allows.length === 1 ? "was" : "were"} assumed to apply to this key`);
    }
    if (denies.length > 0) {
        parts.push(`the Deny ${list(denies)} ${denies.length === 1 ? "was" : "were"} assumed not to`);
    }
    const known = keyId === undefined ? "" : ` (only its id, ${keyId}, is known)`;
    return [
        `(Judged without the key's ARN${known}: ${parts.join(", and ")}; given the key's ARN, the judge decides ` +
            "exactly which statements apply to it.)",
    ];
}

/** Question 4: IAM principals that can use the key outside EMR Serverless. */
function submitterQuestion(index: DocumentIndex, region: string | undefined): SubmitterOutcome {
    const findings: Finding[] = [];
    const viaProbes: Array<{ value: string | undefined; text: string }> = [
        { value: undefined, text: `without ${VIA_SERVICE_KEY}` },
        {
            value: `s3.${region ?? "us-east-1"}.amazonaws.com`,
            text: `with ${VIA_SERVICE_KEY} = "s3.${region ?? "us-east-1"}.amazonaws.com"`,
        },
    ];
    if (region) {
        const other = emrServerlessViaService(otherRegion(region));
        viaProbes.push({ value: other, text: `with ${VIA_SERVICE_KEY} = "${other}" (another region)` });
    }
    for (const st of index.policy.statements) {
        if (st.effect !== "Allow" || !st.principal?.values.AWS) {
            continue;
        }
        const submitters = st.principal.values.AWS.filter(
            (v) =>
                v !== "*" &&
                !/^\d{12}$/.test(v) &&
                !/^arn:[^:]+:iam::\d{12}:root$/.test(v) &&
                accountOf(v) !== undefined,
        ).slice(0, 5);
        let reported = false;
        for (const who of submitters) {
            if (reported) break;
            const exact = exactSubmitter(index, st, who, region);
            if (exact !== "unsupported") {
                if (exact) {
                    findings.push(submitterFinding(st, who, exact.action, exact.via, region));
                    reported = true;
                }
                continue;
            }
            for (const action of SERVICE_ACTION_LIST) {
                if (reported || !actionMatches(st, action)) continue;
                for (const via of viaProbes) {
                    const account = accountOf(who);
                    const fixed = new Map<string, Value>([
                        ["aws:resourceaccount", index.owner],
                        ["kms:viaservice", via.value],
                        ["aws:principalarn", who],
                        ["aws:principalaccount", account],
                        ["kms:calleraccount", account],
                        ["aws:principalisawsservice", "false"],
                        ["aws:principalservicename", undefined],
                    ]);
                    const spec: SearchSpec = {
                        principal: { type: "AWS", id: who },
                        action,
                        resource: index.keyArn,
                        resourceId: index.keyId,
                        fixed,
                        candidates: (lower) => ownCandidates(index, st, lower),
                        extraKeys: [],
                    };
                    if (findAllowedRequest(index, st, spec)) {
                        const expectedVia = region
                            ? emrServerlessViaService(region)
                            : "emr-serverless.<region>.amazonaws.com";
                        findings.push({
                            kind: "submitter-not-via-service",
                            where: st.where,
                            message:
                                `${st.where} lets ${who} use ${action} on the key ${via.text}, so the key is usable ` +
                                `outside EMR Serverless.`,
                            fix: `In ${st.where}, add "Condition": {"StringEquals": {"${VIA_SERVICE_KEY}": "${expectedVia}"}}.`,
                        });
                        reported = true;
                        break;
                    }
                }
            }
        }
    }
    return { findings, exhausted: index.exhausted };
}

/** The submitter finding for a request `who` may make with kms:ViaService `via` (undefined: without it). */
function submitterFinding(
    st: ParsedStatement,
    who: string,
    action: string,
    via: string | undefined,
    region: string | undefined,
): Finding {
    const expectedVia = region ? emrServerlessViaService(region) : "emr-serverless.<region>.amazonaws.com";
    const how = via === undefined ? `without ${VIA_SERVICE_KEY}` : `with ${VIA_SERVICE_KEY} = ${JSON.stringify(via)}`;
    return {
        kind: "submitter-not-via-service",
        where: st.where,
        message: `${st.where} lets ${who} use ${action} on the key ${how}, so the key is usable outside EMR Serverless.`,
        fix: `In ${st.where}, add "Condition": {"StringEquals": {"${VIA_SERVICE_KEY}": "${expectedVia}"}}.`,
    };
}

/**
 * Question 4 for one named principal, exactly (see witness.ts): a request of `who` that the statement and the
 * document allow with kms:ViaService absent or other than EMR Serverless's endpoint (of `region` when known, of
 * any region otherwise); "unsupported" for a document outside the exact search's model.
 */
function exactSubmitter(
    index: DocumentIndex,
    st: ParsedStatement,
    who: string,
    region: string | undefined,
): { action: string; via: string | undefined } | undefined | "unsupported" {
    const account = accountOf(who);
    const fixed = new Map<string, Value>([
        ["aws:resourceaccount", index.owner],
        ["aws:principalarn", who],
        ["aws:principalaccount", account],
        ["kms:calleraccount", account],
        ["aws:principalisawsservice", "false"],
        ["aws:principalservicename", undefined],
        ["aws:principalservicenameslist", undefined],
    ]);
    const emr = region ? literal(emrServerlessViaService(region)) : [glob("emr-serverless.*.amazonaws.com", false)];
    const via: KeyRequirement = { absent: true, present: true, constraints: [{ language: emr, want: false }] };
    const lower = VIA_SERVICE_KEY.toLowerCase();
    try {
        for (const action of SERVICE_ACTION_LIST) {
            if (!actionMatches(st, action)) {
                continue;
            }
            const found = findAllowedRequestExactly({
                policy: index.policy,
                statement: st,
                action,
                resource: index.keyArn,
                resourceId: index.keyId,
                principal: { type: "AWS", id: who },
                domain: (k) =>
                    fixed.has(k)
                        ? { kind: "fixed", value: toList(fixed.get(k)) }
                        : { kind: "free", absent: true, multi: MULTI_VALUED_KEYS.has(k), shape: [] },
                require: new Map([[lower, via]]),
            });
            if (found) {
                return { action, via: found.context.get(lower)?.[0] };
            }
        }
    } catch (e) {
        if (e instanceof TooHard) {
            index.exhausted = true;
            return undefined;
        }
        if (e instanceof Unsupported) {
            return "unsupported";
        }
        throw e;
    }
    return undefined;
}

/**
 * The actions worth probing: every action KMS has on a key, one per class of actions that every statement's
 * Action/NotAction treats alike (conditions never depend on the action, so one action of a class decides for all
 * of it). An action name the document writes that KMS does not have (a typo, another service's) grants nothing
 * on the key, so it is not tried.
 */
function probeActions(policy: ParsedPolicy, st: ParsedStatement): string[] {
    const seen = new Set<string>();
    const classes = new Set<string>();
    const out: string[] = [];
    for (const action of [...SERVICE_ACTION_LIST, ...OTHER_KMS_ACTIONS, ...MORE_KMS_ACTIONS]) {
        const lower = action.toLowerCase();
        if (seen.has(lower) || !actionMatches(st, action)) {
            continue;
        }
        seen.add(lower);
        let signature = "";
        for (const s of policy.statements) {
            signature += actionMatches(s, action) ? "1" : "0";
        }
        if (!classes.has(signature)) {
            classes.add(signature);
            out.push(action);
        }
    }
    return out;
}

/** A description of an allowed foreign request to an open statement, or undefined when the caller is pinned. */
function openGrantProbe(index: DocumentIndex, st: ParsedStatement): string | undefined {
    const caller = foreignCaller(index.partition, index.owner);
    for (const action of probeActions(index.policy, st)) {
        let found: NormalizedRequest | undefined;
        try {
            found = findAllowedRequestExactly({
                policy: index.policy,
                statement: st,
                action,
                resource: index.keyArn,
                resourceId: index.keyId,
                principal: caller,
                domain: (lower) => openGrantDomain(index, lower),
            });
        } catch (e) {
            if (e instanceof Unsupported) {
                return openGrantProbeBySearch(index, st);
            }
            if (e instanceof TooHard) {
                index.exhausted = true;
                return undefined;
            }
            throw e;
        }
        if (found) {
            return `${action} (as ${found.principal.id}${witnessText(found.context, OPEN_GRANT_SHOWN)})`;
        }
    }
    return undefined;
}

/** Keys a caller's identity fixes, shown in a witness only when a condition names them. */
const OPEN_GRANT_SHOWN = new Set([
    "aws:principalarn",
    "aws:principalaccount",
    "kms:calleraccount",
    "aws:resourceaccount",
    "aws:principalisawsservice",
]);

/** The context of a witness request as a message shows it: the keys other than `hidden`, or that it has none. */
function witnessText(context: Map<string, string[]>, hidden: ReadonlySet<string>): string {
    const parts: string[] = [];
    for (const [k, v] of context) {
        if (!hidden.has(k)) {
            parts.push(`${k} = ${v.length === 1 ? JSON.stringify(v[0]) : JSON.stringify(v)}`);
        }
    }
    return parts.length === 0 ? "" : `, with ${parts.slice(0, 6).join(", ")}`;
}

/**
 * How a context key varies for a caller of another account: its identity keys follow from its ARN (see
 * witness.ts); it is no AWS service; its organization, when it has one, is none the document names; keys that say
 * where a request comes from are absent or hold a value that none of the document's values for them matches (a
 * foreign caller neither comes from the owner's networks nor acts for the owner's resources; an IP address is
 * taken to be absent); everything else the caller chooses or does not control (encryption context, kms:ViaService,
 * tags) may be absent or take any value.
 */
function openGrantDomain(index: DocumentIndex, lower: string): KeyDomain {
    switch (lower) {
        case "aws:resourceaccount":
            return { kind: "fixed", value: [index.owner] };
        case "aws:principalisawsservice":
            return { kind: "fixed", value: ["false"] };
        case "aws:principalservicename":
        case "aws:principalservicenameslist":
        case "aws:sourceip":
        case "aws:vpcsourceip":
            return { kind: "fixed", value: undefined };
        case "aws:principalorgid":
            return {
                kind: "free",
                absent: true,
                multi: false,
                shape: index.literalsOf(lower).map((v) => ({ language: literal(v), want: false })),
            };
        case "aws:principalorgpaths":
            return {
                kind: "free",
                absent: true,
                multi: true,
                shape: index
                    .literalsOf("aws:principalorgid")
                    .map((v) => ({ language: [glob(`${v}/*`, false)], want: false })),
            };
        default:
            if (ORIGIN_KEYS.has(lower)) {
                return { kind: "free", absent: true, multi: false, shape: index.foreignShape(lower) };
            }
            return { kind: "free", absent: true, multi: MULTI_VALUED_KEYS.has(lower), shape: [] };
    }
}

/**
 * The open-grant question by a bounded search, for a document outside the exact search's model (policy variables
 * that read the caller's keys, non-string operators on them).
 */
function openGrantProbeBySearch(index: DocumentIndex, st: ParsedStatement): string | undefined {
    const org = unmentioned(index.text, [FOREIGN_ORG, "o-q7zk3m9x2v"], 1)[0];
    const candidates = (lower: string): Value[] => {
        if (ORIGIN_KEYS.has(lower)) {
            return [undefined, foreignValue(lower)];
        }
        // Request and resource properties the caller can choose or does not control (encryption
        // context, kms:ViaService, tags of the key itself): any value the document mentions.
        return [undefined, ...ownCandidates(index, st, lower)];
    };
    const actions = probeActions(index.policy, st);
    // Accounts the document never names (a Deny on one account must not hide a grant to all others).
    for (const account of index.probeAccounts) {
        const principalArn = `arn:aws:iam::${account}:role/x`;
        const fixed = new Map<string, Value>([
            ["aws:resourceaccount", index.owner],
            ["aws:principalarn", principalArn],
            ["aws:principalaccount", account],
            ["kms:calleraccount", account],
            ["aws:principalorgid", org],
            ["aws:principalorgpaths", [`${org}/r-ab12/ou-ab12-foreign0/`]],
            ["aws:principaltype", "AssumedRole"],
            ["aws:principalisawsservice", "false"],
            ["aws:principalservicename", undefined],
            ["aws:principalservicenameslist", undefined],
            ["aws:userid", `AROA${account}PROBE:x`],
            ["aws:username", undefined],
        ]);
        // The foreign caller is probed both inside another organization and outside any organization
        // (then aws:PrincipalOrgID and aws:PrincipalOrgPaths are absent, which ...IfExists lets through).
        const outsideOrg = new Map(fixed);
        outsideOrg.set("aws:principalorgid", undefined);
        outsideOrg.set("aws:principalorgpaths", undefined);
        for (const action of actions) {
            for (const identity of [fixed, outsideOrg]) {
                const spec: SearchSpec = {
                    principal: { type: "AWS", id: principalArn },
                    action,
                    resource: index.keyArn,
                    resourceId: index.keyId,
                    fixed: identity,
                    candidates,
                    extraKeys: [],
                };
                if (findAllowedRequest(index, st, spec)) {
                    const outside = identity === fixed ? "" : ", from outside any organization";
                    return `${action} (as ${principalArn}${outside})`;
                }
            }
        }
    }
    return undefined;
}
