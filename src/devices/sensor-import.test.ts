import { describe, expect, it } from 'vitest';
import { detectFormat } from '../platform/import-file.js';
import { readImportFile, type ImportRow } from './sensor-import.js';

const ok = (row: ImportRow) => (row.result.ok ? row.result.value : undefined);
const failure = (row: ImportRow) => (row.result.ok ? undefined : row.result);

describe('readImportFile: CSV', () => {
  it('maps columns to a create body: numbers parsed, empty department null, meta.* into metadata', () => {
    const rows = readImportFile(
      'id,type,lon,lat,department,meta.site,meta.model\n' +
        'CQ-1,tunnel_water_depth,106.5775,29.5576,重庆城投,两江隧道,\n' +
        'CQ-2, bridge_strain ,106.6,29.58,,,FBG-300\n',
      'csv',
    );
    expect(rows.map(ok)).toEqual([
      {
        id: 'CQ-1',
        type: 'tunnel_water_depth',
        lon: 106.5775,
        lat: 29.5576,
        department: '重庆城投',
        metadata: { site: '两江隧道' },
      },
      {
        id: 'CQ-2',
        type: 'bridge_strain',
        lon: 106.6,
        lat: 29.58,
        department: null,
        metadata: { model: 'FBG-300' },
      },
    ]);
    expect(rows.map((r) => [r.row, r.line])).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });

  it('reads a metadata JSON column and merges meta.* columns into it', () => {
    const [row] = readImportFile(
      'id,type,lon,lat,metadata,meta.site\nCQ-1,river_ph,106.27,30.0,"{""depthM"":1.5,""tags"":[""国控""]}",合川\n',
      'csv',
    );
    expect(ok(row!)?.metadata).toEqual({ depthM: 1.5, tags: ['国控'], site: '合川' });
  });

  it('rejects a bad row alone, with INVALID_SENSOR and a message that names the problem', () => {
    const rows = readImportFile(
      [
        'id,type,lon,lat,metadata,meta.site',
        'ok-1,river_ph,106,30,,',
        'bad id,river_ph,106,30,,',
        'CQ-3,river_ph,east,30,,',
        'CQ-4,river_ph,,30,,',
        'CQ-5,river_ph,106,30,{nope,',
        'CQ-6,river_ph,106,30,"{""site"":1}",x',
        'CQ-7,river_ph,106,30',
        'CQ-8,river_ph,106,95,,',
      ].join('\n'),
      'csv',
    );
    expect(ok(rows[0]!)).toBeDefined();
    const failures = rows.slice(1).map((r) => [r.row, r.id, failure(r)?.code, failure(r)?.message]);
    expect(failures).toEqual([
      [2, 'bad id', 'INVALID_SENSOR', expect.stringMatching(/id may only hold/)],
      [3, 'CQ-3', 'INVALID_SENSOR', 'lon: must be number'],
      [4, 'CQ-4', 'INVALID_SENSOR', 'missing lon'],
      [5, 'CQ-5', 'INVALID_SENSOR', 'the metadata cell is not valid JSON'],
      [6, 'CQ-6', 'INVALID_SENSOR', expect.stringMatching(/"site" is given twice/)],
      [7, 'CQ-7', 'INVALID_SENSOR', 'has 4 fields; the header has 6'],
      [8, 'CQ-8', 'INVALID_SENSOR', 'lat: must be <= 90'],
    ]);
  });

  it('leaves catalog and map checks to the service: an unknown type passes the schema', () => {
    const [row] = readImportFile('id,type,lon,lat\nCQ-1,weather_station,106,30\n', 'csv');
    expect(ok(row!)?.type).toBe('weather_station');
  });

  it.each([
    ['', /empty/],
    ['id,type,lon\n', /missing column\(s\) lat/],
    ['id,type,lon,lat,deparment\n', /unknown column "deparment"/],
    ['id,type,lon,lat,id\n', /"id" appears twice/],
    ['id,type,lon,lat\n"CQ-1,x,1,2\n', /never closed/],
  ])('refuses an unreadable file %j as INVALID_IMPORT_FILE', (text, message) => {
    expect(() => readImportFile(text, 'csv')).toThrow(
      expect.objectContaining({
        code: 'INVALID_IMPORT_FILE',
        message: expect.stringMatching(message) as string,
      }),
    );
  });
});

describe('readImportFile: JSON', () => {
  it('reads an array of create bodies, each checked alone (unknown fields too)', () => {
    const rows = readImportFile(
      JSON.stringify([
        { id: 'J-1', type: 'feeder_load', lon: 106.5, lat: 29.5, metadata: { feeder: '10kV 解放线' } },
        { id: 'J-2', type: 'feeder_load', lon: 106.5, lat: 29.5, colour: 'red' },
        'not an object',
      ]),
      'json',
    );
    expect(ok(rows[0]!)).toMatchObject({ id: 'J-1', metadata: { feeder: '10kV 解放线' } });
    expect(failure(rows[1]!)).toEqual({
      ok: false,
      code: 'INVALID_SENSOR',
      message: 'unknown field(s) colour',
    });
    expect(rows[2]).toMatchObject({ row: 3, result: { ok: false, code: 'INVALID_SENSOR' } });
    expect(rows[2]!.id).toBeUndefined();
  });

  it('refuses a file that is not a JSON array', () => {
    expect(() => readImportFile('{"id":"x"}', 'json')).toThrow(/array of sensor objects/);
    expect(() => readImportFile('[{', 'json')).toThrow(
      expect.objectContaining({ code: 'INVALID_IMPORT_FILE' }),
    );
  });
});

describe('detectFormat', () => {
  it('goes by extension, then by content', () => {
    expect(detectFormat('a.CSV', '[')).toBe('csv');
    expect(detectFormat('a.json', 'id')).toBe('json');
    expect(detectFormat('stdin', '\uFEFF  [{}]')).toBe('json');
    expect(detectFormat('stdin', 'id,type')).toBe('csv');
  });
});
