"use strict";
const pulumi = require("@pulumi/pulumi");

class Thing extends pulumi.CustomResource {
    constructor(name, args) {
        super("test:index:Thing", name, args);
    }
}

const thing = new Thing("js", { size: 4, bad: true });
module.exports = { urn: thing.urn };
