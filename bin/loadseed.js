#!/usr/bin/env node
// The command-line shim: no logic here. Everything lives in dist/cli/main.js.
import { main } from '../dist/cli/main.js';
import { processIo } from '../dist/cli/io.js';

process.exitCode = await main(process.argv.slice(2), processIo());
