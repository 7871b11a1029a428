bench/run.sh throttled-download  # 2026-11-22T01:10:05Z, BENCH_ROUNDS=3, ferry jar built at 7947770 (HEAD 0adbc07: bench/ changes only; -dirty: uncommitted bench/ files)
