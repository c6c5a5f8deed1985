/**
 * In-process benchmark of the judge: key policies judged per second by analyzeKeyPolicy, and the
 * same yes/no questions (six requests per document) answered by the judge's own evaluator and by an
 * independent IAM evaluator, @cloud-copilot/iam-simulate (AGPL-3.0; a devDependency, used only by
 * tests and this benchmark, never by the pack or the component).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import {
    type Decision,
    type KeyPolicyAnalysis,
    type RequestContext,
    analyzeKeyPolicy,
    evaluateRequest,
    parsePolicyDocument,
} from "../../policypack/judge";
import { analyzeKeyPolicyAfresh } from "../../policypack/judge/keyPolicy";
import { median } from "./stats";
import { ACCOUNT, REGION } from "../../harness/fixtures";

const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** One document of the benchmark corpus and whether it is meant to pass. */
interface Doc {
    doc: Record<string, unknown>;
    text: string;
    good: boolean;
    appArn: string;
    appId: string;
    roleArn: string;
}

/** `n` distinct key policies: the component's shape, every fourth made bad in one of four ways. */
export function judgeCorpus(n: number): Doc[] {
    const docs: Doc[] = [];
    for (let i = 0; i < n; i++) {
        const appId = `00f${i.toString(36).padStart(13, "0")}`;
        const appArn = `arn:aws:emr-serverless:${REGION}:${ACCOUNT}:/applications/${appId}`;
        const roleArn = `arn:aws:iam::${ACCOUNT}:role/submitter-${i}`;
        const flaw = i % 4 === 3 ? Math.floor(i / 4) % 4 : -1;
        const service: Record<string, unknown> = {
            Sid: "AllowEmrServerlessDiskEncryption",
            Effect: "Allow",
            Principal: { Service: "emr-serverless.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: "*",
            Condition:
                flaw === 0
                    ? { StringEquals: { "aws:SourceAccount": ACCOUNT } }
                    : {
                          StringLike: {
                              "aws:SourceArn": flaw === 1 ? "arn:aws:emr-serverless:*:*:/applications/*" : appArn,
                          },
                          StringEquals: { "aws:SourceAccount": ACCOUNT, "kms:EncryptionContext:applicationId": appId },
                      },
        };
        const statements: Record<string, unknown>[] = [
            {
                Sid: "Root",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            service,
            { Sid: "Describe", Effect: "Allow", Principal: { AWS: roleArn }, Action: "kms:DescribeKey", Resource: "*" },
            {
                Sid: "Use",
                Effect: "Allow",
                Principal: { AWS: roleArn },
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: "*",
                ...(flaw === 2
                    ? {}
                    : { Condition: { StringEquals: { "kms:ViaService": `emr-serverless.${REGION}.amazonaws.com` } } }),
            },
        ];
        if (flaw === 3) {
            statements.push({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "kms:Decrypt", Resource: "*" });
        }
        const doc = { Version: "2012-10-17", Statement: statements };
        docs.push({ doc, text: JSON.stringify(doc), good: flaw < 0, appArn, appId, roleArn });
    }
    return docs;
}

/** Short names of the six questions, in the order {@link questions} asks them. */
export const QUESTION_NAMES = [
    "service, own application",
    "service, other application",
    "service, other account",
    "other service",
    "submitter directly",
    "submitter via EMR Serverless",
] as const;

/** The six questions asked of each document (same requests for both evaluators). */
export function questions(d: Doc): RequestContext[] {
    const service = { type: "Service" as const, id: "emr-serverless.amazonaws.com" };
    const otherApp = d.appArn.replace(/applications\/.*/, "applications/00zzzzzzzzzzzzzz");
    const role = { type: "AWS" as const, id: d.roleArn };
    return [
        // The application itself: allowed.
        {
            principal: service,
            action: "kms:GenerateDataKey",
            context: {
                "aws:SourceArn": d.appArn,
                "aws:SourceAccount": ACCOUNT,
                "kms:EncryptionContext:applicationId": d.appId,
            },
        },
        // Another application of the same account: must be denied.
        {
            principal: service,
            action: "kms:GenerateDataKey",
            context: {
                "aws:SourceArn": otherApp,
                "aws:SourceAccount": ACCOUNT,
                "kms:EncryptionContext:applicationId": "00zzzzzzzzzzzzzz",
            },
        },
        // Another account: must be denied.
        {
            principal: service,
            action: "kms:Decrypt",
            context: {
                "aws:SourceArn": d.appArn.replace(ACCOUNT, "444455556666"),
                "aws:SourceAccount": "444455556666",
                "kms:EncryptionContext:applicationId": d.appId,
            },
        },
        // Another service: must be denied (an open grant allows it).
        { principal: { type: "Service", id: "lambda.amazonaws.com" }, action: "kms:Decrypt", context: {} },
        // The submitter directly, not through EMR Serverless: must be denied.
        { principal: role, action: "kms:GenerateDataKey", context: {} },
        // The submitter through EMR Serverless: allowed.
        {
            principal: role,
            action: "kms:GenerateDataKey",
            context: { "kms:ViaService": `emr-serverless.${REGION}.amazonaws.com` },
        },
    ];
}

/** What the judge benchmark measured. */
export interface JudgeResult {
    documents: number;
    passes: number;
    /** A whole analysis of each document, bypassing the judge's memo (which keys strings and objects by content). */
    analyzeUncachedUsPerDoc: number;
    /** analyzeKeyPolicy on JSON strings it has seen (answered from its memo; 32 documents repeated). */
    analyzeCachedUsPerDoc: number;
    /** parsePolicyDocument + evaluateRequest for the six questions. */
    judgeQuestionsUsPerDoc: number;
    /** createValidatedPolicy + runUnsafeSimulation for the six questions; undefined when the simulator is absent. */
    simulatorQuestionsUsPerDoc?: number;
    simulatorVersion?: string;
    simulatorNote?: string;
    /** Questions where the two evaluators' Allow/not-Allow answers differ. */
    disagreements: number;
    /** Disagreements per question (see QUESTION_NAMES). */
    disagreementsByQuestion: Record<string, number>;
    questionsCompared: number;
    /** Problems: the judge passed a bad document or failed a good one. */
    problems: string[];
    samples: Record<string, number[]>;
}

interface Simulator {
    version: string;
    ask(doc: Record<string, unknown>, requests: RequestContext[]): Decision[];
}

/** The version in the nearest package.json named @cloud-copilot/iam-simulate above `file` (its exports hide package.json). */
function packageVersion(file: string): string {
    for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
        const pj = path.join(dir, "package.json");
        if (fs.existsSync(pj)) {
            const parsed = JSON.parse(fs.readFileSync(pj, "utf8")) as { name?: string; version?: string };
            if (parsed.name === "@cloud-copilot/iam-simulate") {
                return parsed.version ?? "unknown";
            }
        }
    }
    return "unknown";
}

function loadSimulator(): Simulator | string {
    try {
        const sim = require("@cloud-copilot/iam-simulate") as typeof import("@cloud-copilot/iam-simulate");
        const pol = require("@cloud-copilot/iam-policy") as typeof import("@cloud-copilot/iam-policy");
        const version = packageVersion(require.resolve("@cloud-copilot/iam-simulate"));
        return {
            version,
            ask(doc, requests) {
                const policy = pol.createValidatedPolicy(doc, pol.validateResourcePolicy, { name: "key-policy" });
                return requests.map((request) => {
                    const contextVariables: Record<string, string | string[]> = {};
                    for (const [k, v] of Object.entries(request.context)) {
                        if (v !== undefined) {
                            contextVariables[k] = v;
                        }
                    }
                    const result = sim.runUnsafeSimulation(
                        {
                            request: {
                                principal: request.principal.id,
                                action: request.action,
                                resource: { resource: KEY_ARN, accountId: ACCOUNT },
                                contextVariables,
                            },
                            identityPolicies: [],
                            serviceControlPolicies: [],
                            resourceControlPolicies: [],
                            resourcePolicy: policy,
                        },
                        {},
                    );
                    return result === "Allowed"
                        ? "Allow"
                        : result === "ExplicitlyDenied"
                          ? "ExplicitDeny"
                          : "ImplicitDeny";
                });
            },
        };
    } catch (e) {
        return `@cloud-copilot/iam-simulate not available: ${(e as Error).message.split("\n")[0]}`;
    }
}

function usPerDoc(ms: number, docs: number): number {
    return (ms * 1000) / docs;
}

/** Runs the in-process judge benchmark over `documents` distinct documents, `passes` times each way. */
export function measureJudge(documents: number, passes: number): JudgeResult {
    const corpus = judgeCorpus(documents);
    const problems: string[] = [];
    const samples: Record<string, number[]> = {
        analyzeUncached: [],
        analyzeCached: [],
        judgeQuestions: [],
        simulatorQuestions: [],
    };
    let analyses: KeyPolicyAnalysis[] = [];

    // Warm-up and correctness: every bad document must have a mandatory-kind finding, every good none.
    analyses = corpus.map((d) => analyzeKeyPolicy(d.doc));
    corpus.forEach((d, i) => {
        const a = analyses[i];
        const blocking = (a?.findings ?? []).filter((f) => f.kind !== "service-overgrant");
        if (d.good && blocking.length > 0) {
            problems.push(`judge flagged good document #${i}: ${blocking[0]?.message}`);
        }
        if (!d.good && blocking.length === 0) {
            problems.push(`judge passed bad document #${i}`);
        }
    });

    for (let p = 0; p < passes; p++) {
        let t = performance.now();
        for (const d of corpus) {
            analyzeKeyPolicyAfresh(d.doc);
        }
        samples.analyzeUncached?.push(usPerDoc(performance.now() - t, corpus.length));

        // The judge memoizes what it has judged (by content, up to 10,000 cores): repeat 32 documents.
        const hot = corpus.slice(0, 32);
        for (const d of hot) {
            analyzeKeyPolicy(d.text); // fill the cache
        }
        t = performance.now();
        for (let k = 0; k < corpus.length; k++) {
            analyzeKeyPolicy((hot[k % hot.length] as Doc).text);
        }
        samples.analyzeCached?.push(usPerDoc(performance.now() - t, corpus.length));

        t = performance.now();
        for (const d of corpus) {
            const parsed = parsePolicyDocument(d.doc);
            if (parsed.policy) {
                for (const q of questions(d)) {
                    evaluateRequest(parsed.policy, { ...q, resource: KEY_ARN });
                }
            }
        }
        samples.judgeQuestions?.push(usPerDoc(performance.now() - t, corpus.length));
    }

    const sim = loadSimulator();
    let disagreements = 0;
    let compared = 0;
    const result: JudgeResult = {
        documents,
        passes,
        analyzeUncachedUsPerDoc: median(samples.analyzeUncached ?? []),
        analyzeCachedUsPerDoc: median(samples.analyzeCached ?? []),
        judgeQuestionsUsPerDoc: median(samples.judgeQuestions ?? []),
        disagreements: 0,
        disagreementsByQuestion: {},
        questionsCompared: 0,
        problems,
        samples,
    };
    if (typeof sim === "string") {
        result.simulatorNote = sim;
        return result;
    }
    // The simulator is much slower: judge a slice of the corpus, enough for a stable per-document time.
    const slice = corpus.slice(0, Math.min(corpus.length, 400));
    for (const d of slice) {
        const parsed = parsePolicyDocument(d.doc);
        const qs = questions(d);
        const ours = qs.map((q) =>
            parsed.policy ? evaluateRequest(parsed.policy, { ...q, resource: KEY_ARN }) : "ImplicitDeny",
        );
        const theirs = sim.ask(d.doc, qs);
        ours.forEach((o, i) => {
            compared++;
            if ((o === "Allow") !== (theirs[i] === "Allow")) {
                disagreements++;
                const name = QUESTION_NAMES[i] ?? String(i);
                result.disagreementsByQuestion[name] = (result.disagreementsByQuestion[name] ?? 0) + 1;
            }
        });
    }
    for (let p = 0; p < passes; p++) {
        const t = performance.now();
        for (const d of slice) {
            sim.ask(d.doc, questions(d));
        }
        samples.simulatorQuestions?.push(usPerDoc(performance.now() - t, slice.length));
    }
    result.simulatorQuestionsUsPerDoc = median(samples.simulatorQuestions ?? []);
    result.simulatorVersion = sim.version;
    result.disagreements = disagreements;
    result.questionsCompared = compared;
    result.simulatorNote =
        "Six requests per document. Expected disagreements: 'submitter directly' on documents whose account-root statement is the " +
        "only grant (the judge lets an account principal stand for any principal of the account; the simulator, like KMS, also " +
        "wants an identity policy; documented in tests/judge/differential.test.ts).";
    return result;
}
