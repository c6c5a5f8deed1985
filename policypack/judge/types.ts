/**
 * The judge's public types: what the policy pack, the audit command and the tests consume.
 * Implementations: parse.ts (document -> statements), evaluate.ts (IAM request evaluation),
 * keyPolicy.ts (the EMR Serverless questions asked of a key policy, each answered in its own module).
 */

/** What kind of problem a finding is; the policy pack maps kinds to its policies. */
export type FindingKind =
    /** The document cannot be parsed or would be rejected by AWS (bad JSON, wrong types, unknown operator, ...). Mandatory. */
    | "malformed"
    /**
     * A statement allows emr-serverless.amazonaws.com to use the key (kms:GenerateDataKey, kms:Decrypt or
     * another key-material action such as kms:CreateGrant) without binding aws:SourceArn, aws:SourceAccount
     * (or an accepted alternative) and kms:EncryptionContext:applicationId each to one value; or binds them
     * to another application than the expected one, to an account other than the key's own (see
     * `AnalyzeOptions.allowedSourceAccounts`), or to an ARN and an account that no request can both carry.
     * Mandatory.
     */
    | "service-unbound"
    /** An Allow to "*" / {"AWS": "*"} whose conditions do not pin the caller's account or organization. Mandatory. */
    | "open-grant"
    /** An Allow with NotPrincipal. Mandatory. */
    | "not-principal-allow"
    /** An IAM principal may use kms:GenerateDataKey / kms:Decrypt without kms:ViaService = emr-serverless.<region>.amazonaws.com. Advisory. */
    | "submitter-not-via-service"
    /** The service principal is granted more than kms:GenerateDataKey and kms:Decrypt (e.g. kms:*). Advisory. */
    | "service-overgrant"
    /**
     * A principal that looks like emr-serverless.amazonaws.com but is not it (a look-alike letter, fullwidth
     * or Cyrillic characters, white space or invisible characters, other case, the regional endpoint name,
     * an ARN, a near-miss spelling, or the name under "AWS" instead of "Service"): it grants the service
     * nothing. Advisory; a key a disk-encryption setting uses must grant the service by its exact name.
     */
    | "service-principal-lookalike";

/**
 * What unknown parts of a document could change: a finding kind, whether the service is granted at all, or which of
 * kms:GenerateDataKey and kms:Decrypt it gets (`serviceActions`).
 */
export type Undecided = FindingKind | "grants-service" | "service-actions";

/** One part of a key policy that is unknown at preview (the engine's sentinel). */
export interface UnknownPart {
    /** `Sid "X"` / `statement #N`, or undefined for a document-level element (Version, Id, Statement). */
    where?: string;
    /** Property path inside the document, e.g. `["Statement", "1", "Condition", "StringLike", "aws:SourceArn"]`. */
    path: string[];
    /** What is unknown, for a reader: `the Effect`, `a value of Condition "StringLike" "aws:SourceArn"`. */
    what: string;
    /** The sentinel found there (it tells the value's type). */
    sentinel: string;
}

/** One thing wrong with a document. */
export interface Finding {
    kind: FindingKind;
    /** Where: `Sid "X"` when the statement has a Sid, else `statement #N` (1-based). Undefined for whole-document problems. */
    where?: string;
    /** What is wrong, naming `where`; a full sentence that reads on its own. */
    message: string;
    /** What to change. */
    fix: string;
}

/** The values the service principal's grant is bound to (from the statements that allow it). */
export interface ServiceBinding {
    sourceArns: string[];
    sourceAccounts: string[];
    applicationIds: string[];
}

/** An application the service's grants must be bound to (see AnalyzeOptions.expectedApplication). */
export interface ExpectedApplication {
    arn?: string;
    id?: string;
    account?: string;
    region?: string;
}

/**
 * The service binding of a document judged against one application (AnalyzeOptions.applications): exactly the
 * fields of the analysis that call would give with `expectedApplication` set to it.
 */
export interface ApplicationBinding {
    /** The `service-unbound` findings (the other kinds do not depend on the application). */
    findings: Finding[];
    serviceActions: string[];
    assumptions: string[];
    hasUnknowns: boolean;
}

