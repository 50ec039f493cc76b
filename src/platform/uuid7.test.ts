import { describe, expect, it } from 'vitest';
import { uuid7 } from './uuid7.js';

describe('uuid7', () => {
  it('is a version 7, RFC 9562 variant UUID carrying the milliseconds', () => {
    const id = uuid7(Date.UTC(2026, 10, 26, 1, 0, 0));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 10, 26, 1, 0, 0));
  });

  it('sorts by time across milliseconds', () => {
    const ids = [3, 1, 2].map((k) => uuid7(1_700_000_000_000 + k));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });
});
