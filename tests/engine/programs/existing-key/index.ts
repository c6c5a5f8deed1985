/** Test program: the component with an existing key; the key's facts come from the invokes fixture. */
import * as pulumi from "@pulumi/pulumi";
import { EncryptedApplication } from "../../../../components";

const config = new pulumi.Config();
const app = new EncryptedApplication("existing", {
    type: "spark",
    releaseLabel: "emr-7.9.0",
    existingKeyArn: config.require("keyArn"),
    encryptionContext: { team: "analytics" },
});

export const applicationId = app.applicationId;
export const keyArn = app.keyArn;
