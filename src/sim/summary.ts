import type { CameraCounters } from './cameras.js';
import type { CitizenCounters } from './citizens.js';
import type { StaffCounters } from './departments.js';
import { formatDuration } from './duration.js';
import type { HttpCounters } from './http-client.js';
import type { Outcome } from './outcome.js';
import type { Registration } from './registration.js';
import type { TelemetryCounters } from './telemetry-emitter.js';

/** Everything a run did and what the server made of it. */
export interface SimSummary {
  scenario: string;
  seed: number;
  prefix: string;
  sensors: number;
  cameras: number;
  registration: Registration;
  simulatedFrom: number;
  simulatedTo: number;
  wallMs: number;
  telemetry: TelemetryCounters;
  detections: CameraCounters;
  citizens: CitizenCounters;
  incidents: Record<string, number>;
  skippedIncidents: string[];
  staff: StaffCounters | null;
  outcome: Outcome;
  http: HttpCounters;
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);
const list = (m: Record<string, number>, limit = 8) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(', ') || '—';

/** The end-of-run report, Chinese first with English, one fact a line. */
export function formatSummary(s: SimSummary, names: (code: string) => string = (c) => c): string {
  const simulated = s.simulatedTo - s.simulatedFrom;
  const seconds = Math.max(0.001, s.wallMs / 1000);
  const rejected = Object.values(s.telemetry.rejected).reduce((a, b) => a + b, 0);
  const counties = Object.entries(s.outcome.alarmsByCounty)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([code, count]) => `${names(code)} ${count}`)
    .join(', ');
  const lines = [
    `模拟结束 simulation summary — ${s.scenario} (seed ${s.seed}, fleet ${s.prefix})`,
    `  模拟时长 simulated     ${formatDuration(simulated)} in ${formatDuration(s.wallMs)} (${(simulated / Math.max(1, s.wallMs)).toFixed(1)}× real time)`,
    `  设备 devices           ${n(s.sensors)} sensors (${n(s.registration.sensorsAdded)} new), ${n(s.cameras)} cameras (${n(s.registration.camerasAdded)} new)`,
    `  读数 readings sent     ${n(s.telemetry.accepted)} accepted (${n(s.telemetry.accepted / seconds)}/s), ${n(rejected)} refused${rejected ? ` (${list(s.telemetry.rejected)})` : ''}, ${n(s.telemetry.batches)} requests`,
    `  视频识别 detections    ${n(s.detections.detections)} sent, ${n(s.detections.casesOpened)} opened a case, ${n(s.detections.casesAttached)} joined one`,
    `  市民上报 Open311       ${n(s.citizens.filed)} filed${s.citizens.refused ? `, ${n(s.citizens.refused)} refused` : ''}`,
    `  注入事件 incidents     ${list(s.incidents, 12)}`,
    `  告警 alarms raised     ${n(s.outcome.alarms)}${counties ? ` in ${Object.keys(s.outcome.alarmsByCounty).length} districts (${counties})` : ''}`,
    `    by rule 按规则       ${list(s.outcome.alarmsByRule, 10)}`,
    `  案件 cases opened      ${n(s.outcome.cases)} (${n(s.outcome.casesRouted)} routed 已派遣), ${n(s.outcome.casesClosed)} closed 已结案; by status ${list(s.outcome.casesByStatus)}`,
    `  今日全市 city today    结案率 closure ${pct(s.outcome.closureRate)}, 按期结案率 on time ${pct(s.outcome.onTimeClosureRate)}`,
  ];
  if (s.staff) {
    lines.push(
      `  处置 staff actions     ${list(s.staff.actions, 14)}; ${n(s.staff.alarmsAcknowledged)} alarms acknowledged${s.staff.conflicts ? `, ${n(s.staff.conflicts)} already moved by someone else` : ''}`,
    );
    if (s.staff.lastError) lines.push(`    last staff error: ${s.staff.lastError}`);
  }
  if (s.telemetry.lastError) lines.push(`  last telemetry error: ${s.telemetry.lastError}`);
  if (s.http.throttled) {
    lines.push(`  throttled 限流重试 ${n(s.http.throttled)} times (429/503 with Retry-After)`);
  }
  if (s.skippedIncidents.length) lines.push(`  skipped incidents: ${s.skippedIncidents.join('; ')}`);
  return lines.join('\n');
}
