/**
 * One deserialization of a request's properties per call, however many policies read them.
 *
 * @pulumi/policy 1.21's server deserializes every resource's properties again for each policy it runs
 * (`server.js`: AnalyzeStack once per stack policy over the whole stack, Analyze once per resource policy), each
 * time from the same protobuf `Struct` of the request it is answering. The pack installs a memo keyed by that
 * `Struct` object: the first policy deserializes it, the others get the same plain object (each still behind a
 * proxy of its own). A `Struct` belongs to one request message, so one call's properties can never be served to
 * another: a new request is a new message with new `Struct`s, and the memo, a WeakMap, lets each go with its
 * request.
 *
 * Only the read-only path is shared: Remediate's deserialization (`proxySecrets`, whose result a remediation may
 * change) is passed through untouched. The pack's policies never write to the properties they are given. If the
 * module does not have the shape this was written against, nothing is installed and the server works as it
 * always did.
 *
 * The objects the memo serves are remembered (weakly) as shared: one such object is one resource of one request,
 * which lets the stack index tell, without comparing them, that two stack policies' copies of a resource are the
 * same (stack.ts). Without the memo no object is shared, and the index compares the copies field by field.
 */

/** The deserializer as @pulumi/policy's server calls it. */
type Deserialize = (struct: unknown, proxySecrets?: boolean) => Record<string, unknown>;

/** The module's mutable exports, as the server reads them at every call. */
export interface DeserializeModule {
    deserializeProperties: unknown;
}

const INSTALLED = Symbol.for("emr-serverless-disk-encryption.deserializeOnce");

/** Every object a memo has served (each the properties of one resource of one request). */
const served = new WeakSet<object>();

/**
 * True when `value` is properties a memo served: then every resource whose properties are this very object is the
 * resource of the one request message that carried its `Struct`.
 */
export function isSharedProperties(value: unknown): boolean {
    return value !== null && typeof value === "object" && served.has(value);
}

/** The memoizing deserializer around `original`. */
export function deserializeOnce(original: Deserialize): Deserialize {
    const memo = new WeakMap<object, Record<string, unknown>>();
    return function deserializeProperties(this: unknown, struct: unknown, proxySecrets?: boolean) {
        if (proxySecrets || struct === null || typeof struct !== "object") {
            return original.call(this, struct, proxySecrets);
        }
        let props = memo.get(struct);
        if (props === undefined) {
            props = original.call(this, struct, proxySecrets);
            memo.set(struct, props);
            if (props !== null && typeof props === "object") {
                served.add(props);
            }
        }
        return props;
    };
}

/**
 * Installs {@link deserializeOnce} on `mod` (by default @pulumi/policy's deserialize module, which its server
 * reads at every call). Returns false, changing nothing, when the module has no such function or it is already
 * installed.
 */
export function installDeserializeOnce(mod?: DeserializeModule): boolean {
    const target = mod ?? (require("@pulumi/policy/deserialize") as DeserializeModule);
    const original = target.deserializeProperties;
    if (typeof original !== "function" || (original as unknown as Record<symbol, unknown>)[INSTALLED]) {
        return false;
    }
    const shared = deserializeOnce(original as Deserialize);
    Object.defineProperty(shared, INSTALLED, { value: true });
    target.deserializeProperties = shared;
    return true;
}
