/**
 * Secret values never printed: what counts as a known secret, and the redactor over text and JSON.
 */
import assert from "node:assert/strict";
import { secret } from "../../engine/properties";
import { configSecrets, REDACTED, Redactor, secretLeaves, secretPairValues, wireSecrets } from "../../engine/redact";

describe("redaction: known secrets", () => {
    it("secret config values, and each string and number inside a JSON one (not its keys); not the other keys' values", () => {
        const out = new Set<string>();
        configSecrets(
            { "p:token": "hunter2", "p:creds": '{"user":"alice","pass":"s3cr3t!","pin":4321}', "p:plain": "visible" },
            ["p:token", "p:creds"],
            out,
        );
        assert.deepEqual(
            [...out].sort(),
            ['{"user":"alice","pass":"s3cr3t!","pin":4321}', "4321", "alice", "hunter2", "s3cr3t!"].sort(),
        );
    });

    it("the leaves of every engine secret wrapper at any depth, and nothing outside them", () => {
        const out = new Set<string>();
        wireSecrets({ a: "public", b: [{ c: secret("deep-secret") }], d: secret({ e: ["x1", 42], f: true }) }, out);
        assert.deepEqual([...out].sort(), ["42", "deep-secret", "x1"].sort());
    });

    it("booleans and empty strings are not secrets", () => {
        const out = new Set<string>();
        secretLeaves({ a: true, b: "", c: null, d: Number.NaN }, out);
        assert.deepEqual([...out], []);
    });

    it("--secret-config values, before the config is read: the value, a mistyped pair whole", () => {
        assert.deepEqual(
            secretPairValues(["k=v4lue", "typo-without-equals", 'j={"a":"inner"}']).sort(),
            ["inner", "typo-without-equals", "v4lue", '{"a":"inner"}'].sort(),
        );
    });
});

describe("redaction: the redactor", () => {
    const r = new Redactor(["TopSecret9", "ab", 'say "hi"\\', "12345"]);

    it("replaces a secret inside longer text (an ARN), every time, ignoring case", () => {
        assert.equal(
            r.text("arn:aws:emr-serverless:us-east-1:1:/applications/TopSecret9* and TOPSECRET9"),
            `arn:aws:emr-serverless:us-east-1:1:/applications/${REDACTED}* and ${REDACTED}`,
        );
    });

    it("replaces a short secret only where it stands alone", () => {
        assert.equal(r.text("ab cab ab-x (ab)"), `${REDACTED} cab ${REDACTED}-x (${REDACTED})`);
    });

    it("replaces a secret as it appears quoted inside JSON text (escaped quotes and backslashes)", () => {
        const quoted = JSON.stringify({ sid: 'say "hi"\\' });
        assert.equal(r.text(quoted).includes('say \\"hi\\"'), false, r.text(quoted));
        assert.equal(r.text('x say "hi"\\ y'), `x ${REDACTED} y`);
    });

    it("never rewrites its own replacement (a secret that is part of the marker)", () => {
        const marker = new Redactor(["secret", "[secret] x"]);
        assert.equal(marker.text("a secret b"), `a ${REDACTED} b`);
        assert.equal(marker.text("[secret] x"), REDACTED);
    });

    it("redacts JSON structurally: strings, object keys, numbers equal to a secret; keeps structure and other values", () => {
        const value = { msg: "TopSecret9 here", TopSecret9: [12345, 123456, true], n: null };
        assert.deepEqual(r.json(value), {
            msg: `${REDACTED} here`,
            [REDACTED]: [REDACTED, 123456, true],
            n: null,
        });
        assert.deepEqual(value.msg, "TopSecret9 here", "the input is not modified");
    });

    it("does nothing without secrets", () => {
        const none = new Redactor([]);
        assert.equal(none.empty, true);
        const v = { a: "x" };
        assert.equal(none.json(v), v);
        assert.equal(none.text("x"), "x");
    });
});
