/**
 * The analyzer protocol's messages: building the requests the engine sends (`Configure`, `Analyze`/`Remediate`,
 * `AnalyzeStack`) from this engine's types, and reading the pack's replies (its info, diagnostics, remediations).
 */
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import type {
    AnalyzerInfo,
    AnalyzerResource,
    AnalyzerStackResource,
    Diagnostic,
    PolicyInfo,
    ProviderResource,
    Remediation,
    ResourceOptions,
} from "./analyzerTypes";
import type { Stubs } from "./packProcess";
import type { EnforcementLevel, JsonSchema, JsonValue, PolicyConfig } from "./policyConfig";
import { type PropertyMap, stripInternalKeys } from "./properties";

const LEVEL_BY_ENUM: Record<number, EnforcementLevel> = {
    0: "advisory",
    1: "mandatory",
    2: "disabled",
    3: "remediate",
};
const ENUM_BY_LEVEL: Record<EnforcementLevel, number> = { advisory: 0, mandatory: 1, disabled: 2, remediate: 3 };

function levelOf(n: number): EnforcementLevel {
    const level = LEVEL_BY_ENUM[n];
    if (!level) {
        throw new Error(`policy pack returned an invalid enforcement level ${n}`);
    }
    return level;
}

function toStruct(stubs: Stubs, props: PropertyMap): structPbTypes.Struct {
    const clean = (stripInternalKeys(props) ?? {}) as Record<string, structPbTypes.JavaScriptValue>;
    return stubs.structPb.Struct.fromJavaScript(clean);
}

/** The pack's description of itself, from `GetAnalyzerInfo` (policies sorted by name). */
export function convertInfo(ai: analyzerPbTypes.AnalyzerInfo): AnalyzerInfo {
    const types: Record<number, PolicyInfo["policyType"]> = { 1: "resource", 2: "stack" };
    const policies: PolicyInfo[] = ai.getPoliciesList().map((p) => {
        const schema = p.getConfigschema();
        return {
            name: p.getName(),
            displayName: p.getDisplayname(),
            description: p.getDescription(),
            enforcementLevel: levelOf(p.getEnforcementlevel()),
            policyType: types[p.getPolicyType()] ?? "unknown",
            ...(schema
                ? {
                      configSchema: {
                          properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, JsonSchema>,
                          required: schema.getRequiredList(),
                      },
                  }
                : {}),
        };
    });
    policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const initialConfig: Record<string, PolicyConfig> = {};
    ai.getInitialconfigMap().forEach((v, k) => {
        const props = v.getProperties()?.toJavaScript() as Record<string, JsonValue> | undefined;
        initialConfig[k] = {
            enforcementLevel: levelOf(v.getEnforcementlevel()),
            ...(props && Object.keys(props).length > 0 ? { properties: props } : {}),
        };
    });
    return {
        name: ai.getName(),
        displayName: ai.getDisplayname(),
        version: ai.getVersion(),
        supportsConfig: ai.getSupportsconfig(),
        policies,
        initialConfig,
    };
}

function buildOptions(
    stubs: Stubs,
    o: ResourceOptions | undefined,
    parent: string | undefined,
): analyzerPbTypes.AnalyzerResourceOptions {
    const { analyzerPb } = stubs;
    const opts = new analyzerPb.AnalyzerResourceOptions();
    opts.setProtect(o?.protect ?? false);
    opts.setIgnorechangesList(o?.ignoreChanges ?? []);
    opts.setDeletebeforereplace(o?.deleteBeforeReplace ?? false);
    opts.setDeletebeforereplacedefined(o?.deleteBeforeReplace !== undefined);
    opts.setAdditionalsecretoutputsList(o?.additionalSecretOutputs ?? []);
    opts.setAliasesList(o?.aliases ?? []);
    const ct = new analyzerPb.AnalyzerResourceOptions.CustomTimeouts();
    ct.setCreate(o?.customTimeouts?.create ?? 0);
    ct.setUpdate(o?.customTimeouts?.update ?? 0);
    ct.setDelete(o?.customTimeouts?.delete ?? 0);
    opts.setCustomtimeouts(ct);
    const p = o?.parent ?? parent;
    if (p) {
        opts.setParent(p);
    }
    return opts;
}

