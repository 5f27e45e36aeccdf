#!/usr/bin/env node
// The package's command line. The TypeScript sources are compiled to dist/ by `npm run build`
// (run automatically by `npm ci` / `npm install` through the `prepare` script).
/* global process */
import { main } from "../dist/generator/cli.js";

process.exitCode = await main(process.argv.slice(2));
