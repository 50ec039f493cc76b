/**
 * The AI detection classes (视频智能识别算法) and the rule each must meet before it opens a case:
 * a confidence threshold, and persistence — at least `minDetections` qualifying detections at one
 * camera within `windowSeconds` (street vending must be seen 3 times in 2 minutes; one frame of
 * smoke is enough). Every class maps to the case category of the same meaning.
 */

/** The classes cameras may report. */
export const DETECTION_CLASSES = [
  'street_vending',
  'illegal_parking',
  'garbage_overflow',
  'road_waterlogging',
  'road_damage',
  'fire_smoke',
  'crowd_gathering',
  'construction_debris',
] as const;
/** One detection class. */
export type DetectionClass = (typeof DETECTION_CLASSES)[number];

/** When detections of a class open a case. */
export interface DetectionRule {
  class: DetectionClass;
  /** The case category it opens (a catalog code). */
  category: string;
  /** Detections below this confidence are stored but never count. */
  minConfidence: number;
  /** Qualifying detections needed … */
  minDetections: number;
  /** … within this many seconds at one camera (0 with minDetections 1: at once). */
  windowSeconds: number;
  zh: string;
}

/** The defaults; CITYOPS_DETECTION_RULES overrides any of them. */
export const DEFAULT_DETECTION_RULES: Record<DetectionClass, DetectionRule> = {
  street_vending: rule('street_vending', 0.6, 3, 120, '占道经营'),
  illegal_parking: rule('illegal_parking', 0.7, 3, 300, '违章停车'),
  garbage_overflow: rule('garbage_overflow', 0.6, 2, 600, '垃圾满溢'),
  road_waterlogging: rule('road_waterlogging', 0.6, 2, 300, '道路积水'),
  road_damage: rule('road_damage', 0.6, 2, 3600, '道路破损'),
  fire_smoke: rule('fire_smoke', 0.5, 1, 0, '火情烟雾'),
  crowd_gathering: rule('crowd_gathering', 0.7, 3, 300, '人员聚集'),
  construction_debris: rule('construction_debris', 0.6, 2, 1800, '建筑垃圾乱倒'),
};

function rule(
  cls: DetectionClass,
  minConfidence: number,
  minDetections: number,
  windowSeconds: number,
  zh: string,
): DetectionRule {
  return { class: cls, category: cls, minConfidence, minDetections, windowSeconds, zh };
}

/** Whether a string is a detection class. */
export function isDetectionClass(value: unknown): value is DetectionClass {
  return typeof value === 'string' && (DETECTION_CLASSES as readonly string[]).includes(value);
}

/**
 * Parses CITYOPS_DETECTION_RULES: comma-separated `class:minConfidence:minDetections:windowSeconds`
 * (e.g. `street_vending:0.7:3:120,fire_smoke:0.6:1:0`); classes not named keep their defaults.
 * Throws an Error naming the first bad entry.
 */
export function parseDetectionRules(text: string | undefined): Record<DetectionClass, DetectionRule> {
  const rules = { ...DEFAULT_DETECTION_RULES };
  if (text === undefined || text.trim() === '') return rules;
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [cls, conf, count, window, ...rest] = entry.split(':');
    if (!isDetectionClass(cls) || rest.length > 0) {
      throw new Error(
        `"${entry}": expected class:minConfidence:minDetections:windowSeconds with a class of ${DETECTION_CLASSES.join(', ')}`,
      );
    }
    const minConfidence = Number(conf);
    const minDetections = Number(count);
    const windowSeconds = Number(window);
    if (!(minConfidence >= 0 && minConfidence <= 1)) {
      throw new Error(`"${entry}": minConfidence must be between 0 and 1`);
    }
    if (!Number.isInteger(minDetections) || minDetections < 1 || minDetections > 100) {
      throw new Error(`"${entry}": minDetections must be a whole number from 1 to 100`);
    }
    if (!Number.isInteger(windowSeconds) || windowSeconds < 0 || windowSeconds > 86_400) {
      throw new Error(`"${entry}": windowSeconds must be a whole number from 0 to 86400`);
    }
    rules[cls] = { ...rules[cls], minConfidence, minDetections, windowSeconds };
  }
  return rules;
}
