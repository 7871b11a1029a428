bench/run.sh small-files-whole  # 2026-12-03T13:34:24Z, BENCH_ROUNDS=2, ferry at fd10505
