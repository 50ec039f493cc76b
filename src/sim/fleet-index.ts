import type { Fleet } from './fleet.js';
import type { AssetKind } from './signal-profiles.js';

/** Lookups over a fleet for choosing incident targets: sensors by type and place, assets by kind. */
export class FleetIndex {
  private readonly byType = new Map<string, number[]>();
  private readonly byTownship = new Map<string, number[]>();
  private readonly assetsByKind = new Map<AssetKind, number[]>();
  private readonly camerasByTownship = new Map<string, number[]>();

  constructor(readonly fleet: Fleet) {
    for (const s of fleet.sensors) {
      push(this.byType, s.type.code, s.index);
      push(this.byTownship, s.township, s.index);
    }
    fleet.assets.forEach((a, i) => push(this.assetsByKind, a.kind, i));
    for (const c of fleet.cameras) push(this.camerasByTownship, c.township, c.index);
  }

  /** Sensors of a type, optionally only in a county or town/street. */
  sensorsOf(type: string, where: Place = {}): number[] {
    return (this.byType.get(type) ?? []).filter((i) => within(this.fleet.sensors[i]!, where));
  }

  /** Every sensor in a county or town/street (or the whole fleet). */
  sensorsAt(where: Place): number[] {
    if (where.township) return this.sensorsIn(where.township);
    if (where.county) return this.fleet.sensors.filter((s) => s.county === where.county).map((s) => s.index);
    return this.fleet.sensors.map((s) => s.index);
  }

  /** Every sensor in a town/street. */
  sensorsIn(township: string): number[] {
    return this.byTownship.get(township) ?? [];
  }

  /** Assets of a kind, optionally only in a county or town/street. */
  assetsOf(kind: AssetKind, where: Place = {}): number[] {
    return (this.assetsByKind.get(kind) ?? []).filter((i) => within(this.fleet.assets[i]!, where));
  }

  /** Cameras, optionally only in a county or town/street. */
  camerasOf(where: Place = {}): number[] {
    if (where.township) return this.camerasByTownship.get(where.township) ?? [];
    return this.fleet.cameras.filter((c) => within(c, where)).map((c) => c.index);
  }
}

/** A county and/or a town/street to aim at; null or absent means anywhere. */
export interface Place {
  county?: string | null;
  township?: string | null;
}

function within(item: { county: string; township: string }, where: Place): boolean {
  return (
    (!where.county || item.county === where.county) && (!where.township || item.township === where.township)
  );
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
