import { Type, type Static } from 'typebox';
import { DETECTION_CLASSES } from './detection-rules.js';

/**
 * POST /api/v1/detections: one detection object or an array of up to 1,000. Items are checked one
 * by one in the ingest (a bad one never loses its neighbours), so the item schema is open here.
 */
export const DetectionBodySchema = Type.Union(
  [Type.Array(Type.Unknown(), { maxItems: 1000 }), Type.Object({}, { additionalProperties: true })],
  {
    description:
      '{"camera", "class", "confidence" (0–1), "ts" (epoch ms or ISO-8601 with zone), "snapshotUrl"?, "bbox"? [x, y, w, h]}, or an array of them',
  },
);

const Outcome = Type.Unsafe<'below_threshold' | 'pending' | 'case_opened' | 'case_attached'>({
  type: 'string',
  enum: ['below_threshold', 'pending', 'case_opened', 'case_attached'],
  description:
    'below_threshold: stored, does not count; pending: counts toward the persistence rule; case_opened / case_attached: reported to a case',
});

/** The answer to a detection batch. */
export const DetectionReportSchema = Type.Object({
  accepted: Type.Integer({ description: 'detections stored' }),
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      seq: Type.Integer({ description: 'the stored detection' }),
      outcome: Outcome,
      caseId: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  rejected: Type.Array(Type.Object({ index: Type.Integer(), code: Type.String(), message: Type.String() }), {
    description: 'refused detections, each alone, by position in the request',
  }),
});

/** One class and the rule it must meet to open a case. */
export const DetectionRuleSchema = Type.Object({
  class: Type.Unsafe<(typeof DETECTION_CLASSES)[number]>({ type: 'string', enum: [...DETECTION_CLASSES] }),
  category: Type.String({ description: 'the case category it opens' }),
  zh: Type.String(),
  minConfidence: Type.Number(),
  minDetections: Type.Integer(),
  windowSeconds: Type.Integer(),
});

/** GET /detection-classes answer. */
export const DetectionRuleListSchema = Type.Object({ items: Type.Array(DetectionRuleSchema) });
/** GET /detection-classes answer. */
export type DetectionRuleList = Static<typeof DetectionRuleListSchema>;

/** One stored detection as GET /cameras/{id}/detections lists it. */
export const DetectionSchema = Type.Object({
  seq: Type.Integer(),
  camera: Type.String(),
  class: Type.String(),
  confidence: Type.Number(),
  ts: Type.String({ format: 'date-time' }),
  snapshotUrl: Type.Union([Type.String(), Type.Null()]),
  outcome: Outcome,
  caseId: Type.Union([Type.String(), Type.Null()]),
  receivedAt: Type.String({ format: 'date-time' }),
  raw: Type.Unknown(),
});

export const DetectionListQuerySchema = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) },
  { additionalProperties: false },
);
