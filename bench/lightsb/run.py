#!/usr/bin/env python3
"""Race LightSB training against the reference PyTorch implementation on the
same generated data, then score both models the same way.

For each (D, eps): `factorkit lightsb generate` writes pools of 100000
source and target samples of the mixture benchmark (seed 0); factorkit
(`lightsb fit`) and the reference (peer.py: ngushchin/LightSB's LightSB class
from --reference, Debian 12's python3-torch) each train K = 50 components,
batch 128, 10000 Adam steps at the reference notebook's learning rate for eps
(1e-3, 3e-3, 6e-2 for 0.1, 1, 10), S initialised to 1.0, minibatches drawn
uniformly from the pools; `factorkit lightsb eval` scores both models on the
same 1000 test inputs with 1000 samples each (cBW2-UVP against the exact
plan). One thread on both sides; time is the training loop's CPU time.

Goal (issue 9): factorkit >= 2x faster per training step at equal cBW2-UVP.

  cmake --build build/release -j2 --target factorkit
  /usr/bin/python3 bench/lightsb/run.py --reference DIR [--dims 2,16,64] [--eps 0.1,1,10] [--steps 10000] [--seeds 1]
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

FACTORKIT = os.path.join(ROOT, "build", "release", "factorkit")


def reference_lr(eps):
    """The reference notebook's rate for eps; others take the nearest on a log scale (as factorkit's)."""
    return 1e-3 if eps < 10 ** -0.5 else 3e-3 if eps < 10 ** 0.5 else 6e-2


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True, help="checkout of ngushchin/LightSB")
    ap.add_argument("--dims", default="2,16,64")
    ap.add_argument("--eps", default="0.1,1,10")
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--pool", type=int, default=100000)
    ap.add_argument("--seeds", type=int, default=1, help="training seeds per cell (both sides); the table gives the mean and range")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(FACTORKIT):
        sys.exit(f"{FACTORKIT} is missing: cmake --build build/release -j2 --target factorkit")
    os.environ["OMP_NUM_THREADS"] = "1"
    rows = []
    for dim in [int(d) for d in a.dims.split(",")]:
        for eps in [float(e) for e in a.eps.split(",")]:
            lr = reference_lr(eps)
            with tempfile.TemporaryDirectory() as tmp:
                data = os.path.join(tmp, "data")
                run_json([FACTORKIT, "--json", "--seed", "0", "lightsb", "generate", "--dim", str(dim), "--eps", str(eps),
                          "--n", str(a.pool), "--out", data])
                runs = []
                for i in range(a.seeds):
                    seed = str(42 + i)
                    ours_model, peer_model = os.path.join(tmp, "ours.safetensors"), os.path.join(tmp, "peer.safetensors")
                    ours = run_json([FACTORKIT, "--json", "--threads", "1", "--seed", seed, "lightsb", "fit",
                                     "--source", f"{data}/source.npy", "--target", f"{data}/target.npy",
                                     "--eps", str(eps), "--K", "50", "--batch", "128", "--steps", str(a.steps),
                                     "--lr", str(lr), "--s-init", "1", "-o", ours_model])
                    peer = run_json([sys.executable, os.path.join(HERE, "peer.py"), "--reference", a.reference,
                                     "--data", data, "--eps", str(eps), "--K", "50", "--batch", "128",
                                     "--steps", str(a.steps), "--lr", str(lr), "--s-init", "1", "--seed", seed,
                                     "--out", peer_model])
                    score = {}
                    for name, model in (("ours", ours_model), ("peer", peer_model)):
                        score[name] = run_json([FACTORKIT, "--json", "--seed", "0", "lightsb", "eval", "--model", model,
                                                "--dim", str(dim), "--eps", str(eps)])
                    runs.append({"ours_ms": 1e3 * ours["cpu_seconds"] / a.steps, "peer_ms": 1e3 * peer["seconds"] / a.steps,
                                 "ours_cbw": score["ours"]["cbw2_uvp"], "peer_cbw": score["peer"]["cbw2_uvp"],
                                 "floor_cbw": score["ours"]["true_plan_cbw2_uvp"],
                                 "ours_bw": score["ours"]["bw2_uvp"], "peer_bw": score["peer"]["bw2_uvp"]})
            row = {"dim": dim, "eps": eps, "lr": lr, "steps": a.steps, "seeds": a.seeds}
            for k in runs[0]:
                vals = [r[k] for r in runs]
                row[k] = sum(vals) / len(vals)
                row[k + "_range"] = [min(vals), max(vals)]
            rows.append(row)
    if a.json:
        print(json.dumps(rows))
        return
    print("| D | eps | reference ms/step | factorkit ms/step | x | reference cBW2-UVP % | factorkit cBW2-UVP % "
          "| exact plan, same scoring % | reference BW2-UVP % | factorkit BW2-UVP % |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    def cell(r, k):
        lo, hi = r[k + "_range"]
        return f"{r[k]:.3f}" if r["seeds"] == 1 else f"{r[k]:.3f} ({lo:.3f}-{hi:.3f})"
    for r in rows:
        print(f"| {r['dim']} | {r['eps']:g} | {r['peer_ms']:.3f} | {r['ours_ms']:.3f} | {r['peer_ms'] / r['ours_ms']:.1f} "
              f"| {cell(r, 'peer_cbw')} | {cell(r, 'ours_cbw')} | {r['floor_cbw']:.3f} | {cell(r, 'peer_bw')} "
              f"| {cell(r, 'ours_bw')} |")


if __name__ == "__main__":
    main()
