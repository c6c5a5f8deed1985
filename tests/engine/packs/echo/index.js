// Test-only policy pack for tests/engine: echoes what the harness sends, so the tests can check the
// wire encoding (secrets, unknowns, relations, config) without depending on the real pack.
"use strict";
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("engine-test-echo", {
    policies: [
        {
            name: "echo-props",
            description: "Reports the properties it received.",
            enforcementLevel: "advisory",
            validateResource: (args, report) => {
                if (args.type === "test:index:Echo") {
                    report(JSON.stringify({ props: args.props, opts: args.opts, provider: args.provider }));
                }
            },
        },
        {
            name: "deny-bad",
            description: "Refuses resources whose bad property is true.",
            enforcementLevel: "mandatory",
            configSchema: { properties: { label: { type: "string", default: "bad" } } },
            validateResource: (args, report) => {
                if (args.props.bad === true) {
                    report(`label=${args.getConfig().label}`);
                }
            },
        },
        {
            name: "needs-known",
            description: "Reads mustKnow.",
            enforcementLevel: "mandatory",
            validateResource: (args, report) => {
                if (args.type === "test:index:Known" && args.props.mustKnow !== "yes") {
                    report("mustKnow is not yes");
                }
            },
        },
        {
            name: "stack-relations",
            description: "Reports relations it received.",
            enforcementLevel: "mandatory",
            validateStack: (args, report) => {
                for (const r of args.resources) {
                    if (r.type !== "test:index:Setting") {
                        continue;
                    }
                    const keys = (r.propertyDependencies.keyArn || []).map((d) => d.props.spec);
                    if (keys.includes("RSA_2048")) {
                        report("setting uses an asymmetric key", r.urn);
                    }
                    report({
                        message: JSON.stringify({
                            parent: r.parent ? r.parent.urn : null,
                            deps: r.dependencies.map((d) => d.urn),
                            pdeps: Object.keys(r.propertyDependencies),
                            config: process.env.PULUMI_CONFIG || null,
                            project: process.env.PULUMI_NODEJS_PROJECT || null,
                            dryRun: process.env.PULUMI_NODEJS_DRY_RUN || null,
                        }),
                        enforcementLevel: "advisory",
                        urn: r.urn,
                    });
                }
            },
        },
    ],
});
