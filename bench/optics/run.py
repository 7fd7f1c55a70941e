#!/usr/bin/env python3
"""Race one training step (forward, backward, Adam update) of a model built
from factorkit's parametric lenses, in each composition mode, against torch
autograd in C++ (bench_optics) and against autograd and
torch.utils.checkpoint in Python (peer.py, Debian 12's python3-torch).

Workloads:
  mlp   issue 8's Fashion-MNIST MLP 784-256-256-10, batch 64, cross-entropy
  deep  64 blocks of affine 64->64 and tanh, batch 2048, mean squared error:
        the activations dominate the memory; checkpoint every sqrt(64) = 8
        blocks (factorkit: checkpoint:16 stages; torch: segments of 8 blocks)

Goals (issue 8): optic mode <= 1.2x the autograd time; checkpointing every
sqrt(n) keeps <= 2/sqrt(n) of the all-stored residual memory, n = 64 stored
activations.

  cmake --build build/release -j2 --target bench_optics
  /usr/bin/python3 bench/optics/run.py [--json] [--min-seconds 1]
"""
import argparse
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import ms, run_json  # noqa: E402

OURS = os.path.join(ROOT, "build", "release", "bench", "optics", "bench_optics")


def ms2(s):
    return ms(s, 2)


def mb(b):
    return f"{b / 2**20:.2f} MiB"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--min-seconds", default="1")
    a = ap.parse_args()
    if not os.path.exists(OURS):
        sys.exit(f"{OURS} is missing: cmake --build build/release -j2 --target bench_optics")
    results = {}
    for w in ("mlp", "deep"):
        ours = run_json([OURS, "--workload", w, "--min-seconds", a.min_seconds])
        peer = run_json([sys.executable, os.path.join(HERE, "peer.py"), "--workload", w, "--min-seconds", a.min_seconds])
        results[w] = {"ours": ours, "peer": peer}
    if a.json:
        print(json.dumps(results))
        return

    print("| workload | contestant | time per step | × | peak per step | held at the loss | residual peak | recomputed | max grad diff |")
    print("|---|---|---|---|---|---|---|---|---|")
    summary = []
    for w, r in results.items():
        ours, peer = r["ours"], r["peer"]
        ag = ours["autograd"]
        pa, pc = peer["autograd"], peer["checkpoint"]
        label = w if w == "mlp" else f"deep ({ours['stages']} stages)"
        print(f"| {label} | torch autograd, C++ | {ms2(ag['seconds'])} | 1 | {mb(ag['peak_bytes'])} | {mb(ag['turn_bytes'])} | | 0 | |")
        optic = next(m for m in ours["modes"] if m["mode"] == "optic")
        ck = next(m for m in ours["modes"] if m["mode"].startswith("checkpoint"))
        for m in ours["modes"]:
            # optic, closed and lenses against C++ autograd; checkpointing against torch.utils.checkpoint
            base, vs = (pc["seconds"], "torch.utils.checkpoint") if m is ck else (ag["seconds"], "C++ autograd")
            print(f"| {label} | factorkit {m['mode']} | {ms2(m['seconds'])} | {m['seconds'] / base:.2f} vs {vs} | "
                  f"{mb(m['peak_bytes'])} | {mb(m['turn_bytes'])} | {mb(m['residual_peak_bytes'])} | "
                  f"{m['backward_gets']} | {m['max_gradient_difference']:.1e} |")
        print(f"| {label} | torch autograd, Python | {ms2(pa['seconds'])} | | {mb(pa['peak_bytes'])} | {mb(pa['turn_bytes'])} | | 0 | |")
        print(f"| {label} | torch.utils.checkpoint, Python (segments of {peer['segment']} blocks) | {ms2(pc['seconds'])} | 1 | "
              f"{mb(pc['peak_bytes'])} | {mb(pc['turn_bytes'])} | | | {peer['max_gradient_difference']:.1e} |")
        line = (f"{w}: optic / C++ autograd time {optic['seconds'] / ag['seconds']:.2f} (goal <= 1.2); "
                f"{ck['mode']} / torch.utils.checkpoint time {ck['seconds'] / pc['seconds']:.2f}")
        if w == "deep":
            n = ours["shape"]["blocks"]
            line += (f"; residual peak {ck['mode']} / optic {ck['residual_peak_bytes'] / optic['residual_peak_bytes']:.3f} "
                     f"(goal <= 2/sqrt({n}) = {2 / math.sqrt(n):.3f}); allocator peak per step {ck['mode']} / optic "
                     f"{ck['peak_bytes'] / optic['peak_bytes']:.3f}, torch checkpoint / autograd "
                     f"{pc['peak_bytes'] / pa['peak_bytes']:.3f}")
        summary.append(line)
    print()
    for s in summary:
        print(s)


if __name__ == "__main__":
    main()
