// ESLint flat config: typescript-eslint's recommended rules everywhere, and Pulumi's own plugin
// (Outputs in template literals) on the code that builds resources, where type information is used.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

/**
 * The layering floors, by `import`, `export ... from`, `require` or `import()`:
 * - shipped code (components, provider, policy pack, audit) never imports the offline preview's engine, the
 *   benchmarks, the tests, the scripts or the shared test harness;
 * - the offline preview's engine never imports the benchmarks, the tests, the scripts or the harness;
 * - the benchmarks and the scripts never import the tests (what they share with the tests lives in harness/);
 * - the shared harness (harness/, not shipped) never imports the tests or the benchmarks.
 */
const SHIPPED_FORBIDDEN = "(^|/)(engine|bench|tests|scripts|harness)(/|$)";
const ENGINE_FORBIDDEN = "(^|/)(bench|tests|scripts|harness)(/|$)";
const BENCH_FORBIDDEN = "(^|/)tests(/|$)";
const HARNESS_FORBIDDEN = "(^|/)(tests|bench)(/|$)";
const layering = (forbidden, what) => ({
    "no-restricted-imports": ["error", { patterns: [{ regex: forbidden, message: what }] }],
    "no-restricted-syntax": [
        "error",
        {
            selector: `ImportExpression > Literal[value=/${forbidden.replaceAll("/", "\\x2F")}/]`,
            message: what,
        },
        {
            // esquery ends a regular expression at its first "/": spell it \x2F there.
            selector: `CallExpression[callee.name='require'] > Literal[value=/${forbidden.replaceAll("/", "\\x2F")}/]`,
            message: what,
        },
    ],
});

export default tseslint.config(
    {
        ignores: ["**/node_modules/**", "**/bin/**", "bench/results.json", "**/*.d.ts"],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    {
        files: ["components/**/*.ts", "index.ts", "examples/**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        files: ["**/*.js", "**/*.mjs"],
        languageOptions: {
            globals: {
                require: "readonly",
                module: "writable",
                process: "readonly",
                console: "readonly",
                __dirname: "readonly",
            },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["components/**/*.ts", "provider/**/*.ts", "policypack/**/*.ts", "audit/**/*.ts", "index.ts"],
        rules: layering(
            SHIPPED_FORBIDDEN,
            "shipped code must not depend on the engine, the benchmarks, the tests, the scripts or the test harness",
        ),
    },
    {
        files: ["engine/**/*.ts", "engine/**/*.js"],
        rules: layering(
            ENGINE_FORBIDDEN,
            "the offline preview must not depend on the benchmarks, the tests, the scripts or the test harness",
        ),
    },
    {
        files: ["bench/**/*.ts", "bench/**/*.js", "scripts/**/*.ts", "scripts/**/*.js"],
        rules: layering(
            BENCH_FORBIDDEN,
            "the benchmarks and scripts must not depend on the tests: move what both need into harness/",
        ),
    },
    {
        files: ["harness/**/*.ts", "harness/**/*.js"],
        rules: layering(HARNESS_FORBIDDEN, "the shared test harness must not depend on the tests or the benchmarks"),
    },
);
