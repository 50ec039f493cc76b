import { describe, expect, it } from 'vitest';
import type { DivisionUnit } from './geo.types.js';
import { JurisdictionTree } from './jurisdiction-tree.js';
import { buildCustomUnit } from '../test-support/factories.js';

// A small slice of the real tree: two Chongqing districts and one Sichuan prefecture.
const DIVISIONS: DivisionUnit[] = [
  { code: '50', name: '重庆市', level: 'province', parent: null },
  { code: '500105', name: '江北区', level: 'county', parent: '50' },
  { code: '500105001', name: '华新街街道', level: 'township', parent: '500105' },
  { code: '500105002', name: '江北城街道', level: 'township', parent: '500105' },
  { code: '500112', name: '渝北区', level: 'county', parent: '50' },
  { code: '500112001', name: '双龙湖街道', level: 'township', parent: '500112' },
  { code: '500112002', name: '回兴街道', level: 'township', parent: '500112' },
  { code: '51', name: '四川省', level: 'province', parent: null },
  { code: '5101', name: '成都市', level: 'prefecture', parent: '51' },
  { code: '510104', name: '锦江区', level: 'county', parent: '5101' },
  { code: '510104020', name: '春熙路街道', level: 'township', parent: '510104' },
];

describe('JurisdictionTree', () => {
  const tree = JurisdictionTree.build(DIVISIONS);

  it('gives the chain of a unit, skipping levels a province does not have', () => {
    const chain = tree.chain('500105001');
    expect(chain.province?.code).toBe('50');
    expect(chain.prefecture).toBeNull();
    expect(chain.county?.code).toBe('500105');
    expect(tree.chain('510104020').prefecture?.name).toBe('成都市');
  });

  it('lists descendants at a level at any depth', () => {
    expect(tree.descendants('50', 'township').map((u) => u.code)).toEqual([
      '500105001',
      '500105002',
      '500112001',
      '500112002',
    ]);
    expect(tree.descendants('51', 'county').map((u) => u.code)).toEqual(['510104']);
    expect(tree.descendants('500105').length).toBe(2);
  });

  it('answers scope questions', () => {
    expect(tree.isWithin('500105001', '50')).toBe(true);
    expect(tree.isWithin('500105001', '500112')).toBe(false);
    expect(tree.isWithin('50', '50')).toBe(true);
  });

  it('throws JURISDICTION_NOT_FOUND for an unknown code', () => {
    expect(() => tree.require('999999')).toThrow(expect.objectContaining({ code: 'JURISDICTION_NOT_FOUND' }));
  });

  describe('custom units (functional zones)', () => {
    const zone = buildCustomUnit({ code: 'LJXQ', takesOver: ['500105002', '500112001'] });
    const withZone = JurisdictionTree.build(DIVISIONS, [zone]);

    it('re-parents the townships a zone takes over and keeps their official parent', () => {
      expect(withZone.get('500105002')).toMatchObject({ parent: 'LJXQ', officialParent: '500105' });
      expect(withZone.chain('500112001').county?.code).toBe('LJXQ');
      expect(withZone.children('LJXQ').map((u) => u.code)).toEqual(['500105002', '500112001']);
      expect(withZone.children('500105').map((u) => u.code)).toEqual(['500105001']);
      expect(withZone.isWithin('500105002', '500105')).toBe(false);
      expect(withZone.isWithin('500105002', 'LJXQ')).toBe(true);
    });

    it('keeps the township count of the city unchanged', () => {
      expect(withZone.descendants('50', 'township')).toHaveLength(4);
      expect(withZone.descendants('50', 'county').map((u) => u.code)).toEqual(['500105', '500112', 'LJXQ']);
    });

    it.each([
      [{ code: '500105' }, 'JURISDICTION_CONFLICT'],
      [{ code: 'bad code!' }, 'INVALID_JURISDICTION'],
      [{ parent: 'nowhere' }, 'INVALID_JURISDICTION'],
      [{ parent: '500105', level: 'county' as const }, 'INVALID_JURISDICTION'],
      [{ takesOver: ['500105'] }, 'INVALID_JURISDICTION'],
      [{ takesOver: ['510104020'] }, 'INVALID_JURISDICTION'],
      [{ takesOver: ['500105001', '500105001'] }, 'INVALID_JURISDICTION'],
      [{ name: '  ' }, 'INVALID_JURISDICTION'],
    ])('rejects %o with %s', (overrides, code) => {
      expect(() => JurisdictionTree.build(DIVISIONS, [buildCustomUnit(overrides)])).toThrow(
        expect.objectContaining({ code }),
      );
    });

    it('refuses a township already taken over by another zone', () => {
      const second = buildCustomUnit({ code: 'XXQ', name: '西部科学城', takesOver: ['500112001'] });
      expect(() => JurisdictionTree.build(DIVISIONS, [zone, second])).toThrow(
        expect.objectContaining({ code: 'JURISDICTION_CONFLICT' }),
      );
    });
  });
});
