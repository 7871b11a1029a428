bench/run.sh startup  # 2026-11-22T01:06:53Z, BENCH_ROUNDS=3, ferry at 7947770 (engine; -dirty: uncommitted bench/ files only)
