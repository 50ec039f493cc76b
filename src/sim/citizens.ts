import { seededRandom } from '../platform/random.js';
import type { CityGeo, Township } from './city-geo.js';
import type { SimHttp } from './http-client.js';
import type { SendQueue } from './send-queue.js';
import type { LinkedReport } from './incident-kinds.js';
import type { IncidentBook } from './incident-book.js';
import { dailyShape } from './signal-profiles.js';
import { cumulativeOf, hash, pickWeighted, poisson, unit } from './sim-random.js';
import type { Weather } from './weather.js';

// What citizens report (Open311 service codes from the case catalog), by share, with what they write.
const TOPICS: [code: string, weight: number, texts: string[]][] = [
  ['road_damage', 15, ['路面有坑，车辆颠簸', '人行道地砖松动', '道路开裂']],
  ['exposed_garbage', 12, ['路边堆放生活垃圾', '绿化带里有垃圾']],
  ['garbage_overflow', 10, ['垃圾桶满了没人清运', '小区门口垃圾溢出']],
  ['illegal_parking', 12, ['车辆占用消防通道', '人行道上违停']],
  ['street_vending', 8, ['流动摊贩占道经营', '夜市摊位占用人行道']],
  ['noise_nuisance', 12, ['夜间施工噪声扰民', '广场舞音响声音太大']],
  ['street_light', 8, ['路灯不亮', '路灯白天一直亮着']],
  ['manhole_cover', 5, ['井盖缺失，有安全隐患', '井盖松动有响声']],
  ['waste_bin', 4, ['垃圾箱损坏', '垃圾箱被移走']],
  ['public_toilet', 3, ['公厕无水', '公厕卫生差']],
  ['tree_greenery', 3, ['行道树倾斜', '树枝遮挡交通标志']],
  ['construction_debris', 4, ['夜间偷倒建筑垃圾', '路边有渣土']],
  ['traffic_signal', 3, ['红绿灯不亮', '信号灯时间太短']],
  ['guard_rail', 2, ['护栏被撞坏']],
  ['road_sign', 2, ['交通标志牌倾倒']],
];

/** What the citizens filed. */
export interface CitizenCounters {
  filed: number;
  refused: number;
  lastError: string | null;
}

/**
 * Citizens filing Open311 requests (市民上报): a daytime-weighted Poisson stream over the city's
 * towns/streets (more where more people live), with neighbours reporting the same problem now and
 * then (the intake merges them), reports of standing water where it pours, and the reports an
 * incident prompts (a burst main). Drawn per minute from the seed, like everything else.
 */
export class Citizens {
  readonly counters: CitizenCounters = { filed: 0, refused: 0, lastError: null };
  private readonly topics: typeof TOPICS;
  private readonly topicWeights: Float64Array;
  private readonly townshipWeights: Float64Array;
  private readonly recent: { minute: number; code: string; lon: number; lat: number }[] = [];

  constructor(
    private readonly http: SimHttp,
    private readonly options: {
      key: string;
      seed: number;
      perHour: number;
      geo: CityGeo;
      weather: Weather;
      incidents: IncidentBook;
      /** Service codes the server offers; topics it does not are skipped. */
      services: ReadonlySet<string>;
    },
  ) {
    this.topics = TOPICS.filter(([code]) => options.services.has(code));
    this.topicWeights = cumulativeOf(this.topics.map(([, w]) => w));
    const { geo } = options;
    this.townshipWeights = cumulativeOf(
      geo.townships.map(
        (t) => (t.kind === 'street' ? 3 : t.kind === 'town' ? 1 : 0.5) * (geo.county(t.county)?.core ? 3 : 1),
      ),
    );
  }

  /** Files the reports due in [from, to) (whole minutes) on `queue`, in the background. */
  emit(from: number, to: number, queue: SendQueue): void {
    for (const report of this.reports(from, to)) queue.push(() => this.file(report));
  }

