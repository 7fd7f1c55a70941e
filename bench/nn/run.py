#!/usr/bin/env python3
"""Race training throughput of the reference models in factorkit's loop
(bench_nn) against the same architecture, batch, data and optimizer in a
Python PyTorch loop (peer.py, Debian 12's python3-torch).

Workloads:
  cnn  factorkit train cnn's CNN on Fashion-MNIST, batch 128
  lm   factorkit train lm's SwiGLU decoder on the WordNet text, 16 × 64 tokens

Both sides: AdamW (lr 2e-3, weight decay 0.01 on matrices), warmup + cosine,
gradient clipping at 1, the same thread count; samples/s of forward, backward
and update, the median of --repeats runs of --steps steps after --warmup.
Goal (issue 10): ours / peer ≥ 1.0.

  cmake --build build/release -j2 --target bench_nn
  /usr/bin/python3 bench/nn/run.py [--json] [--steps 100] [--repeats 5] [--threads 2]
"""
import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import run_json  # noqa: E402

OURS = os.path.join(ROOT, "build", "release", "bench", "nn", "bench_nn")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--steps", default="100")
    ap.add_argument("--warmup", default="10")
    ap.add_argument("--repeats", default="5")
    ap.add_argument("--threads", default="2")
    a = ap.parse_args()
    if not os.path.exists(OURS):
        sys.exit(f"{OURS} is missing: cmake --build build/release -j2 --target bench_nn")
    common = ["--steps", a.steps, "--warmup", a.warmup, "--repeats", a.repeats, "--threads", a.threads]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tokens = os.path.join(tmp, "tokens.npy")
        for w in ("cnn", "lm"):
            extra = ["--export-tokens", tokens] if w == "lm" else []
            ours = run_json([OURS, "--workload", w] + common + extra)
            peer_extra = ["--tokens", tokens] if w == "lm" else []
            peer = run_json([sys.executable, os.path.join(HERE, "peer.py"), "--workload", w] + common + peer_extra)
            results[w] = {"ours": ours, "peer": peer, "ratio": ours["samples_per_second"] / peer["samples_per_second"]}
    if a.json:
        print(json.dumps(results))
        return
    print("| workload | parameters | batch | factorkit samples/s | PyTorch loop samples/s | ours / peer | last loss (ours, peer) |")
    print("|---|---|---|---|---|---|---|")
    for w, r in results.items():
        o, p = r["ours"], r["peer"]
        print(f"| {w} | {o['params']} | {o['batch']} | {o['samples_per_second']:.0f} | {p['samples_per_second']:.0f} | "
              f"{r['ratio']:.2f}× | {o['last_loss']:.3f}, {p['last_loss']:.3f} |")
    ok = all(r["ratio"] >= 1.0 for r in results.values())
    print(f"\ngoal ours/peer ≥ 1.0 on both: {'met' if ok else 'NOT met'} ({a.threads} threads)")


if __name__ == "__main__":
    main()
