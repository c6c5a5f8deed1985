/**
 * The exact search's work is bounded by a count of steps, not by time: a question that would take more stops with
 * TooHard, which the analysis reports as a document too complex to judge (never as a pass). The documents here
 * have no allowed request, and proving it walks a product of languages that grows exponentially with their size.
 */
import * as assert from "node:assert/strict";
import { analyzeKeyPolicy, parsePolicyDocument } from "../../policypack/judge";
import { MAX_QUESTION_STEPS, TooHard, findAllowedRequestExactly } from "../../policypack/judge/witness";

const ACCOUNT = "111122223333";
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const CALLER = { type: "AWS" as const, id: `arn:aws:iam::${ACCOUNT}:user/u` };
const LETTERS = "abcdefghijklmnopqrstuvwxyz";

/**
 * Denies of every request whose `key` lacks one of the first `n` letters, and of every request whose `key` has
 * `n - 1` characters or more: a value that escapes them all would hold `n` distinct letters in fewer than `n - 1`.
 */
function lettersButShort(key: string, n: number): Array<Record<string, unknown>> {
    const deny = (condition: Record<string, unknown>) => ({
        Effect: "Deny",
        Principal: "*",
        Action: "kms:*",
        Resource: "*",
        Condition: condition,
    });
    return [
        ...Array.from(LETTERS.slice(0, n), (c) => deny({ StringNotLike: { [key]: `*${c}*` } })),
        deny({ StringLike: { [key]: `${"?".repeat(n - 1)}*` } }),
    ];
}

const CONTEXT_KEY = "kms:EncryptionContext:k";

function question(n: number, spend?: (steps: number) => boolean) {
    const policy = parsePolicyDocument({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { AWS: CALLER.id },
                Action: "kms:Decrypt",
                Resource: "*",
                Condition: { StringLike: { [CONTEXT_KEY]: "*" } },
            },
            ...lettersButShort(CONTEXT_KEY, n),
        ],
    }).policy;
    assert.ok(policy);
    return {
        policy,
        statement: policy.statements[0],
        action: "kms:Decrypt",
        resource: KEY_ARN,
        principal: CALLER,
        domain: () => ({ kind: "free" as const, absent: true, multi: false, shape: [] }),
        spend,
    };
}

/** Runs the question, counting the steps it reports; `budget` steps at most when given. */
function count(n: number, budget = Number.POSITIVE_INFINITY) {
    let steps = 0;
    let largest = 0;
    let outcome: "allowed" | "none" | "too hard";
    try {
        const found = findAllowedRequestExactly(
            question(n, (s) => {
                steps += s;
                largest = Math.max(largest, s);
                return steps <= budget;
            }),
        );
        outcome = found ? "allowed" : "none";
    } catch (e) {
        if (!(e instanceof TooHard)) {
            throw e;
        }
        outcome = "too hard";
    }
    return { steps, largest, outcome };
}

describe("judge: the exact search's work is bounded by a step count", () => {
    it("decides a small instance exactly: no request escapes the Denies", () => {
        const small = count(4);
        assert.equal(small.outcome, "none");
        assert.ok(small.steps > 0 && small.steps < MAX_QUESTION_STEPS, String(small.steps));
    });

    it("gives up a large instance at the question's limit, having spent no more than one charge past it", () => {
        const large = count(16);
        assert.equal(large.outcome, "too hard");
        assert.ok(large.steps > MAX_QUESTION_STEPS, String(large.steps));
        assert.ok(large.steps <= MAX_QUESTION_STEPS + large.largest, String(large.steps));
        // One charge is one product state or search node: small against the limit.
        assert.ok(large.largest < MAX_QUESTION_STEPS / 100, String(large.largest));
    });

    it("stops as soon as a budget the caller keeps (a document's) is spent", () => {
        const budget = 20_000;
        const capped = count(16, budget);
        assert.equal(capped.outcome, "too hard");
        assert.ok(capped.steps > budget && capped.steps <= budget + capped.largest, String(capped.steps));
    });

    it("charges a remembered answer what computing it cost: the same question takes the same steps every time", () => {
        const first = count(7);
        const again = count(7);
        assert.equal(first.outcome, "none");
        assert.equal(again.outcome, "none");
        assert.equal(again.steps, first.steps);
        // And a question stopped by its limit is stopped at the same count again.
        const stopped = count(16);
        assert.equal(stopped.outcome, "too hard");
        assert.equal(count(16).steps, stopped.steps);
    });

    it("reports a key policy whose service question is beyond the limit as too complex, not as passing", () => {
        const doc = {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    Effect: "Allow",
                    Principal: { Service: "emr-serverless.amazonaws.com" },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                    Resource: "*",
                    Condition: {
                        StringLike: {
                            "aws:SourceArn": `arn:aws:emr-serverless:us-east-1:${ACCOUNT}:/applications/*`,
                            "kms:EncryptionContext:applicationId": "*",
                        },
                        StringEquals: { "aws:SourceAccount": ACCOUNT },
                    },
                },
                ...lettersButShort("kms:EncryptionContext:applicationId", 16),
            ],
        };
        const a = analyzeKeyPolicy(JSON.stringify(doc), { keyArn: KEY_ARN, region: "us-east-1" });
        assert.ok(
            a.findings.some((f) => f.kind === "malformed" && /too complex/.test(f.message)),
            JSON.stringify(a.findings),
        );
        // The same shape, small enough to decide: the service gets nothing, and nothing is left undecided.
        const small = {
            ...doc,
            Statement: [...doc.Statement.slice(0, 2), ...lettersButShort("kms:EncryptionContext:applicationId", 4)],
        };
        const decided = analyzeKeyPolicy(JSON.stringify(small), { keyArn: KEY_ARN, region: "us-east-1" });
        assert.equal(decided.grantsService, false);
        assert.ok(!decided.findings.some((f) => /too complex/.test(f.message)), JSON.stringify(decided.findings));
    });
});
