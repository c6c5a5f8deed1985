/**
 * Submitters: a principal the key policy names (a user, a role) that can use the key outside EMR Serverless, that
 * is with kms:ViaService absent or naming another service or region than EMR Serverless's endpoint.
 */
import { VIA_SERVICE_KEY, emrServerlessViaService } from "./constants";
import { DocumentIndex, UndecidedQuestion } from "./documentIndex";
import { accountOf, accountPrincipalAccount, actionMatches } from "./evaluate";
import { SERVICE_ACTION_NAMES } from "./kmsActions";
import { glob, literal } from "./languages";
import { ParsedStatement } from "./parsedPolicy";
import { AnalyzeOptions, Finding } from "./types";
import { KeyRequirement, MULTI_VALUED_KEYS, Values } from "./witness";

/**
 * The submitter findings for one region, and where the judgment stands by their end: whether the work budget ran
 * out, and the questions (these and the ones asked before) that the exact search could not decide.
 */
export interface SubmitterOutcome {
    findings: Finding[];
    exhausted: boolean;
    undecided: UndecidedQuestion[];
}

/** The memo key of the submitter findings: the region, told apart from no region (an empty region is a different question). */
export function regionKey(options: AnalyzeOptions): string {
    return options.region === undefined ? "\u0000none" : options.region;
}

/** The submitter findings: for each Allow statement, the first principal it names that can use the key outside EMR Serverless. */
export function submitterFindings(index: DocumentIndex, region: string | undefined): SubmitterOutcome {
    const findings: Finding[] = [];
    for (const st of index.policy.statements) {
        if (st.effect !== "Allow" || !st.principal?.values.AWS) {
            continue;
        }
        const submitters = st.principal.values.AWS.filter(
            (v) => v !== "*" && accountPrincipalAccount(v) === undefined && accountOf(v) !== undefined,
        ).slice(0, 5);
        let reported = false;
        for (const who of submitters) {
            if (reported) break;
            const exact = exactSubmitter(index, st, who, region);
            if (exact) {
                findings.push(submitterFinding(st, who, exact.action, exact.via, region));
                reported = true;
            }
        }
    }
    return { findings, exhausted: index.exhausted, undecided: [...index.undecided] };
}

/** The submitter finding for a request `who` may make with kms:ViaService `via` (undefined: without it). */
function submitterFinding(
    st: ParsedStatement,
    who: string,
    action: string,
    via: string | undefined,
    region: string | undefined,
): Finding {
    const expectedVia = region ? emrServerlessViaService(region) : "emr-serverless.<region>.amazonaws.com";
    const how = via === undefined ? `without ${VIA_SERVICE_KEY}` : `with ${VIA_SERVICE_KEY} = ${JSON.stringify(via)}`;
    return {
        kind: "submitter-not-via-service",
        where: st.where,
        message: `${st.where} lets ${who} use ${action} on the key ${how}, so the key is usable outside EMR Serverless.`,
        fix: `In ${st.where}, add "Condition": {"StringEquals": {"${VIA_SERVICE_KEY}": "${expectedVia}"}}.`,
    };
}

/**
 * The submitter question for one named principal, exactly (see witness.ts): a request of `who` that the statement and the
 * document allow with kms:ViaService absent or other than EMR Serverless's endpoint (of `region` when known, of
 * any region otherwise); undefined when there is none or the exact search cannot decide (recorded, see
 * DocumentIndex.decide).
 */
function exactSubmitter(
    index: DocumentIndex,
    st: ParsedStatement,
    who: string,
    region: string | undefined,
): { action: string; via: string | undefined } | undefined {
    const account = accountOf(who);
    const fixed = new Map<string, Values>([
        ["aws:resourceaccount", [index.owner]],
        ["aws:principalarn", [who]],
        ["aws:principalaccount", account === undefined ? undefined : [account]],
        ["kms:calleraccount", account === undefined ? undefined : [account]],
        ["aws:principalisawsservice", ["false"]],
        ["aws:principalservicename", undefined],
        ["aws:principalservicenameslist", undefined],
    ]);
    const emr = region ? literal(emrServerlessViaService(region)) : [glob("emr-serverless.*.amazonaws.com", false)];
    const via: KeyRequirement = { absent: true, present: true, constraints: [{ language: emr, want: false }] };
    const lower = VIA_SERVICE_KEY.toLowerCase();
    const question = `whether ${who} may use the key outside EMR Serverless`;
    return index.decide(
        question,
        st,
        (): { action: string; via: string | undefined } | undefined => {
            for (const action of SERVICE_ACTION_NAMES) {
                if (!actionMatches(st, action)) {
                    continue;
                }
                const found = index.findAllowedRequestExactly(
                    st,
                    action,
                    { type: "AWS", id: who },
                    (k) =>
                        fixed.has(k)
                            ? { kind: "fixed", value: fixed.get(k) }
                            : { kind: "free", absent: true, multi: MULTI_VALUED_KEYS.has(k), shape: [] },
                    new Map([[lower, via]]),
                );
                if (found) {
                    return { action, via: found.context.get(lower)?.[0] };
                }
            }
            return undefined;
        },
        undefined,
    );
}
