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
 * a capital form of one), mapped to it. From Unicode's confusables (UTS #39) for these targets; NFKC
 * already folds fullwidth, mathematical and compatibility forms (ｅ, 𝐞, ℓ, ⅼ), and NFKD with combining
 * marks removed folds accented letters (é, ë).
 */
const CONFUSABLES: ReadonlyMap<string, string> = new Map(
    Object.entries({
        // l
        I: "l",
        "1": "l",
        "|": "l",
        "\u01c0": "l", // ǀ Latin letter dental click
        "\u0196": "l", // Ɩ
        "\u0399": "l", // Ι Greek capital iota
        "\u0406": "l", // І Cyrillic capital Byelorussian-Ukrainian I
        "\u04c0": "l", // Ӏ Cyrillic letter palochka
        "\u05c0": "l", // ׀ Hebrew punctuation paseq
        "\u05d5": "l", // ו Hebrew letter vav
        "\u0627": "l", // ا Arabic letter alef
        "\u2223": "l", // ∣ divides
        "\u23fd": "l", // ⏽
        "\u2c92": "l", // Ⲓ Coptic capital iauda
        "\ua4f2": "l", // ꓲ Lisu letter i
        // e
        "\u0435": "e", // е Cyrillic small ie
        "\u0415": "e", // Е Cyrillic capital ie
        "\u0395": "e", // Ε Greek capital epsilon
        "\u04bd": "e", // ҽ Cyrillic small abkhasian che
        "\u212e": "e", // ℮ estimated symbol
        "\u2c89": "e", // ⲉ Coptic small eie
        "\uab32": "e", // ꬲ
        // m
        "\u043c": "m", // м Cyrillic small em (italic forms)
        "\u041c": "m", // М Cyrillic capital em
        "\u039c": "m", // Μ Greek capital mu
        "\u217f": "m", // ⅿ small roman numeral one thousand
        // r
        "\u0433": "r", // г Cyrillic small ghe
        "\u1d26": "r", // ᴦ Greek letter small capital gamma
        "\u2c85": "r", // ⲅ Coptic small gamma
        "\uab47": "r", // ꭇ
        "\uab48": "r", // ꭈ
        // s
        "\u0455": "s", // ѕ Cyrillic small dze
        "\u0405": "s", // Ѕ Cyrillic capital dze
        "\ua731": "s", // ꜱ Latin letter small capital s
        "\u01bd": "s", // ƽ
        "\u10fd": "s", // ჽ Georgian letter aen
        // v
        "\u03bd": "v", // ν Greek small nu
        "\u0475": "v", // ѵ Cyrillic small izhitsa
        "\u0474": "v", // Ѵ Cyrillic capital izhitsa
        "\u1d20": "v", // ᴠ Latin letter small capital v
        "\u2228": "v", // ∨ logical or
        "\u05d8": "v", // ט Hebrew letter tet
        // a
        "\u0430": "a", // а Cyrillic small a
        "\u0410": "a", // А Cyrillic capital a
        "\u0251": "a", // ɑ Latin small alpha
        "\u03b1": "a", // α Greek small alpha
        "\u0391": "a", // Α Greek capital alpha
        "\u237a": "a", // ⍺
        // z
        "\u1d22": "z", // ᴢ Latin letter small capital z
        "\u0396": "z", // Ζ Greek capital zeta
        "\u0290": "z", // ʐ
        // o
        "0": "o",
        "\u043e": "o", // о Cyrillic small o
        "\u041e": "o", // О Cyrillic capital o
        "\u03bf": "o", // ο Greek small omicron
        "\u039f": "o", // Ο Greek capital omicron
        "\u03c3": "o", // σ Greek small sigma
        "\u0585": "o", // օ Armenian small oh
        "\u0d20": "o", // ഠ
        "\u1d0f": "o", // ᴏ Latin letter small capital o
        "\u07cb": "o", // ߋ
        "\u0665": "o", // ٥ Arabic-Indic digit five
        "\u06f5": "o", // ۵
        // n
        "\u043f": "n", // п Cyrillic small pe (italic forms)
        "\u0578": "n", // ո Armenian small vo
        "\u057c": "n", // ռ Armenian small ra
        "\u039d": "n", // Ν Greek capital nu
        // w
        "\u051d": "w", // ԝ Cyrillic small we
        "\u051c": "w", // Ԝ Cyrillic capital we
        "\u0461": "w", // ѡ Cyrillic small omega
        "\u0270": "w", // ɰ
        "\u1d21": "w", // ᴡ Latin letter small capital w
        "\u03c9": "w", // ω Greek small omega
        "\u026f": "w", // ɯ
        // c
        "\u0441": "c", // с Cyrillic small es
        "\u0421": "c", // С Cyrillic capital es
        "\u03f2": "c", // ϲ Greek lunate sigma
        "\u03f9": "c", // Ϲ Greek capital lunate sigma
        "\u1d04": "c", // ᴄ Latin letter small capital c
        "\u2ca5": "c", // ⲥ Coptic small sima
        // -
        "\u2010": "-", // hyphen
        "\u2011": "-", // non-breaking hyphen
        "\u2012": "-", // figure dash
        "\u2013": "-", // en dash
        "\u2014": "-", // em dash
        "\u2015": "-", // horizontal bar
        "\u2212": "-", // minus sign
        "\u02d7": "-", // modifier letter minus
        "\u2043": "-", // hyphen bullet
        "\u06d4": "-", // Arabic full stop
        "\u2cba": "-", // Coptic capital dialect-p ni
        "\u30fc": "-", // Katakana-Hiragana prolonged sound mark
        // .
        "\u00b7": ".", // middle dot
        "\u0701": ".", // Syriac supralinear full stop
        "\u0702": ".", // Syriac sublinear full stop
        "\u2024": ".", // one dot leader
        "\u2219": ".", // bullet operator
        "\u22c5": ".", // dot operator
        "\u3002": ".", // ideographic full stop
        "\ua4f8": ".", // Lisu letter tone mya ti
        "\u0660": ".", // Arabic-Indic digit zero
        "\u06f0": ".", // extended Arabic-Indic digit zero
    }),
);

/**
 * Invisible characters: format and control characters (zero-width spaces and joiners, BOM, soft hyphen, bidi
 * marks) and Hangul fillers. Invisible combining marks (variation selectors, the grapheme joiner) go with
 * the other combining marks in {@link fold}.
 */
const INVISIBLE = /[\p{Cf}\p{Cc}\u115f\u1160\u3164\uffa0]/gu;
const SPACES = /[\s\p{Z}]/gu;
const MARKS = /\p{M}/gu;

/** The value with compatibility forms and accents folded, spaces and invisible characters removed (case kept). */
function fold(value: string): string {
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

function principalFindings(st: ParsedStatement, p: ParsedPrincipal, element: string, effect: string): Finding[] {
    const out: Finding[] = [];
    for (const kind of KINDS) {
        for (const value of p.values[kind] ?? []) {
            const reason = lookalikeReason(value, kind);
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