  /** The reports due in [from, to): pure for a seed, window and weather. */
  reports(from: number, to: number): LinkedReport[] {
    const out: LinkedReport[] = [];
    const { geo, seed } = this.options;
    for (let minute = Math.ceil(from / 60_000); minute * 60_000 < to; minute++) {
      const t = minute * 60_000;
      const hour = (((t / 3_600_000 + 8) % 24) + 24) % 24;
      // Few at night, most in the day and early evening.
      const awake =
        0.08 + 1.2 * dailyShape('daylight', hour, false) + 0.4 * dailyShape('demand', hour, false);
      const count =
        this.topics.length === 0 ? 0 : poisson((this.options.perHour / 60) * awake, unit(seed, 0xc1, minute));
      for (let n = 0; n < count; n++) {
        const random = seededRandom(hash(seed, 0xc1, minute, n + 1));
        const again = this.recent.find((r) => minute - r.minute <= 30 && random() < 0.1);
        if (again) {
          const [lon, lat] = geo.jitter(again.lon, again.lat, 20, random);
          out.push(this.report(t, again.code, lon, lat, random));
          continue;
        }
        const township = geo.townships[pickWeighted(this.townshipWeights, random())]!;
        const [code] = this.topics[pickWeighted(this.topicWeights, random())]!;
        const [lon, lat] = geo.samplePoint(township, random);
        out.push(this.report(t, code, lon, lat, random, township));
        this.recent.push({ minute, code, lon, lat });
      }
      if (!this.options.weather.dry && this.options.services.has('road_waterlogging')) {
        this.rain(minute, t, out);
      }
      while (this.recent.length > 0 && minute - this.recent[0]!.minute > 30) this.recent.shift();
    }
    for (const incident of this.options.incidents.current) {
      for (const r of incident.reports) {
        if (r.at >= from && r.at < to && this.options.services.has(r.category)) out.push(r);
      }
    }
    return out;
  }

  private rain(minute: number, t: number, out: LinkedReport[]): void {
    const { geo, seed, weather } = this.options;
    for (const county of geo.counties) {
      const rain = weather.lastHour(county.code, t);
      if (rain < 25) continue;
      // About one report every four minutes per county at 60 mm/h, fewer outside the core.
      const mean = ((rain - 25) / 35) * (county.core ? 0.25 : 0.08);
      const count = poisson(mean, unit(seed, 0x2a, minute, Number(county.code)));
      for (let n = 0; n < count; n++) {
        const random = seededRandom(hash(seed, 0x2a, minute, Number(county.code) * 100 + n));
        const township = county.townships[Math.floor(random() * county.townships.length)]!;
        const [lon, lat] = geo.samplePoint(township, random);
        out.push({
          at: t,
          category: 'road_waterlogging',
          lon,
          lat,
          hazard: random() < 0.3,
          description: random() < 0.5 ? '路面积水很深，车辆无法通行' : '下穿道积水，行人无法通过',
        });
      }
    }
  }

  private report(
    t: number,
    code: string,
    lon: number,
    lat: number,
    random: () => number,
    township?: Township,
  ): LinkedReport {
    const texts = TOPICS.find(([c]) => c === code)?.[2] ?? ['市民反映问题'];
    const text = texts[Math.floor(random() * texts.length)]!;
    return {
      at: t,
      category: code,
      lon,
      lat,
      hazard: random() < 0.03,
      description: township ? `${township.name}：${text}` : text,
    };
  }

  private async file(report: LinkedReport): Promise<void> {
    const form = new URLSearchParams({
      api_key: this.options.key,
      service_code: report.category,
      lat: String(report.lat),
      long: String(report.lon),
      description: report.description,
      'attribute[hazard]': report.hazard ? 'yes' : 'no',
    });
    const answer = await this.http.send<unknown>('POST', '/open311/v2/requests.json', {
      body: { text: form.toString(), type: 'application/x-www-form-urlencoded' },
    });
    if (answer.status === 200 || answer.status === 201) this.counters.filed++;
    else {
      this.counters.refused++;
      this.counters.lastError = `HTTP ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`;
    }
  }
}
