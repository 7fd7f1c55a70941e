#!/usr/bin/env python3
"""Race factorkit's string diagrams against DisCoPy on DisCoPy's own workloads.

Cases (benchmark/test_composition.py of DisCoPy's main branch, and issue #524):
spiral normal form n = 5, 10; transpose-snakes normal form n = 20; k-fold
tensor n = 50; ripple-carry adder functor n = 20; contraction of brick walls of
random two-qubit boxes (kets on top: the state; `open`: the whole map).

Both sides time the same operation on the same input, as DisCoPy's suite
does: CPU time, median over at least 3 rounds and 0.1 s, input built before
the clock starts. factorkit: build/release/bench/diagram/bench_diagram (C++).
DisCoPy: bench/diagram/peer.py importing a source checkout given by
--discopy (tag 1.2.2 runs on Debian 12's python3 with python3-numpy and
python3-networkx). The answers must agree: the same normal forms (boxes and
offsets), the same layers, a correct adder on random bits, the same contracted
tensor (sum and squared norm to 1e-9 relative).

  /usr/bin/python3 bench/diagram/run.py --discopy DIR [--json] [--skip-slow]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OURS = os.path.join(ROOT, "build", "release", "bench", "diagram", "bench_diagram")

CASES = [
    ("spiral normal form", ["spiral", "5"]),
    ("spiral normal form", ["spiral", "10"]),
    ("transpose-snakes normal form", ["snakes", "20"]),
    ("k-fold tensor", ["tensor", "50"]),
    ("ripple adder functor", ["adder", "20"]),
    ("brick wall, state", ["brickwall", "6", "6"]),
    ("brick wall, state", ["brickwall", "10", "8"]),
    ("brick wall, state", ["brickwall", "10", "16"]),
    ("brick wall, state", ["brickwall", "14", "12"]),
    ("brick wall, open", ["brickwall", "6", "6", "--boundary", "open"]),
    ("brick wall, open", ["brickwall", "10", "8", "--boundary", "open"]),
]


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout} s"}
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def agree(case, ours, peer):
    if "error" in ours or "error" in peer:
        return "n/a"
    if case[0] in ("spiral", "snakes", "tensor"):
        return "same" if ours["encoding"] == peer["encoding"] else "DIFFERENT"
    if case[0] == "adder":
        return "both correct" if ours["correct"] and peer["correct"] else "WRONG"
    for key in ("result_sum_re", "result_sum_im", "result_norm"):
        a, b = ours[key], peer[key]
        if abs(a - b) > 1e-9 * max(abs(a), abs(b), 1e-300) and abs(a - b) > 1e-12:
            return "DIFFERENT"
    return "same tensor"


def fmt_time(s):
    if s is None:
        return "—"
    return f"{s * 1e3:.3f} ms" if s < 1 else f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--discopy", required=True, help="DisCoPy source checkout (tag 1.2.2)")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--skip-slow", action="store_true", help="skip the 14x12 brick wall")
    a = ap.parse_args()
    if not os.path.exists(OURS):
        sys.exit(f"build bench_diagram first: cmake --build build/release --target bench_diagram ({OURS})")
    rows = []
    for label, case in CASES:
        if a.skip_slow and case[:3] == ["brickwall", "14", "12"]:
            continue
        ours = run([OURS] + case, a.timeout)
        peer = run([sys.executable, os.path.join(HERE, "peer.py"), "--discopy", a.discopy] + case, a.timeout)
        row = {"case": label, "args": case, "ours": ours, "discopy": peer, "agree": agree(case, ours, peer)}
        if case[0] == "brickwall":  # the scan order, to show what the path search buys
            row["ours_sequential"] = run([OURS] + case + ["--path", "sequential"], a.timeout)
        if "median_s" in ours and "median_s" in peer:
            row["speedup"] = peer["median_s"] / ours["median_s"]
        rows.append(row)
        if not a.json:
            size = " ".join(x for x in case[1:] if not x.startswith("--") and x not in ("open", "state"))
            print(f"{label} {size}: factorkit {fmt_time(ours.get('median_s'))}, DisCoPy {fmt_time(peer.get('median_s'))}"
                  f", x{row.get('speedup', float('nan')):.0f}, {row['agree']}", file=sys.stderr)
    if a.json:
        print(json.dumps(rows, indent=1))
        return
    print("| case | n | factorkit | DisCoPy | speed-up | answers |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        size = "×".join(x for x in r["args"][1:] if x.isdigit())
        sp = f"{r['speedup']:.0f}×" if "speedup" in r else "—"
        peer = r["discopy"]
        ptime = fmt_time(peer.get("median_s")) if "error" not in peer else peer["error"]
        print(f"| {r['case']} | {size} | {fmt_time(r['ours'].get('median_s'))} | {ptime} | {sp} | {r['agree']} |")
    walls = [r for r in rows if r["args"][0] == "brickwall"]
    if walls:
        print()
        print("| brick wall | boxes | factorkit, searched path | largest intermediate | memory growth | "
              "factorkit, diagram order | its largest | DisCoPy 1.2.2 | its memory growth |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in walls:
            o, s, p = r["ours"], r.get("ours_sequential", {}), r["discopy"]
            size = "×".join(x for x in r["args"][1:] if x.isdigit()) + (" open" if "open" in r["args"] else "")
            print(f"| {size} | {o.get('boxes', '—')} | {fmt_time(o.get('median_s'))} | "
                  f"{o.get('largest_intermediate', 0):.3g} | {o.get('rss_growth_mib', 0):.1f} MiB | "
                  f"{fmt_time(s.get('median_s'))} | {s.get('largest_intermediate', 0):.3g} | "
                  f"{fmt_time(p.get('median_s'))} | {p.get('rss_growth_mib', 0):.1f} MiB |")


if __name__ == "__main__":
    main()
