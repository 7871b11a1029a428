bench/run.sh small-files-whole  # 2026-12-03T08:58:36Z, BENCH_ROUNDS=2, ferry at 70ead13
