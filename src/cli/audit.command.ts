import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { verifyAuditChain } from '../cases/case-audit-verify.js';
import { openStorage } from '../storage.js';
import { CliError } from './cli-error.js';

const REASONS = {
  hash: 'its content does not match its hash (the row was edited) 内容被篡改',
  prev: 'it does not point at the link before it (a row was replaced or reordered) 链接断裂',
  gap: 'links are missing before it (rows were deleted) 记录缺失',
} as const;

/** `cityops audit verify`: walks the hash-chained case log and names the first tampered entry. */
export function auditCommand(): Command {
  const audit = new Command('audit').description('the case audit log 案件审计日志');
  audit
    .command('verify')
    .description('check the hash chain of every case event 校验审计链')
    .action(async () => {
      const storage = await openStorage(loadConfig());
      try {
        const report = await verifyAuditChain(storage.repositories.cases);
        if (!report.ok) {
          const { seq, caseId, reason } = report.broken;
          throw new CliError(
            `audit chain broken 审计链被破坏 at entry ${seq} (case ${caseId}): ${REASONS[reason]}; ${report.links} entries before it are intact`,
            2,
          );
        }
        process.stdout.write(`audit chain intact 审计链完整: ${report.links} entries, head ${report.head}\n`);
      } finally {
        await storage.database.close();
      }
    });
  return audit;
}
