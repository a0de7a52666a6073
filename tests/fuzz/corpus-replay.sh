#!/bin/bash
# Replays every fuzz target over its committed corpus (built by `make check`).
source "$(dirname "$0")/../lib/tap.sh"

for src in "$TV_SRC"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    corpus="$TV_SRC/tests/fuzz/corpus/${name#fuzz_}"
    bin="$TV_BUILD/fuzz-replay/$name"
    count=$(find "$corpus" -type f 2>/dev/null | wc -l)
    check "$name corpus is not empty ($count inputs)" test "$count" -gt 0
    check "$name replays its corpus without a crash" timeout 300 "$bin" "$corpus"
done
done_testing
