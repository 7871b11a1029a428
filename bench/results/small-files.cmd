bench/run.sh small-files  # 2026-11-22T01:00:05Z, BENCH_ROUNDS=3, ferry at 7947770 (engine; -dirty: uncommitted bench/ files only)
