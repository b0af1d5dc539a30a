package dev.vigil.simulate;

import java.util.SplittableRandom;

/** Small sampling helpers; every random choice in the package goes through a seeded SplittableRandom. */
final class Rand {
    private Rand() {}

    /** SplitMix64's finaliser: turns related seeds (seed, seed+1, ...) into unrelated streams. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A stream for one purpose (e.g. one account, one fraud period) derived from the run's seed. */
    static SplittableRandom stream(long seed, long purpose, long index) {
        return new SplittableRandom(mix(mix(seed) + mix(purpose * 0x9E3779B97F4A7C15L + index)));
    }

    /** Index drawn with the given weights (need not sum to 1). */
    static int pick(SplittableRandom rng, double[] weights) {
        double total = 0;
        for (double w : weights) total += w;
        double r = rng.nextDouble() * total;
        for (int i = 0; i < weights.length - 1; i++) {
            r -= weights[i];
            if (r < 0) return i;
        }
        return weights.length - 1;
    }

    /** exp(N(ln median, sigma)): a positive, right-skewed amount with the given median. */
    static double logNormal(SplittableRandom rng, double median, double sigma) {
        return median * StrictMath.exp(sigma * gaussian(rng));
    }

    /*
     * Gaussian and exponential draws are our own, on StrictMath, rather than RandomGenerator's defaults on Math:
     * Math may use CPU intrinsics whose last bit varies by machine, and one bit can move an amount by a cent, so
     * the same seed would not give the same stream everywhere.
     */

    /** Standard normal, by Box-Muller (one of the pair; the other is not worth the state). */
    static double gaussian(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble(); // in (0, 1]: log stays finite
        return StrictMath.sqrt(-2.0 * StrictMath.log(u)) * StrictMath.cos(2 * Math.PI * rng.nextDouble());
    }

    /** Exponential with mean 1. */
    static double exponential(SplittableRandom rng) {
        return -StrictMath.log(1.0 - rng.nextDouble());
    }

    /** Uniform in [lo, hi). */
    static double between(SplittableRandom rng, double lo, double hi) {
        return lo + rng.nextDouble() * (hi - lo);
    }

    /** Uniform integer in [lo, hi], both inclusive. */
    static int between(SplittableRandom rng, int lo, int hi) {
        return lo + rng.nextInt(hi - lo + 1);
    }
}
