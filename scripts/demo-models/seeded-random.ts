/**
 * A seeded pseudo-random generator (mulberry32), so that demo weights come
 * out the same on every machine and every run. Not for anything that needs
 * real randomness.
 */

const UINT32_RANGE = 2 ** 32;

/** Uniform numbers in [0, 1) from a 32-bit seed. */
export function uniformGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / UINT32_RANGE;
  };
}

/** Standard normal numbers (Box-Muller) from a 32-bit seed. */
export function normalGenerator(seed: number): () => number {
  const uniform = uniformGenerator(seed);
  return () => {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    return radius * Math.cos(2 * Math.PI * uniform());
  };
}
