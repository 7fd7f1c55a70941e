#!/usr/bin/env python3
"""Race factorkit's CRAFT pipeline (bench_craft) against the reference torch
implementation with scikit-learn's NMF (peer.py) on the same model and images:
the reference Fashion-MNIST CNN split after features.6, the first 100 test
images of class 0, 10 concepts, 14-px patches (stride 11), N = 32 Halton designs.
Times: crops + NMF + importance, wall clock, median of --repeats, both sides on
--threads threads. Quality: the concepts are matched by cosine similarity of W
(Hungarian) and the importance rankings compared (Spearman).
Goal (issue 11): ours ≥ 3× faster with the same ranking.

  cmake --build build/release -j2 --target bench_craft
  /usr/bin/python3 bench/craft/run.py --reference DIR   # DIR: a checkout of github.com/deel-ai/Craft
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import spearmanr

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import run_json  # noqa: E402

OURS = os.path.join(ROOT, "build", "release", "bench", "craft", "bench_craft")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True)
    ap.add_argument("--images", default="100")
    ap.add_argument("--repeats", default="3")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(OURS):
        sys.exit(f"{OURS} is missing: cmake --build build/release -j2 --target bench_craft")
    results = {}
    # features.6: the last ReLU (14 × 14 maps; h starts with max pooling);
    # features.7: after the pooling (7 × 7; h starts with flatten + Linear, affine)
    for layer, cut in (("features.6", 7), ("features.7", 8)):
        with tempfile.TemporaryDirectory() as tmp:
            ours = run_json([OURS, "--images", a.images, "--repeats", a.repeats, "--threads", a.threads,
                             "--layer", layer, "--export", tmp])
            peer = run_json([sys.executable, os.path.join(HERE, "peer.py"), "--reference", a.reference, "--dir", tmp,
                             "--repeats", a.repeats, "--threads", a.threads, "--cut", str(cut)])
            ours_w = np.load(os.path.join(tmp, "ours_w.npy"))
        peer_w = np.asarray(peer["w"])
        cos = (ours_w / np.linalg.norm(ours_w, axis=1, keepdims=True)) @ \
            (peer_w / np.linalg.norm(peer_w, axis=1, keepdims=True)).T
        rows, cols = linear_sum_assignment(-cos)
        oi, pi = np.asarray(ours["importance"])[rows], np.asarray(peer["importance"])[cols]
        results[layer] = {"ours": ours, "peer": {k: v for k, v in peer.items() if k != "w"},
                          "ratio": peer["seconds"] / ours["seconds"],
                          "spearman_matched": float(spearmanr(oi, pi).correlation),
                          "max_importance_difference": float(np.abs(oi - pi).max()),
                          "matched_cosine_min": float(cos[rows, cols].min())}
    if a.json:
        print(json.dumps(results))
        return
    print("| split | images | crops | seconds (ours) | seconds (reference + sklearn) | peer / ours | "
          "concepts matched (min cosine) | Spearman of importances | max |ΔST| |")
    print("|---|---|---|---|---|---|---|---|---|")
    for layer, r in results.items():
        o, p = r["ours"], r["peer"]
        print(f"| {layer} | {o['images']} | {o['crops']} | {o['seconds']:.2f} | {p['seconds']:.2f} | "
              f"{r['ratio']:.2f}× | {r['matched_cosine_min']:.3f} | {r['spearman_matched']:.3f} | "
              f"{r['max_importance_difference']:.4f} |")
    for layer, r in results.items():
        o = r["ours"]
        print(f"\n{layer}, ours: concepts {o['seconds_concepts']:.2f} s, importance {o['seconds_importance']:.2f} s; "
              f"NMF iterations {o['nmf_iterations']} (peer {r['peer']['nmf_iterations']})")
    for layer, r in results.items():
        ok = r["ratio"] >= 3 and r["spearman_matched"] >= 0.9
        print(f"goal ≥ 3× with the same ranking (Spearman ≥ 0.9) at {layer}: {'met' if ok else 'NOT met'} "
              f"({a.threads} threads)")


if __name__ == "__main__":
    main()
