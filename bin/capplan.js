#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (the `prepare` script).
// Start-up is what cron jobs, shell completion and every quick `capplan sql` pay: on
// Node >= 22.1 keep compiled code between runs (a no-op where the API is missing).
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/src/cli/main.js');

process.exitCode = await main(process.argv);
