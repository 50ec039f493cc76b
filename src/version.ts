import fs from 'node:fs';

/** The package version, read once from package.json (one level above both src/ and dist/). */
export const VERSION = (
  JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
