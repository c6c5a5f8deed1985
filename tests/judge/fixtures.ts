/** Key policy fixtures shared by the judge tests. */
import { ACCOUNT, APP_ARN, APP_ID } from "../../harness/fixtures";

export { ACCOUNT, APP_ARN, APP_ID };
export const SERVICE = "emr-serverless.amazonaws.com";

export type Statement = Record<string, unknown>;

export const rootStatement: Statement = {
    Sid: "Enable IAM User Permissions",
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: "kms:*",
    Resource: "*",
};

/** The AWS guide's own service statement (StringLike aws:SourceArn + StringEquals context id and account). */
export function guideStatement(condition?: Record<string, unknown>): Statement {
    return {
        Sid: "AllowEmrServerless",
        Effect: "Allow",
        Principal: { Service: SERVICE },
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "*",
        Condition: condition ?? {
            StringLike: { "aws:SourceArn": APP_ARN },
            StringEquals: { "kms:EncryptionContext:applicationId": APP_ID, "aws:SourceAccount": ACCOUNT },
        },
    };
}

/** A whole key policy: the root statement plus the given ones. */
export function keyPolicy(...statements: Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: [rootStatement, ...statements] });
}
