/**
 * The stack index, built in linear time: which keys a disk-encryption setting uses, which KeyPolicy resources
 * replace which key's policy, which grants are on which key, which applications a setting covers. Every read is
 * guarded: a resource whose props are unknown at preview contributes what is known and never stops the judgment
 * of the others. Each resource's properties are read from the plain object behind @pulumi/policy's proxy, taken
 * once per resource.
 */
import type { PolicyResource } from "@pulumi/policy";
import { BARE_KEY_ID_PATTERN, EMR_APPLICATION_TYPE, KMS_KEY_POLICY_TYPE, parseKeyArn } from "../../judge";
import { parseApplicationArn } from "../../judge/arn";
import {
    documentProperty,
    isKeyType,
    isReplicaKeyType,
    isSettingResourceType,
    KMS_GRANT_TYPE,
    knownKeyShape,
    knownRotation,
    knownSettingHolder,
} from "./keys";
import { addIdentifiers, depKeys, ExternalKeys, KeyLookup, KeyRefs, referencedKeys } from "./keyRefs";
import { knownString, Props, tryRead, unwrap } from "./props";
import type { AppEntry, DocumentEntry, GrantEntry, KeyEntry, SettingEntry, StackIndex } from "./stackTypes";

/** A resource's properties: the plain deserialized object behind the proxy (unknown values left as sentinels). */
function plainProps(r: PolicyResource): Props {
    return unwrap(r.props) as Props;
}

