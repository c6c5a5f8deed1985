// @pulumi/pulumi's provider.main with a provider whose diff reports a replacement, and nothing else: what the
// SDK's own server answers for config, Diff and Configure, which the package's plugin serves itself instead.
require("@pulumi/pulumi/provider").main(
    {
        version: "0.0.0",
        diff: async () => ({ changes: true, replaces: ["applicationId"] }),
    },
    process.argv.slice(2),
);
