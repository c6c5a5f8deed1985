/**
 * Whether EMR Serverless uses a key, and why, from the stack index: a setting references it, or a
 * key policy (inline or a KeyPolicy resource) grants the service principal.
 */
import { analyzeKeyPolicy } from "../../judge";
import type { AnalyzeOptions, KeyPolicyAnalysis } from "../../judge";
import { isAbsentDocument } from "./keys";
import { label } from "./report";
import { keyOptionsFor } from "./stack";
import type { DocumentEntry, KeyEntry } from "./stack";

/** A document with its analysis (undefined when the document is unknown or absent). */
export interface JudgedDocument {
    entry: DocumentEntry;
    analysis?: KeyPolicyAnalysis;
    /** True when the document is unknown at preview. */
    unknown: boolean;
}

/** How EMR Serverless uses a key. */
export interface KeyUse {
    inline: JudgedDocument;
    keyPolicies: JudgedDocument[];
    /** The key's inline policy grants the service (resource policies already judge that case). */
    inlineGrants: boolean;
    /** Reasons other than the inline grant, for messages: settings and KeyPolicy resources. */
    crossReasons: string[];
}

/**
 * Judges one of `key`'s documents, against the key's ARN or id when known (see {@link keyOptionsFor}), for what
 * the stack policies read of it: whether and how it grants the service (AnalyzeOptions.serviceOnly).
 */
export function judgeDocument(key: KeyEntry, entry: DocumentEntry, options: AnalyzeOptions): JudgedDocument {
    if (!entry.document.known) {
        return { entry, unknown: true };
    }
    const doc = entry.document.value;
    if (isAbsentDocument(entry.resource.type, doc)) {
        return { entry, unknown: false };
    }
    return {
        entry,
        analysis: analyzeKeyPolicy(doc, { ...options, ...keyOptionsFor(key, entry), serviceOnly: true }),
        unknown: false,
    };
}

/** Judges the key's documents once and lists why EMR Serverless uses it. */
export function keyUse(key: KeyEntry, options: AnalyzeOptions): KeyUse {
    const inline = judgeDocument(key, key.inline, options);
    const keyPolicies = key.keyPolicies.map((d) => judgeDocument(key, d, options));
    const crossReasons: string[] = [];
    for (const s of key.settings) {
        crossReasons.push(`the disk-encryption setting ${label(s.resource)} references it`);
    }
    for (const kp of keyPolicies) {
        if (kp.analysis?.grantsService) {
            crossReasons.push(`${label(kp.entry.resource)} grants emr-serverless.amazonaws.com on it`);
        }
    }
    return { inline, keyPolicies, inlineGrants: inline.analysis?.grantsService === true, crossReasons };
}
