import { describe, expect, it } from 'vitest';
import { JurisdictionTree } from '../jurisdictions/jurisdiction-tree.js';
import { loadDivisions } from '../jurisdictions/geo-data.js';
import type { Reading } from '../telemetry/store/reading.types.js';
import type { RegisteredSensor } from '../devices/sensor-index.js';
import { sensorType } from '../devices/sensor-types.js';
import { DOMAINS, VitalsBoard, type AlarmLike } from './vitals-board.js';

const tree = JurisdictionTree.build(loadDivisions().units);
const NOW = 1_800_000_000_000;

function sensor(key: number, type: string, township: string): RegisteredSensor {
  return {
    key,
    id: `s${key}`,
    type: sensorType(type)!,
    lon: 0,
    lat: 0,
    provinceCode: '50',
    prefectureCode: null,
    countyCode: township.slice(0, 6),
    townshipCode: township,
  };
}

function board(sensors: RegisteredSensor[], latest: Map<number, Reading>, alarms: AlarmLike[] = []) {
  return new VitalsBoard(
    {
      sensors: () => sensors,
      latest: (key) => latest.get(key),
      resolveKey: (key) => sensors.find((s) => s.key === key),
      openAlarms: () => alarms,
      tree: () => tree,
    },
    { sampleMs: 20_000, historySize: 3 },
  );
}

const water = DOMAINS.findIndex((d) => d.code === 'water_supply');

describe('VitalsBoard', () => {
  it('tallies each sensor into its township and every unit above it', () => {
    const sensors = [
      sensor(1, 'water_main_pressure', '500109001'),
      sensor(2, 'water_main_pressure', '500109002'),
      sensor(3, 'water_main_pressure', '500103001'),
      sensor(4, 'water_turbidity', '500109001'),
    ];
    const latest = new Map<number, Reading>([
      [1, { key: 1, ts: NOW - 1000, value: 0.3 }],
      [2, { key: 2, ts: NOW - 1000, value: 0.6 }], // above 0.5: abnormal
      [3, { key: 3, ts: NOW - 3_600_000, value: 0.4 }], // an hour old: offline
      [4, { key: 4, ts: NOW - 1000, value: 0.5 }],
    ]);
    const alarms: AlarmLike[] = [
      {
        domain: 'water_supply',
        severity: 'critical',
        provinceCode: '50',
        prefectureCode: null,
        countyCode: '500109',
        townshipCode: '500109002',
      },
    ];
    const b = board(sensors, latest, alarms);
    b.refresh(NOW);
    const beibei = b.of('500109').domains[water]!;
    expect(beibei).toMatchObject({
      sensors: 3,
      online: 3,
      normal: 2,
      reporting: 2,
      min: 0.3,
      max: 0.6,
      activeAlarms: 1,
      criticalAlarms: 1,
    });
    expect(beibei.sum / beibei.reporting).toBeCloseTo(0.45);
    expect(b.of('500109002').abnormal).toBe(1);
    expect(b.of('50').domains[water]).toMatchObject({ sensors: 4, online: 3 });
    expect(b.of('500103').domains[water]).toMatchObject({ sensors: 1, online: 0 });
    expect(b.of('500101').domains[water]!.sensors).toBe(0);
  });

  it('counts readings per minute where their sensors are', () => {
    const sensors = [sensor(1, 'water_main_pressure', '500109001'), sensor(2, 'feeder_load', '500103001')];
    const b = board(sensors, new Map());
    b.refresh(NOW);
    b.countReadings({ keys: Int32Array.from([1, 1, 2, 99]) });
    b.refresh(NOW + 30_000);
    expect(b.of('500109').readingsPerMinute).toBe(4);
    expect(b.of('50').readingsPerMinute).toBe(6);
    // Averaged over the last minute: a quiet interval halves it rather than zeroing it …
    b.refresh(NOW + 60_000);
    expect(b.of('50').readingsPerMinute).toBe(3);
    // … and a minute later the batch has left the window.
    b.refresh(NOW + 125_000);
    expect(b.of('50').readingsPerMinute).toBe(0);
  });

  it('keeps a bounded sparkline history, one sample per interval', () => {
    const sensors = [sensor(1, 'water_main_pressure', '500109001')];
    const latest = new Map<number, Reading>();
    const b = board(sensors, latest);
    for (let i = 0; i < 5; i++) {
      latest.set(1, { key: 1, ts: NOW + i * 20_000, value: 0.3 + i / 100 });
      expect(b.refresh(NOW + i * 20_000)).toBe(true);
      expect(b.refresh(NOW + i * 20_000 + 5000)).toBe(false);
    }
    const h = b.history('500109');
    expect(h.times).toHaveLength(3);
    expect(h.value[water]!.map((v) => Number(v!.toFixed(2)))).toEqual([0.32, 0.33, 0.34]);
    expect(h.normalShare[water]).toEqual([1, 1, 1]);
    expect(b.history('500103').value[water]).toEqual([null, null, null]);
  });
});
