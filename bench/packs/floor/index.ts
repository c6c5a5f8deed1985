/**
 * Benchmark peer (b), the floor: the same @pulumi/policy with one trivial stack policy. It reads each
 * resource's type once, the least a stack policy can do, so AnalyzeStack pays @pulumi/policy's
 * deserialization of every resource exactly once. Compiled by bench/run.ts to bin/index.js.
 */
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("bench-floor", {
    policies: [
        {
            name: "count-resources",
            description: "Counts the stack's resources (trivial; reports nothing).",
            enforcementLevel: "advisory",
            validateStack: (args) => {
                let n = 0;
                for (const r of args.resources) {
                    if (r.type.length > 0) {
                        n++;
                    }
                }
                if (n < 0) {
                    throw new Error("unreachable");
                }
            },
        },
    ],
});
