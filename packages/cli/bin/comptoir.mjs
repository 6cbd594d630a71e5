#!/usr/bin/env node
// The `comptoir` command. The TypeScript sources are bundled by `npm run build` (scripts/build.mjs).
import "../dist/main.js";
