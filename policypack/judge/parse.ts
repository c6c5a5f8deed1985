/**
 * Parse a KMS key policy document into normalized statements, recording every problem AWS would
 * reject. Never throws. References (AWS IAM User Guide): "IAM JSON policy element reference"
 * (Version, Id, Statement, Sid, Effect, Principal/NotPrincipal, Action/NotAction,
 * Resource/NotResource, Condition), "IAM JSON policy elements: Condition operators" and "Grammar of the
 * IAM JSON policy language"; the KMS API Reference, PutKeyPolicy / CreateKey, parameter `Policy`: at
 * least 1 and at most 32,768 bytes ("If the key policy exceeds the length constraint, KMS returns a
 * LimitExceededException"), and only tab, line feed, carriage return and the characters U+0020 through
 * U+00FF (the API's pattern `[\u0009\u000A\u000D\u0020-\u00FF]+`, which it enforces as such). The grammar
 * takes an empty string as a Sid and as a condition value (the IAM guide's own `"s3:prefix": ["", "home/"]`).
 * A statement without Action or Resource is accepted by PutKeyPolicy but has no effect (the KMS console
 * reports it as an error): it is reported, and evaluated as applying to nothing.
 *
 * Values unknown at preview (the engine's sentinels, see unknowns.ts) are never problems: each is recorded
 * as an UnknownPart (types.ts) with where it is, and the statement keeps it for the judge to bound.
 */
import { characterProblem, describe, duplicateMemberNames, isRecord, oddNumbersIn } from "./jsonText";
import type { ParseProblem, ParseResult, ParsedPolicy, ParsedStatement } from "./parsedPolicy";
import { Parser } from "./statementParser";
import { holdsUnknown } from "./unknowns";

// For the exact search (witness.ts), which reads parsed documents and operator names from here.

/** Maximum size of a KMS key policy document, in bytes (KMS Developer Guide, "Key policies"). */
export const MAX_KEY_POLICY_BYTES = 32768;

/** The length of a text in UTF-8 bytes, as KMS counts a key policy. */
function byteLength(s: string): number {
    return Buffer.byteLength(s, "utf8");
}

/** The elements a policy document may hold, and the Versions AWS accepts. */
const TOP_LEVEL_FIELDS = new Set(["Version", "Id", "Statement"]);
const VALID_VERSIONS = new Set(["2012-10-17", "2008-10-17"]);

/**
 * Parses a key policy given as a JSON string or an already-parsed object. Never throws.
 * `ok` is false when AWS would reject the document; `policy` still holds the readable statements.
 */
export function parsePolicyDocument(document: unknown): ParseResult {
    try {
        return parseUncached(document);
    } catch (e) {
        // Defensive: nothing above is expected to throw (e.g. a getter on an exotic object could).
        return {
            ok: false,
            problems: [
                {
                    message: `The key policy could not be read: ${String(e)}.`,
                    fix: "Supply the policy as a JSON object.",
                },
            ],
        };
    }
}

/** Records the problem of characters KMS refuses, if any (see {@link characterProblem}). */
function reportCharacters(p: Parser, problem: ParseProblem | undefined): void {
    if (problem) {
        p.problem(undefined, problem.message, problem.fix);
    }
}

