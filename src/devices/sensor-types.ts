import { Type, type Static } from 'typebox';

/**
 * The sensor type catalog (传感器类型目录): what each kind of sensor measures, in which unit, what
 * range is normal and how often it reports. Ingest validates readings against it, alarm rules and
 * the dashboard read it.
 *
 * Built in and read-only: the types are code, reviewed like code, because every stored reading is
 * interpreted through its type's unit. A city adds a type with a pull request, not an API call.
 * Codes are never renamed and a retired code is never reused (as with error codes), so a reading
 * stored years ago still means what it meant. Normal ranges here are city-wide defaults; per-site
 * thresholds (a given bridge's strain limits) belong to the alarm rules.
 */

/** The ten vital-sign domains (城市生命体征), in the order the dashboard shows them. */
export const SENSOR_DOMAINS = [
  { code: 'water_supply', name: '供水', nameEn: 'Water supply' },
  { code: 'drainage', name: '排水与管网', nameEn: 'Drainage and pipe network' },
  { code: 'power', name: '电力', nameEn: 'Power' },
  { code: 'gas', name: '燃气', nameEn: 'Gas' },
  { code: 'telecom', name: '通信', nameEn: 'Telecom' },
  { code: 'bridge', name: '桥梁', nameEn: 'Bridges' },
  { code: 'tunnel', name: '隧道', nameEn: 'Tunnels' },
  { code: 'rail_transit', name: '轨道交通', nameEn: 'Rail transit' },
  // The two below are named in the Chengdu–Chongqing (川渝) cooperation agreements.
  { code: 'hydrogen', name: '加氢站', nameEn: 'Hydrogen refuelling stations' },
  { code: 'river_quality', name: '跨界河流水质', nameEn: 'Cross-boundary river water quality' },
] as const;

/** A domain code such as `tunnel`. */
export type SensorDomain = (typeof SENSOR_DOMAINS)[number]['code'];

/** A domain code, for schemas. */
export const SensorDomainSchema = Type.Enum(
  SENSOR_DOMAINS.map((d): SensorDomain => d.code),
  { description: SENSOR_DOMAINS.map((d) => `${d.code} ${d.name}`).join(' | ') },
);

/** A domain with its names, as the API lists it. */
export const SensorDomainInfoSchema = Type.Object({
  code: SensorDomainSchema,
  name: Type.String({ description: 'zh-CN name' }),
  nameEn: Type.String(),
});

const Bound = Type.Union([Type.Number(), Type.Null()]);

/** One sensor type. */
export const SensorTypeSchema = Type.Object({
  code: Type.String({ pattern: '^[a-z][a-z0-9_]{1,47}$', examples: ['tunnel_water_depth'] }),
  domain: SensorDomainSchema,
  name: Type.String({ description: 'zh-CN name' }),
  nameEn: Type.String(),
  unit: Type.String({ description: 'unit of every reading, e.g. MPa, cm, µε, %LEL, mg/L' }),
  normal: Type.Object(
    { min: Bound, max: Bound },
    { description: 'normal range, inclusive; null means unbounded on that side' },
  ),
  measurable: Type.Object(
    { min: Type.Number(), max: Type.Number() },
    { description: 'what an instrument of this type can read; a value outside is a fault, not an alarm' },
  ),
  intervalSeconds: Type.Integer({ minimum: 1, description: 'expected reporting interval' }),
});
/** One sensor type. */
export type SensorType = Static<typeof SensorTypeSchema>;

type Row = [
  code: string,
  name: string,
  nameEn: string,
  unit: string,
  normal: [number | null, number | null],
  measurable: [number, number],
  intervalSeconds: number,
];

