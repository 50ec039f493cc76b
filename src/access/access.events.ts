import { subject } from '../platform/bus/event-bus.js';

/** What the access domain tells the others: a key stopped working, an account was locked. */
export type AccessEvent =
  | { type: 'key.revoked'; keyId: string; at: string }
  | { type: 'account.locked'; userId: string; username: string; failures: number; until: string; at: string }
  | { type: 'account.unlocked'; userId: string; username: string; at: string };

/** The bus subject of access events (the MQTT broker drops a revoked key's connections on it). */
export const ACCESS_EVENTS = subject<AccessEvent>('access.events');
