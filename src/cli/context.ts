import { loadConfig } from '../config.js';
import { JurisdictionService } from '../jurisdictions/jurisdiction.service.js';
import { openStorage, type Storage } from '../storage.js';

/** Opens the configured storage and the jurisdiction service, runs `fn`, and always closes. */
export async function withJurisdictions<T>(
  fn: (service: JurisdictionService, storage: Storage) => Promise<T>,
): Promise<T> {
  const storage = await openStorage(loadConfig());
  try {
    const service = await JurisdictionService.create({ repository: storage.repositories.jurisdictions });
    return await fn(service, storage);
  } finally {
    await storage.database.close();
  }
}
