import { AppError, type ErrorCode } from '../errors.js';

// Metadata is for asset details, not documents: a bound keeps rows and list answers small.
const MAX_METADATA_BYTES = 8192;

/** A registry entry's free metadata, refused with `code` when larger than 8 KiB as JSON. */
export function checkMetadata(metadata: Record<string, unknown>, code: ErrorCode): Record<string, unknown> {
  if (Buffer.byteLength(JSON.stringify(metadata)) > MAX_METADATA_BYTES) {
    throw new AppError(code, `metadata is larger than ${MAX_METADATA_BYTES} bytes as JSON.`);
  }
  return metadata;
}
