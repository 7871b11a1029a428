bench/run.sh startup  # 2026-12-06T14:42:11Z, BENCH_ROUNDS=3, ferry at 499e5a4
