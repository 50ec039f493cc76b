import net from 'node:net';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import { ACCESS_EVENTS } from '../../access/access.events.js';
import type { AccessService } from '../../access/access.service.js';
import { visibilityOf, type Principal } from '../../access/principal.js';
import { type Visibility } from '../../jurisdictions/visibility.js';
import type { JurisdictionTree } from '../../jurisdictions/jurisdiction-tree.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import { rejectionReport, type MqttIngestor } from './mqtt-ingest.js';
import { ThrottledWarn, type MqttLog } from './mqtt-log.js';
import { isIngestTopic, MAX_PAYLOAD_BYTES, REJECTED_TOPIC_PREFIX } from './mqtt-payload.js';
import { delay, flushed, listen } from './listen.js';
import { GuardedConnection } from './packet-guard.js';

/** How the embedded broker is started. */
export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** True when the operator chose the port: then a taken port stops the start instead of moving. */
  portExplicit: boolean;
  ingestor: MqttIngestor;
  access: Pick<AccessService, 'authenticate'>;
  tree: () => JurisdictionTree;
  log: MqttLog;
  /** Where the operator-facing line about a moved port goes (default: stdout). */
  print?: (line: string) => void;
  /** Where key revocations arrive: a revoked key's connections are closed at once. */
  bus?: Pick<EventBus, 'subscribe'> | undefined;
  /** How long a connection trusts its key before checking it again (ms): the fallback for revocations no bus carried. */
  keyRecheckMs?: number;
  /** How long close() waits for messages being stored before dropping connections (ms). */
  closeGraceMs?: number;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  port: number;
  close(): Promise<void>;
}

interface DeviceSession {
  key: string;
  principal: Principal;
  visible: Visibility;
  checkedAt: number;
  recheck?: Promise<DeviceSession | null> | undefined;
}

// A publish header is at most 5 bytes, the topic at most 2 + 65,535: beyond this no valid message fits.
const MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + 65_542;
const CONNACK = { identifierRejected: 2, serverUnavailable: 3, badCredentials: 4, notAuthorized: 5 } as const;

