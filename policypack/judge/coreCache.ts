/**
 * The option-independent part of a judgment ({@link CoreAnalysis}) and its memo for string documents: what a
 * judgment depends on (the document, the account keys, the key's owner and the key itself) and the bounded
 * cache the policy pack's policies share.
 */
import { resourceDependsOnKey } from "./evaluate";
import { parsePolicyDocumentCached } from "./parse";
import type { ParsedPolicy } from "./parsedPolicy";
import { explicitOwner } from "./keyOwner";
import { ServiceGrant } from "./serviceBinding";
import { BARE_KEY_ID_PATTERN, parseKeyArn } from "./setting";
import { SubmitterOutcome } from "./submitters";
import { AnalyzeOptions, Finding, UnknownPart } from "./types";

/**
 * The option-independent part of a judgment: everything but the expected application's mismatches,
 * the requireEncryptionContextBinding filter and the submitter findings (which depend on the region). Never
 * mutated once built, except for `submitters`, which only gains entries (each a pure function of the
 * document, the owner and the region, computed from the budget left after the open-grant question).
 */
export interface CoreAnalysis {
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
    /** The accounts of the document's Allow account principals (see keyOwner.ts). */
    principalAccounts: string[];
    /**
     * What follows from the document's form alone: parse problems, look-alike service principals, then Allows
     * with NotPrincipal (the finding kinds of FORM_KINDS in keyPolicy.ts).
     */
    formFindings: Finding[];
    /** The service statements that allow the service, in document order. */
    grants: ServiceGrant[];
    /** The service over-grant findings, one per statement. */
    overgrants: Finding[];
    /** The open-grant findings, one per statement. */
    openGrants: Finding[];
    /** The work budget left after the open-grant question, and whether it ran out. */
    budget: number;
    exhausted: boolean;
    /** The submitter findings by region (see regionKey). */
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
export interface KeyRef {
    arn?: string;
    id?: string;
}

/** The core's key within its document's entry. */
function variantKey(accountKeys: readonly string[], owner: string, key: KeyRef): string {
    return `${owner}\u0000${key.arn ?? ""}\u0000${key.id ?? ""}\u0000${JSON.stringify(accountKeys)}`;
}

/** The key of the options: its ARN when that is one (see AnalyzeOptions.keyArn), else its bare id when that is one. */
export function givenKey(options: AnalyzeOptions): KeyRef {
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

/** The core for a string document: from {@link coreCache}, else judged by `judge` and remembered. */
export function cachedCore(
    document: string,
    accountKeys: readonly string[],
    options: AnalyzeOptions,
    judge: (key: KeyRef) => CoreAnalysis,
): CoreAnalysis {
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
    const core = judge(key);
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
