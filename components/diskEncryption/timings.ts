/**
 * The time and attempt bounds of one operation: the optional `timeouts` input resolved against the
 * defaults, and the backoff between two polls. Pure.
 */
import type { DiskEncryptionTimeouts } from "./types";

/** Resolved bounds. */
export interface Timings {
    totalMs: number;
    pollInitialMs: number;
    pollMaxMs: number;
    maxAttempts: number;
    requestTimeoutMs: number;
    convergenceMs: number;
}

/** Resolves `timeouts` against the defaults, clamping each value into a sane range. */
export function resolveTimings(t: DiskEncryptionTimeouts | undefined): Timings {
    const pick = (v: unknown, dflt: number, min: number, max: number): number =>
        typeof v === "number" && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : dflt;
    const src = t ?? {};
    return {
        totalMs: pick(src.totalMs, 1_800_000, 1, 6 * 3_600_000),
        pollInitialMs: pick(src.pollInitialMs, 2_000, 1, 600_000),
        pollMaxMs: pick(src.pollMaxMs, 30_000, 1, 600_000),
        maxAttempts: Math.round(pick(src.maxAttempts, 5, 1, 20)),
        requestTimeoutMs: pick(src.requestTimeoutMs, 60_000, 1, 900_000),
        convergenceMs: pick(src.convergenceMs, 60_000, 1, 3_600_000),
    };
}

/** Wait before poll number `attempt` (0-based): exponential, capped, with "equal jitter" (half fixed, half random). */
export function backoffDelay(
    attempt: number,
    initialMs: number,
    maxMs: number,
    random: number = Math.random(),
): number {
    const cap = Math.min(maxMs, initialMs * Math.pow(2, Math.min(attempt, 30)));
    return cap / 2 + (random * cap) / 2;
}
