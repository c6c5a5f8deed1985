/**
 * Principals that look like the EMR Serverless service principal but are not it. IAM matches a service
 * principal by its exact name, so `emr-serverIess.amazonaws.com` (a capital I), a Cyrillic `е`, a
 * fullwidth `ｅ`, a trailing or zero-width space, the regional endpoint name, an ARN or a near-miss
 * spelling grants EMR Serverless nothing, and its jobs fail when they first use the key.
 *
 * Detection is by normalization, not by a list of examples: each value is reduced to a skeleton
 * (Unicode NFKD with combining marks removed, then NFKC; spaces and invisible format characters removed;
 * characters that render like the principal's letters mapped to them, after Unicode's confusables data for
 * the letters that matter; lower case) and compared with the principal's skeleton; what does not reduce
 * to it is compared by structure (an ARN, a regional name) and by edit distance over the service name and
 * the domain. Values far from the principal (every other real service principal) are never reported.
 */
import { EMR_SERVERLESS_PRINCIPAL } from "./constants";
import { showText } from "./jsonText";
import type { ParsedPolicy, ParsedPrincipal, ParsedStatement, PrincipalKind } from "./parsedPolicy";
import type { Finding } from "./types";
import { holdsUnknown } from "./unknowns";

const SERVICE_NAME = "emr-serverless";
const DOMAIN = "amazonaws.com";

/**
 * Characters that render like one of the letters or separators of `emr-serverless.amazonaws.com` (or like
 * a capital form of one), by that letter. From Unicode's confusables (UTS #39) for these targets; NFKC
 * already folds fullwidth, mathematical and compatibility forms (ｅ, 𝐞, ℓ, ⅼ), and NFKD with combining
 * marks removed folds accented letters (é, ë).
 */
const LOOKALIKES: Readonly<Record<string, string>> = {
    // like "l": I; 1; |; ǀ Latin letter dental click; Ɩ; Ι Greek capital iota; І Cyrillic capital
    // Byelorussian-Ukrainian I; Ӏ Cyrillic letter palochka; ׀ Hebrew punctuation paseq; ו Hebrew letter vav;
    // ا Arabic letter alef; ∣ divides; ⏽; Ⲓ Coptic capital iauda; ꓲ Lisu letter i
    l: "I1|\u01c0\u0196\u0399\u0406\u04c0\u05c0\u05d5\u0627\u2223\u23fd\u2c92\ua4f2",
    // like "e": е Cyrillic small ie; Е Cyrillic capital ie; Ε Greek capital epsilon; ҽ Cyrillic small abkhasian
    // che; ℮ estimated symbol; ⲉ Coptic small eie; ꬲ
    e: "\u0435\u0415\u0395\u04bd\u212e\u2c89\uab32",
    // like "m": м Cyrillic small em (italic forms); М Cyrillic capital em; Μ Greek capital mu; ⅿ small roman
    // numeral one thousand
    m: "\u043c\u041c\u039c\u217f",
    // like "r": г Cyrillic small ghe; ᴦ Greek letter small capital gamma; ⲅ Coptic small gamma; ꭇ; ꭈ
    r: "\u0433\u1d26\u2c85\uab47\uab48",
    // like "s": ѕ Cyrillic small dze; Ѕ Cyrillic capital dze; ꜱ Latin letter small capital s; ƽ; ჽ Georgian letter
    // aen
    s: "\u0455\u0405\ua731\u01bd\u10fd",
    // like "v": ν Greek small nu; ѵ Cyrillic small izhitsa; Ѵ Cyrillic capital izhitsa; ᴠ Latin letter small
    // capital v; ∨ logical or; ט Hebrew letter tet
    v: "\u03bd\u0475\u0474\u1d20\u2228\u05d8",
    // like "a": а Cyrillic small a; А Cyrillic capital a; ɑ Latin small alpha; α Greek small alpha; Α Greek capital
    // alpha; ⍺
    a: "\u0430\u0410\u0251\u03b1\u0391\u237a",
    // like "z": ᴢ Latin letter small capital z; Ζ Greek capital zeta; ʐ
    z: "\u1d22\u0396\u0290",
    // like "o": 0; о Cyrillic small o; О Cyrillic capital o; ο Greek small omicron; Ο Greek capital omicron; σ
    // Greek small sigma; օ Armenian small oh; ഠ; ᴏ Latin letter small capital o; ߋ; ٥ Arabic-Indic digit five; ۵
    o: "0\u043e\u041e\u03bf\u039f\u03c3\u0585\u0d20\u1d0f\u07cb\u0665\u06f5",
    // like "n": п Cyrillic small pe (italic forms); ո Armenian small vo; ռ Armenian small ra; Ν Greek capital nu
    n: "\u043f\u0578\u057c\u039d",
    // like "w": ԝ Cyrillic small we; Ԝ Cyrillic capital we; ѡ Cyrillic small omega; ɰ; ᴡ Latin letter small capital
    // w; ω Greek small omega; ɯ
    w: "\u051d\u051c\u0461\u0270\u1d21\u03c9\u026f",
    // like "c": с Cyrillic small es; С Cyrillic capital es; ϲ Greek lunate sigma; Ϲ Greek capital lunate sigma; ᴄ
    // Latin letter small capital c; ⲥ Coptic small sima
    c: "\u0441\u0421\u03f2\u03f9\u1d04\u2ca5",
    // like "-": hyphen; non-breaking hyphen; figure dash; en dash; em dash; horizontal bar; minus sign; modifier
    // letter minus; hyphen bullet; Arabic full stop; Coptic capital dialect-p ni; Katakana-Hiragana prolonged sound
    // mark
    "-": "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u02d7\u2043\u06d4\u2cba\u30fc",
    // like ".": middle dot; Syriac supralinear full stop; Syriac sublinear full stop; one dot leader; bullet
    // operator; dot operator; ideographic full stop; Lisu letter tone mya ti; Arabic-Indic digit zero; extended
    // Arabic-Indic digit zero
    ".": "\u00b7\u0701\u0702\u2024\u2219\u22c5\u3002\ua4f8\u0660\u06f0",
};

