/**
 * Checks on a key policy's JSON text and strings that JSON.parse does not make: characters KMS refuses, member
 * names repeated in one object, numbers written in a form other than plain digits; and how a message shows a
 * JSON value or a character.
 */
import type { ParseProblem } from "./parsedPolicy";

/** Whether a JSON value is an object (not null, not a list). */
export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** What kind of JSON value `v` is, as a message says it ("a list", "an object", "a string", ...). */
export function describe(v: unknown): string {
    if (v === null) {
        return "null";
    }
    if (Array.isArray(v)) {
        return "a list";
    }
    return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

interface ScanFrame {
    /** Member names seen so far (objects only). */
    names?: Set<string>;
    /** The current member name (objects) or element index (arrays), for the path in messages. */
    label: string;
    index: number;
    expectName: boolean;
}

/**
 * Member names repeated within one object of a JSON text, as `{ path, name }` (at most `limit`; `path`
 * like `.Statement[1].Condition`, empty at the top level).
 * `JSON.parse` keeps the last copy of a repeated name, but which copy AWS reads is not documented
 * (RFC 8259 leaves it to the implementation), so a judge that reads one copy could be steered by the
 * other. One linear pass with an explicit stack (no recursion); `text` must already be valid JSON.
 */
export function duplicateMemberNames(text: string, limit = 5): Array<{ path: string; name: string }> {
    const out: Array<{ path: string; name: string }> = [];
    const stack: ScanFrame[] = [];
    const path = (): string =>
        stack
            .slice(0, -1)
            .map((f) => f.label)
            .join("");
    const n = text.length;
    // In a text without a backslash, a string ends at the next quote.
    const plain = !text.includes("\\");
    let i = 0;
    while (i < n && out.length < limit) {
        const c = text.charCodeAt(i);
        if (c === 0x22) {
            // A string: find its end, honouring backslash escapes.
            let j = plain ? text.indexOf('"', i + 1) : i + 1;
            if (j < 0) {
                j = n;
            }
            let escaped = false;
            while (!plain && j < n) {
                const d = text.charCodeAt(j);
                if (d === 0x5c) {
                    escaped = true;
                    j += 2;
                    continue;
                }
                if (d === 0x22) {
                    break;
                }
                j++;
            }
            const top = stack[stack.length - 1];
            if (top?.names && top.expectName) {
                const raw = text.slice(i + 1, j);
                let name = raw;
                if (escaped) {
                    try {
                        name = JSON.parse(`"${raw}"`) as string;
                    } catch {
                        name = raw;
                    }
                }
                if (top.names.has(name)) {
                    out.push({ path: path(), name });
                } else {
                    top.names.add(name);
                }
                top.label = `.${name}`;
                top.expectName = false;
            }
            i = j + 1;
            continue;
        }
        if (c === 0x7b) {
            stack.push({ names: new Set(), label: "", index: 0, expectName: true });
        } else if (c === 0x5b) {
            stack.push({ label: "[0]", index: 0, expectName: false });
        } else if (c === 0x7d || c === 0x5d) {
            stack.pop();
        } else if (c === 0x2c) {
            const top = stack[stack.length - 1];
            if (top?.names) {
                top.expectName = true;
            } else if (top) {
                top.index++;
                top.label = `[${top.index}]`;
            }
        }
        i++;
    }
    return out;
}

/**
 * Characters KMS refuses in a key policy: anything outside the API's pattern
 * `[\u0009\u000A\u000D\u0020-\u00FF]+`, which the API enforces as such ("Member must satisfy regular expression
 * pattern"). The pattern admits DEL and the C1 controls (U+007F-U+009F), and so does the judge: they are
 * compared as the characters they are (a principal holding one is not the service's, see principals.ts).
 */
const REFUSED_CHARACTER = /[^\t\n\r\x20-\xff]/u;
const REFUSED_CHARACTERS = /[^\t\n\r\x20-\xff]/gu;

/** A string as JSON text with every character outside printable ASCII escaped (`"\u0435mr"`), so that a reader sees it. */
export function showText(value: string): string {
    return JSON.stringify(value).replace(
        /[^\x20-\x7e]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`,
    );
}

/** `U+0130 ("İ")`, or the code point alone for a character that does not print. */
export function describeCharacter(ch: string): string {
    const cp = ch.codePointAt(0) ?? 0;
    const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    const invisible = /[\p{C}\p{Z}\p{M}]/u.test(ch);
    return invisible ? hex : `${hex} ("${ch}")`;
}

const CHARACTER_RULE =
    "KMS accepts only tab, line feed, carriage return and the characters U+0020-U+00FF in a key policy and " +
    "refuses the document otherwise";

/** Where a refused character sits: the path of the first string (name or value) holding it, if any. */
function locate(doc: unknown, ch: string): string | undefined {
    const stack: Array<{ value: unknown; path: string }> = [{ value: doc, path: "" }];
    let visited = 0;
    while (stack.length > 0 && visited++ < 20_000) {
        const { value, path } = stack.pop() as { value: unknown; path: string };
        if (typeof value === "string") {
            if (value.includes(ch)) {
                return `${path.replace(/^\./, "")} (${showText(value.length > 60 ? `${value.slice(0, 57)}...` : value)})`;
            }
        } else if (Array.isArray(value)) {
            for (let i = value.length - 1; i >= 0; i--) {
                stack.push({ value: value[i], path: `${path}[${i}]` });
            }
        } else if (isRecord(value)) {
            const keys = Object.keys(value);
            for (let i = keys.length - 1; i >= 0; i--) {
                const k = keys[i];
                if (k.includes(ch)) {
                    return `the member name ${showText(k)}${path ? ` in ${path.replace(/^\./, "")}` : ""}`;
                }
                stack.push({ value: value[k], path: `${path}.${k}` });
            }
        }
    }
    return undefined;
}

/** Line and column (1-based) of a text offset. */
function lineColumn(text: string, offset: number): string {
    let line = 1;
    let last = -1;
    for (let i = 0; i < offset; i++) {
        if (text.charCodeAt(i) === 0x0a) {
            line++;
            last = i;
        }
    }
    return `line ${line}, column ${offset - last}`;
}

/**
 * Refused characters in a document: in the string names and values of the document however it is given
 * (every character raw in a JSON text is in them, a JSON writer may escape a control character, and a `\u`
 * escape may stand for any character: none is something a policy needs, and an object and its JSON text
 * get the same verdict), or in the text itself when it is not JSON. One problem naming the first three, or undefined.
 */
export function characterProblem(text: string | undefined, doc: unknown): ParseProblem | undefined {
    const found = new Map<string, string>();
    const add = (ch: string, at: () => string): void => {
        if (found.size < 3 && !found.has(ch)) {
            found.set(ch, `${describeCharacter(ch)} at ${at()}`);
        }
    };
    if (doc === undefined) {
        // Text that is not JSON: its characters as they stand.
        if (text !== undefined && REFUSED_CHARACTER.test(text)) {
            for (const m of text.matchAll(REFUSED_CHARACTERS)) {
                add(m[0], () => lineColumn(text, m.index ?? 0));
                if (found.size >= 3) {
                    break;
                }
            }
        }
    } else if (text === undefined || text.includes("\\") || REFUSED_CHARACTER.test(text)) {
        // The names and values, in document order: a character raw in the text is in them too. (A JSON text
        // without a backslash and without a refused character has none in its strings either: each of its
        // strings is a run of its characters as they stand, so it needs no walk.)
        for (const s of stringsOf(doc)) {
            if (found.size >= 3) {
                break;
            }
            if (REFUSED_CHARACTER.test(s)) {
                for (const m of s.matchAll(REFUSED_CHARACTERS)) {
                    add(m[0], () => locate(doc, m[0]) ?? showText(s));
                }
            }
        }
    }
    if (found.size === 0) {
        return undefined;
    }
    const list = [...found.values()];
    return {
        message:
            `The key policy holds ${list.length === 1 ? "a character" : "characters"} KMS refuses: ${list.join("; ")}. ` +
            `${CHARACTER_RULE}.`,
        fix:
            "Replace the character with its plain ASCII form (a look-alike letter, a typographic quote or dash, a " +
            "non-breaking or zero-width space are common when a policy is pasted from a document or chat); " +
            "characters beyond U+00FF cannot appear in a key policy at all.",
    };
}

/** Every string name and value of a parsed JSON value in document order (bounded), for the character check. */
function stringsOf(doc: unknown): string[] {
    const out: string[] = [];
    const stack: Array<{ name: string } | { value: unknown }> = [{ value: doc }];
    let visited = 0;
    while (stack.length > 0 && visited++ < 40_000) {
        const item = stack.pop() as { name: string } | { value: unknown };
        if ("name" in item) {
            out.push(item.name);
            continue;
        }
        const value = item.value;
        if (typeof value === "string") {
            out.push(value);
        } else if (Array.isArray(value)) {
            for (let i = value.length - 1; i >= 0; i--) {
                stack.push({ value: value[i] });
            }
        } else if (isRecord(value)) {
            const keys = Object.keys(value);
            for (let i = keys.length - 1; i >= 0; i--) {
                stack.push({ value: value[keys[i]] });
                stack.push({ name: keys[i] });
            }
        }
    }
    return out;
}

/**
 * Numbers written in the text in a form other than plain digits (`1.0`, `1e3`, `-5`, `2.50`): their value
 * is not the text AWS would compare, so a condition value among them is refused with a String operator.
 */
export function oddNumbersIn(text: string): Set<number> {
    const out = new Set<number>();
    const n = text.length;
    let i = 0;
    while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 0x22) {
            let j = i + 1;
            while (j < n && text.charCodeAt(j) !== 0x22) {
                j += text.charCodeAt(j) === 0x5c ? 2 : 1;
            }
            i = j + 1;
            continue;
        }
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
            const m = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
            m.lastIndex = i;
            const token = m.exec(text)?.[0] ?? text[i];
            if (!/^\d+$/.test(token)) {
                out.add(Number(token));
            }
            i += token.length;
            continue;
        }
        i++;
    }
    return out;
}
