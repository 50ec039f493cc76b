import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { AppError, StartupError } from '../errors.js';
import { ConfigError } from '../config.js';
import { VERSION } from '../version.js';
import { geoCommand } from './geo.command.js';
import { zoneCommand } from './zone.command.js';
import { serve } from '../server.js';
import { lookupCommand } from './lookup.command.js';
import { sensorsCommand } from './sensors.command.js';
import { camerasCommand } from './cameras.command.js';
import { CliError } from './cli-error.js';
import { keyCommand, userCommand } from './access.command.js';
import { auditCommand } from './audit.command.js';
import { casesCommand } from './cases.command.js';
import { simCommand } from './sim.command.js';

const program = new Command()
  .name('cityops')
  .description('cityops 城运 — city operations and governance center 城市运行和治理中心')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage 用 --help 查看用法)');

program
  .command('serve')
  .description('serve the operations center (the same as npm start) 启动服务')
  .action(async () => serve(loadConfig()));

program.addCommand(geoCommand());
program.addCommand(zoneCommand());
program.addCommand(lookupCommand());
program.addCommand(sensorsCommand());
program.addCommand(camerasCommand());
program.addCommand(userCommand());
program.addCommand(keyCommand());
program.addCommand(auditCommand());
program.addCommand(casesCommand());
program.addCommand(simCommand());

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ConfigError || error instanceof StartupError || error instanceof CliError) {
    process.stderr.write(`cityops: ${error.message}\n`);
    process.exit(error instanceof CliError ? error.exitCode : 1);
  }
  if (error instanceof AppError) {
    process.stderr.write(`cityops: ${error.code}: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
