/**
 * What the engine would present to the analyzer, built from the runner's recordings: the root stack, default
 * providers, and every resource with its provider, parent, inputs and preview outputs.
 */
import type { AnalyzerStackResource, ProviderResource, ResourceOptions } from "./analyzerTypes";
import { type PropertyMap, secret, UNKNOWN, stripInternalKeys } from "./properties";
import type { RecordedResource, RunnerResult } from "./previewTypes";

/** A resource as the engine would present it to the analyzer (inputs for Analyze, outputs for AnalyzeStack). */
export interface EngineResource extends AnalyzerStackResource {
    op: "create" | "read";
    custom: boolean;
    /** True for a default provider the engine adds. */
    defaultProvider?: boolean;
    inputs: PropertyMap;
}

/** The root stack resource's URN. */
export function stackUrn(project: string, stack: string): string {
    return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}

/**
 * Computed outputs the offline preview marks unknown on a create when the program did not set them: a small table
 * of the outputs this repository's pack reads, by type token. Without the providers' schemas the offline preview
 * cannot know every computed output: any other computed output (e.g. `tagsAll`, a Role's autonamed `name`) is
 * absent from AnalyzeStack's outputs, where `pulumi preview` would have it (as unknown, or known when the provider
 * computes it at preview). `id` is unknown on every create.
 */
export const KNOWN_COMPUTED_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
    "aws:kms/key:Key": ["arn", "keyId"],
    "aws:kms/alias:Alias": ["arn", "targetKeyArn"],
    "aws:emrserverless/application:Application": ["arn"],
    "aws:iam/role:Role": ["arn", "uniqueId"],
    "aws:iam/policy:Policy": ["arn", "policyId"],
};

/** A create's preview outputs (pure): its inputs, the unknown id, and the table's computed outputs it lacks. */
export function previewCreateOutputs(type: string, inputs: PropertyMap): PropertyMap {
    const out: PropertyMap = { ...inputs };
    for (const k of KNOWN_COMPUTED_OUTPUTS[type] ?? []) {
        if (!(k in out)) {
            out[k] = UNKNOWN.string;
        }
    }
    out["id"] = UNKNOWN.string;
    return out;
}

/** The package of a type token (`aws:kms/key:Key` -> `aws`). */
function packageOf(type: string): string {
    return type.split(":")[0];
}

/**
 * What the engine would see, from the runner's recordings, built as registrations arrive: the root stack, default
 * providers (one per package and version, with the package's config as inputs, secret config keys wrapped as
 * secrets as the CLI sends them), and every resource with its provider, its parent (the root stack when the program
 * gave none), its inputs, and its preview outputs (for a create: inputs, an unknown id and the
 * {@link KNOWN_COMPUTED_OUTPUTS} it lacks; state for a read; registered outputs for a component; exports for the
 * stack). Each resource costs the same whatever the stack's size.
 */
export class EngineViewBuilder {
    private readonly secrets: ReadonlySet<string>;
    private readonly rootUrn: string;
    private readonly providers = new Map<string, ProviderResource>();
    /** The view so far, with the recording each entry came from (components' outputs arrive later). */
    private readonly entries: { resource: EngineResource; recorded?: RecordedResource }[] = [];

    constructor(
        private readonly project: string,
        private readonly stack: string,
        private readonly config: Readonly<Record<string, string>>,
        secretKeys: readonly string[] = [],
    ) {
        this.secrets = new Set(secretKeys);
        this.rootUrn = stackUrn(project, stack);
        this.entries.push({
            resource: {
                op: "create",
                custom: false,
                type: "pulumi:pulumi:Stack",
                name: `${project}-${stack}`,
                urn: this.rootUrn,
                inputs: {},
                properties: {},
            },
        });
    }

    /** The root stack (the first entry). */
    public get root(): EngineResource {
        return (this.entries[0] as { resource: EngineResource }).resource;
    }

