"use strict";
const pulumi = require("@pulumi/pulumi");

class Thing extends pulumi.CustomResource {
    constructor(name, args) {
        super("test:index:Thing", name, args);
    }
}

// An exported function is called by the language host; its result is the stack's outputs.
module.exports = async () => {
    const thing = new Thing("js-package-main", { size: 6, bad: true });
    return { urn: thing.urn };
};
