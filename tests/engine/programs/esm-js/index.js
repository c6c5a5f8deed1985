import * as pulumi from "@pulumi/pulumi";

class Thing extends pulumi.CustomResource {
    constructor(name, args) {
        super("test:index:Thing", name, args);
    }
}

export default async () => {
    const thing = new Thing("esm-js", { size: 7, bad: true });
    return { urn: thing.urn };
};
