// One EMR Serverless application whose worker disks are encrypted with a customer-managed KMS key,
// configured from stack config: the Go form of the TypeScript example program (index.ts at the
// repository root), with the SDK that `pulumi package add` generates from the provider's schema.
package main

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v7/go/aws/emrserverless"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	emrdisk "github.com/emr-serverless-disk-encryption/emr-serverless-disk-encryption/sdk/go/emrserverlessdiskencryption"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		appType := cfg.Get("type")
		if appType == "" {
			appType = "spark"
		}
		if appType != "spark" && appType != "hive" {
			return fmt.Errorf("config \"type\" is %q; use \"spark\" or \"hive\"", appType)
		}
		releaseLabel := cfg.Get("releaseLabel")
		if releaseLabel == "" {
			releaseLabel = "emr-7.9.0"
		}

		args := &emrdisk.EncryptedApplicationArgs{
			Type:             emrdisk.ApplicationType(appType),
			ReleaseLabel:     pulumi.String(releaseLabel),
			RestartIfStarted: pulumi.Bool(cfg.GetBool("restartIfStarted")),
			ApplicationArgs: &emrdisk.ApplicationOptionsArgs{
				AutoStopConfiguration: &emrserverless.ApplicationAutoStopConfigurationArgs{
					Enabled:            pulumi.Bool(true),
					IdleTimeoutMinutes: pulumi.Int(15),
				},
			},
		}
		// Non-secret identifiers only: CloudTrail logs the context in plain text (at most 8 entries).
		var encryptionContext map[string]string
		if err := cfg.GetObject("encryptionContext", &encryptionContext); err != nil {
			return fmt.Errorf("config encryptionContext: %w", err)
		}
		if len(encryptionContext) > 0 {
			args.EncryptionContext = pulumi.ToStringMap(encryptionContext)
		}
		var submitterArns, keyAdministratorArns []string
		if err := cfg.GetObject("submitterArns", &submitterArns); err != nil {
			return fmt.Errorf("config submitterArns: %w", err)
		}
		if len(submitterArns) > 0 {
			args.SubmitterArns = pulumi.ToStringArray(submitterArns)
		}
		if err := cfg.GetObject("keyAdministratorArns", &keyAdministratorArns); err != nil {
			return fmt.Errorf("config keyAdministratorArns: %w", err)
		}
		if len(keyAdministratorArns) > 0 {
			args.KeyAdministratorArns = pulumi.ToStringArray(keyAdministratorArns)
		}
		if existingKeyArn := cfg.Get("existingKeyArn"); existingKeyArn != "" {
			args.ExistingKeyArn = pulumi.String(existingKeyArn)
		}

		app, err := emrdisk.NewEncryptedApplication(ctx, "emr", args)
		if err != nil {
			return err
		}
		ctx.Export("applicationId", app.ApplicationId)
		ctx.Export("applicationArn", app.ApplicationArn)
		ctx.Export("keyArn", app.KeyArn)
		ctx.Export("jobRoleArn", app.JobRoleArn)
		ctx.Export("jobRunConfigurationOverrides", app.JobRunConfigurationOverrides)
		ctx.Export("livySessionConf", app.LivySessionConf)
		ctx.Export("requiredKeyPolicyStatements", app.RequiredKeyPolicyStatements)
		return nil
	})
}
