// Module loader hooks (Node's off-thread loader): appends the URL of every module
// loaded to the file named by CAPPLAN_LOAD_TRACE. Test-only; see register.mjs.
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  const file = process.env.CAPPLAN_LOAD_TRACE;
  if (file) appendFileSync(file, `${url}\n`);
  return next(url, context);
}
