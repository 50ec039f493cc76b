import { randomBytes, createHash } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/** Signs and verifies short-lived access tokens (HS256 JWT, jose) carrying the user and session ids. */
export class TokenSigner {
  constructor(
    private readonly key: Uint8Array,
    private readonly ttlSeconds: number,
  ) {}

  /** A token for `userId` in session `sessionId`, valid for the configured time. */
  async sign(userId: string, sessionId: string, now: Date): Promise<string> {
    const iat = Math.floor(now.getTime() / 1000);
    return new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlSeconds)
      .setIssuer('cityops')
      .sign(this.key);
  }

  /** The user and session of a valid token, or null for any invalid or expired one. */
  async verify(token: string, now: Date): Promise<{ userId: string; sessionId: string } | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: 'cityops',
        algorithms: ['HS256'],
        currentDate: now,
        // jose checks exp only when present: a token without one would never expire.
        requiredClaims: ['exp', 'sub', 'sid'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
      return { userId: payload.sub, sessionId: payload.sid };
    } catch {
      return null;
    }
  }
}

/** A new random secret (256 bits, base64url): token signing keys, refresh tokens, API keys. */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 of a high-entropy secret (refresh token, API key). No salt or stretching is needed at 256 bits. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
