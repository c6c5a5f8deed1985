/**
 * IAM's wildcard patterns (`*` any run of characters, `?` one character) over whole strings: matching a value, and
 * whether two patterns share a value. Used for actions, resources, principals and the String*Like and Arn*
 * condition operators.
 */

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A `*` and a `?` that stand for themselves in a pattern: what the policy variables `${*}` and `${?}` become in a
 * value compared as a pattern (IAM User Guide, "Special characters"). Private-use characters, beyond those KMS
 * accepts in a policy, so no document can hold them.
 */
export const LITERAL_STAR = "\uE000";
export const LITERAL_QUESTION = "\uE001";

/** The character a pattern character must equal in the value (a literal `*` or `?` for their markers). */
function literal(c: string): string {
    return c === LITERAL_STAR ? "*" : c === LITERAL_QUESTION ? "?" : c;
}

/** Whether two characters are equal ignoring case (ASCII fast path, simple Unicode case mapping otherwise). */
function equalIgnoringCase(a: string, b: string): boolean {
    if (a === b) {
        return true;
    }
    const x = a.charCodeAt(0);
    const y = b.charCodeAt(0);
    if (x < 0x80 && y < 0x80) {
        const lx = x | 0x20;
        return lx === (y | 0x20) && lx >= 0x61 && lx <= 0x7a;
    }
    return a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

/**
 * Wildcard match over two sequences of characters (`*` any run, `?` one character): the greedy
 * two-pointer algorithm that backtracks only to the most recent `*`. Worst case
 * O(|pattern| x |value|), never exponential (a regular expression built from the glob backtracks
 * exponentially on `*a*a*...*a*b` against a run of `a`s).
 */
function wildcardMatch(p: ArrayLike<string>, v: ArrayLike<string>, ignoreCase: boolean): boolean {
    const pLen = p.length;
    const vLen = v.length;
    let pi = 0;
    let vi = 0;
    let star = -1;
    let mark = 0;
    while (vi < vLen) {
        if (pi < pLen) {
            const c = p[pi];
            if (c === "*") {
                star = pi++;
                mark = vi;
                continue;
            }
            const l = literal(c);
            if (c === "?" || l === v[vi] || (ignoreCase && equalIgnoringCase(l, v[vi]))) {
                pi++;
                vi++;
                continue;
            }
        }
        if (star < 0) {
            return false;
        }
        pi = star + 1;
        vi = ++mark;
    }
    while (pi < pLen && p[pi] === "*") {
        pi++;
    }
    return pi === pLen;
}

/**
 * Glob match (`*` any run, `?` one character; case-sensitive unless `ignoreCase`), characters being
 * Unicode code points. Time O(|pattern| x |value|) at worst; a pattern without wildcards is a plain
 * comparison.
 */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
    if (!pattern.includes("*") && !pattern.includes("?")) {
        const plain = pattern.includes(LITERAL_STAR) || pattern.includes(LITERAL_QUESTION) ? unmark(pattern) : pattern;
        return ignoreCase ? plain.toLowerCase() === value.toLowerCase() : plain === value;
    }
    if (SURROGATE.test(pattern) || SURROGATE.test(value)) {
        return wildcardMatch(Array.from(pattern), Array.from(value), ignoreCase);
    }
    return wildcardMatch(pattern, value, ignoreCase);
}

/** A pattern with its literal-character markers turned back into `*` and `?`. */
function unmark(pattern: string): string {
    return pattern.replaceAll(LITERAL_STAR, "*").replaceAll(LITERAL_QUESTION, "?");
}

/**
 * Whether two glob patterns (`*`, `?`, case-sensitive) match some string in common, where a `*` of `b` matches no
 * character of `stops` (a `*` standing for one field of an ARN, which holds no ":"). Dynamic programming over the
 * two positions, O(|a| x |b|).
 */
export function globsIntersect(a: string, b: string, stops = ""): boolean {
    const n = a.length;
    const m = b.length;
    // next[j] / row[j]: the suffixes a[i+1:] / a[i:] and b[j:] match a common string. Filled from the ends.
    let next = new Array<boolean>(m + 1).fill(false);
    for (let i = n; i >= 0; i--) {
        const row = new Array<boolean>(m + 1).fill(false);
        for (let j = m; j >= 0; j--) {
            const x = i < n ? a[i] : undefined;
            const y = j < m ? b[j] : undefined;
            let v: boolean;
            if (x === undefined && y === undefined) {
                v = true;
            } else if (x === "*") {
                // a's star matches nothing more, or also what b has here (a character, or what b's star matches).
                v = next[j] || (y !== undefined && row[j + 1]);
            } else if (y === "*") {
                // b's star matches nothing more, or also a's character when it may be one b's star matches.
                v = row[j + 1] || (x !== undefined && (x === "?" || !stops.includes(literal(x))) && next[j]);
            } else if (x === undefined || y === undefined) {
                v = false;
            } else {
                v = (x === "?" || y === "?" || literal(x) === literal(y)) && next[j + 1];
            }
            row[j] = v;
        }
        next = row;
    }
    return next[0];
}

/** Whether a pattern holds a `*` or `?` wildcard. */
export function hasWildcard(s: string): boolean {
    return s.includes("*") || s.includes("?");
}
