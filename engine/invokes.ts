/**
 * The offline preview's answers to invokes: the built-in ones (the caller's account, the region, the partition, from
 * the stack's config or an explicit provider) and the fixtures, matched on token and exact arguments. Pure; the
 * program runner answers the program's invokes with them, and the tests' and benchmarks' mocks reuse them.
 */
import { partitionOfRegion } from "./placeholders";
import type { JsonValue } from "./policyConfig";
import type { InvokeFixture, RunnerRequest } from "./previewTypes";

const TOKENS = {
    callerIdentity: "aws:index/getCallerIdentity:getCallerIdentity",
    region: "aws:index/getRegion:getRegion",
    partition: "aws:index/getPartition:getPartition",
};

/** The AWS partition of a region (as placeholder ARNs have it), and its DNS suffix. */
export function partitionOf(region: string): { partition: string; dnsSuffix: string; reverseDnsPrefix: string } {
    const partition = partitionOfRegion(region);
    return partition === "aws-cn"
        ? { partition, dnsSuffix: "amazonaws.com.cn", reverseDnsPrefix: "cn.com.amazonaws" }
        : { partition, dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
}

/** JSON with sorted keys and no undefined: the form fixtures are compared in. */
export function canonical(v: unknown): string {
    return JSON.stringify(v, (_k, value: unknown) => {
        if (value && typeof value === "object" && !Array.isArray(value)) {
            return Object.fromEntries(
                Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
            );
        }
        return value;
    });
}

/** Drops undefined values (the SDK passes absent optional arguments as undefined). */
export function plainArgs(v: unknown): Record<string, JsonValue> {
    if (v === undefined || v === null) {
        return {};
    }
    return JSON.parse(JSON.stringify(v)) as Record<string, JsonValue>;
}

/** The fixture answering `token(args)`, if any. */
export function findFixture(
    fixtures: readonly InvokeFixture[],
    token: string,
    args: Record<string, JsonValue>,
): InvokeFixture | undefined {
    const want = canonical(args);
    return fixtures.find((f) => f.token === token && canonical(f.args ?? {}) === want);
}

/** The built-in answer for the invokes a preview of an AWS program needs, or why there is none. */
export function builtinInvoke(
    req: Pick<RunnerRequest, "accountId" | "region">,
    token: string,
    args: Record<string, JsonValue>,
): { result: Record<string, JsonValue> } | { reason: string } | undefined {
    const argRegion =
        typeof args["region"] === "string"
            ? args["region"]
            : typeof args["name"] === "string"
              ? args["name"]
              : undefined;
    const region = argRegion ?? req.region;
    switch (token) {
        case TOKENS.callerIdentity: {
            if (!req.accountId) {
                return {
                    reason: "no account id: pass --account-id 123456789012 or set aws:allowedAccountIds to one account",
                };
            }
            const p = partitionOf(region ?? "us-east-1").partition;
            return {
                result: {
                    accountId: req.accountId,
                    arn: `arn:${p}:iam::${req.accountId}:root`,
                    id: req.accountId,
                    userId: req.accountId,
                },
            };
        }
        case TOKENS.region:
            if (!region) {
                return {
                    reason: "aws:region is not set: pass --config aws:region=us-east-1 or set it in the stack config",
                };
            }
            return {
                result: {
                    name: region,
                    region,
                    id: region,
                    endpoint: `ec2.${region}.${partitionOf(region).dnsSuffix}`,
                    description: region,
                },
            };
        case TOKENS.partition: {
            if (!region) {
                return {
                    reason: "aws:region is not set: pass --config aws:region=us-east-1 or set it in the stack config",
                };
            }
            const p = partitionOf(region);
            return { result: { ...p, id: p.partition } };
        }
        default:
            return undefined;
    }
}
