import { ConfigError, loadConfig } from './config.js';
import { StartupError } from './errors.js';
import { serve } from './server.js';

// Entry point of `npm start` / `node dist/main.js`: configuration errors and startup problems the
// operator can fix are printed as one line without a stack trace.
try {
  await serve(loadConfig());
} catch (error) {
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`cityops: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
