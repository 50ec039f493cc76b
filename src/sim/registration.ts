import { cameraRows, sensorRows, type Fleet } from './fleet.js';
import { SimTargetError, type Credential, type SimHttp } from './http-client.js';

/** What registering the fleet found. */
export interface Registration {
  sensorsAdded: number;
  sensorsExisting: number;
  camerasAdded: number;
  camerasExisting: number;
  /** Ids the server refused (other than "already registered"), with why; they are left out of the run. */
  refused: { id: string; code: string; message: string }[];
}

const CHUNK = 5000;

/**
 * Registers the fleet's sensors and cameras through the bulk imports (JSON), 5,000 rows a request.
 * Ids already registered (SENSOR_CONFLICT / CAMERA_CONFLICT) are the fleet from an earlier run and
 * are used as they are; any other refusal is reported and the device left out.
 */
export async function registerFleet(
  http: SimHttp,
  registrar: Credential,
  fleet: Fleet,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<Registration> {
  const result: Registration = {
    sensorsAdded: 0,
    sensorsExisting: 0,
    camerasAdded: 0,
    camerasExisting: 0,
    refused: [],
  };
  const total = fleet.sensors.length + fleet.cameras.length;
  let done = 0;
  for (const [path, rows, conflict] of [
    ['/api/v1/sensors/import', sensorRows(fleet), 'SENSOR_CONFLICT'],
    ['/api/v1/cameras/import', cameraRows(fleet), 'CAMERA_CONFLICT'],
  ] as const) {
    const sensors = path.includes('sensors');
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const answer = await http.send<{
        imported: number;
        rejected: { id?: string; code: string; message: string }[];
      }>('POST', path, { auth: registrar, json: chunk });
      if (answer.status !== 200) {
        const error = (answer.body as unknown as { error?: { code: string; message: string } }).error;
        throw new SimTargetError(
          `registering the fleet failed at ${path} (HTTP ${answer.status}${error ? ` ${error.code}: ${error.message}` : ''})`,
          answer.status,
          error?.code,
        );
      }
      let existing = 0;
      for (const r of answer.body.rejected) {
        if (r.code === conflict) existing++;
        else result.refused.push({ id: r.id ?? '?', code: r.code, message: r.message });
      }
      if (sensors) {
        result.sensorsAdded += answer.body.imported;
        result.sensorsExisting += existing;
      } else {
        result.camerasAdded += answer.body.imported;
        result.camerasExisting += existing;
      }
      done += chunk.length;
      onProgress(done, total);
    }
  }
  return result;
}
