import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sampleFiles } from './samples.js';

// Regenerates the committed sample CSVs: `npm run build && node dist/datasets/generate.js`.
const here = fileURLToPath(new URL('../../datasets/', import.meta.url));
for (const [name, text] of Object.entries(sampleFiles())) {
  writeFileSync(`${here}${name}`, text);
  console.log(`wrote datasets/${name} (${text.split('\n').length - 2} rows)`);
}
