import { subject, type EventBus } from '../platform/bus/event-bus.js';

/** What the access domain tells the others: a key stopped working, an account was locked. */
export type AccessEvent =
  | { type: 'key.revoked'; keyId: string; at: string }
  | { type: 'account.locked'; userId: string; username: string; failures: number; until: string; at: string }
  | { type: 'account.unlocked'; userId: string; username: string; at: string };

/** The bus subject of access events (the MQTT broker drops a revoked key's connections on it). */
export const ACCESS_EVENTS = subject<AccessEvent>('access.events');

/** Logs every access event but key revocations (routine, and the broker acts on them) as a warning. */
export function logAccessEvents(
  bus: EventBus,
  log: { warn: (object: object, message: string) => void },
): void {
  bus.subscribe(
    ACCESS_EVENTS,
    ({ events }) => {
      for (const event of events) {
        if (event.type !== 'key.revoked') log.warn({ event }, `access: ${event.type}`);
      }
    },
    { name: 'access-log' },
  );
}
