import type { EvaluatorCheckpoint } from './alarm.types.js';
import { newState, type InstanceState } from './rule-kinds.js';
import { pairKey } from './rule-plan.js';

/** One (rule, subject) state as saved: short keys, since a city has hundreds of thousands. */
interface SavedState {
  r: string;
  v: number;
  s: string;
  st: Partial<InstanceState>;
}

/** A rule's state on one subject, as the evaluator holds it (a sensor's instance or an area). */
export interface SubjectState {
  compiled: { rule: { id: string; version: number } };
  subject: string;
  state: InstanceState;
}

/**
 * The evaluator's soft state across restarts: pending durations, rate windows and EWMA baselines
 * (open alarms are in the database, so they need no checkpoint), and the last reading batch
 * evaluated, so batches the bus redelivers after a restart are not evaluated twice. A crash loses
 * at most what changed since the last save.
 */
export class StateCheckpoint {
  /** The last reading batch (telemetry log seq) evaluated. */
  seq = 0;
  /** Engine time of the last save. */
  savedAt = 0;
  /** Saved states not yet claimed by a plan or an area (sensors silent since the restart). */
  private readonly restored = new Map<string, SavedState>();

  /** Reads a stored checkpoint; one that does not parse only costs pending durations and baselines. */
  static load(stored: EvaluatorCheckpoint | null | undefined): StateCheckpoint {
    const checkpoint = new StateCheckpoint();
    if (!stored) return checkpoint;
    checkpoint.seq = stored.seq;
    try {
      for (const saved of JSON.parse(stored.state) as SavedState[]) {
        checkpoint.restored.set(pairKey(saved.r, saved.s), saved);
      }
    } catch {
      // Unreadable soft state is dropped: durations restart and baselines warm up again.
    }
    return checkpoint;
  }

  /**
   * A new state for a rule on a subject: the saved one if it was saved for this rule version
   * (each saved state is handed out once), fresh otherwise; `firing` says whether its alarm is open.
   */
  claim(ruleId: string, version: number, subject: string, firing: boolean): InstanceState {
    const key = pairKey(ruleId, subject);
    const state = newState(firing);
    const saved = this.restored.get(key);
    if (saved) {
      this.restored.delete(key);
      if (saved.v === version) Object.assign(state, saved.st, { firing: state.firing });
    }
    return state;
  }

  /** Whether a save is due, `everyMs` after the last one. */
  due(now: number, everyMs: number): boolean {
    return now - this.savedAt >= everyMs;
  }

  /** The checkpoint to store now: every state worth keeping, then the states not yet claimed. */
  save(states: Iterable<SubjectState>, now: number): EvaluatorCheckpoint {
    const saved: SavedState[] = [];
    for (const { compiled, subject, state } of states) {
      const st: Partial<InstanceState> = {};
      if (!Number.isNaN(state.since)) st.since = state.since;
      if (state.inBand) st.inBand = true;
      if (state.windowTs.length > 0) {
        st.windowTs = state.windowTs;
        st.windowValues = state.windowValues;
      }
      if (!Number.isNaN(state.ref)) st.ref = state.ref;
      if (state.count > 0) {
        st.mean = state.mean;
        st.variance = state.variance;
        st.count = state.count;
      }
      // A state with nothing pending is what a fresh one would be: not worth the bytes.
      if (Object.keys(st).length === 0) continue;
      st.lastTs = state.lastTs;
      saved.push({ r: compiled.rule.id, v: compiled.rule.version, s: subject, st });
    }
    // States not yet claimed by a plan (sensors silent since the restart) are kept for later.
    for (const unclaimed of this.restored.values()) saved.push(unclaimed);
    return { seq: this.seq, state: JSON.stringify(saved), savedAt: now };
  }
}
