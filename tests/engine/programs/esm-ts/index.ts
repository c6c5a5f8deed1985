import * as pulumi from "@pulumi/pulumi";

class Thing extends pulumi.CustomResource {
    constructor(name: string, args: { size: number; bad?: boolean }) {
        super("test:index:Thing", name, args);
    }
}

const thing = new Thing("esm-ts", { size: 8, bad: true });
export const urn = thing.urn;