/** Builds the index: one pass over the resources, then one over settings and KeyPolicy resources. */
export function buildStackIndex(resources: readonly PolicyResource[]): StackIndex {
    const keys: KeyEntry[] = [];
    const keyByUrn = new Map<string, KeyEntry>();
    const keyLookup: KeyLookup = { byArn: new Map(), byId: new Map() };
    const replicas: KeyEntry[] = [];
    const apps: AppEntry[] = [];
    const appByUrn = new Map<string, AppEntry>();
    const appById = new Map<string, AppEntry>();
    const keyPolicyResources: PolicyResource[] = [];
    const settingResources: PolicyResource[] = [];
    const grantResources: PolicyResource[] = [];
    const external = new ExternalKeys();
    const stack: KeyRefs = { byUrn: keyByUrn, lookup: keyLookup, external };

    for (const r of resources) {
        const props = plainProps(r);
        if (isKeyType(r.type)) {
            const entry: KeyEntry = {
                resource: r,
                shape: knownKeyShape(r.type, props),
                rotation: knownRotation(r.type, props),
                inline: { resource: r, inline: true, document: tryRead(props, documentProperty(r.type)) },
                keyPolicies: [],
                settings: [],
                grants: [],
            };
            keys.push(entry);
            keyByUrn.set(r.urn, entry);
            addIdentifiers(keyLookup, entry, props);
            entry.inline.keyArn = entry.arn;
            if (isReplicaKeyType(r.type) && !entry.shape) {
                replicas.push(entry);
            }
        } else if (r.type === KMS_KEY_POLICY_TYPE) {
            keyPolicyResources.push(r);
        } else if (r.type === KMS_GRANT_TYPE) {
            grantResources.push(r);
        } else if (isSettingResourceType(r.type)) {
            settingResources.push(r);
        } else if (r.type === EMR_APPLICATION_TYPE) {
            const ids: string[] = [];
            const id = knownString(tryRead(props, "id"));
            const arn = knownString(tryRead(props, "arn"));
            let account: string | undefined;
            if (id) {
                ids.push(id);
            }
            const parsed = parseApplicationArn(arn);
            if (parsed) {
                account = parsed.account;
                if (!ids.includes(parsed.applicationId)) {
                    ids.push(parsed.applicationId);
                }
            }
            const entry: AppEntry = { resource: r, ids, arn, account, covered: false };
            apps.push(entry);
            appByUrn.set(r.urn, entry);
            for (const i of ids) {
                appById.set(i, entry);
            }
            const own = knownSettingHolder(r.type, props);
            if (!own.known) {
                entry.covered = true; // unknown at preview: judged at update
            } else if (own.holder !== undefined) {
                settingResources.push(r);
            }
        }
    }

    // A replica's spec is its primary key's: taken from the primary when the stack holds it.
    for (const replica of replicas) {
        const r = replica.resource;
        const primaries = depKeys(r, "primaryKeyArn", keyByUrn);
        const arn = knownString(tryRead(plainProps(r), "primaryKeyArn"));
        const exact = arn ? keyLookup.byArn.get(arn) : undefined;
        if (exact && !primaries.includes(exact)) {
            primaries.push(exact);
        }
        const shapes = primaries.filter((p) => p !== replica && !isReplicaKeyType(p.resource.type));
        if (shapes.length === 1 && shapes[0].shape) {
            replica.shape = { ...shapes[0].shape };
            replica.shapeFromPrimary = true;
        }
    }

    for (const r of keyPolicyResources) {
        const props = plainProps(r);
        const keyId = knownString(tryRead(props, "keyId"));
        const doc: DocumentEntry = { resource: r, inline: false, document: tryRead(props, "policy") };
        if (keyId && parseKeyArn(keyId)) {
            doc.keyArn = keyId;
        } else if (keyId && BARE_KEY_ID_PATTERN.test(keyId)) {
            doc.keyId = keyId;
        }
        const targets = referencedKeys(r, "keyId", keyId, knownString(tryRead(props, "region")), stack, true);
        for (const k of targets) {
            k.keyPolicies.push(doc);
        }
    }

    const settings: SettingEntry[] = [];
    let unresolvedApplications = false;
    for (const r of settingResources) {
        const isApp = r.type === EMR_APPLICATION_TYPE;
        const props = plainProps(r);
        const own = knownSettingHolder(r.type, props);
        const holder = own.known ? own.holder : undefined;
        if (!holder) {
            continue;
        }
        const keyArn = knownString(tryRead(holder, "encryptionKeyArn"));
        const settingRegion = isApp ? undefined : knownString(tryRead(props, "region"));
        const resolved = referencedKeys(
            r,
            isApp ? "diskEncryptionConfiguration" : "encryptionKeyArn",
            keyArn,
            settingRegion,
            stack,
            true,
        );
        const entry: SettingEntry = { resource: r, keyArn, keys: resolved };
        if (isApp) {
            entry.app = appByUrn.get(r.urn);
        } else {
            const appIdRead = tryRead(props, "applicationId");
            entry.applicationId = knownString(appIdRead);
            entry.region = knownString(tryRead(props, "region"));
            const deps = r.propertyDependencies?.["applicationId"] ?? [];
            for (const d of deps) {
                const a = d && appByUrn.get(d.urn);
                // A known id is the application the setting configures: a dependency whose id differs is not it.
                if (a && (!entry.applicationId || a.ids.length === 0 || a.ids.includes(entry.applicationId))) {
                    entry.app = a;
                    break;
                }
            }
            if (!entry.app && entry.applicationId) {
                entry.app = appById.get(entry.applicationId);
            }
            if (!entry.app && !entry.applicationId) {
                unresolvedApplications = true;
            }
        }
        if (entry.app) {
            entry.app.covered = true;
        }
        for (const k of resolved) {
            k.settings.push(entry);
        }
        settings.push(entry);
    }

    const grants: GrantEntry[] = [];
    for (const r of grantResources) {
        const props = plainProps(r);
        const keyId = knownString(tryRead(props, "keyId"));
        const entry: GrantEntry = {
            resource: r,
            keys: referencedKeys(r, "keyId", keyId, knownString(tryRead(props, "region")), stack, false),
        };
        for (const k of entry.keys) {
            k.grants.push(entry);
        }
        grants.push(entry);
    }
    return { keys, externalKeys: external.entries, grants, apps, settings, unresolvedApplications };
}