/**
 * The broker cityops runs itself when no external one is configured (aedes, in process). Devices
 * connect with a device API key as password; each publish to an ingest topic is stored before
 * aedes sends its PUBACK, because aedes acknowledges QoS 1 only once `authorizePublish` calls back
 * and that is where ingest happens. Nothing can subscribe to the ingest topics, so routing a
 * stored message afterwards finds no one and costs a lookup, not memory.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { ingestor, access, tree, log } = options;
  const recheckMs = options.keyRecheckMs ?? 60_000;
  const warn = new ThrottledWarn(log);
  const sessions = new WeakMap<Client, DeviceSession>();
  // Which key holds each connected client id: another key may not take a session over (MQTT would
  // otherwise let any device disconnect any other by reusing its client id).
  const owners = new Map<string, { keyId: string; client: Client }>();
  const inflight = new Set<Promise<void>>();
  let closing = false;

  const refuse = (code: AuthenticateError['returnCode'], message: string): AuthenticateError =>
    Object.assign(new Error(message), { returnCode: code });

  const authenticate = async (client: Client, password: Buffer | undefined): Promise<DeviceSession> => {
    if (closing) throw refuse(CONNACK.serverUnavailable, 'shutting down');
    const key = password?.toString('utf8') ?? '';
    const principal = key === '' ? null : await access.authenticate({ apiKey: key });
    if (!principal) throw refuse(CONNACK.badCredentials, 'unknown or revoked API key');
    if (principal.kind !== 'key' || !principal.permissions.has('telemetry:ingest')) {
      throw refuse(CONNACK.notAuthorized, `a ${principal.role} key may not ingest telemetry`);
    }
    const owner = owners.get(client.id);
    if (owner && owner.keyId !== principal.id && !owner.client.closed) {
      throw refuse(CONNACK.identifierRejected, 'the client id is in use by another key');
    }
    return { key, principal, visible: visibilityOf(principal, tree()), checkedAt: Date.now() };
  };

  /** Re-reads the key now and then so that a revoked key stops publishing within keyRecheckMs. */
  const current = (session: DeviceSession): Promise<DeviceSession | null> => {
    if (Date.now() - session.checkedAt < recheckMs) return Promise.resolve(session);
    // One look-up per connection, however many of its messages are waiting for it.
    session.recheck ??= access
      .authenticate({ apiKey: session.key })
      .then((principal) => {
        if (!principal?.permissions.has('telemetry:ingest')) return null;
        session.principal = principal;
        session.visible = visibilityOf(principal, tree());
        session.checkedAt = Date.now();
        return session;
      })
      .finally(() => (session.recheck = undefined));
    return session.recheck;
  };

  const store = async (client: Client, session: DeviceSession, packet: PublishPacket): Promise<void> => {
    const fresh = await current(session);
    if (!fresh) throw new Expected('the API key was revoked');
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const outcome = await ingestor.handle(packet.topic, payload, {
      clientId: client.id,
      visible: fresh.visible,
      alive: () => !client.closed && !closing,
    });
    if (outcome.kind === 'abandoned') {
      throw new Expected('not stored: the store stayed full until the client left');
    }
    const report = rejectionReport(packet.topic, outcome);
    // Client ids with wildcards or levels cannot name a topic; those clients read the server log.
    if (report && /^[^/+#]+$/.test(client.id)) {
      broker.publish(
        {
          cmd: 'publish',
          topic: REJECTED_TOPIC_PREFIX + client.id,
          payload: report,
          qos: 0,
          retain: false,
          dup: false,
        },
        () => {},
      );
    }
  };

  const broker = new Aedes({
    id: 'cityops',
    maxClientsIdLength: 64,
    authenticate: (client, _username, password, done) => {
      authenticate(client, password).then(
        (session) => {
          sessions.set(client, session);
          log.debug({ clientId: client.id, key: session.principal.name }, 'MQTT device connected');
          done(null, true);
        },
        (error: AuthenticateError) => {
          if (typeof error.returnCode !== 'number') {
            log.error({ err: error, clientId: client.id }, 'MQTT authentication failed');
            error = refuse(CONNACK.serverUnavailable, 'authentication failed');
          } else {
            warn.warn(
              `refused:${error.returnCode}`,
              { clientId: client.id, reason: error.message },
              'MQTT connection refused 连接被拒绝',
            );
          }
          done(error, null);
        },
      );
    },
    authorizePublish: (client, packet, done) => {
      const session = client ? sessions.get(client) : undefined;
      if (!client || !session) return done(new Error('not authenticated'));
      // Refusing closes the connection without PUBACK; the device sends again after reconnecting.
      if (closing) return done(new Error('shutting down'));
      if (!isIngestTopic(packet.topic)) {
        warn.warn(
          'topic',
          { clientId: client.id, topic: packet.topic.slice(0, 200) },
          'MQTT publish to a non-ingest topic: connection closed',
        );
        return done(new Error(`publishing to "${packet.topic.slice(0, 200)}" is not allowed`));
      }
      // Retained telemetry would sit in broker memory forever and mean nothing to a subscriber.
      packet.retain = false;
      const work = store(client, session, packet).then(
        () => done(null),
        (error: unknown) => {
          if (error instanceof Expected) {
            warn.warn('ended', { clientId: client.id, reason: error.message }, 'MQTT connection closed');
          } else if (!client.closed && !closing) {
            log.error(
              { err: error, clientId: client.id },
              'MQTT ingest failed: connection closed, not acknowledged',
            );
          }
          done(error instanceof Error ? error : new Error(String(error)));
        },
      );
      inflight.add(work);
      void work.finally(() => inflight.delete(work));
    },
    authorizeSubscribe: (client, subscription, done) => {
      // Only a client's own rejection reports; telemetry is read through the API, not the broker.
      if (subscription.topic === REJECTED_TOPIC_PREFIX + client.id) return done(null, subscription);
      log.debug({ clientId: client.id, topic: subscription.topic }, 'MQTT subscription refused');
      done(null, null);
    },
  });
  broker.on('client', (client) => {
    const session = sessions.get(client);
    if (session) owners.set(client.id, { keyId: session.principal.id, client });
  });
  broker.on('clientDisconnect', (client) => {
    if (owners.get(client.id)?.client === client) owners.delete(client.id);
    log.debug({ clientId: client.id }, 'MQTT device disconnected');
  });
  broker.on('clientError', (client, error) =>
    log.debug({ clientId: client.id, err: error.message }, 'MQTT client error'),
  );
  // A revoked key's open connections end now rather than at their next recheck.
  const revocations = options.bus?.subscribe(
    ACCESS_EVENTS,
    ({ events }) => {
      const revoked = new Set(events.flatMap((e) => (e.type === 'key.revoked' ? [e.keyId] : [])));
      if (revoked.size === 0) return;
      for (const { keyId, client } of owners.values()) {
        if (!revoked.has(keyId) || client.closed) continue;
        warn.warn('revoked', { clientId: client.id }, 'MQTT connection closed: its API key was revoked');
        client.close();
      }
    },
    { name: 'mqtt-key-revocations' },
  );
  await broker.listen();

  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(
      new GuardedConnection(socket, MAX_PACKET_BYTES, (bytes) =>
        warn.warn(
          'too-large',
          { remote: socket.remoteAddress, bytes },
          'MQTT packet too large: connection closed',
        ),
      ),
    );
  });
  let port: number;
  try {
    port = await listen(server, options);
  } catch (error) {
    revocations?.unsubscribe();
    broker.close();
    throw error;
  }

  return {
    port,
    close: async () => {
      if (closing) return;
      closing = true;
      revocations?.unsubscribe();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Let messages being stored finish and their PUBACKs leave before the connections go.
      // (aedes writes a PUBACK corked until the next tick, hence the turn of the event loop.)
      const grace = delay(options.closeGraceMs ?? 5_000);
      await Promise.race([Promise.allSettled([...inflight]), grace]);
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.race([Promise.all([...sockets].map(flushed)), grace]);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
}

/** A reason to close a connection that is not a failure of cityops (logged as a warning). */
class Expected extends Error {}
