#!/usr/bin/env python3
"""Race one QNLP training step against DisCoPy: every circuit of the generated
MC training set (70 sentences; IQP, n: 1, s: 1, one layer; lambeq's symbol
names, weights uniform from seed 0) evaluated once, to normalised outcome
probabilities.

factorkit: build/release/bench/qnlp/bench_qnlp (C++), which also exports the
circuits with their phases as numbers. DisCoPy: bench/qnlp/peer.py builds the
same circuits gate by gate from that export and calls Circuit.eval() on each
(DisCoPy 1.2.2 source checkout via --discopy; Debian 12's python3 with
python3-numpy and python3-networkx). Both sides: CPU time, median over at
least 3 rounds and 0.1 s. The probabilities must agree to 1e-9.

Two circuit sets: with lambeq's RemoveCupsRewriter applied (the default
pipeline) and with the cups kept (Bell effects, more qubits).

  /usr/bin/python3 bench/qnlp/run.py --discopy DIR [--json]
"""
import argparse
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import ms, run_json  # noqa: E402

OURS = os.path.join(ROOT, "build", "release", "bench", "qnlp", "bench_qnlp")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--discopy", required=True, help="DisCoPy source checkout (tag 1.2.2)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for keep in (False, True):
            export = os.path.join(tmp, "circuits.json")
            ours = run_json([OURS, "--export", export] + (["--keep-cups"] if keep else []))
            peer = run_json([sys.executable, os.path.join(HERE, "peer.py"), "--discopy", a.discopy, export])
            diff = max(abs(x - y) for x, y in zip(ours["p0"], peer["p0"]))
            t_peer = peer["median_s"]
            rows.append({
                "circuits": "cups kept" if keep else "cups removed",
                "n": ours["circuits"], "max_qubits": ours["max_qubits"], "gates": ours["gates"],
                "discopy_s": t_peer,
                "simulate_s": ours["simulate"]["median_s"],
                "compile_s": ours["compile"]["median_s"],
                "tensor_s": ours["tensor"]["median_s"],
                "gradient_s": ours["gradient"]["median_s"],
                "max_diff": diff,
                "agree": diff < 1e-9 and ours["tensor_vs_simulate_max_diff"] < 1e-9,
            })
    if a.json:
        print(json.dumps(rows, indent=1))
        return
    print("| circuits | qubits ≤ | gates | DisCoPy eval | factorkit simulator | ×  | compile + simulate | × | tensor functor | × | loss + exact gradient | same p |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        t = r["discopy_s"]
        print(f"| {r['circuits']} ({r['n']}) | {r['max_qubits']} | {r['gates']} | {ms(t)} | {ms(r['simulate_s'])} | "
              f"{t / r['simulate_s']:.0f} | {ms(r['compile_s'] + r['simulate_s'])} | {t / (r['compile_s'] + r['simulate_s']):.0f} | "
              f"{ms(r['tensor_s'])} | {t / r['tensor_s']:.0f} | {ms(r['gradient_s'])} | "
              f"{'yes' if r['agree'] else 'NO'} ({r['max_diff']:.1e}) |")


if __name__ == "__main__":
    main()
