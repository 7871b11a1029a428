bench/run.sh small-files  # 2026-12-03T13:27:32Z, BENCH_ROUNDS=2, ferry at fd10505
