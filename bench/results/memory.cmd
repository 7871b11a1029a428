bench/run.sh memory  # 2026-11-22T01:05:48Z, BENCH_ROUNDS=3, ferry at 7947770 (engine; -dirty: uncommitted bench/ files only)
