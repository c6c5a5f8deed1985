import * as assert from "assert";
import { checkEncryptionKeyArn } from "../../policypack/judge/setting";

describe("setting checks (smoke)", () => {
    it("refuses an alias ARN", () => {
        assert.match(checkEncryptionKeyArn("arn:aws:kms:us-east-1:111122223333:alias/x")[0].message, /alias/);
    });
});
