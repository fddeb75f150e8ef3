"""RLlib PPO on TicketRouting with 1 and 2 env runners: env-steps/s with the
Rust batch in each runner (vector_entry_point) beside Gymnasium's SyncVectorEnv
of single envs (sync). Needs ``pip install 'ferrogym[rllib]'``.

    python examples/rllib_throughput.py --iterations 5 --envs-per-runner 8
"""

from __future__ import annotations

import argparse
import logging
import os
import warnings

import ray

from ferrogym.integrations.rllib import train


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--env", default="ferrogym/TicketRouting-v0")
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--envs-per-runner", type=int, default=8)
    parser.add_argument("--fragment", type=int, default=128)
    parser.add_argument("--runners", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--modes", nargs="+", default=["vector_entry_point", "sync"])
    args = parser.parse_args()
    os.environ.setdefault("RAY_DEDUP_LOGS", "0")
    warnings.filterwarnings("ignore")
    logging.getLogger("ray").setLevel(logging.ERROR)
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    try:
        print("| runners | envs/runner | vectorize mode | env steps | train s | steps/s (train) | steps/s (sampling) |")
        print("|---|---|---|---|---|---|---|")
        for runners in args.runners:
            for mode in args.modes:
                result, algo = train(
                    args.env,
                    iterations=args.iterations,
                    num_env_runners=runners,
                    num_envs_per_env_runner=args.envs_per_runner,
                    vectorize_mode=mode,
                    rollout_fragment_length=args.fragment,
                    num_epochs=1,
                )
                algo.stop()
                print(
                    f"| {runners} | {args.envs_per_runner} | {mode} | {result.env_steps} | {result.seconds:.1f} | "
                    f"{result.env_steps_per_s:.0f} | {result.sample_steps_per_s:.0f} |",
                    flush=True,
                )
    finally:
        ray.shutdown()


if __name__ == "__main__":
    main()
