"use strict";
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");

class Thing extends pulumi.CustomResource {
    constructor(name, args) {
        super("test:index:Thing", name, args);
    }
}

// Relative to the working directory, which the language host sets to main's directory.
const size = Number(fs.readFileSync("size.txt", "utf8"));
const thing = new Thing("js-main", { size, bad: true });
module.exports = { urn: thing.urn };
