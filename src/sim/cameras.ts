import { seededRandom } from '../platform/random.js';
import { DEFAULT_DETECTION_RULES } from '../intake/detection-rules.js';
import type { Fleet } from './fleet.js';
import type { Credential, SimHttp } from './http-client.js';
import type { IncidentBook } from './incident-book.js';
import type { SendQueue } from './send-queue.js';
import type { Background } from './scenario.types.js';
import { dailyShape } from './signal-profiles.js';
import { hash, poisson, unit } from './sim-random.js';
import type { Weather } from './weather.js';

/** A detection class's rule as the server states it (GET /api/v1/detection-classes). */
export interface ClassRule {
  class: string;
  minConfidence: number;
  minDetections: number;
  windowSeconds: number;
}

/** The server's defaults (its own table), used when the rules cannot be read. */
export const DEFAULT_CLASS_RULES: ClassRule[] = Object.values(DEFAULT_DETECTION_RULES);

// What the city's cameras see on an ordinary day, by share of events.
const MIX: [cls: string, weight: number][] = [
  ['street_vending', 34],
  ['illegal_parking', 26],
  ['garbage_overflow', 16],
  ['road_damage', 8],
  ['construction_debris', 6],
  ['crowd_gathering', 7],
  ['fire_smoke', 3],
];

/** What the cameras sent. */
export interface CameraCounters {
  detections: number;
  rejected: number;
  casesOpened: number;
  casesAttached: number;
}

interface Detection {
  camera: string;
  class: string;
  confidence: number;
  ts: number;
  snapshotUrl: string;
}

const SLOT = 600_000; // events are drawn per 10 minutes
// The market-hours weighting averages to this over a day, so the daily rate stays as configured.
const BUSY_MEAN =
  Array.from({ length: 96 }, (_, i) => 0.25 + dailyShape('demand', i / 4, false)).reduce((a, b) => a + b, 0) /
  96;
const LOOKBACK = 2 * SLOT; // an event's detections may trail into later windows
const MAX_AGE = 7 * 86_400_000 - 3_600_000; // the server takes detections up to 7 days old

/**
 * AI cameras (视频智能识别): background events drawn per 10 minutes (vendors, parked cars, full
 * bins…, busiest at the market hours), waterlogging seen where it pours, vendors of street-vending
 * incidents seen again and again, and false positives below the confidence thresholds. A real
 * event is a burst of detections that meets its class's persistence rule, so it opens a case.
 */
export class CameraWorld {
  readonly counters: CameraCounters = { detections: 0, rejected: 0, casesOpened: 0, casesAttached: 0 };
  /** Cases the cameras opened or joined (the simulated departments may work only their own). */
  readonly cases = new Set<string>();
  private readonly rules = new Map<string, ClassRule>();
  private readonly mixTotal = MIX.reduce((s, [, w]) => s + w, 0);

  constructor(
    private readonly http: SimHttp,
    private readonly credential: Credential,
    private readonly fleet: Fleet,
    private readonly seed: number,
    private readonly background: Pick<
      Background,
      'cameraEventsPerCameraPerDay' | 'falseDetectionsPerCameraPerDay'
    >,
    private readonly weather: Weather,
    private readonly incidents: IncidentBook,
    rules: readonly ClassRule[],
  ) {
    for (const r of rules) this.rules.set(r.class, r);
  }

  /**
   * Queues the detections with timestamps in [from, to), in requests of up to 1,000, stamped by
   * `stamp` (a drill maps simulated time onto the wall clock, so that the cases the cameras open
   * are reported now, with deadlines from now).
   */
  emit(
    from: number,
    to: number,
    now: number,
    queue: SendQueue,
    stamp: (t: number) => number = (t) => t,
  ): void {
    if (this.fleet.cameras.length === 0) return;
    const batch = this.detections(from, to)
      .map((d) => ({ ...d, ts: Math.min(now, Math.round(stamp(d.ts))) }))
      .filter((d) => d.ts > now - MAX_AGE);
    for (let i = 0; i < batch.length; i += 1000) {
      const part = batch.slice(i, i + 1000);
      queue.push(() => this.post(part));
    }
  }

