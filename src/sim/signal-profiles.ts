/**
 * How each built-in sensor type behaves in the simulated city: how many of them there are, where
 * its readings sit inside the normal range (src/devices/sensor-types.ts), its daily cycle, noise,
 * drift and what rain does to it. Tuned so that a normal day stays inside the default alarm rules
 * (src/alarms/default-rules.ts) except for the few "hot" sensors a real city also has, and so that
 * the incidents in incidents.ts cross exactly the rules they are meant to.
 */

/** Daily shapes (0 at the quiet hours, about 1 at the peak), by China Standard Time hour. */
export type DailyShape = 'flat' | 'power' | 'commute' | 'demand' | 'cooking' | 'daylight' | 'service';

/** What rain does to a type: R is the county's rain over the last hour, mm/h. */
export type RainResponse =
  | 'none'
  | 'sewer' // fill rises k × R
  | 'velocity' // flow speeds up 0.02 × R
  | 'pond' // water stands (R − capacity) × k deep once the drains are overwhelmed
  | 'runoff' // river pollutants rise with the day's rain
  | 'oxygen' // dissolved oxygen falls with the day's rain
  | 'wind'; // storm gusts

/** Asset groups: sensors installed together on one structure. */
export type AssetKind = 'bridge' | 'tunnel' | 'station' | 'h2_station' | 'river_section';

/** One type's behaviour. */
export interface SignalProfile {
  type: string;
  /** Id abbreviation (SIM-WP-000001). */
  abbr: string;
  /** Share of the fleet (single sensors), or how many sit on each asset of `asset`. */
  share: number;
  asset: AssetKind | null;
  /** Per-sensor baseline drawn uniformly from [lo, hi]. */
  base: [lo: number, hi: number];
  daily: DailyShape;
  /** Amplitude of the daily cycle (negative: the value dips at the peak, as pressure does). */
  amplitude: [lo: number, hi: number];
  noise: number;
  /** Amplitude of slow drift (days-long wander). */
  drift: number;
  rain: RainResponse;
  /** Rain parameters: k per mm/h, and for `pond` the capacity in mm/h before water stands. */
  rainK: [lo: number, hi: number];
  capacity: [lo: number, hi: number];
  /** Share of sensors that run hot (a heavily loaded feeder, the busiest platform): baseline shifted by `hotShift`. */
  hotShare: number;
  hotShift: number;
  /** Clamp readings to at least 0 (depths, concentrations). */
  nonNegative: boolean;
  /** Upper clamp below the measurable maximum (availability cannot exceed 100 %). */
  ceiling: number | null;
  decimals: number;
}

type Row = [
  type: string,
  abbr: string,
  share: number,
  asset: AssetKind | null,
  base: [number, number],
  daily: DailyShape,
  amplitude: [number, number],
  noise: number,
  drift: number,
  rain: RainResponse,
  rainK: [number, number],
  capacity: [number, number],
  hot: [share: number, shift: number],
  nonNegative: boolean,
  ceiling: number | null,
  decimals: number,
];