/** The result of judging a key policy document for EMR Serverless disk encryption. */
export interface KeyPolicyAnalysis {
    /** False when the document could not be parsed at all (then `findings` holds a `malformed` finding). */
    parsed: boolean;
    /** True when emr-serverless.amazonaws.com is allowed kms:GenerateDataKey or kms:Decrypt for at least one request. */
    grantsService: boolean;
    /** The bound values, when `grantsService`. */
    binding?: ServiceBinding;
    /**
     * Which of kms:GenerateDataKey and kms:Decrypt (in that order) the service is allowed for at least one
     * request, counting only statements that name it exactly (see `grantsServiceByExactName`) and are not bound
     * to another application than `AnalyzeOptions.expectedApplication` (all of them without one). Disk encryption
     * needs both: one without the other fails every job.
     */
    serviceActions: string[];
    /**
     * What the judge assumed where the document depends on something it was not told: today, the key's ARN
     * (`AnalyzeOptions.keyArn`) when a statement's Resource or NotResource names something other than "*".
     * Each assumption is also appended to every finding's message. Empty when nothing was assumed.
     */
    assumptions: string[];
    /** True when some value in the document is the engine's unknown sentinel (preview): judged on what is known. */
    hasUnknowns: boolean;
    /**
     * With unknown parts: `findings` and `grantsService` are what holds whatever they turn out to be (see
     * unknowns.ts for how each position is read); `undecided` lists what they could still change (finding
     * kinds some value of them would add at a statement, "grants-service" when they could make the service
     * granted, "service-actions" when they could change which of the two actions it gets), and `unknowns` where
     * they are. "malformed" is always undecided then: an unknown value's
     * characters and length cannot be checked.
     */
    undecided?: Undecided[];
    unknowns?: UnknownPart[];
    /**
     * When `grantsService`: whether some statement that grants it names `emr-serverless.amazonaws.com`
     * exactly (or everyone). False when only a look-alike spelling (e.g. in capitals) does, which the
     * evaluator matches case-insensitively to judge the binding, but which AWS does not document as a name
     * of the service.
     */
    grantsServiceByExactName?: boolean;
    /**
     * When `grantsService`: where (`Sid "X"` / `statement #N`) the statements are that let the service in only
     * under a look-alike spelling of its name. They are judged for their binding like any grant (they might be
     * read as the service's), but never count as the grant a key that EMR Serverless uses needs.
     */
    lookalikeGrants?: string[];
    findings: Finding[];
    /** With AnalyzeOptions.applications: the binding against each of them, in their order. */
    applicationBindings?: ApplicationBinding[];
}

/** Knobs the policy pack's configuration maps onto. */
export interface AnalyzeOptions {
    /**
     * The ARN of the key the policy is attached to, when known (a KeyPolicy whose keyId is a key ARN, a key's
     * `arn` output). Every request is then made on this key: a statement applies only when its Resource covers
     * the ARN (`"*"`, this ARN, or a pattern matching it) or its NotResource does not, as IAM evaluates it, so a
     * statement naming another key grants and denies nothing here. Without it (or when it is not a key ARN),
     * an Allow naming another resource is assumed to apply and a Deny not to, the reading that can only report
     * more, and the result's `assumptions` say so.
     */
    keyArn?: string;
    /**
     * The key's bare id, when its ARN is not known (a KeyPolicy whose keyId is an id). A key's ARN ends in
     * `key/<id>`: a statement whose Resource can never end so (another key's id, an alias) applies to nothing,
     * one whose NotResource can never end so is not excluded, and `arn:*:kms:*:*:key/<id>` always covers it; only
     * what the id leaves open is assumed (see `keyArn`). Ignored when `keyArn` is given.
     */
    keyId?: string;
    /**
     * Condition keys accepted as the account binding; any one of them, bound to one value, suffices.
     * Default: ["aws:SourceAccount"]. Example: ["aws:SourceAccount", "aws:SourceOrgID"].
     */
    sourceAccountKeys?: readonly string[];
    /** Whether kms:EncryptionContext:applicationId must be bound. Default true. */
    requireEncryptionContextBinding?: boolean;
    /** Region for the expected kms:ViaService value; when absent any emr-serverless.<region>.amazonaws.com is accepted. */
    region?: string;
    /**
     * When known (audit, stack analysis): the application the service must be bound to. `region` is its region
     * when its ARN is not known (a setting's region): a binding to an application ARN of another region is then
     * a binding to another application.
     */
    expectedApplication?: ExpectedApplication;
    /**
     * Applications to judge the service binding against besides `expectedApplication`, in one call: the result's
     * `applicationBindings` holds, in the same order, what `expectedApplication` set to each of them would give
     * for the binding (its service-unbound findings and service actions). For a caller with several applications
     * per key; judging the document once and deriving each binding costs far less than a call per application.
     */
    applications?: readonly ExpectedApplication[];
    /**
     * Ask only what the service binding needs (a caller that reads `grantsService`, `binding`, `serviceActions`,
     * the service-unbound and form findings, `applicationBindings`): every field keeps its value except
     * `findings`, which may then lack the over-grant, open-grant and submitter questions' findings and the note
     * that the judge ran out of work budget. Those questions are left unasked for a document without unknown parts
     * (the first call that needs them asks them). Default false.
     */
    serviceOnly?: boolean;
    /**
     * Accounts, besides the key's own, whose EMR Serverless applications the service grant may be bound
     * to (cross-account use of the key). The key's own account is `expectedApplication.account` when
     * given, else the account of the key policy's account-root / account principals. A grant whose
     * bound aws:SourceAccount, or whose bound aws:SourceArn's account field, is neither the key's
     * account nor listed here is a `service-unbound` finding. Default: none.
     */
    allowedSourceAccounts?: readonly string[];
}