  /** The detections with timestamps in [from, to), time-ordered (pure: the same window gives the same list). */
  detections(from: number, to: number): Detection[] {
    const out: Detection[] = [];
    const n = this.fleet.cameras.length;
    const push = (d: Detection) => {
      if (d.ts >= from && d.ts < to) out.push(d);
    };
    for (let slot = Math.floor((from - LOOKBACK) / SLOT); slot * SLOT < to; slot++) {
      const start = slot * SLOT;
      const hour = (((start / 3_600_000 + 8) % 24) + 24) % 24;
      const busy = 0.25 + dailyShape('demand', hour, false);
      const events = poisson(
        (this.background.cameraEventsPerCameraPerDay * n * busy) / 144 / BUSY_MEAN,
        unit(this.seed, 0xca, slot),
      );
      for (let e = 0; e < events; e++) {
        const random = seededRandom(hash(this.seed, 0xca, slot, e + 1));
        const camera = this.fleet.cameras[Math.floor(random() * n)]!;
        let pick = random() * this.mixTotal;
        const cls = MIX.find(([, w]) => (pick -= w) < 0)?.[0] ?? 'street_vending';
        this.burst(camera.id, cls, start + random() * SLOT, random, random() < 0.8).forEach(push);
      }
      const noise = poisson(
        (this.background.falseDetectionsPerCameraPerDay * n) / 144,
        unit(this.seed, 0xfa, slot),
      );
      for (let e = 0; e < noise; e++) {
        const random = seededRandom(hash(this.seed, 0xfa, slot, e + 1));
        const camera = this.fleet.cameras[Math.floor(random() * n)]!;
        const cls = MIX[Math.floor(random() * MIX.length)]![0];
        push(this.detection(camera.id, cls, start + random() * SLOT, 0.2 + 0.3 * random()));
      }
      if (!this.weather.dry) this.waterlogging(slot, start, push);
    }
    for (const incident of this.incidents.current) {
      if (incident.kind !== 'street_vending') continue;
      // The vendors stay: seen again every 15 minutes while the incident lasts.
      for (let t = incident.startMs, k = 0; t < incident.endMs; t += 15 * 60_000, k++) {
        if (t + 300_000 < from || t >= to) continue;
        for (const c of incident.cameras) {
          const random = seededRandom(
            hash(this.seed, 0x5a, Math.floor(incident.startMs / 1000), c * 1000 + k),
          );
          this.burst(
            this.fleet.cameras[c]!.id,
            'street_vending',
            t + random() * 60_000,
            random,
            true,
          ).forEach(push);
        }
      }
    }
    return out.sort((a, b) => a.ts - b.ts);
  }

  private waterlogging(slot: number, start: number, push: (d: Detection) => void): void {
    const n = this.fleet.cameras.length;
    for (let e = 0; e < 40; e++) {
      // Cameras in heavy rain see standing water: a few per county and 10 minutes at 60 mm/h.
      const random = seededRandom(hash(this.seed, 0x3a, slot, e + 1));
      const camera = this.fleet.cameras[Math.floor(random() * n)]!;
      const rain = this.weather.lastHour(camera.county, start);
      if (rain < 30 || random() > (rain - 30) / 60) continue;
      this.burst(camera.id, 'road_waterlogging', start + random() * SLOT, random, true).forEach(push);
    }
  }

  /** A burst of detections of one event: enough to meet the class's rule when `real`, else a weak sighting. */
  private burst(camera: string, cls: string, t: number, random: () => number, real: boolean): Detection[] {
    const rule = this.rules.get(cls) ?? DEFAULT_CLASS_RULES[0]!;
    const count = real ? rule.minDetections + Math.floor(random() * 3) : Math.max(1, rule.minDetections - 1);
    const span = Math.max(10_000, rule.windowSeconds * 1000 * 0.7);
    return Array.from({ length: count }, (_, k) =>
      this.detection(
        camera,
        cls,
        t + (count > 1 ? (span * k) / (count - 1) : 0) + random() * 2000,
        real
          ? rule.minConfidence + 0.03 + (0.97 - rule.minConfidence - 0.03) * random()
          : rule.minConfidence * (0.6 + 0.3 * random()),
      ),
    );
  }

  private detection(camera: string, cls: string, ts: number, confidence: number): Detection {
    const at = Math.round(ts);
    return {
      camera,
      class: cls,
      confidence: Math.round(confidence * 100) / 100,
      ts: at,
      // A reserved domain (.invalid): clearly not a real snapshot, and never fetched by anyone.
      snapshotUrl: `https://snapshots.cityops.invalid/${camera}/${at}.jpg`,
    };
  }

  private async post(detections: Detection[]): Promise<void> {
    const answer = await this.http.send<{
      accepted?: number;
      results?: { outcome: string; caseId: string | null }[];
      rejected?: unknown[];
    }>('POST', '/api/v1/detections', { auth: this.credential, json: detections });
    if (answer.status !== 200) {
      this.counters.rejected += detections.length;
      return;
    }
    this.counters.detections += answer.body.accepted ?? 0;
    this.counters.rejected += answer.body.rejected?.length ?? 0;
    for (const r of answer.body.results ?? []) {
      if (r.outcome === 'case_opened') this.counters.casesOpened++;
      if (r.outcome === 'case_attached') this.counters.casesAttached++;
      if (r.caseId) this.cases.add(r.caseId);
    }
  }
}