/** Each look-alike character to the letter or separator it renders like. */
const CONFUSABLES: ReadonlyMap<string, string> = new Map(
    Object.entries(LOOKALIKES).flatMap(([letter, forms]) =>
        Array.from(forms, (form): [string, string] => [form, letter]),
    ),
);

/**
 * Invisible characters: format and control characters (zero-width spaces and joiners, BOM, soft hyphen, bidi
 * marks) and Hangul fillers. Invisible combining marks (variation selectors, the grapheme joiner) go with
 * the other combining marks in {@link fold}.
 */
const INVISIBLE = /[\p{Cf}\p{Cc}\u115f\u1160\u3164\uffa0]/gu;
const SPACES = /[\s\p{Z}]/gu;
const MARKS = /\p{M}/gu;

/** Printable ASCII without the space: no compatibility form, accent, space or invisible character to fold. */
const PLAIN_ASCII = /^[\x21-\x7e]*$/;

/** The value with compatibility forms and accents folded, spaces and invisible characters removed (case kept). */
function fold(value: string): string {
    if (PLAIN_ASCII.test(value)) {
        return value; // (most principals: both normalizations leave it as it is, and nothing is removed)
    }
    return value.normalize("NFKD").replace(MARKS, "").normalize("NFKC").replace(INVISIBLE, "").replace(SPACES, "");
}

/** The skeleton of a principal value (see the module comment). */
export function principalSkeleton(value: string): string {
    let out = "";
    for (const ch of fold(value)) {
        out += CONFUSABLES.get(ch) ?? ch;
    }
    return out.replace(/rn/g, "m").replace(/vv/g, "w").toLowerCase();
}

const TARGET_SKELETON = principalSkeleton(EMR_SERVERLESS_PRINCIPAL);
const NAME_SKELETON = principalSkeleton(SERVICE_NAME).replace(/[-_.]/g, "");

/** Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent swaps), capped at `limit + 1`. */
export function editDistance(a: string, b: string, limit = 3): number {
    if (Math.abs(a.length - b.length) > limit) {
        return limit + 1;
    }
    const n = b.length;
    let prev2 = new Array<number>(n + 1).fill(0);
    let prev = Array.from({ length: n + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = new Array<number>(n + 1);
        cur[0] = i;
        let rowMin = cur[0];
        for (let j = 1; j <= n; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                d = Math.min(d, prev2[j - 2] + 1);
            }
            cur[j] = d;
            rowMin = Math.min(rowMin, d);
        }
        if (rowMin > limit) {
            return limit + 1;
        }
        prev2 = prev;
        prev = cur;
    }
    return Math.min(prev[n], limit + 1);
}

