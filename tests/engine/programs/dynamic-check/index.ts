/** Test program: a dynamic resource whose provider's `check` refuses a size above 10 (the program asks for 11). */
import * as pulumi from "@pulumi/pulumi";

const provider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
        const size = news["size"];
        const failures =
            typeof size === "number" && size > 10 ? [{ property: "size", reason: `size ${size} is above 10` }] : [];
        return { inputs: news, failures };
    },
    async create(inputs: Record<string, unknown>) {
        return { id: "sized", outs: inputs };
    },
};

class Sized extends pulumi.dynamic.Resource {
    constructor(name: string, size: number) {
        super(provider, name, { size }, {}, "test", "Sized");
    }
}

export const sized = new Sized("sized", 11).id;
