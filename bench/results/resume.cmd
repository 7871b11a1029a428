bench/run.sh resume  # 2026-11-22T01:02:02Z, BENCH_ROUNDS=3, ferry at 7947770 (engine; -dirty: uncommitted bench/ files only)
