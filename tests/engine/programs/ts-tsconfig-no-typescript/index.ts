import * as pulumi from "@pulumi/pulumi";

class Thing extends pulumi.CustomResource {
    constructor(name: string, args: { size: number; bad?: boolean }) {
        super("test:index:Thing", name, args);
    }
}

const thing = new Thing("tsconfig-no-typescript", { size: 2, bad: true });
export const urn = thing.urn;
