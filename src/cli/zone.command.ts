import { Command, Option } from 'commander';
import { withJurisdictions } from './context.js';

const list = (value: string): string[] =>
  value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** `cityops zone …`: custom units such as functional zones (两江新区) that take over towns/streets. */
export function zoneCommand(): Command {
  const zone = new Command('zone').description('custom units such as functional zones 功能区 (自定义单元)');
  zone
    .command('add')
    .description('add a unit that runs its own center and takes over towns/streets 新增功能区')
    .requiredOption('--code <code>', 'a code of your own that no official unit uses, e.g. LJXQ')
    .requiredOption('--name <name>', 'name, e.g. 两江新区')
    .option('--parent <code>', 'parent unit', '50')
    .addOption(
      new Option('--level <level>', 'level of the new unit')
        .choices(['prefecture', 'county', 'township'])
        .default('county'),
    )
    .option('--townships <codes>', 'comma-separated town/street codes it takes over', list, [])
    .action(
      async (options: {
        code: string;
        name: string;
        parent: string;
        level: 'county';
        townships: string[];
      }) => {
        const unit = await withJurisdictions((service) =>
          service.addCustomUnit({
            code: options.code,
            name: options.name,
            parent: options.parent,
            level: options.level,
            takesOver: options.townships,
          }),
        );
        process.stdout.write(
          `added 已新增 ${unit.code} ${unit.name} (${unit.level} under ${unit.parent}), taking over ${unit.descendants.township} towns/streets\n`,
        );
      },
    );
  zone
    .command('list')
    .description('list custom units 列出自定义单元')
    .action(async () => {
      const units = await withJurisdictions((service) =>
        Promise.resolve(service.units.all().filter((u) => u.kind === 'custom')),
      );
      if (units.length === 0) process.stdout.write('no custom units 暂无自定义单元\n');
      for (const u of units) process.stdout.write(`${u.code}\t${u.name}\t${u.level}\tparent ${u.parent}\n`);
    });
  zone
    .command('remove')
    .argument('<code>')
    .description('remove a custom unit; its towns/streets return to their districts 删除自定义单元')
    .action(async (code: string) => {
      await withJurisdictions((service) => service.removeCustomUnit(code));
      process.stdout.write(`removed 已删除 ${code}\n`);
    });
  return zone;
}
