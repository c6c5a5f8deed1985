// Test-only: prints to stdout before serving, which the CLI (and the harness) must refuse.
"use strict";
console.log("starting my pack");
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("engine-test-noisy", { policies: [] });
