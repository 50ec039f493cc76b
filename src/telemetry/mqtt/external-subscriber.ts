import mqtt, { type IPublishPacket } from 'mqtt';
import { EVERYTHING } from '../../jurisdictions/visibility.js';
import { delay } from './listen.js';
import type { MqttIngestor } from './mqtt-ingest.js';
import { ThrottledWarn, type MqttLog } from './mqtt-log.js';
import { INGEST_SUBSCRIPTIONS } from './mqtt-payload.js';

/** How the subscriber to an external broker is started. */
export interface ExternalSubscriberOptions {
  /** mqtt:// or mqtts:// URL, credentials included when the broker needs them. */
  url: string;
  /** The persistent session's client id: stable, so the broker keeps messages while cityops restarts. */
  clientId: string;
  ingestor: MqttIngestor;
  log: MqttLog;
  /** How long start waits for the first connection before carrying on (and retrying), ms. */
  connectWaitMs?: number;
  /** Wait between reconnection attempts, ms. */
  reconnectMs?: number;
}

/** A running subscriber. `ready` settles once it is subscribed the first time. */
export interface ExternalSubscriber {
  ready: Promise<void>;
  /** Stops; a message still being stored is left unacknowledged after `graceMs` (the broker redelivers it). */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}

/**
 * Subscribes to the ingest topics on an external broker (Mosquitto, EMQX…) with QoS 1 and a
 * persistent session, and acknowledges each message only after TelemetryIngest committed it, so a
 * crash or restart loses nothing: the broker redelivers what was not acknowledged. The external
 * broker authenticates devices and its ACL decides who may publish; cityops ingests with
 * EVERYTHING visibility, so that ACL is the jurisdiction boundary in this mode.
 *
 * MQTT.js hands messages over one at a time (`handleMessage`) and sends the PUBACK when its
 * callback is called, so one connection stores one message per commit: devices should batch.
 */
export async function startExternalSubscriber(
  options: ExternalSubscriberOptions,
): Promise<ExternalSubscriber> {
  const { ingestor, log } = options;
  const shownUrl = redactUrl(options.url);
  const warn = new ThrottledWarn(log);
  const client = mqtt.connect(options.url, {
    clientId: options.clientId,
    clean: false,
    keepalive: 30,
    reconnectPeriod: options.reconnectMs ?? 2_000,
    connectTimeout: 10_000,
    // Subscribing on every connect below also covers a session the broker has forgotten.
    resubscribe: false,
  });
  let closing = false;
  // Bumped when a connection ends. A callback from an older connection must never run: MQTT.js
  // would queue its PUBACK and send it on the next connection, acknowledging a redelivery unstored.
  let generation = 0;
  let current: Promise<void> = Promise.resolve();

  client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void): void => {
    // Closing: leave it unacknowledged; the broker keeps it for the next session.
    if (closing) return;
    const mine = generation;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    current = ingestor
      .handle(packet.topic, payload, { visible: EVERYTHING, alive: () => !closing && mine === generation })
      .then(
        (outcome) => {
          if (outcome.kind !== 'abandoned' && mine === generation) callback();
        },
        (error: unknown) => {
          log.error(
            { err: error, topic: packet.topic.slice(0, 200) },
            'MQTT ingest failed: message not acknowledged, reconnecting so the broker redelivers it',
          );
          if (mine === generation) client.stream.destroy();
        },
      );
  };

  let subscribed: () => void = () => {};
  const ready = new Promise<void>((resolve) => (subscribed = resolve));
  client.on('connect', (connack) => {
    client.subscribe([...INGEST_SUBSCRIPTIONS], { qos: 1 }, (error, granted) => {
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (error || refused.length > 0) {
        log.error(
          { url: shownUrl, refused, err: error?.message },
          'the external MQTT broker refused the ingest subscriptions (check its ACL for this client id)',
        );
        return;
      }
      log.info(
        { url: shownUrl, clientId: options.clientId, sessionPresent: connack.sessionPresent },
        'subscribed to the external MQTT broker 已订阅外部 MQTT 代理',
      );
      subscribed();
    });
  });
  client.on('close', () => {
    generation++;
    if (!closing) {
      warn.warn(
        'offline',
        { url: shownUrl },
        'external MQTT broker unreachable; reconnecting 外部 MQTT 代理不可达，正在重连',
      );
    }
  });
  client.on('error', (error) =>
    warn.warn(`error:${error.message}`, { url: shownUrl, err: error.message }, 'external MQTT broker error'),
  );

  // Start does not wait for the broker indefinitely: the API serves meanwhile and the client retries.
  const waited = await Promise.race([
    ready.then(() => true),
    delay(options.connectWaitMs ?? 5_000).then(() => false),
  ]);
  if (!waited) {
    log.warn({ url: shownUrl }, 'external MQTT broker not reachable yet; ingest starts when it is');
  }

  return {
    ready,
    close: async ({ graceMs = 5_000 } = {}) => {
      if (closing) return;
      closing = true;
      await Promise.race([current, delay(graceMs)]);
      generation++;
      // A graceful end flushes the PUBACK of the message that just finished; force it if the broker is gone.
      const ended = await Promise.race([
        client.endAsync(false).then(() => true),
        delay(2_000).then(() => false),
      ]);
      if (!ended) await client.endAsync(true);
    },
  };
}