/** Parses a document (see {@link parsePolicyDocument}); may throw only on exotic objects. */
function parseUncached(document: unknown): ParseResult {
    let doc: unknown = document;
    let text: string | undefined;
    const p = new Parser();
    if (typeof document === "string") {
        if (document === "") {
            p.problem(
                undefined,
                "The key policy is an empty string; KMS requires a policy document of 1 to 32,768 bytes.",
                "Give the key policy document (build it with JSON.stringify from an object). On a key, leave the " +
                    "policy property out instead if KMS's default key policy is meant; a KeyPolicy resource needs " +
                    "a document.",
            );
            return { ok: false, problems: p.problems };
        }
        text = document;
        let body = document;
        if (document.charCodeAt(0) === 0xfeff) {
            // Judged without it (so that the rest can be read), but reported: KMS refuses the character.
            body = document.slice(1);
            p.problem(
                undefined,
                "The key policy starts with a byte-order mark (U+FEFF), a character KMS refuses in a key policy.",
                "Remove the byte-order mark: save the file as UTF-8 without BOM, or strip a leading \\uFEFF before " +
                    "passing the text.",
            );
        }
        try {
            doc = JSON.parse(body);
        } catch (e) {
            p.problem(
                undefined,
                `The key policy is not valid JSON (${e instanceof Error ? e.message : String(e)}).`,
                "Fix the JSON syntax; build the document with JSON.stringify rather than by hand.",
            );
            reportCharacters(p, characterProblem(body, undefined));
            return { ok: false, problems: p.problems };
        }
        if (/\d/.test(body)) {
            p.oddNumbers = oddNumbersIn(body);
        }
        reportCharacters(p, characterProblem(body, doc));
        for (const d of duplicateMemberNames(body)) {
            const at = d.path === "" ? "the top level" : d.path.replace(/^\./, "");
            p.problem(
                undefined,
                `The key policy text repeats the member name "${d.name}" in one JSON object (at ${at}); which copy ` +
                    `AWS reads is undefined, and this judge could read a different one than KMS.`,
                `Write "${d.name}" once in that object (merge the two copies), e.g. by building the document with ` +
                    `JSON.stringify from an object.`,
            );
        }
    }
    if (!isRecord(doc)) {
        p.problem(
            undefined,
            `The key policy must be a JSON object with a Statement list, but is ${describe(doc)}.`,
            `Write it as {"Version": "2012-10-17", "Statement": [...]}.`,
        );
        return { ok: false, problems: p.problems };
    }
    if (text === undefined) {
        try {
            text = JSON.stringify(doc);
        } catch {
            text = undefined;
        }
        reportCharacters(p, characterProblem(undefined, doc));
    }
    if (text !== undefined && byteLength(text) > MAX_KEY_POLICY_BYTES) {
        p.problem(
            undefined,
            `The key policy is ${byteLength(text)} bytes; KMS accepts at most ${MAX_KEY_POLICY_BYTES} bytes (32 KB).`,
            "Shorten it: merge statements that share principals and conditions, or move grants to IAM policies.",
        );
    }
    for (const k of Object.keys(doc)) {
        if (!TOP_LEVEL_FIELDS.has(k)) {
            p.problem(
                undefined,
                `The key policy has the top-level field "${k}", which is not a policy element.`,
                `Remove "${k}"; only Version, Id and Statement are allowed.`,
            );
        }
    }
    let version: string | undefined;
    let versionUnknown = false;
    if (doc.Version !== undefined) {
        if (typeof doc.Version === "string" && VALID_VERSIONS.has(doc.Version)) {
            version = doc.Version;
        } else if (typeof doc.Version === "string" && holdsUnknown(doc.Version)) {
            p.unknown(undefined, ["Version"], "the Version", doc.Version);
            versionUnknown = true;
        } else {
            p.problem(
                undefined,
                `The key policy Version ${JSON.stringify(doc.Version) ?? describe(doc.Version)} is not one AWS accepts.`,
                `Set "Version": "2012-10-17".`,
            );
        }
    }
    let id: string | undefined;
    if (doc.Id !== undefined) {
        if (typeof doc.Id === "string" && holdsUnknown(doc.Id)) {
            p.unknown(undefined, ["Id"], "the Id", doc.Id);
        } else if (typeof doc.Id === "string" && doc.Id !== "") {
            id = doc.Id;
        } else {
            p.problem(
                undefined,
                doc.Id === ""
                    ? "The key policy Id is an empty string."
                    : `The key policy Id must be a string, but is ${describe(doc.Id)}.`,
                "Write Id as a non-empty string or remove it.",
            );
        }
    }
    const statements: ParsedStatement[] = [];
    if (doc.Statement === undefined) {
        p.problem(
            undefined,
            "The key policy has no Statement.",
            `Add "Statement": [ ... ] with at least one statement.`,
        );
    } else {
        const list = Array.isArray(doc.Statement);
        const raw = list ? (doc.Statement as unknown[]) : [doc.Statement];
        if (raw.length === 0) {
            p.problem(undefined, "The key policy's Statement list is empty.", "Add at least one statement.");
        }
        raw.forEach((s, i) => {
            const st = p.statement(s, i, list ? ["Statement", String(i)] : ["Statement"]);
            if (st) {
                statements.push(st);
            }
        });
    }
    if (version === "2012-10-17" || versionUnknown) {
        for (const st of [...statements, ...p.pending.flatMap((x) => (x.statement ? [x.statement] : []))]) {
            if ([...(st.resources ?? []), ...(st.notResources ?? [])].some((r) => r.includes("${"))) {
                st.resourceVariables = true;
            }
            for (const c of st.conditions) {
                if (
                    c.base &&
                    (c.base.startsWith("String") || c.base.startsWith("Arn")) &&
                    c.values.some((v) => v.includes("${"))
                ) {
                    c.variables = true;
                }
            }
        }
    }
    const policy: ParsedPolicy = { version, id, statements, hasUnknowns: p.hasUnknowns };
    if (p.unknowns.length > 0) {
        policy.unknowns = p.unknowns;
    }
    if (p.pending.length > 0) {
        policy.pending = p.pending;
    }
    if (versionUnknown) {
        policy.versionUnknown = true;
    }
    return { ok: p.problems.length === 0, policy, problems: p.problems };
}

const CACHE_LIMIT = 64;
const cache = new Map<string, ParseResult>();

/**
 * Like {@link parsePolicyDocument}, memoized on the document string (a small bounded cache).
 * The result is shared: callers must not mutate it.
 */
export function parsePolicyDocumentCached(document: unknown): ParseResult {
    if (typeof document !== "string") {
        return parsePolicyDocument(document);
    }
    const hit = cache.get(document);
    if (hit) {
        return hit;
    }
    const result = parsePolicyDocument(document);
    if (cache.size >= CACHE_LIMIT) {
        const first = cache.keys().next();
        if (!first.done) {
            cache.delete(first.value);
        }
    }
    cache.set(document, result);
    return result;
}
