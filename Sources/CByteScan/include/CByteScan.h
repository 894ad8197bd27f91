#ifndef SWEEP_CBYTESCAN_H
#define SWEEP_CBYTESCAN_H

#include <stddef.h>
#include <stdint.h>

/// The first position at or after `from` and before `n` whose byte lies in one of `count` (1 to 3) ranges
/// (byte b is in range i when (uint8_t)(b - first[i]) <= width[i]); `n` when there is none. Reads 32 bytes
/// at a time with AVX2 where the processor has it, 16 with SSE2 elsewhere.
size_t sweep_find_in_ranges(const uint8_t *bytes, size_t from, size_t n,
                            const uint8_t *first, const uint8_t *width, int count);

#endif
