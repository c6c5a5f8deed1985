/**
 * The gRPC runtime and the protocol stubs, loaded from the `@pulumi/pulumi` the provider itself uses (one copy
 * of each generated message class, so messages built here serialize as the plugin expects).
 */
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as engineGrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as enginePbTypes from "@pulumi/pulumi/proto/engine_pb";
import type * as pluginPbTypes from "@pulumi/pulumi/proto/plugin_pb";
import type * as providerGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as providerPbTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as resourceGrpcTypes from "@pulumi/pulumi/proto/resource_grpc_pb";
import type * as resourcePbTypes from "@pulumi/pulumi/proto/resource_pb";
import type * as aliasPbTypes from "@pulumi/pulumi/proto/alias_pb";
import type * as errorsPbTypes from "@pulumi/pulumi/proto/errors_pb";
import type * as statusPbTypes from "@pulumi/pulumi/proto/status_pb";
import type * as emptyPbTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as structPbTypes from "google-protobuf/google/protobuf/struct_pb";
import { UNKNOWN as UNKNOWN_SENTINELS } from "../../../engine/properties";

const PULUMI_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const from = (m: string): string => require.resolve(m, { paths: [PULUMI_DIR] });
const proto = (name: string): string => path.join(PULUMI_DIR, "proto", name);

export const grpc = require(from("@grpc/grpc-js")) as typeof grpcTypes;
export const engineGrpc = require(proto("engine_grpc_pb")) as typeof engineGrpcTypes;
export const enginePb = require(proto("engine_pb")) as typeof enginePbTypes;
export const pluginPb = require(proto("plugin_pb")) as typeof pluginPbTypes;
export const providerGrpc = require(proto("provider_grpc_pb")) as typeof providerGrpcTypes;
export const providerPb = require(proto("provider_pb")) as typeof providerPbTypes;
export const resourceGrpc = require(proto("resource_grpc_pb")) as typeof resourceGrpcTypes;
export const resourcePb = require(proto("resource_pb")) as typeof resourcePbTypes;
export const aliasPb = require(proto("alias_pb")) as typeof aliasPbTypes;
export const errorsPb = require(proto("errors_pb")) as typeof errorsPbTypes;
export const statusPb = require(proto("status_pb")) as typeof statusPbTypes;
export const emptyPb = require(from("google-protobuf/google/protobuf/empty_pb")) as typeof emptyPbTypes;
export const structPb = require(from("google-protobuf/google/protobuf/struct_pb")) as typeof structPbTypes;

export { SECRET_SIG, SIG_KEY as SIG } from "../../../engine/properties";
/** The unknown sentinel the SDKs send for a value not known at preview. */
export const UNKNOWN = UNKNOWN_SENTINELS.string;
/** Wire signature of a resource reference (`rpc.ts` `specialResourceSig`). */
export const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** Wire signature of an output value (`rpc.ts` `specialOutputValueSig`). */
export const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
