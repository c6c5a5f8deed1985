/**
 * What a KMS grant lets its grantee do with a key EMR Serverless uses. A grant is evaluated by KMS apart
 * from the key policy: none of the key policy's conditions (aws:SourceArn, kms:ViaService,
 * kms:EncryptionContext:applicationId) applies to it. Its only limit on the data it reaches is its
 * encryption-context constraint (AWS KMS API, CreateGrant `Constraints`): `EncryptionContextEquals`
 * (the request's context is exactly the map) or `EncryptionContextSubset` (the request's context includes
 * the map), applied to the operations that take an encryption context. EMR Serverless puts the
 * application's id in the context of every disk data key (`applicationId`), so a constraint that pins
 * `applicationId` keeps the grant to one application's disk data; any other constraint does not (the
 * grantee chooses the rest of the context it sends). In a constraint "the key in each key-value pair is not
 * case sensitive, but the value is case sensitive" (GrantConstraints reference): `ApplicationId` pins like
 * `applicationId`, and a value no application id has (ids are `[0-9a-z]+`) pins the grant to no data.
 */
import { RESERVED_CONTEXT_KEY } from "./setting";

/**
 * Grant operations that use the key's material with an encryption context: the ones a constraint governs
 * (CreateGrant too: a constrained grantee can only create grants as strict). DescribeKey and RetireGrant
 * carry no context and reach no data; Sign, Verify, GetPublicKey, GenerateMac and VerifyMac do not apply
 * to a symmetric encryption key.
 */
export const CONTEXT_GRANT_OPERATIONS: readonly string[] = [
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
];

/** The operations that let the grantee hand its permissions on: with data operations, they widen the grant. */
export const DELEGATING_GRANT_OPERATIONS: readonly string[] = ["CreateGrant"];

/** A grant as the judge reads it (the provider's `operations` and `constraints` inputs, unchecked). */
export interface GrantInput {
    operations: unknown;
    /** `[{ encryptionContextEquals?: {..}, encryptionContextSubset?: {..} }, ...]`, a single such object, or absent. */
    constraints: unknown;
}

/** Why a grant reaches data beyond one application's, or nothing when it does not. */
export type GrantReach =
    /** It grants no operation that reads or writes data with the key. */
    | { kind: "no-data" }
    /** Its data operations are kept to the applications whose ids are listed (one per pinning constraint). */
    | { kind: "pinned"; operations: string[]; applicationIds: string[] }
    /** Its data operations reach any application's data: no constraint, or none that pins applicationId. */
    | { kind: "unpinned"; operations: string[]; constrained: boolean };

function isRecord(v: unknown): v is Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Which operations of the grant use key material (in the order given, canonical spelling; operation names
 * are matched ignoring case, so a misspelt case is judged as what it would mean rather than ignored).
 */
export function dataOperations(operations: unknown): string[] {
    const list = Array.isArray(operations) ? operations : [operations];
    const out: string[] = [];
    for (const op of list) {
        if (typeof op !== "string") {
            continue;
        }
        const canonical = [...CONTEXT_GRANT_OPERATIONS, ...DELEGATING_GRANT_OPERATIONS].find(
            (o) => o.toLowerCase() === op.trim().toLowerCase(),
        );
        if (canonical && !out.includes(canonical)) {
            out.push(canonical);
        }
    }
    return out;
}

/**
 * The application ids a grant's constraints keep it to, or undefined when they keep it to none. KMS applies
 * the Equals and the Subset map together; each must hold. A provider may take several constraint blocks of
 * one kind (and keep only one): a kind pins the grant only when every map of that kind has `applicationId`
 * (matched ignoring case, as KMS matches a constraint's keys; one value, however often the key is written)
 * with a string value, and the grant is then kept to those values (to the ids both kinds allow when both pin;
 * none when they disagree).
 */
export function pinnedApplicationIds(constraints: unknown): string[] | undefined {
    const blocks =
        constraints === undefined || constraints === null
            ? []
            : Array.isArray(constraints)
              ? constraints
              : [constraints];
    let best: string[] | undefined;
    for (const kind of ["encryptionContextEquals", "encryptionContextSubset"]) {
        const maps = blocks
            .filter(isRecord)
            .map((b) => b[kind])
            .filter((m) => m !== undefined && m !== null);
        if (maps.length === 0) {
            continue;
        }
        const ids: string[] = [];
        let pins = true;
        for (const m of maps) {
            const values = isRecord(m)
                ? Object.keys(m)
                      .filter((k) => k.toLowerCase() === RESERVED_CONTEXT_KEY.toLowerCase())
                      .map((k) => m[k])
                : [];
            const id = values[0];
            if (typeof id !== "string" || id === "" || values.some((v) => v !== id)) {
                pins = false;
                break;
            }
            if (!ids.includes(id)) {
                ids.push(id);
            }
        }
        if (pins) {
            // Both kinds hold together: the grant reaches only ids both allow.
            best = best === undefined ? ids : best.filter((id) => ids.includes(id));
        }
    }
    return best;
}

/** Whether the grant has any constraint at all (an empty map constrains nothing). */
function hasConstraint(constraints: unknown): boolean {
    const blocks = Array.isArray(constraints)
        ? constraints
        : constraints === undefined || constraints === null
          ? []
          : [constraints];
    return blocks.some(
        (b) =>
            isRecord(b) &&
            ["encryptionContextEquals", "encryptionContextSubset"].some(
                (k) => isRecord(b[k]) && Object.keys(b[k] as Record<string, unknown>).length > 0,
            ),
    );
}

/** How far a grant reaches (see {@link GrantReach}). Pure; never throws. */
export function grantReach(grant: GrantInput): GrantReach {
    const operations = dataOperations(grant.operations);
    if (!operations.some((o) => CONTEXT_GRANT_OPERATIONS.includes(o))) {
        return { kind: "no-data" };
    }
    const applicationIds = pinnedApplicationIds(grant.constraints);
    if (applicationIds !== undefined) {
        return { kind: "pinned", operations, applicationIds };
    }
    return { kind: "unpinned", operations, constrained: hasConstraint(grant.constraints) };
}