function codePoint(ch: string): string {
    return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** What makes a value that reduces to the principal's skeleton differ from the principal itself. */
function differences(value: string): string {
    const reasons: string[] = [];
    if (value !== value.trim()) {
        reasons.push("leading or trailing white space");
    } else if (/[\s\p{Z}]/u.test(value)) {
        reasons.push("white space inside it");
    }
    const invisible = [...new Set(value.match(INVISIBLE) ?? [])];
    if (invisible.length > 0) {
        reasons.push(`invisible characters (${invisible.map(codePoint).join(", ")})`);
    }
    const visible = [...value.replace(INVISIBLE, "").replace(SPACES, "")];
    const target = [...EMR_SERVERLESS_PRINCIPAL];
    const swapped: string[] = [];
    const shown = visible.join("");
    if (shown !== EMR_SERVERLESS_PRINCIPAL && shown.toLowerCase() === EMR_SERVERLESS_PRINCIPAL) {
        swapped.push("capital letters (the principal's name is lower case)");
    } else if (visible.length === target.length) {
        visible.forEach((ch, i) => {
            if (ch !== target[i]) {
                swapped.push(`"${ch}" (${codePoint(ch)}) where it has "${target[i]}"`);
            }
        });
    } else if (visible.some((ch) => ch.charCodeAt(0) > 0x7e)) {
        const foreign = [...new Set(visible.filter((ch) => ch.charCodeAt(0) > 0x7e))];
        swapped.push(`characters that only look like its letters (${foreign.slice(0, 4).map(codePoint).join(", ")})`);
    }
    if (swapped.length > 0) {
        reasons.push(
            swapped.length > 3
                ? `${swapped.slice(0, 3).join(", ")} and ${swapped.length - 3} more`
                : swapped.join(", "),
        );
    }
    return reasons.length > 0 ? reasons.join("; ") : "a different spelling";
}

const REGIONAL = /^emr-?serverless\.([a-z]{2}(?:-[a-z]+)+-\d+|[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * Why `value` (a principal named in a key policy) looks like `emr-serverless.amazonaws.com` without being
 * it, or undefined when it is the principal or is not like it. `kind` is the principal type it is named
 * under (a service principal is matched only under "Service").
 */
export function lookalikeReason(value: string, kind: PrincipalKind): string | undefined {
    if ((value === EMR_SERVERLESS_PRINCIPAL && kind === "Service") || value === "*" || holdsUnknown(value)) {
        return undefined;
    }
    if (value.length > 256) {
        return undefined;
    }
    const skeleton = principalSkeleton(value);
    const underType =
        kind === "Service"
            ? ""
            : `it is named under "${kind}", where a service principal is never matched (it goes under "Service")`;
    if (skeleton === TARGET_SKELETON) {
        if (value === EMR_SERVERLESS_PRINCIPAL) {
            return underType;
        }
        return [differences(value), underType].filter((r) => r !== "").join("; ");
    }
    const folded = fold(value).toLowerCase();
    if (skeleton === `${TARGET_SKELETON}.cn`) {
        return (
            `${showText(value)} is the China-partition form (.amazonaws.com.cn) a few older services use, but EMR ` +
            `Serverless is ${EMR_SERVERLESS_PRINCIPAL} in the China Regions too (as its service-linked role's ` +
            "principal is ops.emr-serverless.amazonaws.com there)"
        );
    }
    if (REGIONAL.test(folded) || REGIONAL.test(skeleton)) {
        return (
            `${showText(value)} is a regional endpoint name (the value kms:ViaService carries when EMR Serverless ` +
            "calls KMS for a principal), not the principal the service signs its own requests as"
        );
    }
    if (folded.startsWith("arn:")) {
        // An IAM or STS principal's ARN under "AWS" is an IAM principal, whatever its name (a role called
        // emr-serverless-job-role is common); elsewhere, an ARN with a field that is the service's name.
        const fields = folded.split(/[:/]/);
        if (kind === "AWS" && (fields[2] === "iam" || fields[2] === "sts")) {
            return undefined;
        }
        const named = fields
            .slice(1)
            .map((f) => principalSkeleton(f).replace(/[-_.]/g, ""))
            .some((f) => editDistance(f, NAME_SKELETON, 2) <= 2 || f === TARGET_SKELETON.replace(/[-_.]/g, ""));
        if (named) {
            return "an ARN is not a service principal: a service is named by its principal name alone";
        }
        return undefined;
    }
    const dot = skeleton.indexOf(".");
    const name = (dot < 0 ? skeleton : skeleton.slice(0, dot)).replace(/[-_]/g, "");
    const domain = dot < 0 ? "" : skeleton.slice(dot + 1);
    const nameNear = editDistance(name, NAME_SKELETON, 2) <= 2;
    const domainNear =
        domain === "" ||
        domain.startsWith(DOMAIN) ||
        editDistance(domain, DOMAIN, 3) <= 3 ||
        domain.startsWith("amazon");
    if ((nameNear && domainNear) || editDistance(skeleton, TARGET_SKELETON, 3) <= 3) {
        const spelled = dot < 0 ? "the service name without its domain" : "a different spelling of it";
        return [`${showText(value)} is ${spelled}`, underType].filter((r) => r !== "").join("; ");
    }
    return undefined;
}

const KINDS: readonly PrincipalKind[] = ["Service", "AWS", "Federated", "CanonicalUser"];

/** Principal values' {@link lookalikeReason}s by kind and value (the same few values recur in document after document). */
const reasons = new Map<string, string | undefined>();
/** Most entries {@link reasons} keeps (emptied when full), and longest value it keeps one for. */
const REASONS_KEPT = 4096;
const REASON_VALUE_CHARS = 256;

/** {@link lookalikeReason}, remembered for values up to {@link REASON_VALUE_CHARS} long (a pure function of both). */
function rememberedReason(value: string, kind: PrincipalKind): string | undefined {
    if (value.length > REASON_VALUE_CHARS) {
        return lookalikeReason(value, kind);
    }
    const key = `${kind}\u0000${value}`;
    if (reasons.has(key)) {
        return reasons.get(key);
    }
    const reason = lookalikeReason(value, kind);
    if (reasons.size >= REASONS_KEPT) {
        reasons.clear();
    }
    reasons.set(key, reason);
    return reason;
}

function principalFindings(st: ParsedStatement, p: ParsedPrincipal, element: string, effect: string): Finding[] {
    const out: Finding[] = [];
    for (const kind of KINDS) {
        for (const value of p.values[kind] ?? []) {
            const reason = rememberedReason(value, kind);
            if (reason === undefined) {
                continue;
            }
            const consequence =
                element === "NotPrincipal"
                    ? "so this NotPrincipal does not exclude EMR Serverless"
                    : effect === "Deny"
                      ? "so this Deny does not apply to EMR Serverless"
                      : "so it grants EMR Serverless nothing, and jobs that use this key for disk encryption fail " +
                        "unless another statement grants the service by its exact name";
            out.push({
                kind: "service-principal-lookalike",
                where: st.where,
                message:
                    `${st.where} names the principal {"${kind}": ${showText(value)}}, which looks like ` +
                    `${EMR_SERVERLESS_PRINCIPAL} but is not it (${reason}); IAM matches a service principal only by ` +
                    `its exact name, ${consequence}.`,
                fix:
                    `In ${st.where}, write the principal exactly as {"Service": "${EMR_SERVERLESS_PRINCIPAL}"} ` +
                    "(plain ASCII, lower case, no spaces).",
            });
        }
    }
    return out;
}

/** A `service-principal-lookalike` finding for each look-alike principal value of the policy, statements in order. */
export function lookalikeFindings(policy: ParsedPolicy): Finding[] {
    const statements: Array<{ st: ParsedStatement; effect: string }> = policy.statements.map((st) => ({
        st,
        effect: st.effect,
    }));
    for (const p of policy.pending ?? []) {
        if (p.statement) {
            statements.push({ st: p.statement, effect: "unknown" });
        }
    }
    statements.sort((a, b) => a.st.index - b.st.index);
    const out: Finding[] = [];
    for (const { st, effect } of statements) {
        if (st.principal) {
            out.push(...principalFindings(st, st.principal, "Principal", effect));
        }
        if (st.notPrincipal) {
            out.push(...principalFindings(st, st.notPrincipal, "NotPrincipal", effect));
        }
    }
    return out;
}

/** True when the statement names the service by its exact principal name, or everyone. */
export function namesServiceExactly(st: ParsedStatement): boolean {
    const p = st.principal;
    if (!p) {
        return st.notPrincipal !== undefined;
    }
    return (
        p.wildcard || (p.values.AWS ?? []).includes("*") || (p.values.Service ?? []).includes(EMR_SERVERLESS_PRINCIPAL)
    );
}
