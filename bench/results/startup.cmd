bench/run.sh startup  # 2026-12-05T22:11:21Z, BENCH_ROUNDS=3, ferry at 2b5d79d-dirty
