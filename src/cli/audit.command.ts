import fs from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { parseExportedHead, type ExportedHead } from '../cases/audit-head-export.js';
import { verifyAuditChain } from '../cases/case-audit-verify.js';
import { openStorage } from '../storage.js';
import { CliError } from './cli-error.js';

const REASONS = {
  hash: 'its content does not match its hash (the row was edited) 内容被篡改',
  prev: 'it does not point at the link before it (a row was replaced or reordered) 链接断裂',
  gap: 'links are missing before it (rows were deleted) 记录缺失',
} as const;

/** `cityops audit verify [--head FILE]`: walks the hash-chained case log and names the first tampered entry. */
export function auditCommand(): Command {
  const audit = new Command('audit').description('the case audit log 案件审计日志');
  audit
    .command('verify')
    .description(
      'check the hash chain of every case event 校验审计链\n' +
        'With --head, also check that an exported chain head (CITYOPS_AUDIT_HEAD_DIR) is still in the chain.',
    )
    .option('--head <file>', 'an exported audit head (audit-head-….json) the chain must still hold')
    .action(async (options: { head?: string }) => {
      const head = options.head === undefined ? undefined : readHead(options.head);
      const storage = await openStorage(loadConfig());
      try {
        const report = await verifyAuditChain(storage.repositories.cases, 5000, head);
        if ('broken' in report) {
          const { seq, caseId, reason } = report.broken;
          throw new CliError(
            `audit chain broken 审计链被破坏 at entry ${seq} (case ${caseId}): ${REASONS[reason]}; ${report.links} entries before it are intact`,
            2,
          );
        }
        if ('headMismatch' in report) {
          const { seq, reason, caseId } = report.headMismatch;
          throw new CliError(
            reason === 'missing'
              ? `audit chain truncated 审计链被截断: the exported head is entry ${seq} (${head?.at}), the chain ends at entry ${report.links}`
              : `audit chain rewritten 审计链被改写 at or before entry ${seq} (case ${caseId}): its hash differs from the head exported ${head?.at}`,
            2,
          );
        }
        const pinned = head ? `; holds the head exported ${head.at} (entry ${head.seq})` : '';
        process.stdout.write(
          `audit chain intact 审计链完整: ${report.links} entries, head ${report.head}${pinned}\n`,
        );
      } finally {
        await storage.database.close();
      }
    });
  return audit;
}

function readHead(file: string): ExportedHead {
  try {
    return parseExportedHead(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
}
