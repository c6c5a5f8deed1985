/**
 * The protocol stubs the Construct tests use besides those of `harness/providerPlugin.ts` (the
 * ResourceMonitor and Engine services the engine side serves, aliases, and the error details of a refused
 * Construct), from the same `@pulumi/pulumi`, so messages built here serialize as the plugin expects.
 */
import * as path from "node:path";
import type * as resourceGrpcTypes from "@pulumi/pulumi/proto/resource_grpc_pb";
import type * as resourcePbTypes from "@pulumi/pulumi/proto/resource_pb";
import type * as aliasPbTypes from "@pulumi/pulumi/proto/alias_pb";
import type * as errorsPbTypes from "@pulumi/pulumi/proto/errors_pb";
import type * as statusPbTypes from "@pulumi/pulumi/proto/status_pb";
import { UNKNOWN as UNKNOWN_SENTINELS } from "../../engine/properties";
import { ROOT, stubs } from "../providerPlugin";

const PULUMI_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [ROOT] }));
const proto = (name: string): string => path.join(PULUMI_DIR, "proto", name);

export { stubs };
export const resourceGrpc = require(proto("resource_grpc_pb")) as typeof resourceGrpcTypes;
export const resourcePb = require(proto("resource_pb")) as typeof resourcePbTypes;
export const aliasPb = require(proto("alias_pb")) as typeof aliasPbTypes;
export const errorsPb = require(proto("errors_pb")) as typeof errorsPbTypes;
export const statusPb = require(proto("status_pb")) as typeof statusPbTypes;

export { SECRET_SIG, SIG_KEY as SIG } from "../../engine/properties";
/** The unknown sentinel the SDKs send for a value not known at preview. */
export const UNKNOWN = UNKNOWN_SENTINELS.string;
/** Wire signature of a resource reference (`rpc.ts` `specialResourceSig`). */
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** Wire signature of an output value (`rpc.ts` `specialOutputValueSig`). */
export const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
