#include "CByteScan.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// A byte b is in a range when (b - first) <= width as unsigned bytes, that is min(b - first, width) == b - first.

static size_t tail(const uint8_t *p, size_t i, size_t n, const uint8_t *first, const uint8_t *width, int count) {
    for (; i < n; i++) {
        for (int r = 0; r < count; r++) {
            if ((uint8_t)(p[i] - first[r]) <= width[r]) return i;
        }
    }
    return n;
}

#if defined(__x86_64__)

__attribute__((target("avx2")))
static size_t find_avx2(const uint8_t *p, size_t i, size_t n, const uint8_t *first, const uint8_t *width, int count) {
    __m256i f[3], w[3];
    for (int r = 0; r < 3; r++) {
        int k = r < count ? r : 0;
        f[r] = _mm256_set1_epi8((char)first[k]);
        w[r] = _mm256_set1_epi8((char)width[k]);
    }
    for (; i + 32 <= n; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
        __m256i d = _mm256_sub_epi8(v, f[0]);
        __m256i hit = _mm256_cmpeq_epi8(_mm256_min_epu8(d, w[0]), d);
        if (count > 1) {
            d = _mm256_sub_epi8(v, f[1]);
            hit = _mm256_or_si256(hit, _mm256_cmpeq_epi8(_mm256_min_epu8(d, w[1]), d));
        }
        if (count > 2) {
            d = _mm256_sub_epi8(v, f[2]);
            hit = _mm256_or_si256(hit, _mm256_cmpeq_epi8(_mm256_min_epu8(d, w[2]), d));
        }
        unsigned mask = (unsigned)_mm256_movemask_epi8(hit);
        if (mask) return i + (size_t)__builtin_ctz(mask);
    }
    return tail(p, i, n, first, width, count);
}

static size_t find_sse2(const uint8_t *p, size_t i, size_t n, const uint8_t *first, const uint8_t *width, int count) {
    __m128i f[3], w[3];
    for (int r = 0; r < 3; r++) {
        int k = r < count ? r : 0;
        f[r] = _mm_set1_epi8((char)first[k]);
        w[r] = _mm_set1_epi8((char)width[k]);
    }
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i d = _mm_sub_epi8(v, f[0]);
        __m128i hit = _mm_cmpeq_epi8(_mm_min_epu8(d, w[0]), d);
        if (count > 1) {
            d = _mm_sub_epi8(v, f[1]);
            hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_min_epu8(d, w[1]), d));
        }
        if (count > 2) {
            d = _mm_sub_epi8(v, f[2]);
            hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_min_epu8(d, w[2]), d));
        }
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask) return i + (size_t)__builtin_ctz(mask);
    }
    return tail(p, i, n, first, width, count);
}

#endif

size_t sweep_find_in_ranges(const uint8_t *bytes, size_t from, size_t n,
                            const uint8_t *first, const uint8_t *width, int count) {
    if (from >= n || count < 1) return n;
    if (count > 3) count = 3;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2")) return find_avx2(bytes, from, n, first, width, count);
    return find_sse2(bytes, from, n, first, width, count);
#else
    return tail(bytes, from, n, first, width, count);
#endif
}
