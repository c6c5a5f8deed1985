module emr-serverless-encrypted-go

go 1.22

require (
	github.com/pulumi/pulumi-aws/sdk/v7 v7.48.0
	github.com/pulumi/pulumi/sdk/v3 v3.248.0
)

// `pulumi package add` adds a replace directive here for the generated SDK of emr-serverless-disk-encryption
// (the module of the import path in main.go, pointing into sdks/); `go mod tidy` then adds its require line.
