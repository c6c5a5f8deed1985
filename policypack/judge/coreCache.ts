/**
 * The option-independent part of a judgment ({@link CoreAnalysis}) and its memo: what a
 * judgment depends on (the document, the account keys, the key's owner and the key itself) and the bounded
 * cache the policy pack's policies share.
 */
import { types } from "node:util";
import type { UndecidedQuestion } from "./documentIndex";
import { resourceDependsOnKey } from "./evaluate";
import { parsePolicyDocumentCached } from "./parse";
import type { ParsedPolicy } from "./parsedPolicy";
import { explicitOwner } from "./keyOwner";
import { ServiceGrant } from "./serviceBinding";
import { BARE_KEY_ID_PATTERN, parseKeyArn } from "./setting";
import { SubmitterOutcome } from "./submitters";
import { AnalyzeOptions, Finding, UnknownPart } from "./types";
import { holdsUnknown } from "./unknowns";

/**
 * The option-independent part of a judgment: everything but the expected application's mismatches,
 * the requireEncryptionContextBinding filter and the submitter findings (which depend on the region). Never
 * mutated once built, except for `submitters`, which only gains entries (each a pure function of the
 * document, the owner and the region, computed from the budget left after the open-grant question), and for the
 * questions after the service binding when they were deferred (see `rest`).
 */
export interface CoreAnalysis {
    parsed: boolean;
    hasUnknowns: boolean;
    /** The owner account the questions used (aws:ResourceAccount). */
    owner: string;
    /** The key ARN the questions used as their resource (undefined: unknown, see AnalyzeOptions.keyArn). */
    keyArn?: string;
    /** The key id the questions used when the ARN is unknown (see AnalyzeOptions.keyId). */
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
    /**
     * The work budget left after the open-grant question, whether it ran out, and the questions the exact search
     * could not decide so far.
     */
    budget: number;
    exhausted: boolean;
    undecided: UndecidedQuestion[];
    /** The questions the service binding alone could not decide (reported when only the binding is asked). */
    bindingUndecided?: UndecidedQuestion[];
    /** The submitter findings by region (see regionKey). */
    submitters: Map<string, SubmitterOutcome>;
    /**
     * Set while the questions after the service binding (over-grant, open grants, the first region's submitters)
     * are not asked yet (AnalyzeOptions.serviceOnly): asks them, from the budget the binding left, and fills
     * `overgrants`, `openGrants`, `budget`, `exhausted` and `submitters` as one pass would have. Call it through
     * {@link completeCore}.
     */
    rest?: () => void;
    /** The policy the questions were asked of, when it is not the document's own parse (a bound of a partly unknown one). */
    policy?: ParsedPolicy;
    /** For a document with parts unknown at preview: where they are, and the two bounds' judgments. */
    unknowns?: UnknownPart[];
    bounds?: { lower: CoreAnalysis; upper: CoreAnalysis };
    /** True when the unknown parts leave nothing but the document's form to judge (see boundedCore). */
    undecidable?: boolean;
}

/**
 * A bounded memo of {@link CoreAnalysis}: document key -> (account keys and owner -> core). Keyed by the
 * document's text (not a concatenation) so a lookup hashes no new string. Safe to share: each core is a pure
 * function of its keys (the owner is in the key, or checked on a hit) and callers get fresh copies. Bounded by
 * entries and by total key length, oldest document dropped first.
 */
class CoreMemo {
    private readonly documents = new Map<string, Map<string, CoreAnalysis>>();
    /** Whether a remembered document's judgment depends on the key (see {@link judgedKey}). */
    private readonly keyDependence = new Map<string, boolean>();
    private entries = 0;
    private chars = 0;

    constructor(
        private readonly maxEntries: number,
        private readonly maxChars: number,
    ) {}

    get(document: string): Map<string, CoreAnalysis> | undefined {
        return this.documents.get(document);
    }

    /** Whether the judgment of a document depends on the key: remembered with the document, else computed. */
    dependsOnKey(document: string, compute: () => boolean): boolean {
        const known = this.keyDependence.get(document);
        if (known !== undefined) {
            return known;
        }
        const depends = compute();
        if (this.documents.has(document)) {
            this.keyDependence.set(document, depends);
        }
        return depends;
    }

    /** Adds a core, first dropping the oldest other documents while a limit would be passed. */
    remember(document: string, variant: string, core: CoreAnalysis): void {
        const known = this.documents.has(document);
        const chars = known ? 0 : document.length;
        for (const [oldest, cores] of this.documents) {
            if (this.entries + 1 <= this.maxEntries && this.chars + chars <= this.maxChars) {
                break;
            }
            if (oldest !== document) {
                this.documents.delete(oldest);
                this.keyDependence.delete(oldest);
                this.entries -= cores.size;
                this.chars -= oldest.length;
            }
        }
        if (this.entries + 1 > this.maxEntries || this.chars + chars > this.maxChars) {
            return; // one document alone fills the memo: judged, not kept
        }
        let cores = this.documents.get(document);
        if (!cores) {
            cores = new Map();
            this.documents.set(document, cores);
            this.chars += chars;
        }
        if (!cores.has(variant)) {
            this.entries++;
        }
        cores.set(variant, core);
    }
}

