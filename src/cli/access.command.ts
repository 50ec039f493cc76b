import { Command, Option } from 'commander';
import type { AccessRepository } from '../access/access.repository.js';
import { AccessService } from '../access/access.service.js';
import { KEY_KINDS, ROLE_NAMES, ROLES, type KeyKind, type Role } from '../access/roles.js';
import { withJurisdictions } from './context.js';

/** Runs `fn` with the access service over the configured storage. */
function withAccess<T>(fn: (access: AccessService, repository: AccessRepository) => Promise<T>): Promise<T> {
  return withJurisdictions(async (jurisdictions, storage) => {
    const access = await AccessService.create({
      repository: storage.repositories.access,
      tree: () => jurisdictions.units,
    });
    return fn(access, storage.repositories.access);
  });
}

/** `cityops user …`: accounts bound to a jurisdiction (and, for handlers, a department). */
export function userCommand(): Command {
  const user = new Command('user').description('users 用户');
  user
    .command('add')
    .description('add a user 新增用户')
    .requiredOption('--username <name>', 'sign-in name')
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .option('--scope <code>', 'jurisdiction code the user works in (omit only for admin: everywhere)')
    .option('--department <name>', 'department (required for department_handler), e.g. water')
    .requiredOption('--password <password>', 'at least 10 characters, not a demo or default password')
    .addHelpText(
      'after',
      `\nRoles 角色:\n${ROLES.map((r) => `  ${r.padEnd(20)} ${ROLE_NAMES[r].zh} ${ROLE_NAMES[r].en}`).join('\n')}\n` +
        '\nExample: cityops user add --username beibei --role county_commander --scope 500109 --password …',
    )
    .action(
      async (o: { username: string; role: Role; scope?: string; department?: string; password: string }) => {
        const created = await withAccess((access) =>
          access.createUser({
            username: o.username,
            password: o.password,
            role: o.role,
            scope: o.scope ?? null,
            department: o.department ?? null,
          }),
        );
        process.stdout.write(
          `added 已新增 ${created.username} (${ROLE_NAMES[created.role].zh} ${created.role}, scope ${created.scope ?? 'everywhere 全部'})\n`,
        );
      },
    );
  user
    .command('list')
    .description('list users 列出用户')
    .action(async () => {
      const users = await withAccess((_access, repository) => repository.listUsers());
      for (const u of users) {
        process.stdout.write(
          `${u.username.padEnd(20)} ${u.role.padEnd(20)} ${(u.scope ?? '*').padEnd(12)} ${u.department ?? ''}${u.disabled ? ' (disabled)' : ''}\n`,
        );
      }
    });
  return user;
}

/** `cityops key …`: API keys for devices, cameras and Open311 clients. */
export function keyCommand(): Command {
  const key = new Command('key').description('API keys for devices, cameras, Open311 apps 接入密钥');
  key
    .command('create')
    .description('create a key; it is printed once and only its hash is stored 创建密钥')
    .addOption(new Option('--kind <kind>', 'what uses it').choices([...KEY_KINDS]).makeOptionMandatory())
    .option('--scope <code>', 'limit it to one jurisdiction subtree')
    .option('--label <text>', 'a name to recognise it by', '')
    .action(async (o: { kind: KeyKind; scope?: string; label: string }) => {
      const created = await withAccess((access) =>
        access.createKey({ kind: o.kind, label: o.label, scope: o.scope ?? null }),
      );
      // The key alone on stdout, so KEY=$(cityops key create …) captures exactly the key.
      process.stdout.write(`${created.key}\n`);
      process.stderr.write(
        `(id ${created.record.id}; send it as the X-API-Key header; shown once 仅显示一次)\n`,
      );
    });
  key
    .command('list')
    .description('list keys (prefixes only) 列出密钥')
    .action(async () => {
      const keys = await withAccess((_access, repository) => repository.listKeys());
      for (const k of keys) {
        process.stdout.write(
          `${k.id}  ${k.kind.padEnd(8)} ${k.prefix}…  ${k.scope ?? '*'}  ${k.label}${k.revokedAt ? '  revoked' : ''}\n`,
        );
      }
    });
  key
    .command('revoke')
    .argument('<id>')
    .description('revoke a key at once 吊销密钥')
    .action(async (id: string) => {
      await withAccess((access) => access.revokeKey(id));
      process.stdout.write(`revoked 已吊销 ${id}\n`);
    });
  return key;
}