function buildProvider(
    stubs: Stubs,
    p: ProviderResource | undefined,
): analyzerPbTypes.AnalyzerProviderResource | undefined {
    if (!p) {
        return undefined;
    }
    const prov = new stubs.analyzerPb.AnalyzerProviderResource();
    prov.setType(p.type);
    prov.setName(p.name);
    prov.setUrn(p.urn);
    prov.setProperties(toStruct(stubs, p.properties));
    return prov;
}

/** Sets what `Analyze` and `AnalyzeStack` both send of a resource: type, name, URN, properties, options, provider. */
export function setResource<M extends analyzerPbTypes.AnalyzeRequest | analyzerPbTypes.AnalyzerResource>(
    stubs: Stubs,
    msg: M,
    r: AnalyzerResource,
): M {
    msg.setType(r.type);
    msg.setName(r.name);
    msg.setUrn(r.urn);
    msg.setProperties(toStruct(stubs, r.properties));
    msg.setOptions(buildOptions(stubs, r.options, undefined));
    const prov = buildProvider(stubs, r.provider);
    if (prov) {
        msg.setProvider(prov);
    }
    return msg;
}

/** The `Analyze` (and `Remediate`) request for one resource. */
export function analyzeRequest(stubs: Stubs, r: AnalyzerResource): analyzerPbTypes.AnalyzeRequest {
    return setResource(stubs, new stubs.analyzerPb.AnalyzeRequest(), r);
}

/** The diagnostics of an `Analyze` or `AnalyzeStack` response; `defaultUrn` for those that name no resource. */
export function convertDiagnostics(resp: analyzerPbTypes.AnalyzeResponse, defaultUrn = ""): Diagnostic[] {
    return resp.getDiagnosticsList().map((d) => ({
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: d.getPolicypackversion(),
        description: d.getDescription(),
        message: d.getMessage(),
        enforcementLevel: levelOf(d.getEnforcementlevel()),
        urn: d.getUrn() || defaultUrn,
    }));
}

/** The `Configure` request: one PolicyConfig per policy of the reconciled config. */
export function configureRequest(
    stubs: Stubs,
    reconciled: Record<string, PolicyConfig>,
): analyzerPbTypes.ConfigureAnalyzerRequest {
    const { analyzerPb, structPb } = stubs;
    const req = new analyzerPb.ConfigureAnalyzerRequest();
    for (const [name, c] of Object.entries(reconciled)) {
        const pc = new analyzerPb.PolicyConfig();
        pc.setEnforcementlevel(ENUM_BY_LEVEL[c.enforcementLevel ?? "advisory"] as analyzerPbTypes.EnforcementLevel);
        pc.setProperties(
            structPb.Struct.fromJavaScript((c.properties ?? {}) as Record<string, structPbTypes.JavaScriptValue>),
        );
        req.getPolicyconfigMap().set(name, pc);
    }
    return req;
}

/** The `AnalyzeStack` request: every resource with its outputs and its relations, as URNs. */
export function analyzeStackRequest(
    stubs: Stubs,
    resources: readonly AnalyzerStackResource[],
): analyzerPbTypes.AnalyzeStackRequest {
    const { analyzerPb } = stubs;
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const ar = setResource(stubs, new analyzerPb.AnalyzerResource(), r);
            if (r.parent) {
                ar.setParent(r.parent);
            }
            ar.setDependenciesList(r.dependencies ?? []);
            for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                if (urns.length === 0) {
                    continue; // the engine omits properties with no dependencies
                }
                const pd = new analyzerPb.AnalyzerPropertyDependencies();
                pd.setUrnsList(urns);
                ar.getPropertydependenciesMap().set(k, pd);
            }
            return ar;
        }),
    );
    return req;
}

/** The remediations of a `Remediate` response for the resource `urn`, in the order the pack ran them. */
export function convertRemediations(resp: analyzerPbTypes.RemediateResponse, urn: string): Remediation[] {
    return resp.getRemediationsList().map((m) => {
        const props = m.getProperties();
        return {
            policyName: m.getPolicyname(),
            policyPackName: m.getPolicypackname(),
            policyPackVersion: m.getPolicypackversion(),
            description: m.getDescription(),
            ...(props ? { properties: props.toJavaScript() as PropertyMap } : {}),
            ...(m.getDiagnostic() ? { diagnostic: m.getDiagnostic() } : {}),
            urn,
        };
    });
}
