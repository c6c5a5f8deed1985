// Test-only: fails before serving; the harness must report the pack's stderr.
"use strict";
throw new Error("broken pack: missing configuration file policy.json");
