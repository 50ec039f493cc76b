import { describe, expect, it } from 'vitest';
import { migrate } from './migrate.js';
import { describeContract, openTestDatabase, testEngines } from '../../test-support/engines.js';
import { MIGRATIONS } from '../../storage.js';

describeContract('migrations', (ctx) => {
  it('are recorded and not applied twice', async () => {
    expect(await migrate(ctx().database, MIGRATIONS)).toEqual([]);
  });
});

describe('migrate', () => {
  for (const engine of testEngines()) {
    it(`applies only new migrations, in order, on ${engine}`, async () => {
      const database = await openTestDatabase(engine);
      try {
        const first = {
          id: '0001_a',
          sqlite: 'CREATE TABLE a (x INTEGER)',
          postgres: 'CREATE TABLE a (x INTEGER)',
        };
        const second = {
          id: '0002_b',
          sqlite: 'CREATE TABLE b (x INTEGER)',
          postgres: 'CREATE TABLE b (x INTEGER)',
        };
        expect(await migrate(database, [first])).toEqual(['0001_a']);
        expect(await migrate(database, [first, second])).toEqual(['0002_b']);
        expect(await migrate(database, [first, second])).toEqual([]);
      } finally {
        await database.close();
      }
    });

    it(`rolls back a failing migration entirely on ${engine}`, async () => {
      const database = await openTestDatabase(engine);
      try {
        const bad = {
          id: '0001_bad',
          sqlite: 'CREATE TABLE c (x INTEGER); CREATE TABLE c (x INTEGER);',
          postgres: 'CREATE TABLE c (x INTEGER); CREATE TABLE c (x INTEGER);',
        };
        await expect(migrate(database, [bad])).rejects.toThrow();
        const good = {
          id: '0001_bad',
          sqlite: 'CREATE TABLE c (x INTEGER)',
          postgres: 'CREATE TABLE c (x INTEGER)',
        };
        expect(await migrate(database, [good])).toEqual(['0001_bad']);
      } finally {
        await database.close();
      }
    });
  }

  it('refuses migrations listed out of order', async () => {
    const database = await openTestDatabase('sqlite');
    const a = { id: '0002', sqlite: '', postgres: '' };
    const b = { id: '0001', sqlite: '', postgres: '' };
    await expect(migrate(database, [a, b])).rejects.toThrow(/order/);
    await database.close();
  });
});