    private defaultProvider(r: RecordedResource, added: EngineResource[]): ProviderResource {
        const pkg = packageOf(r.type);
        const name = r.version ? `default_${r.version.replace(/[.-]/g, "_")}` : "default";
        const urn = `urn:pulumi:${this.stack}::${this.project}::pulumi:providers:${pkg}::${name}`;
        let p = this.providers.get(urn);
        if (!p) {
            const properties: PropertyMap = {};
            for (const [k, v] of Object.entries(this.config)) {
                if (k.startsWith(`${pkg}:`)) {
                    properties[k.slice(pkg.length + 1)] = this.secrets.has(k) ? secret(v) : v;
                }
            }
            if (r.version) {
                properties["version"] = r.version;
            }
            p = { type: `pulumi:providers:${pkg}`, name, urn, properties };
            this.providers.set(urn, p);
            const resource: EngineResource = {
                op: "create",
                custom: true,
                defaultProvider: true,
                type: p.type,
                name,
                urn,
                inputs: properties,
                properties,
                parent: this.rootUrn,
            };
            this.entries.push({ resource });
            added.push(resource);
        }
        return p;
    }

    /**
     * Adds one registration (in the order they completed) and returns the entries it added: the default provider
     * its package needs, the first time, then the resource itself.
     */
    public add(r: RecordedResource): EngineResource[] {
        const added: EngineResource[] = [];
        if (r.type.startsWith("pulumi:providers:")) {
            this.providers.set(r.urn, { type: r.type, name: r.name, urn: r.urn, properties: r.inputs });
        }
        const inputs = (stripInternalKeys(r.inputs) ?? {}) as PropertyMap;
        let provider: ProviderResource | undefined;
        if (r.custom && !r.type.startsWith("pulumi:providers:")) {
            const ref = r.provider;
            provider = ref ? this.providers.get(ref.slice(0, ref.lastIndexOf("::"))) : this.defaultProvider(r, added);
        }
        const options: ResourceOptions = {
            protect: r.protect,
            ignoreChanges: r.ignoreChanges,
            additionalSecretOutputs: r.additionalSecretOutputs,
            ...(r.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.deleteBeforeReplace } : {}),
            parent: r.parent || this.rootUrn,
        };
        const resource: EngineResource = {
            op: r.read ? "read" : "create",
            custom: r.custom,
            type: r.type,
            name: r.name,
            urn: r.urn,
            inputs,
            properties: this.outputsOf(r, inputs),
            options,
            ...(provider ? { provider } : {}),
            parent: r.parent || this.rootUrn,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
        };
        this.entries.push({ resource, recorded: r });
        added.push(resource);
        return added;
    }

    private outputsOf(r: RecordedResource, inputs: PropertyMap): PropertyMap {
        return r.read
            ? { ...inputs, id: r.id ?? UNKNOWN.string }
            : r.state
              ? ((stripInternalKeys(r.state) ?? {}) as PropertyMap)
              : r.custom
                ? previewCreateOutputs(r.type, inputs)
                : ((stripInternalKeys(r.outputs ?? {}) ?? {}) as PropertyMap);
    }

    /**
     * The whole view, once the program has finished: the stack's outputs on the root, components' registered
     * outputs on them (they arrive after the component's registration).
     */
    public view(stackOutputs: PropertyMap): EngineResource[] {
        return this.entries.map(({ resource, recorded }, i) => {
            if (i === 0) {
                return { ...resource, properties: stackOutputs };
            }
            if (recorded && !recorded.custom && !recorded.read && !recorded.state) {
                return { ...resource, properties: this.outputsOf(recorded, resource.inputs) };
            }
            return resource;
        });
    }
}

/** {@link EngineViewBuilder} over a whole recording (pure). */
export function engineView(
    project: string,
    stack: string,
    config: Readonly<Record<string, string>>,
    result: Pick<RunnerResult, "resources" | "stackOutputs">,
    secretKeys: readonly string[] = [],
): EngineResource[] {
    const builder = new EngineViewBuilder(project, stack, config, secretKeys);
    for (const r of result.resources) {
        builder.add(r);
    }
    return builder.view(result.stackOutputs);
}
