/**
 * Placeholders for values that exist only once a resource is created (pure).
 *
 * In its default mode the offline preview answers every create with a placeholder for each computed output it
 * knows the shape of (ids and ARNs of the types below, a generic id and ARN for every other type), so that documents
 * built from those outputs are known and the policy pack judges them "as if created". Each placeholder is:
 * - derived from the resource's URN (a SHA-256), so the same value flows everywhere the output is used, and two
 *   resources never share one (a value already issued is never issued again);
 * - of the right shape for the type (a KMS key id is a UUID, an EMR Serverless application id 16 lower-case
 *   alphanumerics starting `00`, an IAM unique id `AROA` + 17, ...);
 * - consistent with what the stack knows: ARNs carry the resource's region (its `region` input, else its explicit
 *   provider's, else the stack config's), that region's partition, and the account (its explicit provider's single
 *   allowed account, else the stack's), the same the preview answers `getRegion`/`getCallerIdentity` with, so a
 *   policy comparing an ARN's region or account with the stack's sees what the real value would show.
 * An output whose placeholder needs a region or an account that nobody gave stays unknown, with the reason.
 */
import { createHash } from "node:crypto";
import { UNKNOWN } from "./properties";

/** The AWS partition of a region. */
export function partitionOfRegion(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** The URN the engine gives a resource registered under `parent` ("" for the root stack). */
export function childUrn(project: string, stack: string, parent: string, type: string, name: string): string {
    const parentType = parent ? (parent.split("::")[2] ?? "").split("$").pop() : undefined;
    return `urn:pulumi:${stack}::${project}::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

/**
 * Where an explicit provider puts its resources: its `region`, and its account when its `allowedAccountIds` names
 * exactly one (the SDK sends that list as JSON text).
 */
export function providerContext(inputs: Readonly<Record<string, unknown>>): PlaceholderContext {
    let ids: unknown = inputs["allowedAccountIds"];
    if (typeof ids === "string") {
        try {
            ids = JSON.parse(ids) as unknown;
        } catch {
            ids = undefined;
        }
    }
    const account = Array.isArray(ids) && ids.length === 1 && typeof ids[0] === "string" ? ids[0] : undefined;
    const region = str(inputs["region"]);
    return { ...(region ? { region } : {}), ...(account ? { account } : {}) };
}

/** What an ARN needs besides the resource: where the resource lives. */
export interface PlaceholderContext {
    /** The account: its explicit provider's, else the stack's (`--account-id`, or one `aws:allowedAccountIds`). */
    account?: string;
    /** The region of the resource's provider: its explicit provider's `region`, else the stack's `<pkg>:region`. */
    region?: string;
}

/** One resource being created, as the runner's mock sees it. */
export interface PlaceholderRequest {
    urn: string;
    type: string;
    /** The logical name (the base of autonamed names). */
    name: string;
    /** Inputs as the SDK's mock receives them (plain values; unknowns are not strings). */
    inputs: Readonly<Record<string, unknown>>;
    /** The type's property names, when known: an output the type lacks is never made up. */
    properties?: ReadonlySet<string>;
}

/** What a create gets: its id and the computed outputs it lacks, placeholders or unknown sentinels. */
export interface PlaceholderOutputs {
    /** The id (a placeholder, or a value copied from an input, e.g. the application id of a setting). */
    id: string;
    /** Computed outputs to add to the inputs (values, or {@link UNKNOWN}.string when they cannot be made). */
    outputs: Record<string, string>;
    /** The made-up values, by property (`id` included when it is made up), for the report. */
    placeholders: Record<string, string>;
    /** Outputs left unknown, with the reason (e.g. "no region"). */
    unknown: Record<string, string>;
}

const DISK_ENCRYPTION_TYPES: ReadonlySet<string> = new Set([
    "pulumi-nodejs:dynamic/emrserverless:ApplicationDiskEncryption",
    "emr-serverless-disk-encryption:index:ApplicationDiskEncryption",
]);

const KEY_TYPES: ReadonlySet<string> = new Set(["aws:kms/key:Key", "aws:kms/externalKey:ExternalKey"]);
const REPLICA_KEY_TYPES: ReadonlySet<string> = new Set([
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
]);

const KEY_ARN = /^arn:[^:]+:kms:[^:]*:\d{12}:key\/(.+)$/;
const KEY_ID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function str(v: unknown): string | undefined {
    return typeof v === "string" && v !== "" ? v : undefined;
}

/**
 * Makes placeholders. One instance per preview: it remembers every value it issued, so that no two outputs ever get
 * the same value (a collision of the hash is re-derived with a counter), and can find them again in text.
 */
export class PlaceholderFactory {
    private readonly issued: Set<string>;
    /** Every value issued, to find them again in text. */
    public readonly index = new PlaceholderIndex();

    /** `reserved`: real values no placeholder may take (e.g. the stack's account, for a new account's id). */
    public constructor(reserved: Iterable<string> = []) {
        this.issued = new Set(reserved);
    }

    /** `length` characters of `alphabet` drawn from the hash of `urn` and `purpose` (re-derived on collision). */
    private draw(urn: string, purpose: string, alphabet: string, length: number, attempt: number): string {
        let out = "";
        for (let block = 0; out.length < length; block++) {
            const bytes = createHash("sha256").update(`${urn}\u0000${purpose}\u0000${attempt}\u0000${block}`).digest();
            for (const b of bytes) {
                // Rejection sampling keeps the characters uniform.
                if (b < 256 - (256 % alphabet.length)) {
                    out += alphabet[b % alphabet.length];
                    if (out.length === length) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    /** Issues a value built by `make` around a drawn core; never one issued before. */
    private issue(
        urn: string,
        purpose: string,
        alphabet: string,
        length: number,
        make: (core: string) => string,
    ): string {
        for (let attempt = 0; ; attempt++) {
            const value = make(this.draw(urn, purpose, alphabet, length, attempt));
            if (!this.issued.has(value)) {
                this.remember(value);
                return value;
            }
        }
    }

    private remember(value: string): void {
        this.issued.add(value);
        this.index.add(value);
    }

    /** A value built around an issued one or a given name (an ARN), found again by the same last run. */
    private derived(value: string): string {
        if (!this.issued.has(value)) {
            this.remember(value);
        }
        return value;
    }

    /** The issued placeholders in the strings of `value` (at any depth, keys too). */
    public findIn(value: unknown): string[] {
        return this.index.findIn(value);
    }

    /**
     * The id and computed outputs of a create, for the types whose outputs the preview knows, and a generic id (and,
     * for an `aws:` type, a generic ARN) for every other custom resource. Outputs the program set are kept.
     */
    public forCreate(req: PlaceholderRequest, ctx: PlaceholderContext): PlaceholderOutputs {
        const { urn, type, name, inputs } = req;
        const out: PlaceholderOutputs = { id: "", outputs: {}, placeholders: {}, unknown: {} };
        const hex = "0123456789abcdef";
        const base36 = "0123456789abcdefghijklmnopqrstuvwxyz";
        const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        const region = str(inputs["region"]) ?? ctx.region;
        const partition = region ? partitionOfRegion(region) : undefined;
        const account = ctx.account;
        /** Sets `key` (unless the program set it) to `value`, or unknown with the reason `value` is missing. */
        const put = (key: string, value: string | undefined, why: string, placeholder = true): string | undefined => {
            if (str(inputs[key]) !== undefined) {
                return str(inputs[key]);
            }
            if (req.properties && !req.properties.has(key)) {
                return value;
            }
            if (value === undefined) {
                out.outputs[key] = UNKNOWN.string;
                out.unknown[key] = why;
                return undefined;
            }
            out.outputs[key] = value;
            if (placeholder) {
                out.placeholders[key] = value;
            }
            return value;
        };
        const where = (): string | undefined =>
            !region
                ? "its region is not known (set aws:region, or the resource's or its provider's region)"
                : !account
                  ? "the account is not known (pass --account-id, or set aws:allowedAccountIds to one account)"
                  : undefined;
        const setId = (id: string, placeholder = true): void => {
            out.id = id;
            if (placeholder) {
                out.placeholders["id"] = id;
            }
        };
        const autoname = (key: string, max: number): string | undefined => {
            const given = str(inputs[key]);
            if (given) {
                return given;
            }
            const prefix = str(inputs["namePrefix"]);
            const base = (prefix ?? `${name}-`).slice(0, max - 7);
            return put(
                key,
                this.issue(urn, key, hex, 7, (c) => `${base}${c}`),
                "",
            );
        };
        const keyArn = (keyId: string): string | undefined =>
            where() ? undefined : this.derived(`arn:${partition}:kms:${region}:${account}:key/${keyId}`);

        if (KEY_TYPES.has(type) || type === "aws-native:kms:Key") {
            const multi = inputs["multiRegion"] === true;
            const keyId = multi
                ? this.issue(urn, "keyId", hex, 32, (c) => `mrk-${c}`)
                : this.issue(urn, "keyId", hex, 32, uuid);
            setId(keyId);
            put("keyId", keyId, "");
            put("arn", keyArn(keyId), where() ?? "");
        } else if (REPLICA_KEY_TYPES.has(type) || type === "aws-native:kms:ReplicaKey") {
            const primary = str(inputs["primaryKeyArn"]) ?? str(inputs["primaryKeyId"]);
            const keyId = primary
                ? (KEY_ARN.exec(primary)?.[1] ?? (KEY_ID.test(primary) ? primary : undefined))
                : undefined;
            if (keyId) {
                setId(keyId, false);
                put("keyId", keyId, "", false);
                put("arn", keyArn(keyId), where() ?? "");
            } else {
                setId(this.issue(urn, "id", hex, 32, (c) => `mrk-${c}`));
                put("keyId", undefined, "the primary key's ARN is not known");
                put("arn", undefined, "the primary key's ARN is not known");
            }
        } else if (type === "aws:kms/alias:Alias") {
            const alias = str(inputs["name"]) ?? autoname("name", 256);
            setId(alias ?? "", !str(inputs["name"]));
            put(
                "arn",
                alias && !where() ? this.derived(`arn:${partition}:kms:${region}:${account}:${alias}`) : undefined,
                where() ?? "",
            );
            const target = str(inputs["targetKeyId"]);
            const targetId = target ? (KEY_ARN.exec(target)?.[1] ?? target) : undefined;
            put(
                "targetKeyArn",
                target?.startsWith("arn:") ? target : targetId ? keyArn(targetId) : undefined,
                target ? (where() ?? "") : "targetKeyId is not known",
                false,
            );
        } else if (type === "aws:kms/keyPolicy:KeyPolicy") {
            // The engine's id of a KeyPolicy is its key's id.
            const keyId = str(inputs["keyId"]);
            setId(keyId ?? this.issue(urn, "id", hex, 12, (c) => `${name}-${c}`), keyId === undefined);
        } else if (
            type === "aws:emrserverless/application:Application" ||
            type === "aws-native:emrserverless:Application"
        ) {
            const appId = this.issue(urn, "id", base36, 14, (c) => `00${c}`);
            setId(appId);
            if (type === "aws-native:emrserverless:Application") {
                put("applicationId", appId, "");
            }
            put(
                "arn",
                where()
                    ? undefined
                    : this.derived(`arn:${partition}:emr-serverless:${region}:${account}:/applications/${appId}`),
                where() ?? "",
            );
        } else if (DISK_ENCRYPTION_TYPES.has(type)) {
            // The setting's id is its application's id; its outputs are its inputs.
            const appId = str(inputs["applicationId"]);
            setId(appId ?? this.issue(urn, "id", base36, 14, (c) => `00${c}`), appId === undefined);
        } else if (type === "aws:iam/role:Role" || type === "aws:iam/user:User" || type === "aws:iam/policy:Policy") {
            const kind = type === "aws:iam/role:Role" ? "role" : type === "aws:iam/user:User" ? "user" : "policy";
            const n = autoname("name", kind === "policy" ? 128 : 64);
            const iamPath = str(inputs["path"]) ?? "/";
            const arn =
                n && !where() ? this.derived(`arn:${partition}:iam::${account}:${kind}${iamPath}${n}`) : undefined;
            put("arn", arn, where() ?? "");
            if (kind === "policy") {
                // A policy's id is its ARN.
                setId(arn ?? "", false);
                put(
                    "policyId",
                    this.issue(urn, "policyId", upper, 17, (c) => `ANPA${c}`),
                    "",
                );
            } else {
                setId(n ?? "", false);
                const prefix = kind === "role" ? "AROA" : "AIDA";
                put(
                    "uniqueId",
                    this.issue(urn, "uniqueId", upper, 17, (c) => `${prefix}${c}`),
                    "",
                );
            }
        } else if (type === "aws:organizations/account:Account") {
            // A new account's id: twelve digits (never the stack's own account: it is reserved).
            setId(this.issue(urn, "id", "0123456789", 12, (c) => c));
        } else {
            setId(this.issue(urn, "id", hex, 12, (c) => `${name}-${c}`));
            if (type.startsWith("aws:")) {
                const [, mod = "", res = ""] = /^aws:([^/:]+)(?:\/[^:]*)?:(.+)$/.exec(type) ?? [];
                put(
                    "arn",
                    where()
                        ? undefined
                        : this.derived(`arn:${partition}:${mod}:${region}:${account}:${res.toLowerCase()}/${out.id}`),
                    where() ?? "",
                );
            }
        }
        if (!out.id) {
            out.unknown["id"] = where() ?? "its name is not known";
        }
        return out;
    }
}

/**
 * Finds placeholders in text, in time linear in the text: each value is filed under its last alphanumeric run (every
 * placeholder ends with its drawn part: the last group of a UUID, the suffix of an autonamed name, the id at the end
 * of an ARN), and a text is looked up by its runs, then checked for the whole value. Case is ignored: a placeholder
 * passed through `toUpperCase` is still found.
 */
export class PlaceholderIndex {
    private readonly byRun = new Map<string, string[]>();

    public constructor(values: Iterable<string> = []) {
        for (const v of values) {
            this.add(v);
        }
    }

    /** Files `value` (once). */
    public add(value: string): void {
        const key = lastRun(value).toLowerCase();
        const list = this.byRun.get(key);
        if (!list) {
            this.byRun.set(key, [value]);
        } else if (!list.includes(value)) {
            list.push(value);
        }
    }

    /**
     * The filed values `text` contains, except those that occur only inside a longer one found (an id inside the ARN
     * that holds it), longest first.
     */
    public find(text: string): string[] {
        if (this.byRun.size === 0) {
            return [];
        }
        const lower = text.toLowerCase();
        const found = new Set<string>();
        for (const run of lower.match(/[a-z0-9]+/g) ?? []) {
            for (const value of this.byRun.get(run) ?? []) {
                if (lower.includes(value.toLowerCase())) {
                    found.add(value);
                }
            }
        }
        if (found.size < 2) {
            return [...found];
        }
        const covered: [number, number][] = [];
        const out: string[] = [];
        for (const value of [...found].sort((a, b) => b.length - a.length)) {
            const v = value.toLowerCase();
            let alone = false;
            for (let at = lower.indexOf(v); at >= 0; at = lower.indexOf(v, at + 1)) {
                const end = at + v.length;
                if (!covered.some(([from, to]) => from <= at && end <= to)) {
                    alone = true;
                    covered.push([at, end]);
                }
            }
            if (alone) {
                out.push(value);
            }
        }
        return out;
    }

    /** The filed values in the strings of `value` (at any depth, keys too). */
    public findIn(value: unknown): string[] {
        const found = new Set<string>();
        const walk = (v: unknown): void => {
            if (typeof v === "string") {
                for (const p of this.find(v)) {
                    found.add(p);
                }
            } else if (Array.isArray(v)) {
                v.forEach(walk);
            } else if (typeof v === "object" && v !== null) {
                for (const [k, x] of Object.entries(v)) {
                    walk(k);
                    walk(x);
                }
            }
        };
        if (this.byRun.size > 0) {
            walk(value);
        }
        return [...found];
    }
}

/** The last alphanumeric run of a value (what {@link PlaceholderIndex} files it under). */
function lastRun(value: string): string {
    const runs = value.match(/[A-Za-z0-9]+/g);
    return runs ? runs[runs.length - 1] : value;
}

/** A UUID (version 4 layout) from 32 hex characters: the shape of a KMS key id. */
function uuid(h: string): string {
    const variant = "89ab"[parseInt(h[16], 16) % 4];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
