/**
 * Context keys grouped by what they describe about a request: who the caller is (a principal cannot choose them),
 * and where the request comes from.
 */

/** Keys that describe who the caller is; a principal cannot choose them. */
export const IDENTITY_KEYS: readonly string[] = [
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

/** Keys that describe where a request comes from; for a caller of another account they are absent or foreign. */
export const ORIGIN_KEYS: ReadonlySet<string> = new Set([
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
