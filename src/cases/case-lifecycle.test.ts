import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  CASE_STATUSES,
  isOpen,
  nextStatus,
  refusal,
  stageOf,
  TRANSITIONS,
  type ActorKind,
  type CaseStatus,
  type LifecycleState,
} from './case-lifecycle.js';

const state = (status: CaseStatus, extra: Partial<LifecycleState> = {}): LifecycleState => ({
  status,
  extensionPending: false,
  suspendedFrom: null,
  ...extra,
});

describe('the lifecycle table', () => {
  it.each([
    ['reported', 'register', 'command', 'registered'],
    ['reported', 'cancel', 'command', 'cancelled'],
    ['registered', 'dispatch', 'system', 'dispatched'],
    ['dispatched', 'accept', 'handler', 'in_progress'],
    ['dispatched', 'return', 'handler', 'registered'],
    ['in_progress', 'reassign', 'command', 'dispatched'],
    ['in_progress', 'handle', 'handler', 'handled'],
    ['handled', 'verify_pass', 'command', 'verified'],
    ['handled', 'verify_fail', 'command', 'rework'],
    ['rework', 'handle', 'handler', 'handled'],
    ['verified', 'close', 'command', 'closed'],
    ['closed', 'reopen', 'command', 'registered'],
    ['in_progress', 'suspend', 'command', 'suspended'],
    ['in_progress', 'request_extension', 'handler', 'in_progress'],
    ['dispatched', 'merge', 'command', 'merged'],
  ] as const)('%s --%s (%s)--> %s', (from, action, actor, to) => {
    expect(refusal(state(from), action, actor)).toBeNull();
    expect(nextStatus(state(from), action)).toBe(to);
  });

  it.each([
    ['reported', 'close', 'command', 'status'],
    ['dispatched', 'accept', 'command', null],
    ['dispatched', 'verify_pass', 'command', 'status'],
    ['handled', 'verify_pass', 'handler', 'actor'],
    ['in_progress', 'approve_extension', 'command', 'extension'],
    ['in_progress', 'accept', 'observer', 'status'],
    ['in_progress', 'handle', 'observer', 'actor'],
    ['merged', 'comment', 'command', 'status'],
    ['closed', 'escalate', 'system', 'status'],
    ['reported', 'fly', 'command', 'unknown'],
  ] as const)('%s refuses %s by %s: %s', (from, action, actor, why) => {
    expect(refusal(state(from), action, actor)).toBe(why);
  });

  it('resumes a suspension where it began', () => {
    expect(nextStatus(state('suspended', { suspendedFrom: 'rework' }), 'resume')).toBe('rework');
  });

  it('offers exactly the actions it accepts, for every status, actor and extension state (property)', () => {
    const actors: ActorKind[] = ['command', 'handler', 'system', 'observer'];
    fc.assert(
      fc.property(
        fc.constantFrom(...CASE_STATUSES),
        fc.constantFrom(...actors),
        fc.boolean(),
        fc.constantFrom(...TRANSITIONS.map((t) => t.action)),
        (status, actor, extensionPending, action) => {
          const s = state(status, {
            extensionPending,
            suspendedFrom: status === 'suspended' ? 'in_progress' : null,
          });
          const offered = allowedActions(s, actor).includes(action);
          expect(offered).toBe(refusal(s, action, actor) === null);
          if (offered) expect(CASE_STATUSES).toContain(nextStatus(s, action));
        },
      ),
    );
  });

  it('reaches closed from reported along any random walk that keeps choosing allowed actions (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (choices) => {
        let s = state('reported');
        for (const choice of choices) {
          const kind: ActorKind = choice % 2 === 0 ? 'command' : 'handler';
          const actions = allowedActions(s, kind).filter((a) => !['comment', 'escalate'].includes(a));
          if (actions.length === 0) continue;
          const action = actions[choice % actions.length]!;
          const to = nextStatus(s, action);
          s = {
            status: to,
            extensionPending:
              action === 'request_extension'
                ? true
                : ['approve_extension', 'reject_extension'].includes(action)
                  ? false
                  : s.extensionPending,
            suspendedFrom: to === 'suspended' ? s.status : null,
          };
          // Terminal statuses run no clock; open ones (but suspended) always do.
          expect(stageOf(s.status) === null).toBe(!isOpen(s.status) || s.status === 'suspended');
        }
      }),
    );
  });

  it('lets nothing but reopen and comment leave a closed case', () => {
    expect(allowedActions(state('closed'), 'command')).toEqual(['reopen', 'comment']);
    expect(allowedActions(state('merged'), 'command')).toEqual([]);
  });
});