// Shares of single sensors sum (with the assets below) to about 1. Asset rows give sensors per asset.
// prettier-ignore
const ROWS: Row[] = [
  // water supply: pressure dips at the morning and evening demand peaks
  ['water_main_pressure', 'WP', 0.12, null, [0.35, 0.42], 'demand', [-0.035, -0.02], 0.003, 0.005, 'none', [0, 0], [0, 0], [0, 0], true, null, 3],
  ['water_free_chlorine', 'CL', 0.04, null, [0.3, 0.8], 'flat', [0, 0], 0.015, 0.05, 'none', [0, 0], [0, 0], [0, 0], true, null, 3],
  ['water_turbidity', 'TB', 0.03, null, [0.1, 0.35], 'demand', [0.02, 0.05], 0.02, 0.03, 'runoff', [0.002, 0.004], [0, 0], [0, 0], true, null, 3],
  // drainage: sewers fill with the day's wastewater and with rain
  ['sewer_fill_ratio', 'SF', 0.1, null, [25, 42], 'demand', [6, 12], 1, 2, 'sewer', [0.4, 1.2], [0, 0], [0, 0], true, null, 1],
  ['sewer_flow_velocity', 'SV', 0.04, null, [1.1, 1.6], 'demand', [0.1, 0.25], 0.03, 0.05, 'velocity', [0.02, 0.03], [0, 0], [0, 0], true, null, 2],
  ['road_waterlogging_depth', 'RW', 0.05, null, [0, 0.3], 'flat', [0, 0], 0.15, 0, 'pond', [0.35, 0.8], [18, 60], [0, 0], true, null, 1],
  // power: load peaks late morning and evening; a few feeders run heavy (重载) at the evening peak
  ['feeder_load', 'FL', 0.08, null, [30, 48], 'power', [12, 20], 1.5, 2, 'none', [0, 0], [0, 0], [0.01, 16], true, null, 1],
  ['bus_voltage_10kv', 'BV', 0.03, null, [10.15, 10.4], 'power', [-0.12, -0.06], 0.02, 0.03, 'none', [0, 0], [0, 0], [0, 0], true, null, 3],
  ['transformer_oil_temp', 'OT', 0.05, null, [45, 58], 'power', [6, 10], 0.4, 1.5, 'none', [0, 0], [0, 0], [0, 0], false, null, 1],
  // gas: detectors read near zero; pressure dips at the cooking peaks
  ['gas_concentration', 'GC', 0.08, null, [0, 1.5], 'flat', [0, 0], 0.25, 0.3, 'none', [0, 0], [0, 0], [0, 0], true, null, 1],
  ['gas_main_pressure', 'GP', 0.04, null, [0.28, 0.33], 'cooking', [-0.025, -0.012], 0.002, 0.004, 'none', [0, 0], [0, 0], [0, 0], true, null, 3],
  ['gas_regulator_outlet_pressure', 'GR', 0.03, null, [2, 2.4], 'cooking', [-0.12, -0.06], 0.02, 0.04, 'none', [0, 0], [0, 0], [0, 0], true, null, 2],
  // telecom: availability sits just under 100 %; -48 V plant floats at 53.5 V
  ['base_station_availability', 'BS', 0.07, null, [99.93, 100], 'flat', [0, 0], 0.03, 0, 'none', [0, 0], [0, 0], [0, 0], true, 100, 2],
  ['base_station_dc_voltage', 'DC', 0.03, null, [53.2, 53.8], 'flat', [0, 0], 0.08, 0.1, 'none', [0, 0], [0, 0], [0, 0], true, null, 1],
  ['pon_rx_power', 'PO', 0.04, null, [-22, -15], 'flat', [0, 0], 0.15, 0.4, 'none', [0, 0], [0, 0], [0, 0], false, null, 1],
  // bridges: live-load strain and deflection follow the traffic; wind gusts, more in storms
  ['bridge_strain', 'S', 3, 'bridge', [-30, 30], 'commute', [15, 40], 1.5, 4, 'none', [0, 0], [0, 0], [0, 0], false, null, 1],
  ['bridge_deflection', 'D', 2, 'bridge', [-8, 8], 'commute', [8, 22], 0.4, 1, 'none', [0, 0], [0, 0], [0, 0], false, null, 1],
  ['bridge_wind_speed', 'W', 1, 'bridge', [2, 5], 'daylight', [1, 3], 0.8, 0.5, 'wind', [0.03, 0.09], [0, 0], [0, 0], true, null, 1],
  // tunnels: dry unless it pours; CO and smoke follow the traffic
  ['tunnel_water_depth', 'W', 2, 'tunnel', [0, 0.3], 'flat', [0, 0], 0.15, 0, 'pond', [0.45, 1.1], [22, 70], [0, 0], true, null, 1],
  ['tunnel_co', 'CO', 1, 'tunnel', [8, 20], 'commute', [15, 35], 1.5, 2, 'none', [0, 0], [0, 0], [0, 0], true, null, 1],
  ['tunnel_smoke', 'SM', 1, 'tunnel', [0.0008, 0.0015], 'commute', [0.0015, 0.0028], 0.0001, 0.0001, 'none', [0, 0], [0, 0], [0, 0], true, null, 4],
  // rail: the morning and evening rush; the busiest platforms pass 2 persons/m² at the peak
  ['platform_passenger_density', 'P', 2, 'station', [0.15, 0.3], 'commute', [0.6, 1.3], 0.04, 0, 'none', [0, 0], [0, 0], [0.04, 0.55], true, null, 2],
  ['train_load_rate', 'L', 1, 'station', [25, 40], 'commute', [35, 55], 2, 0, 'none', [0, 0], [0, 0], [0.05, 18], true, null, 0],
  ['station_co2', 'C', 1, 'station', [520, 650], 'commute', [250, 450], 15, 10, 'none', [0, 0], [0, 0], [0, 0], true, null, 0],
  // hydrogen stations: storage pressure is a saw (fills draw it down, deliveries refill it)
  ['h2_storage_pressure', 'SP', 1, 'h2_station', [25, 42], 'flat', [0, 0], 0.1, 0, 'none', [0, 0], [0, 0], [0, 0], true, null, 1],
  ['h2_leak', 'LK', 1, 'h2_station', [0, 0.4], 'flat', [0, 0], 0.08, 0, 'none', [0, 0], [0, 0], [0, 0], true, null, 2],
  ['h2_precool_temp', 'PC', 1, 'h2_station', [-37.5, -36], 'flat', [0, 0], 0.3, 0.2, 'none', [0, 0], [0, 0], [0, 0], false, null, 1],
  // cross-boundary river sections, every 4 hours
  ['river_dissolved_oxygen', 'DO', 1, 'river_section', [7, 8.8], 'daylight', [0.3, 0.7], 0.1, 0.3, 'oxygen', [0.02, 0.04], [0, 0], [0, 0], true, null, 2],
  ['river_ammonia_nitrogen', 'NH', 1, 'river_section', [0.15, 0.45], 'flat', [0, 0], 0.03, 0.05, 'runoff', [0.004, 0.008], [0, 0], [0, 0], true, null, 3],
  ['river_permanganate_index', 'MN', 1, 'river_section', [2, 3.8], 'flat', [0, 0], 0.1, 0.3, 'runoff', [0.02, 0.04], [0, 0], [0, 0], true, null, 2],
  ['river_total_phosphorus', 'TP', 1, 'river_section', [0.05, 0.11], 'flat', [0, 0], 0.005, 0.01, 'runoff', [0.0008, 0.0015], [0, 0], [0, 0], true, null, 3],
  ['river_ph', 'PH', 1, 'river_section', [7.2, 8.1], 'daylight', [0.1, 0.2], 0.04, 0.1, 'none', [0, 0], [0, 0], [0, 0], true, null, 2],
];

