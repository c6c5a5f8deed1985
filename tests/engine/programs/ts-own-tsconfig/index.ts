import * as pulumi from "@pulumi/pulumi";

class Thing extends pulumi.CustomResource {
    constructor(name: string, args: { size: number; bad?: boolean }) {
        super("test:index:Thing", name, args);
    }
}

const size: number = 3;
const thing = new Thing("own-tsconfig", { size, bad: true });
export const urn = thing.urn;
