// A small deterministic generator for the tests (xorshift32): rng(seed)
// returns next(n), a whole number in [0, n).

export function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}
