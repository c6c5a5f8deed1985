/**
 * Entry point of the CrossGuard policy pack: constructs the PolicyPack, which starts serving gRPC
 * immediately. Nothing else belongs here (tests import ./policies).
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./policies";
import { installDeserializeOnce } from "./policies/support/deserializeOnce";

installDeserializeOnce();
new PolicyPack(POLICY_PACK_NAME, { policies });
