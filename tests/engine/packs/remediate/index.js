// Test-only policy pack for tests/engine: a remediation that fixes test:index:Thing, a mandatory policy that
// passes only on the fixed inputs, and a stack policy that reports what AnalyzeStack received.
"use strict";
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("engine-test-remediate", {
    policies: [
        {
            name: "fix-thing",
            description: "Sets fixed=true and drops bad.",
            enforcementLevel: "remediate",
            remediateResource: (args) => {
                if (args.type === "test:index:Thing") {
                    const props = { ...args.props, fixed: true };
                    delete props.bad;
                    return props;
                }
                if (args.type === "test:index:Unknowable") {
                    // Reading an unknown at preview: the remediation cannot run.
                    return { ...args.props, copy: args.props.later.toUpperCase() };
                }
                return undefined;
            },
            validateResource: (args, report) => {
                // test:index:Stubborn is left alone by the remediation, so its violation remains.
                if (
                    (args.type === "test:index:Thing" || args.type === "test:index:Stubborn") &&
                    args.props.bad === true
                ) {
                    report("still bad after remediation");
                }
            },
        },
        {
            name: "require-fixed",
            description: "Things must be fixed.",
            enforcementLevel: "mandatory",
            validateResource: (args, report) => {
                if (args.type === "test:index:Thing" && args.props.fixed !== true) {
                    report("thing is not fixed");
                }
            },
        },
        {
            name: "stack-sees",
            description: "Reports the Thing outputs AnalyzeStack received.",
            enforcementLevel: "advisory",
            validateStack: (args, report) => {
                for (const r of args.resources) {
                    if (r.type === "test:index:Thing") {
                        // Only known properties: reading the unknown id would make the policy unable to run.
                        report(JSON.stringify({ fixed: r.props.fixed, hasBad: "bad" in r.props }), r.urn);
                    }
                }
            },
        },
    ],
});
