/**
 * The service over-grant: a statement that lets the EMR Serverless service principal use the key for more than
 * the kms:GenerateDataKey and kms:Decrypt that disk encryption needs.
 */
import { EMR_SERVERLESS_PRINCIPAL } from "./constants";
import { DocumentIndex } from "./documentIndex";
import { NormalizedRequest, actionMatches, evaluateNormalized, statementApplies } from "./evaluate";
import { OTHER_KMS_ACTIONS, actionSignature } from "./kmsActions";
import { ParsedStatement } from "./parsedPolicy";
import { anyValueOf, findServiceRequestExactly } from "./serviceRequests";
import { Finding } from "./types";

/**
 * One finding per statement of `statements` that lets the service use any of {@link OTHER_KMS_ACTIONS}. A
 * statement's baseline (a request it allows for the actions the service needs) is tried first for each action.
 */
export function overgrantFindings(
    index: DocumentIndex,
    statements: readonly ParsedStatement[],
    baselines: ReadonlyMap<ParsedStatement, NormalizedRequest>,
    serviceKeys: readonly string[],
): Finding[] {
    const findings: Finding[] = [];
    for (const st of statements) {
        const extra: string[] = [];
        const base = baselines.get(st);
        // Conditions never depend on the action: actions the same statements cover get the same answer.
        const answered = new Map<string, boolean>();
        for (const action of OTHER_KMS_ACTIONS) {
            if (!actionMatches(st, action)) {
                continue;
            }
            if (base && allowsAgain(index, st, { ...base, action })) {
                extra.push(action);
                continue;
            }
            const sig = actionSignature(index.policy, action);
            let allowed = answered.get(sig);
            if (allowed === undefined) {
                allowed = exactServiceAllows(index, st, action, serviceKeys);
                answered.set(sig, allowed);
            }
            if (allowed) {
                extra.push(action);
            }
        }
        if (extra.length > 0) {
            findings.push({
                kind: "service-overgrant",
                where: st.where,
                message:
                    `${st.where} allows ${EMR_SERVERLESS_PRINCIPAL} ${extra.slice(0, 6).join(", ")}` +
                    `${extra.length > 6 ? ` and ${extra.length - 6} more` : ""}, more than the kms:GenerateDataKey and ` +
                    `kms:Decrypt that disk encryption needs.`,
                fix: `In ${st.where}, set "Action": ["kms:GenerateDataKey", "kms:Decrypt"] for the service principal.`,
            });
        }
    }
    return findings;
}

/**
 * Whether the statement lets the service use `action` on the key for some request the document allows (exactly,
 * see witness.ts); false when the exact search cannot decide it (recorded, see DocumentIndex.decide).
 */
function exactServiceAllows(
    index: DocumentIndex,
    st: ParsedStatement,
    action: string,
    serviceKeys: readonly string[],
): boolean {
    return index.decide(
        `whether ${EMR_SERVERLESS_PRINCIPAL} may use the key for more than kms:GenerateDataKey and kms:Decrypt`,
        st,
        () => findServiceRequestExactly(index, st, action, anyValueOf(serviceKeys)) !== undefined,
        false,
    );
}

/** Whether the statement and the whole document allow `req` (a baseline asked again for another action). */
function allowsAgain(index: DocumentIndex, st: ParsedStatement, req: NormalizedRequest): boolean {
    return (
        index.spend(st.conditions.length + index.policy.statements.length + 1) &&
        statementApplies(st, req) &&
        evaluateNormalized(index.policy, req) === "Allow"
    );
}
