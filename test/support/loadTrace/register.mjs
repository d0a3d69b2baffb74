// `node --import ./register.mjs bin/capplan.js …` records which modules the CLI loads,
// so a test can fail when an eager import of DuckDB or the chart code comes back.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
