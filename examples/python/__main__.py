"""One EMR Serverless application whose worker disks are encrypted with a customer-managed KMS key,
configured from stack config: the Python form of the TypeScript example program (index.ts at the
repository root), with the SDK that `pulumi package add` generates from the provider's schema."""

import pulumi
import pulumi_aws as aws
import pulumi_emr_serverless_disk_encryption as emr_disk

config = pulumi.Config()
app_type = config.get("type") or "spark"
if app_type not in ("spark", "hive"):
    raise ValueError(f'config "type" is "{app_type}"; use "spark" or "hive".')

app = emr_disk.EncryptedApplication(
    "emr",
    type=emr_disk.ApplicationType(app_type),
    release_label=config.get("releaseLabel") or "emr-7.9.0",
    # Non-secret identifiers only: CloudTrail logs the context in plain text (at most 8 entries).
    encryption_context=config.get_object("encryptionContext"),
    existing_key_arn=config.get("existingKeyArn"),
    submitter_arns=config.get_object("submitterArns"),
    key_administrator_arns=config.get_object("keyAdministratorArns"),
    restart_if_started=config.get_bool("restartIfStarted"),
    application_args=emr_disk.ApplicationOptionsArgs(
        auto_stop_configuration=aws.emrserverless.ApplicationAutoStopConfigurationArgs(
            enabled=True,
            idle_timeout_minutes=15,
        ),
    ),
)

pulumi.export("applicationId", app.application_id)
pulumi.export("applicationArn", app.application_arn)
pulumi.export("keyArn", app.key_arn)
pulumi.export("jobRoleArn", app.job_role_arn)
pulumi.export("jobRunConfigurationOverrides", app.job_run_configuration_overrides)
pulumi.export("livySessionConf", app.livy_session_conf)
pulumi.export("requiredKeyPolicyStatements", app.required_key_policy_statements)
