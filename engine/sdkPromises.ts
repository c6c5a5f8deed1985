/** A change to the program's own `@pulumi/pulumi` that the offline preview's program runner makes before the program runs. */
import * as path from "node:path";

/**
 * The SDK wraps every internal promise for its leak detector and captures a stack trace for each: tens of promises
 * per resource, each holding its trace until it settles, most of the SDK's time and a third of its memory under
 * mocks. The traces are only printed with PULUMI_DEBUG_PROMISE_LEAKS, and the detector only speaks when the
 * process exits ("N promises were still active"), which is not part of what the offline preview reports. Without
 * that variable, the wrapper returns the promise as it is: what the program computes and registers is unchanged.
 */
export function skipPromiseLeakTracking(sdkDir: string): boolean {
    if (process.env["PULUMI_DEBUG_PROMISE_LEAKS"]) {
        return false;
    }
    const debuggable = require(path.join(sdkDir, "runtime", "debuggable")) as {
        debuggablePromise?: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
    };
    if (typeof debuggable.debuggablePromise !== "function") {
        return false;
    }
    debuggable.debuggablePromise = <T>(p: Promise<T>): Promise<T> => p;
    return true;
}
