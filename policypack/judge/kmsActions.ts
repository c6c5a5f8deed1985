/**
 * The KMS actions the judge asks about: the two the service needs, the others a key policy governs, and how to
 * pick one action of each class that a document's statements treat alike.
 */
import { SERVICE_ACTIONS } from "./constants";
import { actionMatches } from "./evaluate";
import { ParsedPolicy, ParsedStatement } from "./parsedPolicy";

/** The two actions the service needs ({@link SERVICE_ACTIONS}), as a list of action names. */
export const SERVICE_ACTION_NAMES: readonly string[] = SERVICE_ACTIONS;

/** The actions that encrypt with the key or make data keys under it, other than the two the service needs. */
const ENCRYPTION_ACTIONS: readonly string[] = [
    "kms:Encrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
];

/**
 * KMS actions on a key, other than the two the service needs, asked about for over-grants and open grants. With
 * {@link MORE_KMS_ACTIONS} and those two, every action of the Service Authorization Reference whose resource is
 * a key: a key policy governs these only (kms:CreateKey, kms:GenerateRandom, kms:ListKeys and the custom key
 * store actions are not on a key, and a name KMS does not have grants nothing).
 */
export const OTHER_KMS_ACTIONS: readonly string[] = [
    ...ENCRYPTION_ACTIONS,
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:CreateGrant",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:ListGrants",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:EnableKey",
    "kms:UpdateKeyDescription",
    "kms:TagResource",
    "kms:Sign",
    "kms:GenerateMac",
];

/** Further key-resource KMS actions, asked about by the open-grant question. */
const MORE_KMS_ACTIONS: readonly string[] = [
    "kms:Verify",
    "kms:VerifyMac",
    "kms:GetPublicKey",
    "kms:DeriveSharedSecret",
    "kms:CancelKeyDeletion",
    "kms:EnableKeyRotation",
    "kms:DisableKeyRotation",
    "kms:GetKeyRotationStatus",
    "kms:RotateKeyOnDemand",
    "kms:ListKeyRotations",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:UntagResource",
    "kms:ImportKeyMaterial",
    "kms:DeleteImportedKeyMaterial",
    "kms:GetParametersForImport",
    "kms:CreateAlias",
    "kms:UpdateAlias",
    "kms:DeleteAlias",
    "kms:ReplicateKey",
    "kms:UpdatePrimaryRegion",
    "kms:SynchronizeMultiRegionKey",
];

/**
 * Further actions that use or hand on the key's material: a grant of any of them to the service must be
 * bound like the grant of the two it needs (a kms:CreateGrant without binding lets the service create
 * grants for any caller's context). Read-only metadata actions (kms:DescribeKey, ...) carry no
 * encryption context and are left to the over-grant advisory.
 */
export const KEY_MATERIAL_ACTIONS: readonly string[] = [...ENCRYPTION_ACTIONS, "kms:CreateGrant"];

/**
 * Which statements' Action/NotAction cover `action`. Conditions never depend on the action, so two actions with
 * the same signature get the same answer to every question.
 */
export function actionSignature(policy: ParsedPolicy, action: string): string {
    let known = signatures.get(policy);
    if (!known) {
        known = new Map();
        signatures.set(policy, known);
    }
    let sig = known.get(action);
    if (sig === undefined) {
        sig = policy.statements.map((s) => (actionMatches(s, action) ? "1" : "0")).join("");
        known.set(action, sig);
    }
    return sig;
}

/** Each document's action signatures, computed once (the questions ask about the same few actions). */
const signatures = new WeakMap<ParsedPolicy, Map<string, string>>();

/**
 * The actions whose grant to the service is put to the binding question for `st`: the two the service
 * needs, then one representative of each further class of {@link KEY_MATERIAL_ACTIONS} that every
 * statement's Action/NotAction treats differently from those already chosen (conditions never depend on
 * the action, so an action of an already chosen class would get the same verdicts).
 */
export function bindingActions(policy: ParsedPolicy, st: ParsedStatement): string[] {
    const classes = new Set(SERVICE_ACTION_NAMES.map((a) => actionSignature(policy, a)));
    const out = [...SERVICE_ACTION_NAMES];
    for (const action of KEY_MATERIAL_ACTIONS) {
        if (!actionMatches(st, action)) {
            continue;
        }
        const sig = actionSignature(policy, action);
        if (!classes.has(sig)) {
            classes.add(sig);
            out.push(action);
        }
    }
    return out;
}

/**
 * The actions worth asking about: every action KMS has on a key, one per class of actions that every statement's
 * Action/NotAction treats alike (conditions never depend on the action, so one action of a class decides for all
 * of it). An action name the document writes that KMS does not have (a typo, another service's) grants nothing
 * on the key, so it is not tried.
 */
export function actionClasses(policy: ParsedPolicy, st: ParsedStatement): string[] {
    const seen = new Set<string>();
    const classes = new Set<string>();
    const out: string[] = [];
    for (const action of [...SERVICE_ACTION_NAMES, ...OTHER_KMS_ACTIONS, ...MORE_KMS_ACTIONS]) {
        const lower = action.toLowerCase();
        if (seen.has(lower) || !actionMatches(st, action)) {
            continue;
        }
        seen.add(lower);
        const signature = actionSignature(policy, action);
        if (!classes.has(signature)) {
            classes.add(signature);
            out.push(action);
        }
    }
    return out;
}
