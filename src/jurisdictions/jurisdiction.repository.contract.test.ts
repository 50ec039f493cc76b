import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { describeContract } from '../test-support/engines.js';
import { buildBoundary, buildCustomUnit } from '../test-support/factories.js';

describeContract('JurisdictionRepository', (ctx) => {
  const repo = () => ctx().repositories.jurisdictions;

  describe('custom units', () => {
    it('stores a unit with its takeovers and lists it back', async () => {
      const unit = buildCustomUnit({ code: 'Z1', takesOver: ['500112001', '500105002'] });
      await repo().insertCustomUnit(unit);
      const listed = (await repo().listCustomUnits()).find((u) => u.code === 'Z1');
      expect(listed).toEqual({ ...unit, takesOver: ['500105002', '500112001'] });
    });

    it('rejects a taken code with JURISDICTION_CONFLICT and keeps the first unit', async () => {
      await repo().insertCustomUnit(buildCustomUnit({ code: 'Z2', name: 'first' }));
      const again = repo().insertCustomUnit(buildCustomUnit({ code: 'Z2', name: 'second' }));
      await expect(again).rejects.toMatchObject({ code: 'JURISDICTION_CONFLICT' });
      await expect(again).rejects.toBeInstanceOf(AppError);
      const units = (await repo().listCustomUnits()).filter((u) => u.code === 'Z2');
      expect(units.map((u) => u.name)).toEqual(['first']);
    });

    it('rejects a township already taken over, atomically (the unit is not half-inserted)', async () => {
      await repo().insertCustomUnit(buildCustomUnit({ code: 'Z3', takesOver: ['500109001'] }));
      await expect(
        repo().insertCustomUnit(buildCustomUnit({ code: 'Z4', takesOver: ['500109002', '500109001'] })),
      ).rejects.toMatchObject({ code: 'JURISDICTION_CONFLICT' });
      const codes = (await repo().listCustomUnits()).map((u) => u.code);
      expect(codes).toContain('Z3');
      expect(codes).not.toContain('Z4');
    });

    it('deletes a unit and frees its townships', async () => {
      await repo().insertCustomUnit(buildCustomUnit({ code: 'Z5', takesOver: ['500113001'] }));
      expect(await repo().deleteCustomUnit('Z5')).toBe(true);
      expect(await repo().deleteCustomUnit('Z5')).toBe(false);
      await repo().insertCustomUnit(buildCustomUnit({ code: 'Z6', takesOver: ['500113001'] }));
      expect((await repo().listCustomUnits()).find((u) => u.code === 'Z6')?.takesOver).toEqual(['500113001']);
    });
  });

  describe('boundaries', () => {
    it('upserts and lists boundaries with their geometry intact', async () => {
      const a = buildBoundary({ code: '500103001', lon: 106.57, lat: 29.55 });
      const b = buildBoundary({ code: '500103002', lon: 106.58, lat: 29.56 });
      await repo().upsertBoundaries([a, b]);
      await repo().upsertBoundaries([
        { ...a, source: 'second.geojson', importedAt: '2026-02-01T00:00:00.000Z' },
      ]);
      const listed = (await repo().listBoundaries()).filter((x) => x.code.startsWith('500103'));
      expect(listed).toEqual([{ ...a, source: 'second.geojson', importedAt: '2026-02-01T00:00:00.000Z' }, b]);
    });

    it('deletes a boundary', async () => {
      await repo().upsertBoundaries([buildBoundary({ code: '500104001' })]);
      expect(await repo().deleteBoundary('500104001')).toBe(true);
      expect(await repo().deleteBoundary('500104001')).toBe(false);
      expect((await repo().listBoundaries()).some((x) => x.code === '500104001')).toBe(false);
    });
  });
});