// prettier-ignore
const TABLE: Record<SensorDomain, Row[]> = {
  water_supply: [
    // 0.28 MPa (28 m head) is the service pressure Chinese utilities commonly guarantee at the ends
    // of the network; above ~0.5 MPa leakage and bursts climb, which is where pressure zones split.
    ['water_main_pressure', '供水管网压力', 'Water-main pressure', 'MPa', [0.28, 0.5], [0, 1.6], 60],
    // GB 5749-2022: free chlorine ≥ 0.05 mg/L at the tap end of the network, ≤ 2 mg/L leaving the plant.
    ['water_free_chlorine', '管网余氯', 'Free chlorine in the network', 'mg/L', [0.05, 2], [0, 5], 300],
    // GB 5749-2022: turbidity ≤ 1 NTU.
    ['water_turbidity', '管网浑浊度', 'Network turbidity', 'NTU', [null, 1], [0, 100], 300],
  ],
  drainage: [
    // GB 50014-2021: largest design fill ratio of sewers 0.55 (small pipes) to 0.75 (≥ DN1000).
    // Over 100 % the pipe is surcharged (water above its crown, read in the manhole).
    ['sewer_fill_ratio', '管道充满度', 'Sewer fill ratio', '%', [null, 75], [0, 300], 300],
    // GB 50014-2021: sewage at design fill ≥ 0.6 m/s (self-cleansing), non-metal pipes ≤ 5 m/s.
    ['sewer_flow_velocity', '管道流速', 'Sewer flow velocity', 'm/s', [0.6, 5], [0, 10], 300],
    // GB 51222-2017 (城镇内涝防治): at the design storm no lane may stand under more than 15 cm.
    ['road_waterlogging_depth', '道路积水深度', 'Road waterlogging depth', 'cm', [null, 15], [0, 200], 60],
  ],
  power: [
    // Distribution operators count ≥ 80 % as heavy load (重载) and ≥ 100 % as overload; 15-minute
    // points are what metering collection (96 points a day) delivers.
    ['feeder_load', '10kV馈线负载率', '10 kV feeder load', '%', [null, 80], [0, 200], 900],
    // GB/T 12325-2008: three-phase supply at 20 kV and below within ±7 % of nominal.
    ['bus_voltage_10kv', '10kV母线电压', '10 kV bus voltage', 'kV', [9.3, 10.7], [0, 15], 60],
    // DL/T 572 (transformer operation): oil-immersed top oil at most 95 °C, not habitually above 85 °C.
    ['transformer_oil_temp', '变压器顶层油温', 'Transformer top-oil temperature', '°C', [null, 85], [-40, 150], 300],
  ],
  gas: [
    // GB/T 50493-2019: first-level alarm at ≤ 25 %LEL, second-level at ≤ 50 %LEL. Detectors sit in
    // spaces next to gas mains (manholes, utility tunnels) and in stations.
    ['gas_concentration', '可燃气体浓度', 'Combustible gas concentration', '%LEL', [null, 25], [0, 100], 30],
    // GB 50028-2006: medium-pressure A city gas runs at 0.2 < P ≤ 0.4 MPa.
    ['gas_main_pressure', '中压燃气管网压力', 'Medium-pressure gas main pressure', 'MPa', [0.2, 0.4], [0, 1.6], 60],
    // GB 50028-2006: natural-gas appliances are rated 2.0 kPa and must see 0.75–1.5 × that.
    ['gas_regulator_outlet_pressure', '调压箱出口压力', 'Regulator outlet pressure', 'kPa', [1.5, 3], [0, 10], 300],
  ],
  telecom: [
    // Operators' network KPIs aim at ≥ 99.9 %; below 99.5 % over 15 minutes a site is effectively down.
    ['base_station_availability', '基站可用率', 'Base-station availability', '%', [99.5, null], [0, 100], 900],
    // YD/T 1051-2018: −48 V plant, equipment terminals −40 to −57 V (magnitude stored).
    ['base_station_dc_voltage', '基站直流电压', 'Base-station DC voltage', 'V', [40, 57], [0, 72], 300],
    // ITU-T G.984.2 class B+ ONU: sensitivity −27 dBm, overload −8 dBm.
    ['pon_rx_power', 'PON光接收功率', 'PON optical receive power', 'dBm', [-27, -8], [-50, 10], 900],
  ],
  bridge: [
    // JT/T 1037-2016 (公路桥梁结构监测) requires per-bridge thresholds from the design calculation;
    // these defaults are live-load changes since installation, refined per bridge in alarm rules.
    ['bridge_strain', '结构应变', 'Structural strain', 'µε', [-200, 200], [-3000, 3000], 60],
    // JTG 3362-2018: girder live-load deflection ≤ L/600 (100 mm is a 60 m span); per bridge.
    ['bridge_deflection', '主梁挠度', 'Girder deflection', 'mm', [-100, 100], [-2000, 2000], 60],
    // GB/T 28591-2012: force 8 (gale) starts at 17.2 m/s, where bridges begin restricting traffic.
    ['bridge_wind_speed', '桥面风速', 'Deck wind speed', 'm/s', [null, 17.2], [0, 75], 10],
  ],
  tunnel: [
    // GB 51222-2017: 15 cm in a lane is the waterlogging limit; underpasses are commonly signed
    // closed at 27 cm (about a car's exhaust pipe).
    ['tunnel_water_depth', '隧道积水深度', 'Tunnel water depth', 'cm', [null, 15], [0, 200], 60],
    // JTG/T D70/2-02-2014: CO design concentration 150 ppm (≤ 1 km) down to 100 ppm (≥ 3 km).
    ['tunnel_co', '隧道CO浓度', 'Tunnel CO concentration', 'ppm', [null, 100], [0, 1000], 60],
    // JTG/T D70/2-02-2014: smoke (VI) design limit 0.0070 m⁻¹ at 60–90 km/h; 0.012 m⁻¹ closes it.
    ['tunnel_smoke', '隧道烟尘浓度(VI)', 'Tunnel smoke (visibility index)', 'm⁻¹', [null, 0.007], [0, 0.05], 60],
  ],
  rail_transit: [
    // Fruin's queuing level of service D starts at 0.7 m²/person; 2 persons/m² (0.5 m²/person) is
    // where crowding begins and stations start passenger-flow control (限流).
    ['platform_passenger_density', '站台客流密度', 'Platform passenger density', 'persons/m²', [null, 2], [0, 10], 60],
    // GB 50157-2013: rated capacity counts standing passengers at 6 per m² (定员); 100 % is full.
    ['train_load_rate', '列车满载率', 'Train load rate', '%', [null, 100], [0, 200], 120],
    // GB 50157-2013: CO₂ in station public areas, daily mean < 1.5 ‰ (1,500 ppm).
    ['station_co2', '车站CO₂浓度', 'Station CO₂ concentration', 'ppm', [null, 1500], [0, 10000], 300],
  ],
  hydrogen: [
    // GB 50516 (加氢站技术规范): 35 MPa stations store at up to 45 MPa in cascade banks; below
    // ~20 MPa a bank can no longer fill a 35 MPa vehicle and the station needs a delivery.
    ['h2_storage_pressure', '储氢压力', 'Hydrogen storage pressure', 'MPa', [20, 45], [0, 100], 10],
    // Hydrogen's LEL is 4 % by volume; stations alarm at 25 %LEL (1 %), we call above 10 % abnormal
    // because it ignites at a tiny energy and rises fast.
    ['h2_leak', '氢气泄漏浓度', 'Hydrogen leak concentration', '%LEL', [null, 10], [0, 100], 5],
    // SAE J2601 (T40, 70 MPa fuelling): pre-cooled hydrogen at −40 to −33 °C.
    ['h2_precool_temp', '加氢预冷温度', 'Hydrogen pre-cooling temperature', '°C', [-40, -33], [-60, 60], 10],
  ],
  river_quality: [
    // GB 3838-2002 surface water class III (the target of most 川渝 boundary sections). National
    // automatic water-quality stations report every 4 hours.
    ['river_dissolved_oxygen', '溶解氧', 'Dissolved oxygen', 'mg/L', [5, null], [0, 20], 14400],
    ['river_ammonia_nitrogen', '氨氮', 'Ammonia nitrogen (NH₃-N)', 'mg/L', [null, 1], [0, 50], 14400],
    ['river_permanganate_index', '高锰酸盐指数', 'Permanganate index (CODMn)', 'mg/L', [null, 6], [0, 50], 14400],
    ['river_total_phosphorus', '总磷', 'Total phosphorus', 'mg/L', [null, 0.2], [0, 10], 14400],
    ['river_ph', 'pH值', 'pH', 'pH', [6, 9], [0, 14], 14400],
  ],
};

