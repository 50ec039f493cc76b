import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

// scrypt with N=2^15, r=8, p=1 (≈32 MiB, tens of ms): OWASP's recommended floor for scrypt.
const N = 32768;
const R = 8;
const P = 1;
const KEYLEN = 32;

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64url), self-describing for future upgrades. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time; false for any malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 256 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A random password people can type: 20 characters from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';
  return [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join('');
}

// Passwords anyone can look up: vendor defaults and the first guesses of every password list.
const DEFAULT_PASSWORDS = [
  'password',
  'password1',
  'password12',
  'password123',
  'password1234',
  'passw0rd123',
  'changeme',
  'changeme123',
  'admin',
  'admin123',
  'admin12345',
  'administrator',
  'cityops',
  'cityops123',
  'cityops2026',
  '1234567890',
  '0123456789',
  '12345678910',
  '1q2w3e4r5t',
  'qwertyuiop',
  'qwerty12345',
  'welcome123',
  'iloveyou123',
  'abc1234567',
];

/**
 * Why a new password is refused, or null when it is acceptable: too short, or one an attacker tries
 * first (a published demo password, a default, the username). Hashes cannot be checked later, so
 * this runs whenever a password is set.
 */
export function passwordProblem(
  password: string,
  context: { username: string; minLength: number; published: readonly string[] },
): string | null {
  if (password.length < context.minLength) {
    return `A password has at least ${context.minLength} characters.`;
  }
  const lower = password.toLowerCase();
  if (context.published.some((p) => p.toLowerCase() === lower)) {
    return 'This is a published demo password; choose another.';
  }
  if (DEFAULT_PASSWORDS.includes(lower) || lower === context.username.toLowerCase()) {
    return 'This password is among the first an attacker tries; choose another.';
  }
  return null;
}
