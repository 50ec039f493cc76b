/**
 * Counter-based randomness for the simulator: every random quantity is a hash of (seed, what, where,
 * when), not the next draw of a shared stream. A reading's noise, a sensor's drop-out or a citizen's
 * report is then the same whatever order, batch size or pace the simulator runs at, so one seed
 * gives one city and a backfill equals what the live run would have sent.
 */

/** Murmur3's finaliser: a fast, well-mixed 32-bit permutation. */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of up to four integers (each taken modulo 2³², larger ones folded) under a seed. */
export function hash(seed: number, a: number, b = 0, c = 0): number {
  let h = mix32((seed ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ fold(a)) + 0x7f4a7c15);
  h = mix32((h ^ fold(b)) + 0x165667b1);
  return mix32((h ^ fold(c)) + 0x27d4eb2f);
}

// Epoch milliseconds exceed 32 bits: fold the high part in rather than dropping it.
function fold(x: number): number {
  if (x >= 0 && x < 4294967296) return x >>> 0;
  const high = Math.floor(x / 4294967296);
  return ((x >>> 0) ^ mix32(high >>> 0)) >>> 0;
}

/** A uniform number in [0, 1) for (seed, a, b, c). */
export function unit(seed: number, a: number, b = 0, c = 0): number {
  return hash(seed, a, b, c) / 4294967296;
}

/** A standard normal number for (seed, a, b, c) (Box–Muller over two independent hashes). */
export function normal(seed: number, a: number, b = 0, c = 0): number {
  const u1 = (hash(seed, a, b, c) + 1) / 4294967297;
  const u2 = hash(seed ^ 0x5bd1e995, a, b, c) / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** FNV-1a of a string, for keys that are text (case ids, names). */
export function stringHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A Poisson count with the given mean from one uniform `u` (inverse CDF). Above a mean of 50 the
 * normal approximation is used; exact enough for event counts and cheap.
 */
export function poisson(mean: number, u: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 50) {
    // Inverse normal by a rational approximation is overkill here: a symmetric spread is enough.
    const z = Math.sqrt(2) * inverseErf(2 * u - 1);
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  let k = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  while (u > cumulative && k < 1000) {
    k++;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}

// Winitzki's approximation of erf⁻¹ (relative error below 2e-3): plenty for a count's spread.
function inverseErf(x: number): number {
  const a = 0.147;
  const ln = Math.log(1 - x * x);
  const first = 2 / (Math.PI * a) + ln / 2;
  return Math.sign(x) * Math.sqrt(Math.sqrt(first * first - ln / a) - first);
}

/** Picks an index with probability proportional to `weights[i]`, from a uniform `u`, by binary search over cumulative sums. */
export function pickWeighted(cumulative: Float64Array | readonly number[], u: number): number {
  const total = cumulative[cumulative.length - 1] ?? 0;
  const target = u * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Cumulative sums of weights, for {@link pickWeighted}. */
export function cumulativeOf(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += Math.max(0, weights[i]!);
    out[i] = sum;
  }
  return out;
}
