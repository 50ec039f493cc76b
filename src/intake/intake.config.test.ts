import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../app.js';
import { ConfigError, loadConfig } from '../config.js';
import { DEFAULT_ALARM_CASE_OPTIONS } from './alarm-case-policy.js';
import { DEFAULT_DETECTION_RULES } from './detection-rules.js';
import { parseIntakeConfig } from './intake.config.js';

describe('parseIntakeConfig', () => {
  it('gives the defaults for an empty environment', () => {
    expect(parseIntakeConfig({})).toEqual({
      detectionRules: DEFAULT_DETECTION_RULES,
      alarmCases: DEFAULT_ALARM_CASE_OPTIONS,
    });
  });

  it('reads both variables', () => {
    const parsed = parseIntakeConfig({
      CITYOPS_DETECTION_RULES: 'fire_smoke:0.9:2:30',
      CITYOPS_ALARM_CASE_DOMAINS: 'none',
    });
    expect(parsed.detectionRules.fire_smoke).toMatchObject({ minConfidence: 0.9, minDetections: 2 });
    expect(parsed.alarmCases.domains).toEqual([]);
  });

  it('names the variable of a bad value', () => {
    expect(() => parseIntakeConfig({ CITYOPS_DETECTION_RULES: 'nonsense' })).toThrow(
      /^CITYOPS_DETECTION_RULES: /,
    );
    expect(() => parseIntakeConfig({ CITYOPS_ALARM_CASE_SEVERITIES: 'loud' })).toThrow(ConfigError);
  });

  it('stops the start before storage opens: build() rejects with the ConfigError', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityops-intake-config-'));
    try {
      const config = loadConfig({ CITYOPS_DATA_DIR: dir, CITYOPS_DETECTION_RULES: 'nonsense' });
      await expect(build(config, { logger: false })).rejects.toThrow(ConfigError);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
