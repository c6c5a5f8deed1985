/**
 * The values the bounded search tries where the exact search does not model a document: foreign accounts and
 * principals, fillers for wildcards, and the perturbations of a value that a binding must refuse. Each is picked
 * among values the document does not mention, so that a Deny naming one probe value cannot hide a grant to all
 * the others.
 */

/** A context key's value in a probe request: one value, a list (multi-valued key), or absent. */
export type Value = string | string[] | undefined;
/** A probe request's context: lower-case key to its values. */
export type Context = Map<string, string[]>;

/** An account other than the key's, and a principal of it: the foreign caller the probes stand for. */
export const FOREIGN_ACCOUNT = "999999999999";
export const FOREIGN_PRINCIPAL_ARN = `arn:aws:iam::${FOREIGN_ACCOUNT}:role/x`;
/** An organization id no document is expected to name, for the foreign caller of the open-grant probe. */
export const FOREIGN_ORG = "o-foreign0000";

/**
 * Foreign accounts the open-grant probe may use; it takes the first two the document does not mention
 * (so that a Deny naming the probe account cannot hide an open grant to every other account).
 */
export const PROBE_ACCOUNTS: readonly string[] = [
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
export const STAR_FILLERS: readonly (readonly string[])[] = [
    ["k", "w", "j", "7", "q", "z"],
    ["zq", "k7", "w3", "j9"],
    ["zz9", "k7w", "j4p", "q8m"],
    ["q3xj8", "w9k2d", "j7m4z"],
    ["m0vd2pt6", "k9wz3qj7", "v5n8x2r1"],
    ["m0vd2pt6hyr4k", "z8q3wj7k5v2nd"],
];
/** Fillers for `?`. */
export const QUESTION_FILLERS: readonly string[] = ["Q", "a", "7", "w", "K", "3", "v", "J", "0", "m", "Z", "5"];

/** Keys that describe who the caller is; a principal cannot choose them. */
export const IDENTITY_KEYS = [
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
export const ORIGIN_KEYS = new Set([
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
export function foreignValue(lower: string): string {
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
export function ownDefault(lower: string, owner: string): string {
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

/** Whether a pattern holds a `*` or `?` wildcard. */
export function hasWildcard(s: string): boolean {
    return s.includes("*") || s.includes("?");
}

/** A pattern with every `*` replaced by `star` and every `?` by `question`. */
export function instantiate(pattern: string, star: string, question: string): string {
    return pattern.replace(/\*/g, star).replace(/\?/g, question);
}

/** The value in the other case (lower-case when it has upper-case letters, else upper-case). */
export function flipCase(s: string): string {
    const lower = s.toLowerCase();
    return s === lower ? s.toUpperCase() : lower;
}

/** The value with its last character changed (or "a" for the empty value). */
export function changeLast(s: string): string {
    if (s.length === 0) {
        return "a";
    }
    const last = s[s.length - 1];
    return s.slice(0, -1) + (last === "0" ? "1" : last === "a" ? "b" : "0");
}

/** The first `n` of `candidates` that the document text does not contain (falling back to the first ones). */
export function unmentioned(text: string, candidates: readonly string[], n: number): string[] {
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
