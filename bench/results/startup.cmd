bench/run.sh startup  # 2026-12-04T15:53:06Z, BENCH_ROUNDS=3, ferry at e1313e9-dirty
