/**
 * A plugin entry for the Construct tests that serves Construct and GetSchema only, from the TypeScript
 * sources: `node -r ts-node/register/transpile-only constructOnlyProvider.ts <engine address>`.
 */
import * as provider from "@pulumi/pulumi/provider";
import { constructComponent } from "../../../provider/construct";
import { PACKAGE_SCHEMA, schemaText } from "../../../provider/packageSchema";

void provider.main(
    { version: PACKAGE_SCHEMA.version, schema: schemaText(), construct: constructComponent },
    process.argv.slice(2),
);
