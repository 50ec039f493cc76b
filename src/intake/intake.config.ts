import { ConfigError } from '../config.js';
import { parseAlarmCaseOptions, type AlarmCaseOptions } from './alarm-case-policy.js';
import { parseDetectionRules, type DetectionClass, type DetectionRule } from './detection-rules.js';

/** Intake's settings: the detection rules and which alarms open cases. */
export interface IntakeConfig {
  /** Per detection class: confidence threshold and persistence rule before a camera opens a case. */
  detectionRules: Record<DetectionClass, DetectionRule>;
  /** Which alarms open cases (severities, domains); no domains turns the alarm → case policy off. */
  alarmCases: AlarmCaseOptions;
}

/**
 * Reads CITYOPS_DETECTION_RULES and CITYOPS_ALARM_CASE_SEVERITIES / _DOMAINS from the raw
 * environment (config.ts keeps it as `env`, knowing no domain); throws ConfigError naming the variable.
 */
export function parseIntakeConfig(env: NodeJS.ProcessEnv): IntakeConfig {
  let detectionRules;
  try {
    detectionRules = parseDetectionRules(env.CITYOPS_DETECTION_RULES);
  } catch (error) {
    throw new ConfigError('CITYOPS_DETECTION_RULES', (error as Error).message);
  }
  try {
    return {
      detectionRules,
      alarmCases: parseAlarmCaseOptions(env.CITYOPS_ALARM_CASE_SEVERITIES, env.CITYOPS_ALARM_CASE_DOMAINS),
    };
  } catch (error) {
    throw new ConfigError(
      'CITYOPS_ALARM_CASE_SEVERITIES / CITYOPS_ALARM_CASE_DOMAINS',
      (error as Error).message,
    );
  }
}
