/**
 * The requests of the EMR Serverless service principal itself: which context keys it fixes, and which values it
 * can send for the binding keys (its application's ARN as aws:SourceArn, the application's id as
 * kms:EncryptionContext:applicationId, a 12-digit account as aws:SourceAccount), for the bounded search as
 * candidate values and for the exact search as languages.
 */
import { ACCOUNT_ID_PATTERN, ARN_ACCOUNT, ARN_PARTITION, ARN_REGION, PARTITION_PATTERN, REGION_PATTERN } from "./arn";
import { EMR_SERVERLESS_PRINCIPAL } from "./constants";
import { DocumentIndex } from "./documentIndex";
import { NormalizedRequest } from "./evaluate";
import { Element, Language, classChar, literalChar } from "./languages";
import { ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import { SearchSpec, ownCandidates, toList } from "./probeSearch";
import { FOREIGN_ACCOUNT, IDENTITY_KEYS, Value, hasWildcard } from "./probeValues";
import { RESERVED_CONTEXT_KEY } from "./setting";
import { holdsUnknown } from "./unknowns";
import { globMatch } from "./wildcards";
import { KeyDomain, KeyRequirement, MULTI_VALUED_KEYS } from "./witness";

/** Fixed context of a request made by the EMR Serverless service principal itself. */
export function serviceFixed(owner: string): Map<string, Value> {
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

/**
 * The value a request of the EMR Serverless service principal carries for `lower`: the service sends its
 * application's ARN as aws:SourceArn and the application's id as kms:EncryptionContext:applicationId, and
 * both are lower-case (application ids are `[0-9a-z]+`; an application ARN's partition, service and region
 * are lower-case and its account is digits). So for these keys a value is lower-cased: a case variant of an
 * application's ARN or id stands for that application, never for another one, and a value no real request
 * carries (an upper-cased ARN under StringEquals) matches nothing.
 */
export function serviceValue(lower: string, value: string): string | undefined {
    const real =
        lower === "aws:sourcearn" || lower === "kms:encryptioncontext:applicationid" ? value.toLowerCase() : value;
    return serviceSends(lower, real) ? real : undefined;
}

/**
 * An application id as the service sends it: lower-case letters and digits, of any length (not bounded to the API's
 * 64 characters, like the exact search's {@link SERVICE_SENDS}, so that both searches model the same requests).
 */
const SENT_APPLICATION_ID = "[0-9a-z]+";
const SENT_APPLICATION_ID_PATTERN = new RegExp(`^${SENT_APPLICATION_ID}$`);

/** An application ARN as the service sends it: lower-case fields, a 12-digit account, an id of `[0-9a-z]`. */
const APPLICATION_ARN_VALUE = new RegExp(
    `^arn:${ARN_PARTITION}:emr-serverless:${ARN_REGION}:${ARN_ACCOUNT}:/applications/${SENT_APPLICATION_ID}$`,
);

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
            return SENT_APPLICATION_ID_PATTERN.test(value);
        case "aws:sourceaccount":
            return ACCOUNT_ID_PATTERN.test(value);
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
export function sentInstances(index: DocumentIndex, lower: string, pattern: string): string[] {
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
        const partitions = fieldValues(fields[1], PARTITIONS, (p) => [fillStars(p, [""], "a")], PARTITION_PATTERN);
        const services = fieldValues(fields[2], ["emr-serverless"], () => [], /^emr-serverless$/);
        const regions = fieldValues(fields[3], REGIONS, (p) => [fillStars(p, ["", "1"], "1")], REGION_PATTERN);
        const accounts = fieldValues(
            fields[4],
            [index.owner, FOREIGN_ACCOUNT],
            (p) => {
                const digits = p.replace(/[*?]/g, "").length + (p.match(/\?/g) ?? []).length;
                return [fillStars(p, ["0".repeat(Math.max(0, 12 - digits)), ""], "0")];
            },
            ACCOUNT_ID_PATTERN,
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
export const CONTEXT_KEYS_KEY = "kms:EncryptionContextKeys";

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
export function serviceCandidates(index: DocumentIndex, st: ParsedStatement, lower: string): Value[] {
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

/** The shapes of the values the service sends for the binding keys (see {@link serviceSends}). */
const LOWER_ALNUM = /^[0-9a-z]$/;
const LOWER_ALPHA = /^[a-z]$/;
const DIGIT_CHAR = /^[0-9]$/;

/** The pattern of a literal string, one element per character. */
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
export function serviceDomain(fixed: Map<string, Value>, lower: string): KeyDomain {
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

/** The service principal as a request's principal. */
export const SERVICE_PRINCIPAL = { type: "Service" as const, id: EMR_SERVERLESS_PRINCIPAL };

/** The bounded search's spec for a request of the service under `st` (its candidates as the service sends them). */
export function serviceSearchSpec(
    index: DocumentIndex,
    st: ParsedStatement,
    action: string,
    serviceKeys: readonly string[],
): SearchSpec {
    return {
        principal: SERVICE_PRINCIPAL,
        action,
        resource: index.keyArn,
        resourceId: index.keyId,
        normalize: serviceValue,
        fixed: serviceFixed(index.owner),
        candidates: (lower) => serviceCandidates(index, st, lower),
        extraKeys: serviceKeys,
    };
}

/**
 * Whether a condition value of the document is unknown at preview: such a value stands for any value the service
 * may send, which the exact search does not model.
 */
export function hasUnknownConditionValues(policy: ParsedPolicy): boolean {
    return policy.statements.some((s) => s.conditions.some((c) => c.values.some(holdsUnknown)));
}

/** A key may be absent or take any value. */
export const ANY_VALUE: KeyRequirement = { absent: true, present: true, constraints: [] };

/**
 * A request of the service that `st` and the whole document allow for `action` (exactly, see witness.ts), with
 * each key of `require` as it requires; undefined when there is none.
 */
export function findServiceRequestExactly(
    index: DocumentIndex,
    st: ParsedStatement,
    action: string,
    require: Map<string, KeyRequirement>,
): NormalizedRequest | undefined {
    const fixed = serviceFixed(index.owner);
    return index.findAllowedRequestExactly(
        st,
        action,
        SERVICE_PRINCIPAL,
        (lower) => serviceDomain(fixed, lower),
        require,
    );
}

/** Every key of `keys` may be absent or take any value, but each is asked about. */
export function anyValueOf(keys: readonly string[]): Map<string, KeyRequirement> {
    return new Map(keys.map((k) => [k.toLowerCase(), ANY_VALUE]));
}
