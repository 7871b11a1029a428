bench/run.sh small-files  # 2026-11-30T13:09:33Z, BENCH_ROUNDS=3, ferry at 9f9002b-dirty
