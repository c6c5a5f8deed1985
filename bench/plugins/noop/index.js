// The floor of the plugin start-up benchmark: @pulumi/pulumi's provider.main with an empty provider, started
// the way this package's plugin is (an executable that runs node on the entry, the engine address as argument,
// the port as the first stdout line).
require("@pulumi/pulumi/provider").main({ version: "0.0.0" }, process.argv.slice(2));
