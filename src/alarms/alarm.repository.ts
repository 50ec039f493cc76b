import type {
  Alarm,
  AlarmChanges,
  AlarmComment,
  AlarmListQuery,
  AlarmRule,
  EvaluatorCheckpoint,
  MaintenanceWindow,
} from './alarm.types.js';

/**
 * Storage for rules, alarms, comments, maintenance windows and the evaluator's checkpoint.
 *
 * At most one alarm per (ruleId, subject) is not cleared: the database enforces it with a unique
 * index over an `active_key` column that is set while the alarm is active or acknowledged and NULL
 * once cleared, so a bug or a second process cannot create a duplicate.
 */
export interface AlarmRepository {
  /** Every rule, ordered by id. */
  listRules(): Promise<AlarmRule[]>;
  /** One rule, or null. */
  getRule(id: string): Promise<AlarmRule | null>;
  /** Inserts a rule; a taken id is a RULE_CONFLICT. */
  insertRule(rule: AlarmRule): Promise<void>;
  /** Replaces a rule by id; false when there is none. */
  updateRule(rule: AlarmRule): Promise<boolean>;
  /** Deletes a rule by id; false when there was none. Its alarms stay (they keep ruleId and ruleName). */
  deleteRule(id: string): Promise<boolean>;
  /**
   * Inserts the built-in rules whose ids were never seen before, in one transaction, and returns
   * how many it inserted. A built-in rule the city edited or deleted is left alone: deleted ids are
   * remembered so that an upgrade does not bring back a rule an operator removed.
   */
  seedRules(rules: readonly AlarmRule[]): Promise<number>;

  /** Inserts and updates alarms and saves the checkpoint in one transaction; returns the inserts with ids, in order. */
  applyChanges(changes: AlarmChanges): Promise<Alarm[]>;
  /** One alarm, or null. */
  getAlarm(id: number): Promise<Alarm | null>;
  /** Every alarm that is not cleared (loaded at start). */
  listOpenAlarms(): Promise<Alarm[]>;
  /** A page of alarms matching the filters, newest (highest id) first, and the total over all pages. */
  listAlarms(query: AlarmListQuery): Promise<{ items: Alarm[]; total: number }>;

  /** Adds a comment and returns it with its id. */
  addComment(comment: Omit<AlarmComment, 'id'>): Promise<AlarmComment>;
  /** An alarm's comments, oldest first. */
  listComments(alarmId: number): Promise<AlarmComment[]>;

  /** Inserts a maintenance window; a taken id is a WINDOW_CONFLICT. */
  insertWindow(window: MaintenanceWindow): Promise<void>;
  /** Windows that have not ended by `now`, ordered by startsAt. */
  listWindows(now: number): Promise<MaintenanceWindow[]>;
  /** One window, or null. */
  getWindow(id: string): Promise<MaintenanceWindow | null>;
  /** Deletes a window; false when there was none. */
  deleteWindow(id: string): Promise<boolean>;

  /** The evaluator's last checkpoint, or null before the first. */
  loadCheckpoint(): Promise<EvaluatorCheckpoint | null>;
}