/** Every built-in sensor type, grouped by domain in the order of SENSOR_DOMAINS. */
export const SENSOR_TYPES: readonly SensorType[] = Object.freeze(
  SENSOR_DOMAINS.flatMap(({ code: domain }) =>
    TABLE[domain].map(([code, name, nameEn, unit, normal, measurable, intervalSeconds]) =>
      Object.freeze({
        code,
        domain,
        name,
        nameEn,
        unit,
        normal: { min: normal[0], max: normal[1] },
        measurable: { min: measurable[0], max: measurable[1] },
        intervalSeconds,
      }),
    ),
  ),
);

const BY_CODE = new Map(SENSOR_TYPES.map((t) => [t.code, t]));
const DOMAIN_CODES = new Set<string>(SENSOR_DOMAINS.map((d) => d.code));

/** The type with this code, or undefined: one map lookup, safe on the ingest path. */
export function sensorType(code: string): SensorType | undefined {
  return BY_CODE.get(code);
}

/** The codes of every type in a domain. */
export function typesOfDomain(domain: SensorDomain): string[] {
  return SENSOR_TYPES.filter((t) => t.domain === domain).map((t) => t.code);
}

/** True when `code` names a domain. */
export function isSensorDomain(code: string): code is SensorDomain {
  return DOMAIN_CODES.has(code);
}

/** True when a reading lies inside its type's normal range (bounds inclusive). */
export function isNormal(type: SensorType, value: number): boolean {
  return (
    (type.normal.min === null || value >= type.normal.min) &&
    (type.normal.max === null || value <= type.normal.max)
  );
}

/** True when an instrument of this type could have read the value (finite and within its range). */
export function isMeasurable(type: SensorType, value: number): boolean {
  return Number.isFinite(value) && value >= type.measurable.min && value <= type.measurable.max;
}
