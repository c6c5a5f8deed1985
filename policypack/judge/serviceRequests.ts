/**
 * The requests of the EMR Serverless service principal itself: which context keys it fixes, and the values it can
 * send for the binding keys (its application's ARN as aws:SourceArn, the application's id as
 * kms:EncryptionContext:applicationId, a 12-digit account as aws:SourceAccount), as languages for the exact search.
 */
import { IDENTITY_KEYS } from "./contextKeys";
import { EMR_SERVERLESS_PRINCIPAL } from "./constants";
import { DocumentIndex } from "./documentIndex";
import { NormalizedRequest } from "./evaluate";
import { Element, Language, Pattern, classChar, literalChar } from "./languages";
import { ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import { RESERVED_CONTEXT_KEY } from "./setting";
import { holdsUnknown } from "./unknowns";
import { KeyDomain, KeyRequirement, MULTI_VALUED_KEYS, Values, valueLanguage } from "./witness";

/** Fixed context of a request made by the EMR Serverless service principal itself (shared: not to be changed). */
export function serviceFixed(owner: string): ReadonlyMap<string, Values> {
    let fixed = fixedByOwner.get(owner);
    if (!fixed) {
        if (fixedByOwner.size >= FIXED_OWNERS) {
            fixedByOwner.clear();
        }
        fixed = makeServiceFixed(owner);
        fixedByOwner.set(owner, fixed);
    }
    return fixed;
}

/** Owner accounts whose fixed context is kept. */
const FIXED_OWNERS = 64;
const fixedByOwner = new Map<string, ReadonlyMap<string, Values>>();

function makeServiceFixed(owner: string): Map<string, Values> {
    const fixed = new Map<string, Values>([["aws:resourceaccount", [owner]]]);
    for (const k of IDENTITY_KEYS) {
        fixed.set(k, undefined);
    }
    fixed.set("aws:principalservicename", [EMR_SERVERLESS_PRINCIPAL]);
    fixed.set("aws:principalservicenameslist", [EMR_SERVERLESS_PRINCIPAL]);
    fixed.set("aws:principalisawsservice", ["true"]);
    fixed.set("kms:viaservice", undefined);
    for (const k of ["aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip"]) {
        fixed.set(k, undefined);
    }
    return fixed;
}

/** The condition key listing the encryption context's keys. */
export const CONTEXT_KEYS_KEY = "kms:EncryptionContextKeys";

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

/**
 * A binding key's domain in a document with condition values unknown at preview: the service sends its application's
 * ARN, id and account, and an unknown value written for the key (the lower bound keeps it as one opaque value that
 * only it names, see unknowns.ts) stands for one of them. So the key may also take the values that the document's
 * unknown values for it match. Computed once per document and key (the exact search shares its work between
 * questions whose domains are the same objects).
 */
function sentOrUnknown(policy: ParsedPolicy, lower: string, sent: KeyDomain): KeyDomain {
    let perPolicy = withUnknowns.get(policy);
    if (!perPolicy) {
        perPolicy = new Map();
        withUnknowns.set(policy, perPolicy);
    }
    let d = perPolicy.get(lower);
    if (!d) {
        const unknown: Pattern[] = [];
        for (const st of policy.statements) {
            for (const c of st.conditions) {
                if (c.keyLower === lower && c.base !== undefined && c.base !== "Null" && !c.negated) {
                    c.values.filter(holdsUnknown).forEach((v) => unknown.push(...valueLanguage(c.base as string, v)));
                }
            }
        }
        d =
            unknown.length === 0 || sent.kind !== "free"
                ? sent
                : {
                      ...sent,
                      shape: sent.shape.map((c) =>
                          c.want ? { language: [...c.language, ...unknown], want: true } : c,
                      ),
                  };
        perPolicy.set(lower, d);
    }
    return d;
}

const withUnknowns = new WeakMap<ParsedPolicy, Map<string, KeyDomain>>();

/** How a context key varies in a request of the EMR Serverless service principal itself. */
export function serviceDomain(policy: ParsedPolicy, fixed: ReadonlyMap<string, Values>, lower: string): KeyDomain {
    if (fixed.has(lower)) {
        return { kind: "fixed", value: fixed.get(lower) };
    }
    const sent = SERVICE_SENDS.get(lower);
    if (sent) {
        return sentOrUnknown(policy, lower, sent);
    }
    if (lower.startsWith("aws:principaltag/")) {
        return { kind: "fixed", value: undefined };
    }
    return { kind: "free", absent: true, multi: MULTI_VALUED_KEYS.has(lower), shape: [] };
}

/** The service principal as a request's principal. */
export const SERVICE_PRINCIPAL = { type: "Service" as const, id: EMR_SERVERLESS_PRINCIPAL };

/** A key may be absent or take any value. */
export const ANY_VALUE: KeyRequirement = { absent: true, present: true, constraints: [] };

/**
 * How each context key varies in the service's requests under `index`'s document (see {@link serviceDomain}), one
 * function per document and owner account, each key's domain computed once: the questions about one document then
 * share their domains (the same objects) and allocate none.
 */
export function serviceDomains(index: DocumentIndex): (lower: string) => KeyDomain {
    let perOwner = domainsOf.get(index.policy);
    if (!perOwner) {
        perOwner = new Map();
        domainsOf.set(index.policy, perOwner);
    }
    let domains = perOwner.get(index.owner);
    if (!domains) {
        const policy = index.policy;
        const fixed = serviceFixed(index.owner);
        const known = new Map<string, KeyDomain>();
        domains = (lower) => {
            let d = known.get(lower);
            if (!d) {
                d = serviceDomain(policy, fixed, lower);
                known.set(lower, d);
            }
            return d;
        };
        perOwner.set(index.owner, domains);
    }
    return domains;
}

const domainsOf = new WeakMap<ParsedPolicy, Map<string, (lower: string) => KeyDomain>>();

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
    return index.findAllowedRequestExactly(st, action, SERVICE_PRINCIPAL, serviceDomains(index), require);
}

/** Every key of `keys` may be absent or take any value, but each is asked about. */
export function anyValueOf(keys: readonly string[]): Map<string, KeyRequirement> {
    return new Map(keys.map((k) => [k.toLowerCase(), ANY_VALUE]));
}