/** Assets: share of the fleet taken by the asset kind's sensors together, and the id prefix. */
export const ASSETS: Record<AssetKind, { share: number; abbr: string; name: string; minCount: number }> = {
  bridge: { share: 0.06, abbr: 'BR', name: '桥梁', minCount: 2 },
  tunnel: { share: 0.04, abbr: 'TN', name: '隧道', minCount: 2 },
  station: { share: 0.06, abbr: 'ST', name: '轨道站', minCount: 2 },
  h2_station: { share: 0.003, abbr: 'H2', name: '加氢站', minCount: 2 },
  river_section: { share: 0.0075, abbr: 'RV', name: '跨界断面', minCount: 2 },
};

/** Every profile, in the order of the catalog. */
export const SIGNAL_PROFILES: readonly SignalProfile[] = ROWS.map(
  ([
    type,
    abbr,
    share,
    asset,
    base,
    daily,
    amplitude,
    noise,
    drift,
    rain,
    rainK,
    capacity,
    hot,
    nonNegative,
    ceiling,
    decimals,
  ]) => ({
    type,
    abbr,
    share,
    asset,
    base,
    daily,
    amplitude,
    noise,
    drift,
    rain,
    rainK,
    capacity,
    hotShare: hot[0],
    hotShift: hot[1],
    nonNegative,
    ceiling,
    decimals,
  }),
);

/** The profile of a type; every built-in type has one (a test holds the catalog to it). */
export function profileOf(type: string): SignalProfile | undefined {
  return SIGNAL_PROFILES.find((p) => p.type === type);
}

/** Owners written into the registry (权属单位), by domain, as a city's sensor ledger names them. */
export const OWNERS: Record<string, string> = {
  water_supply: '重庆水务集团',
  drainage: '市城市管理局排水中心',
  power: '国网重庆市电力公司',
  gas: '重庆燃气集团',
  telecom: '通信运营商',
  bridge: '市城市管理局桥梁中心',
  tunnel: '市城市管理局隧道中心',
  rail_transit: '重庆轨道交通集团',
  hydrogen: '加氢站运营单位',
  river_quality: '市生态环境局',
};

const bump = (h: number, centre: number, width: number): number => {
  let d = Math.abs(h - centre);
  if (d > 12) d = 24 - d;
  return Math.exp(-(d * d) / (2 * width * width));
};

/**
 * The daily shape at China Standard Time hour `h` (0–24, fractional); `weekend` flattens the
 * commute. Values are about 0 at night and 1 at the peak.
 */
export function dailyShape(shape: DailyShape, h: number, weekend: boolean): number {
  switch (shape) {
    case 'flat':
      return 0;
    case 'power':
      return Math.min(1, 0.85 * bump(h, 11, 2.2) + bump(h, 20, 2.2) + 0.35 * bump(h, 15, 3));
    case 'commute': {
      const rush = bump(h, 8, 1.1) + 0.9 * bump(h, 18.2, 1.4);
      const day = 0.3 * bump(h, 13, 3);
      return Math.min(1, weekend ? 0.45 * rush + 1.3 * day : rush + day);
    }
    case 'demand':
      return Math.min(1, bump(h, 7.5, 1.4) + 0.9 * bump(h, 19.5, 1.8) + 0.3 * bump(h, 12.5, 1.5));
    case 'cooking':
      return Math.min(1, 0.8 * bump(h, 11.5, 1) + bump(h, 18, 1.1));
    case 'daylight':
      return bump(h, 15, 3.5);
    case 'service':
      return h >= 6.5 && h < 23 ? 1 : 0;
  }
}