/**
 * The one analysis cache of the judge and the policy pack: the stack policies of one AnalyzeStack call (each
 * handed fresh resource objects) ask about the same documents, with different options. String documents are
 * keyed by their text; object documents by their {@link objectMemoKey}, in a memo of their own (a string
 * document and an object are judged differently even when the one is the other's JSON: the text's duplicate
 * member names and the spelling of its numbers count).
 */
const stringCores = new CoreMemo(10_000, 16 * 1024 * 1024);
const objectCores = new CoreMemo(10_000, 16 * 1024 * 1024);

/** Deepest nesting an object document may have to be memoized (a key policy nests five levels). */
const MEMO_DEPTH = 32;
/** Longest memo key of an object document (KMS accepts 32,768 bytes; larger documents are judged, not kept). */
const MEMO_KEY_CHARS = 256 * 1024;

/**
 * The memo key of an object document: a text that two documents share only when every read the judge makes of
 * them gives the same value (own property names in order, each value's type and value, each object's prototype).
 * Undefined, so that the document is judged afresh each time, unless the document is a tree of plain data:
 * plain objects and arrays holding strings, finite numbers, booleans and null through enumerable data
 * properties, no proxy, no accessor, no hole, nothing nested deeper than {@link MEMO_DEPTH}, and no unknown value
 * of the engine anywhere (a partly unknown document is judged as two bounds and keeps that path).
 */
export function objectMemoKey(document: object): string | undefined {
    const out: string[] = [];
    let chars = 0;
    const write = (value: unknown, depth: number): boolean => {
        if (typeof value === "string") {
            if (holdsUnknown(value)) {
                return false;
            }
            const text = JSON.stringify(value);
            chars += text.length;
            out.push(text);
            return true;
        }
        if (typeof value === "number") {
            if (!Number.isFinite(value) || Object.is(value, -0)) {
                return false;
            }
            out.push(String(value));
            chars += 24;
            return true;
        }
        if (typeof value === "boolean" || value === null) {
            out.push(String(value));
            chars += 5;
            return true;
        }
        if (typeof value !== "object" || depth >= MEMO_DEPTH || types.isProxy(value) || chars > MEMO_KEY_CHARS) {
            return false;
        }
        const proto: unknown = Object.getPrototypeOf(value);
        const names = Object.getOwnPropertyNames(value);
        if (Object.getOwnPropertySymbols(value).length > 0) {
            return false;
        }
        if (Array.isArray(value)) {
            if (proto !== Array.prototype || names.length !== value.length + 1) {
                return false;
            }
            out.push("[");
            for (let i = 0; i < value.length; i++) {
                const d = Object.getOwnPropertyDescriptor(value, i);
                if (!d || !("value" in d) || !d.enumerable || !write(d.value, depth + 1)) {
                    return false;
                }
                out.push(",");
            }
            out.push("]");
            chars += 2 + value.length;
            return true;
        }
        if (proto !== Object.prototype && proto !== null) {
            return false;
        }
        out.push(proto === null ? "null{" : "{");
        for (const name of names) {
            const d = Object.getOwnPropertyDescriptor(value, name);
            if (!d || !("value" in d) || !d.enumerable) {
                return false;
            }
            const key = JSON.stringify(name);
            chars += key.length + 2;
            out.push(key, ":");
            if (!write(d.value, depth + 1)) {
                return false;
            }
            out.push(",");
        }
        out.push("}");
        return true;
    };
    try {
        return write(document, 0) && chars <= MEMO_KEY_CHARS ? out.join("") : undefined;
    } catch {
        return undefined; // an exotic object (e.g. a revoked proxy): judged afresh
    }
}

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
function judgedKey(document: unknown, memoKey: string, memo: CoreMemo, options: AnalyzeOptions): KeyRef {
    const key = givenKey(options);
    if (key.arn === undefined && key.id === undefined) {
        return key;
    }
    const depends = memo.dependsOnKey(memoKey, () => {
        const policy = parsePolicyDocumentCached(document).policy;
        return policy !== undefined && policy.statements.some((st) => resourceDependsOnKey(st));
    });
    return depends ? key : {};
}

/**
 * The core for a document: from the memo, else judged by `judge` and remembered. `memoKey` is the document's
 * text for a string document, its {@link objectMemoKey} for an object.
 */
export function cachedCore(
    document: unknown,
    memoKey: string,
    accountKeys: readonly string[],
    options: AnalyzeOptions,
    judge: (key: KeyRef) => CoreAnalysis,
): CoreAnalysis {
    const memo = typeof document === "string" ? stringCores : objectCores;
    const owner = explicitOwner(options);
    const key = judgedKey(document, memoKey, memo, options);
    const variant = variantKey(accountKeys, owner, key);
    const byDocument = memo.get(memoKey);
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
    memo.remember(memoKey, variant, core);
    return core;
}

/** The core with every question asked: runs its deferred questions (see CoreAnalysis.rest) once. */
export function completeCore(core: CoreAnalysis): CoreAnalysis {
    const rest = core.rest;
    if (rest) {
        rest();
        delete core.rest;
    }
    return core;
}
