import type { AccessService } from '../../access/access.service.js';
import type { Config } from '../../config.js';
import type { JurisdictionTree } from '../../jurisdictions/jurisdiction-tree.js';
import type { EventBus } from '../../platform/bus/event-bus.js';
import type { TelemetryIngest } from '../telemetry-ingest.js';
import { startEmbeddedBroker } from './embedded-broker.js';
import { redactUrl, startExternalSubscriber } from './external-subscriber.js';
import { MqttIngestor, type MqttStats } from './mqtt-ingest.js';
import type { MqttLog } from './mqtt-log.js';

/** What MQTT ingest needs from the app. */
export interface MqttIngestDeps {
  config: Pick<
    Config,
    'mqttEnabled' | 'mqttUrl' | 'mqttHost' | 'mqttPort' | 'mqttPortExplicit' | 'mqttClientId'
  >;
  ingest: Pick<TelemetryIngest, 'ingest'>;
  access: Pick<AccessService, 'authenticate'>;
  /** The app's bus: the embedded broker drops a revoked key's connections when access says so. */
  bus?: Pick<EventBus, 'subscribe'>;
  /** The current jurisdiction tree (a getter: custom units can replace it). */
  tree: () => JurisdictionTree;
  log: MqttLog;
  /** Where operator-facing lines go (default: stdout). */
  print?: (line: string) => void;
}

/** Running MQTT ingest: which mode, the embedded broker's port, counters, and how to stop it. */
export interface MqttIngestHandle {
  mode: 'embedded' | 'external' | 'off';
  /** The port the embedded broker listens on (it may differ from CITYOPS_MQTT_PORT; see docs/mqtt.md). */
  port?: number;
  /** Where devices publish, for the startup banner, e.g. mqtt://127.0.0.1:1883. */
  address?: string;
  stats(): MqttStats;
  close(): Promise<void>;
}

/**
 * Starts MQTT ingest as configured: off, a subscriber to CITYOPS_MQTT_URL, or the embedded broker.
 * Throws StartupError when an explicitly chosen CITYOPS_MQTT_PORT is taken.
 */
export async function startMqttIngest(deps: MqttIngestDeps): Promise<MqttIngestHandle> {
  const { config, log } = deps;
  if (!config.mqttEnabled) {
    log.info({}, 'MQTT ingest is off (CITYOPS_MQTT=off)');
    const none: MqttStats = {
      messages: 0,
      readingsAccepted: 0,
      readingsRejected: 0,
      messagesDropped: 0,
      overloadRetries: 0,
    };
    return { mode: 'off', stats: () => ({ ...none }), close: async () => {} };
  }
  const ingestor = new MqttIngestor({ ingest: deps.ingest, log });
  if (config.mqttUrl !== undefined) {
    if (config.mqttPortExplicit) {
      log.warn({}, 'CITYOPS_MQTT_PORT is ignored: CITYOPS_MQTT_URL is set, so no embedded broker runs');
    }
    const subscriber = await startExternalSubscriber({
      url: config.mqttUrl,
      clientId: config.mqttClientId,
      ingestor,
      log,
    });
    return {
      mode: 'external',
      address: redactUrl(config.mqttUrl),
      stats: () => ({ ...ingestor.stats }),
      close: () => subscriber.close(),
    };
  }
  const broker = await startEmbeddedBroker({
    host: config.mqttHost,
    port: config.mqttPort,
    portExplicit: config.mqttPortExplicit,
    ingestor,
    access: deps.access,
    bus: deps.bus,
    tree: deps.tree,
    log,
    ...(deps.print ? { print: deps.print } : {}),
  });
  const shownHost = config.mqttHost === '0.0.0.0' || config.mqttHost === '::' ? 'localhost' : config.mqttHost;
  log.info(
    { host: config.mqttHost, port: broker.port },
    'embedded MQTT broker listening 内置 MQTT 代理已启动',
  );
  return {
    mode: 'embedded',
    port: broker.port,
    address: `mqtt://${shownHost}:${broker.port}`,
    stats: () => ({ ...ingestor.stats }),
    close: () => broker.close(),
  };
}
