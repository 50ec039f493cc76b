import { describe, expect, it } from 'vitest';
import { LiveClient, SILENCE_MS, type LiveDeps, type SocketLike } from './live';
import type { LiveEvent, ServerMessage } from '../../../src/live/live.types';

class FakeSocket implements SocketLike {
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  sent: unknown[] = [];
  closed = false;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.();
  }
  receive(message: ServerMessage) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006) {
    this.onclose?.({ code });
  }
}

/** A client over fake sockets and a fake clock. */
function setup(check: 'ok' | 'signed-out' | 'down' = 'ok') {
  const sockets: FakeSocket[] = [];
  let timers: { fn: () => void; at: number; id: number }[] = [];
  let now = 0;
  let id = 0;
  const checks: number[] = [];
  const deps: LiveDeps = {
    open: (url, protocols) => {
      const s = new FakeSocket(url, protocols);
      sockets.push(s);
      return s;
    },
    token: () => 'tok.en.x',
    check: async () => {
      checks.push(now);
      return check;
    },
    setTimer: (fn, ms) => {
      timers.push({ fn, at: now + ms, id: ++id });
      return id;
    },
    clearTimer: (handle) => {
      timers = timers.filter((t) => t.id !== handle);
    },
  };
  const advance = async (ms: number) => {
    now += ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      due.fn();
      await Promise.resolve();
      await Promise.resolve();
    }
  };
  const client = new LiveClient(deps);
  const events: LiveEvent[] = [];
  let resets = 0;
  client.listen({ events: (e) => events.push(...e), reset: () => resets++ });
  return { client, sockets, advance, events, resets: () => resets, checks };
}

const event = (seq: number) => ({ seq, topic: 'case', caseId: `C${seq}` }) as unknown as LiveEvent;

describe('LiveClient', () => {
  it('connects with the token as a subprotocol and the snapshot position', () => {
    const { client, sockets } = setup();
    client.watch('500109', { epoch: 'e1', seq: 41 });
    expect(sockets[0]!.url).toBe('/api/v1/live?scope=500109&since=41&epoch=e1');
    expect(sockets[0]!.protocols).toEqual(['cityops.live.v1', 'cityops.bearer.tok.en.x']);
  });

  it('resumes from the last position it saw after a drop, without a reset', async () => {
    const { client, sockets, advance, events, resets } = setup();
    client.watch('500109', { epoch: 'e1', seq: 41 });
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'hello', epoch: 'e1', seq: 41, scope: '500109', resumed: true });
    sockets[0]!.receive({ type: 'events', seq: 45, events: [event(43), event(45)] });
    expect(client.status).toBe('live');
    sockets[0]!.drop();
    expect(client.status).toBe('reconnecting');
    await advance(1000);
    expect(sockets[1]!.url).toContain('since=45&epoch=e1');
    sockets[1]!.open();
    sockets[1]!.receive({ type: 'hello', epoch: 'e1', seq: 45, scope: '500109', resumed: true });
    sockets[1]!.receive({ type: 'events', seq: 47, events: [event(47)] });
    expect(events.map((e) => e.seq)).toEqual([43, 45, 47]);
    expect(resets()).toBe(0);
  });

  it('tells listeners to refetch when the server cannot resume', () => {
    const { client, sockets, resets } = setup();
    client.watch('500109', { epoch: 'e1', seq: 41 });
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'hello', epoch: 'e2', seq: 3, scope: '500109', resumed: false });
    expect(resets()).toBe(1);
  });

  it('checks the session before retrying when the server refused or closed it', async () => {
    const { client, sockets, advance, checks } = setup();
    client.watch('500109');
    sockets[0]!.drop(1006); // refused upgrade: never opened
    await advance(500);
    expect(checks).toHaveLength(1);
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    sockets[1]!.drop(4401);
    await advance(1000);
    expect(checks).toHaveLength(2);
  });

  it('stops when signed out or forbidden', async () => {
    const out = setup('signed-out');
    out.client.watch('50');
    out.sockets[0]!.drop(4401);
    await out.advance(1000);
    expect(out.client.status).toBe('offline');
    expect(out.sockets).toHaveLength(1);

    const forbidden = setup();
    forbidden.client.watch('50');
    forbidden.sockets[0]!.open();
    forbidden.sockets[0]!.drop(4403);
    await forbidden.advance(60_000);
    expect(forbidden.sockets).toHaveLength(1);
  });

  it('drops a silent connection and reconnects', async () => {
    const { client, sockets, advance } = setup();
    client.watch('50');
    sockets[0]!.open();
    await advance(SILENCE_MS + 1);
    expect(sockets[0]!.closed).toBe(true);
    await advance(1000);
    expect(sockets).toHaveLength(2);
  });

  it('asks the server to switch scope on the same connection', () => {
    const { client, sockets } = setup();
    client.watch('500109');
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'hello', epoch: 'e', seq: 0, scope: '500109', resumed: false });
    client.watch('500109001');
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.sent).toEqual([{ type: 'view', scope: '500109001' }]);
  });
});
