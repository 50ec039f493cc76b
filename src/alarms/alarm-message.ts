import type { RegisteredSensor } from '../devices/sensor.service.js';
import { sensorType } from '../devices/sensor-types.js';
import type { AlarmRule } from './alarm.types.js';

const OP = { above: '>', below: '<' } as const;

const format = (value: number): string => String(Number(value.toPrecision(6)));

/** The zh-CN line an alarm shows: rule name, where, the value and the limit it broke. */
export function describeAlarm(
  rule: AlarmRule,
  sensor: RegisteredSensor | null,
  area: string | null,
  value: number | null,
): string {
  // Every rule but a composite fires on one sensor, whose type gives the unit.
  const unit = sensor ? ` ${sensor.type.unit}` : '';
  const where = sensor ? `传感器 ${sensor.id}` : `区域 ${area ?? ''}`;
  const reading = value === null || Number.isNaN(value) ? '' : `，读数 ${format(value)}${unit}`;
  switch (rule.kind) {
    case 'threshold':
      return `${rule.name}：${where}${reading}（阈值 ${OP[rule.params.op]} ${format(rule.params.value)}${unit}）`;
    case 'rate':
      return `${rule.name}：${where}${reading}（${rule.params.windowSeconds} 秒内${rule.params.direction === 'fall' ? '下降' : '上升'} ≥ ${format(rule.params.delta)}${unit}）`;
    case 'stale':
      return `${rule.name}：${where} 已超过 ${rule.params.missedIntervals} 个上报周期无数据`;
    case 'anomaly':
      return `${rule.name}：${where}${reading}（偏离自身基线超过 ${rule.params.zScore}σ）`;
    case 'composite':
      return `${rule.name}：${where}（${rule.params.conditions
        .map((c) => `${sensorType(c.sensorType)?.name ?? c.sensorType} ${OP[c.op]} ${format(c.value)}`)
        .join(rule.params.match === 'all' ? ' 且 ' : ' 或 ')}）`;
  }
}
