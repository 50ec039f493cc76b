import type net from 'node:net';
import { StartupError } from '../../errors.js';

/** Listens on the configured port; a taken default port moves to a free one, a chosen one stops the start. */
export async function listen(
  server: net.Server,
  options: {
    host: string;
    port: number;
    portExplicit: boolean;
    print?: ((line: string) => void) | undefined;
  },
): Promise<number> {
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  try {
    return await listenOnce(server, options.port, options.host);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'EADDRINUSE' || options.portExplicit) {
      const hint =
        code === 'EADDRINUSE'
          ? `is already in use 端口已被占用. Set CITYOPS_MQTT_PORT to a free port (e.g. CITYOPS_MQTT_PORT=1884), leave it unset to take any free port, or set CITYOPS_MQTT_URL to subscribe to the broker already listening there.`
          : `cannot be opened (${code ?? String(error)}). Set CITYOPS_MQTT_PORT and CITYOPS_MQTT_HOST to an address this process may listen on.`;
      throw new StartupError(`CITYOPS_MQTT_PORT: port ${options.port} on ${options.host} ${hint}`, {
        cause: error,
      });
    }
    const port = await listenOnce(server, 0, options.host);
    print(
      [
        `  MQTT: port ${options.port} on ${options.host} is taken (another broker, such as Mosquitto?); the embedded broker listens on ${options.host}:${port} instead.`,
        `  MQTT 端口 ${options.port} 已被占用（可能是 Mosquitto 等其他代理），内置代理改用 ${options.host}:${port}。Set CITYOPS_MQTT_PORT to choose a port, or CITYOPS_MQTT_URL to use that broker.`,
      ].join('\n'),
    );
    return port;
  }
}

function listenOnce(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Resolves once everything written to the socket was handed to the operating system. */
export function flushed(socket: net.Socket): Promise<void> {
  if (socket.writableLength === 0 || socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('drain', resolve);
    socket.once('close', resolve);
  });
}

/** Resolves after `ms` without keeping the process alive. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
