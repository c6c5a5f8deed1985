// The peer of the offline preview at scale: the same program under plain `pulumi.runtime.setMocks`, as a unit
// test would run it (preview mode, each create's inputs as its state, the invokes the preview answers from config
// answered the same way), nothing else. Plain JavaScript: nothing compiles this process or maps its stack traces.
//
//   node bench/lib/peerMocks.js <program directory> <result.json>
//
// Writes {"registrations": N, "ms": wall time from loading the program to the last registration}.
/* global setInterval, clearInterval */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [programDir, resultFile] = process.argv.slice(2);
process.chdir(programDir);
process.env.PULUMI_CONFIG = JSON.stringify({ "aws:region": "us-east-1" });
const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [programDir] }));
const settings = require(
    path.join(path.dirname(require.resolve("@pulumi/pulumi", { paths: [programDir] })), "runtime", "settings"),
);

let registrations = 0;
const region = "us-east-1";
const account = "111122223333";
pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            registrations++;
            return { id: undefined, state: args.inputs };
        },
        call: (args) => {
            switch (args.token) {
                case "aws:index/getCallerIdentity:getCallerIdentity":
                    return { accountId: account, arn: `arn:aws:iam::${account}:root`, id: account, userId: account };
                case "aws:index/getRegion:getRegion":
                    return { name: region, region, id: region };
                case "aws:index/getPartition:getPartition":
                    return {
                        partition: "aws",
                        dnsSuffix: "amazonaws.com",
                        reverseDnsPrefix: "com.amazonaws",
                        id: "aws",
                    };
                default:
                    throw new Error(`peer: no answer for ${args.token}`);
            }
        },
    },
    "scale",
    "bench",
    true,
);
const started = Date.now();
// Keeps the process alive while registrations are pending (mocks hold no handle of their own).
const keepAlive = setInterval(() => undefined, 1000);
let failed;
process.on("unhandledRejection", (e) => (failed = failed || String(e)));
require(path.resolve(programDir));
settings.waitForRPCs().then(
    () => {
        clearInterval(keepAlive);
        fs.writeFileSync(resultFile, JSON.stringify({ registrations, ms: Date.now() - started, error: failed }));
        process.exit(0);
    },
    (e) => {
        fs.writeFileSync(resultFile, JSON.stringify({ registrations, ms: Date.now() - started, error: String(e) }));
        process.exit(1);
    },
);
