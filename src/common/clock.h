// The one clock helper: every timestamp rampart stores or shows, and every interval it measures.
#pragma once

#include <cstdint>

namespace rampart {

// Wall-clock time as unix milliseconds: for what is stored and shown (creation, start, finish).
int64_t now_ms();

// Milliseconds on a clock that never jumps (CLOCK_MONOTONIC): for timeouts and intervals only.
int64_t monotonic_ms();

}  // namespace rampart
