/**
 * Hostile input for time: a key policy of at most 32 KB must be judged in bounded time. The pack runs
 * inside `pulumi preview`/`up`; a document that makes the judge spin hangs the deployment.
 *
 * A regular-expression blow-up cannot be interrupted from the same thread (mocha's timeout never
 * fires while V8 is inside a regex), so each case runs in a worker thread that is terminated at its
 * budget.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import * as fc from "fast-check";
import { analyzeKeyPolicy, evaluateRequest, parsePolicyDocument } from "../../policypack/judge";
import { APP_ARN, OWNER, PolicyDoc, Statement, policy, request, rootStatement, runs } from "./generators";
import { fastestTiming, timed } from "./support";
import { analyzeKeyPolicyAfresh } from "../../policypack/judge/keyPolicy";

const JUDGE = path.resolve(__dirname, "../../policypack/judge/index.ts");

/** Runs analyzeKeyPolicy(doc) in a worker; resolves with its duration in ms, or "timeout" after budgetMs. */
function analyzeInWorker(doc: unknown, budgetMs: number): Promise<number | "timeout"> {
    const code = `
        const { parentPort, workerData } = require("node:worker_threads");
        require("ts-node").register({ transpileOnly: true });
        const { analyzeKeyPolicy } = require(workerData.judge);
        parentPort.postMessage({ started: true });
        const t0 = process.hrtime.bigint();
        analyzeKeyPolicy(workerData.doc);
        parentPort.postMessage({ ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    `;
    return new Promise((resolve, reject) => {
        const worker = new Worker(code, { eval: true, workerData: { judge: JUDGE, doc } });
        let timer: NodeJS.Timeout | undefined;
        worker.on("message", (m: { started?: boolean; ms?: number }) => {
            if (m.started) {
                // The budget starts when the judge is loaded (ts-node start-up is not the judge's time).
                timer = setTimeout(() => {
                    void worker.terminate();
                    resolve("timeout");
                }, budgetMs);
            } else if (m.ms !== undefined) {
                clearTimeout(timer);
                void worker.terminate();
                resolve(m.ms);
            }
        });
        worker.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
    });
}

/**
 * The glob-to-regex blow-up: `*a*a*...*a*b` against a run of `a`s backtracks through every way of
 * placing k `a`s among n (policypack/judge/evaluate.ts globRegExp turns each `*` into `[\s\S]*`).
 * The Allow's pattern makes the judge try the Deny's long literal as a candidate value.
 */
function regexBomb(k: number, n: number): PolicyDoc {
    return {
        Version: "2012-10-17",
        Statement: [
            rootStatement(),
            {
                Effect: "Allow",
                Principal: { Service: "emr-serverless.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:SourceArn": APP_ARN, "aws:SourceAccount": OWNER },
                    StringLike: { "kms:EncryptionContext:applicationId": "*a".repeat(k) + "*b" },
                },
            },
            {
                Effect: "Deny",
                Principal: "*",
                Action: "kms:*",
                Resource: "*",
                Condition: { StringLike: { "kms:EncryptionContext:applicationId": ["a*", "zz9*", "a".repeat(n)] } },
            },
        ],
    };
}

describe("hostile input: the judge answers in bounded time", () => {
    it("generated policies: each analysis under 250 ms, each evaluation under 20 ms", () => {
        let worst = 0;
        fc.assert(
            fc.property(
                policy({ notPrincipal: true, notAction: true }),
                fc.array(request(), { maxLength: 5 }),
                (doc, requests) => {
                    // Uncached, so that each timing is a whole analysis; the fastest of three, so that a first call's
                    // compilation or a pause of a loaded machine is not taken for a slow analysis.
                    const ms = fastestTiming(() => analyzeKeyPolicyAfresh(doc), 250);
                    worst = Math.max(worst, ms);
                    assert.ok(ms < 250, `analysis took ${ms} ms (the fastest of three runs)`);
                    const p = parsePolicyDocument(doc).policy!;
                    for (const r of requests) {
                        const ms = fastestTiming(() => evaluateRequest(p, r), 20);
                        assert.ok(ms < 20, `evaluation took ${ms} ms (the fastest of three runs)`);
                    }
                },
            ),
            runs(0x71e1, 300),
        );
    });

    it("a 32 KB policy of many service statements with wildcard conditions: under 5 s", () => {
        const st: Statement = {
            Effect: "Allow",
            Principal: { Service: "emr-serverless.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: "*",
            Condition: {
                StringLike: {
                    "aws:SourceArn": "arn:aws:emr-serverless:*:*:/applications/*",
                    "kms:EncryptionContext:applicationId": "0*?*",
                },
            },
        };
        const statements: Statement[] = [rootStatement()];
        while (JSON.stringify(statements).length < 32_000) {
            statements.push({
                ...st,
                Sid: `S${statements.length}`,
                Condition: {
                    StringLike: {
                        "aws:SourceArn": `arn:aws:emr-serverless:*:${statements.length}*`,
                        "kms:EncryptionContext:applicationId": `${statements.length}*?*`,
                    },
                },
            });
        }
        const t = timed(() => analyzeKeyPolicy({ Version: "2012-10-17", Statement: statements }));
        assert.ok(t.ms < 5000, `took ${t.ms} ms`);
        assert.ok(t.value.findings.some((f) => f.kind === "service-unbound"));
    });

    it("a 0.7 KB key policy with a glob like *a*a*a*...*b is judged in bounded time (no ReDoS)", async function () {
        this.timeout(30_000);
        // A backtracking matcher takes seconds on k = 10, n = 30 and minutes on k = 12, n = 36: each extra "*a"
        // multiplies the time, while the document stays far below the 32 KB limit.
        // Control: the worker harness does finish on a benign document.
        assert.equal(typeof (await analyzeInWorker(regexBomb(2, 8), 3000)), "number");
        const doc = regexBomb(12, 36);
        assert.ok(JSON.stringify(doc).length < 1024);
        const result = await analyzeInWorker(doc, 3000);
        assert.notEqual(result, "timeout", "analyzeKeyPolicy did not finish within 3 s on a 732-byte document");
    });
});
