bench/run.sh small-files  # 2026-11-30T13:59:21Z, BENCH_ROUNDS=3, ferry at b926f3c
