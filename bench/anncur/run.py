#!/usr/bin/env python3
"""Race factorkit's cross-encoder scoring while it builds an ANNCUR index
(bench_anncur: anchor queries × every item, pairs batched by length, on
--threads threads) against the same model and token ids in a plain Python
PyTorch loop (peer.py: items batched in index order; and with --sort, batched
by length as factorkit does). Also reported: the CUR algebra (pinv of the
intersection and E = U R) and a search's time per query.
Goal (issue 12): calls per second ≥ 1.0× the Python loop's.

  cmake --build build/release -j2 --target bench_anncur
  /usr/bin/python3 bench/anncur/run.py
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import ms, run_json  # noqa: E402

OURS = os.path.join(ROOT, "build", "release", "bench", "anncur", "bench_anncur")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", default="2000")
    ap.add_argument("--anchor-queries", default="10")
    ap.add_argument("--repeats", default="3")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--batch", default="256")
    ap.add_argument("--form", default="emb")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(OURS):
        sys.exit(f"{OURS} is missing: cmake --build build/release -j2 --target bench_anncur")
    with tempfile.TemporaryDirectory() as tmp:
        ours = run_json([OURS, "--items", a.items, "--anchor-queries", a.anchor_queries, "--repeats", a.repeats,
                         "--threads", a.threads, "--batch", a.batch, "--form", a.form, "--export", tmp])
        peer = run_json([sys.executable, os.path.join(HERE, "peer.py"), "--dir", tmp, "--repeats", a.repeats,
                         "--threads", a.threads, "--batch", a.batch])
        peer_sorted = run_json([sys.executable, os.path.join(HERE, "peer.py"), "--dir", tmp, "--repeats", a.repeats,
                                "--threads", a.threads, "--batch", a.batch, "--sort"])
        r = np.load(os.path.join(tmp, "ours_r.npy"))
        diff = max(float(np.abs(r - np.load(os.path.join(tmp, "peer_r.npy"))).max()),
                   float(np.abs(r - np.load(os.path.join(tmp, "peer_sorted_r.npy"))).max()))
    res = {"ours": ours, "peer": peer, "peer_sorted": peer_sorted, "max_score_difference": diff,
           "ratio": ours["calls_per_second"] / peer["calls_per_second"],
           "ratio_sorted": ours["calls_per_second"] / peer_sorted["calls_per_second"]}
    if a.json:
        print(json.dumps(res))
        return
    print(f"| scorer | pairs | seconds | calls/s | ours / it |\n|---|---|---|---|---|")
    print(f"| factorkit (index build) | {ours['pairs']} | {ours['seconds']:.2f} | {ours['calls_per_second']:.0f} | 1.00× |")
    print(f"| Python loop, index order | {peer['pairs']} | {peer['seconds']:.2f} | {peer['calls_per_second']:.0f} | "
          f"{res['ratio']:.2f}× |")
    print(f"| Python loop, sorted by length | {peer_sorted['pairs']} | {peer_sorted['seconds']:.2f} | "
          f"{peer_sorted['calls_per_second']:.0f} | {res['ratio_sorted']:.2f}× |")
    print(f"\nsame scores: max |Δ| = {diff:.2e}; model [{ours['form'].upper()}], {ours['items']} items, "
          f"{ours['anchor_queries']} anchor queries, batch {ours['batch']}, {ours['threads']} threads")
    print(f"CUR algebra (k_q {ours['anchor_queries']}, k_i {ours['anchor_items']}, {ours['items']} items): "
          f"{ms(ours['algebra_seconds'])}")
    print(f"search: {ours['search_calls_per_query']:.0f} calls per query (k_i {ours['anchor_items']} + k_r "
          f"{ours['rerank']}), {ms(ours['search_seconds_per_query'], 1)} per query, of which "
          f"c_q·E + top-k_r {ms(ours['mips_seconds_per_query'], 4)}")
    L = ours["large"]
    print(f"at the paper's scale (random R: k_q {L['anchor_queries']}, k_i {L['anchor_items']}, {L['items']} items): "
          f"CUR algebra {ms(L['algebra_seconds'], 1)}, c_q·E + top-100 {ms(L['mips_seconds_per_query'], 4)} per query")
    verdict = "met" if res["ratio"] >= 1.0 else "NOT met"
    print(f"goal ≥ 1.0× the Python loop's calls per second: {verdict} ({a.threads} threads)")


if __name__ == "__main__":
    main()
