package dev.vigil.score;

/**
 * XGBoost's logistic transform, {@code common::Sigmoid(float)} of XGBoost 3.0, in float arithmetic as its CPU
 * build computes it, so a probability computed here is the same float XGBoost4J returns for the same margin:
 *
 * <pre>
 *   x = min(-margin, 88.7f);  denom = expf(x) + 1.0f + 1e-16f;  p = 1.0f / denom
 * </pre>
 *
 * (read from the disassembly of the {@code libxgboost4j.so} in xgboost4j_2.12 3.0.4: a float compare with
 * -88.7f, a call to libm's {@code expf}, two float adds and a float divide). Java has no {@code expf}: a
 * {@code (float) Math.exp(x)} is correctly rounded, glibc's {@code expf} is not always (up to 0.502 ULP), and the
 * two give different probabilities on some margins ({@code XgboostSigmoidTest} finds them). So {@link #expf}
 * transcribes glibc's {@code expf} (the table-driven algorithm of glibc 2.28 and later,
 * {@code sysdeps/ieee754/flt-32/e_expf.c}) operation by operation in double arithmetic, which Java computes
 * exactly as IEEE-754 says.
 *
 * <p>glibc picks one of two builds of {@code expf} at run time: fused multiply-adds on CPUs with FMA and AVX2,
 * plain SSE2 arithmetic on others. This is the plain one; compared with XGBoost4J on this machine (which runs
 * the FMA build) on every float margin in [-100, 100], 2.24 billion of them, it gave the same probability on
 * every one, so the rounding differences between the builds never reach the sigmoid. Beyond that range the
 * sigmoid is flat in float (1 above, the value at -88.7 below). A libm that computes {@code expf} otherwise
 * (glibc before 2.28, musl, another OS) is caught when a model loads ({@code TreeWalk.of} checks the native
 * sigmoid on probe margins) and the model keeps scoring with XGBoost4J.
 */
final class XgboostSigmoid {

    private XgboostSigmoid() {}

    /** XGBoost's sigmoid of a margin. */
    static float sigmoid(float margin) {
        // min(-margin, 88.7f) as compiled: a compare against -88.7f.
        float x = margin < -88.7f ? 88.7f : -margin;
        float denom = expf(x) + 1.0f + 1e-16f;
        return 1.0f / denom;
    }

    /** glibc's {@code expf(x)} (its SSE2 build), bit for bit, NaN, infinities, overflow and underflow included. */
    static float expf(float x) {
        int bits = Float.floatToRawIntBits(x);
        int abstop = (bits >>> 20) & 0x7ff;
        if (abstop >= TOP12_OF_88) {
            // |x| >= 88, or x is NaN or infinite.
            if (bits == NEGATIVE_INFINITY_BITS) return 0.0f;
            if (abstop >= TOP12_OF_INFINITY) return x + x;
            if (x > OVERFLOW_BOUND) return Float.POSITIVE_INFINITY;
            if (x < UNDERFLOW_BOUND) return 0.0f;
            if (x < MAY_UNDERFLOW_BOUND) return MAY_UNDERFLOW_RESULT;
        }
        // x * N / ln2 = k + r with r in [-1/2, 1/2] and integer k; exp(x) = 2^(k/N) * 2^(r/N).
        double z = INV_LN2_N * x;
        double kd = z + SHIFT; // rounds z to an integer, held in the low bits
        long ki = Double.doubleToRawLongBits(kd);
        kd -= SHIFT;
        double r = z - kd;
        double s = Double.longBitsToDouble(TABLE[(int) (ki & 31)] + (ki << 47));
        double p = C0 * r + C1;
        double r2 = r * r;
        double y = C2 * r + 1.0;
        y = p * r2 + y;
        return (float) (y * s);
    }

    // The constants of glibc's __exp2f_data (e_exp2f_data.c), read from this machine's libm.so.6 (glibc 2.36):
    // N = 32 table entries, InvLn2N = N / ln 2, the polynomial scaled by 1/N, and the rounding shift 1.5 * 2^52.
    private static final double INV_LN2_N = Double.longBitsToDouble(0x40471547652b82feL);
    private static final double C0 = Double.longBitsToDouble(0x3ebc6af84b912394L);
    private static final double C1 = Double.longBitsToDouble(0x3f2ebfce50fac4f3L);
    private static final double C2 = Double.longBitsToDouble(0x3f962e42ff0c52d6L);
    private static final double SHIFT = Double.longBitsToDouble(0x4338000000000000L);
    /** 2^(i/32) with i << 47 subtracted from its bits, so adding k << 47 scales it by 2^(k/32). */
    private static final long[] TABLE = {
            0x3ff0000000000000L, 0x3fefd9b0d3158574L, 0x3fefb5586cf9890fL, 0x3fef9301d0125b51L,
            0x3fef72b83c7d517bL, 0x3fef54873168b9aaL, 0x3fef387a6e756238L, 0x3fef1e9df51fdee1L,
            0x3fef06fe0a31b715L, 0x3feef1a7373aa9cbL, 0x3feedea64c123422L, 0x3feece086061892dL,
            0x3feebfdad5362a27L, 0x3feeb42b569d4f82L, 0x3feeab07dd485429L, 0x3feea47eb03a5585L,
            0x3feea09e667f3bcdL, 0x3fee9f75e8ec5f74L, 0x3feea11473eb0187L, 0x3feea589994cce13L,
            0x3feeace5422aa0dbL, 0x3feeb737b0cdc5e5L, 0x3feec49182a3f090L, 0x3feed503b23e255dL,
            0x3feee89f995ad3adL, 0x3feeff76f2fb5e47L, 0x3fef199bdd85529cL, 0x3fef3720dcef9069L,
            0x3fef5818dcfba487L, 0x3fef7c97337b9b5fL, 0x3fefa4afa2a490daL, 0x3fefd0765b6e4540L,
    };
    private static final int TOP12_OF_88 = Float.floatToRawIntBits(88.0f) >>> 20;
    private static final int TOP12_OF_INFINITY = Float.floatToRawIntBits(Float.POSITIVE_INFINITY) >>> 20;
    private static final int NEGATIVE_INFINITY_BITS = Float.floatToRawIntBits(Float.NEGATIVE_INFINITY);
    /** log(2^128): above it expf overflows. */
    private static final float OVERFLOW_BOUND = Float.intBitsToFloat(0x42b17217);
    /** log(2^-150): below it expf underflows to 0. */
    private static final float UNDERFLOW_BOUND = Float.intBitsToFloat(0xc2cff1b4);
    /** log(2^-149): below it (and above the last) glibc returns the square of 0x1.4p-75f, the smallest subnormal. */
    private static final float MAY_UNDERFLOW_BOUND = Float.intBitsToFloat(0xc2ce8ecf);
    private static final float MAY_UNDERFLOW_RESULT = 0x1.4p-75f * 0x1.4p-75f;
}
