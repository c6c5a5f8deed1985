/** The inputs and outputs of the disk-encryption operations, and who they act as. */
import type { AwsCredentialIdentityProvider } from "@smithy/types";

/** Who the operations act as; built by the provider plugin from its configuration. */
export interface AwsAccess {
    /** Credentials for the SDK clients; undefined = the SDK's default credential chain. */
    credentials?: AwsCredentialIdentityProvider;
    /** Region used when the resource's own `region` input is absent. */
    region?: string;
}

/** Time and attempt bounds of one provider operation. Every field is optional. */
export interface DiskEncryptionTimeouts {
    /** Overall budget of one create, update or delete, in milliseconds. Default 1,800,000 (30 min). */
    totalMs?: number;
    /** First wait between two `GetApplication` polls, in milliseconds. Default 2,000. */
    pollInitialMs?: number;
    /** Longest wait between two polls (the backoff cap), in milliseconds. Default 30,000. */
    pollMaxMs?: number;
    /** Attempts per API call in the SDK's standard retry mode (1 = no retry). Default 5. */
    maxAttempts?: number;
    /** Timeout of one HTTP request (connection and response), in milliseconds. Default 60,000. */
    requestTimeoutMs?: number;
    /**
     * How long the read-back after UpdateApplication may take to show the new setting (the
     * service's eventual consistency), in milliseconds. Default 60,000.
     */
    convergenceMs?: number;
}

/** The plain (resolved) inputs of the setting. */
export interface DiskEncryptionInputs {
    /** The EMR Serverless application id. */
    applicationId: string;
    /** The KMS key ARN. */
    encryptionKeyArn: string;
    /** The custom encryption context, if any. */
    encryptionContext?: Record<string, string>;
    /** The application's region; absent = `AwsAccess.region`. */
    region?: string;
    /** Stop, update and start again a STARTED application. Default false. */
    restartIfStarted?: boolean;
    /** Time and attempt bounds. */
    timeouts?: DiskEncryptionTimeouts;
}

/** The outputs of create and update: the inputs, the region used, and the application's ARN. */
export interface DiskEncryptionOutputs extends DiskEncryptionInputs {
    /** The region the application lives in (resolved). */
    region: string;
    /** The application ARN as GetApplication reported it (absent in states written by 0.1). */
    applicationArn?: string;
}

/** The setting as AWS holds it; `encryptionKeyArn` is absent when the application has no customer-managed key. */
export interface DiskEncryptionReadOutputs extends Omit<DiskEncryptionOutputs, "encryptionKeyArn"> {
    encryptionKeyArn?: string;
}

/**
 * What `readDiskEncryption` (provider.ts) found. `found: false` only when the application is certainly gone
 * (deleted or TERMINATED in its own account and region), or, for an import (nothing recorded),
 * when no such application is visible in the region to the credentials in use.
 */
export type DiskEncryptionReadResult =
    { found: true; id: string; outputs: DiskEncryptionReadOutputs } | { found: false; id: string; reason: string };

/** A disk-encryption setting: no key (or an empty one) means unset. */
export type Setting = { encryptionKeyArn?: string; encryptionContext?: Record<string, string> };
