bench/run.sh throttled-upload  # 2026-11-22T00:52:39Z, BENCH_ROUNDS=3, ferry at 7947770 (engine; -dirty: uncommitted bench/ files only)
