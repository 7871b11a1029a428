bench/run.sh startup  # 2026-12-03T13:36:25Z, BENCH_ROUNDS=2, ferry at fd10505-dirty
