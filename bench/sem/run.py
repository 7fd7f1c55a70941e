#!/usr/bin/env python3
"""Race factorkit's SEM vanishing-ideal explorer against Macaulay2.

For each graph, the polynomials of degree <= 3 in the sigma_ij that vanish on
the model. factorkit: bench_sem (LibTorch-free, timed in-process, 1 and 2
threads). Macaulay2 1.21 (Debian `macaulay2`), driven by peer.m2 in this
folder, in every way it offers: GraphicalModels' gaussianVanishingIdeal (acyclic
graphs only; it refuses directed cycles), the same elimination extended to
cycles (elim), the kernel of the ring map s -> N (ker), a Groebner basis of
the homogenized graph ideal truncated at degree 3 (gb), and factorkit's own
degree-by-degree linear algebra written in M2 (linalg). Both sides' times
cover building the parametrization and the search; M2's exclude its start-up
and package loading (its process wall time is reported as well). factorkit's
speed-up is against its faster thread count.

The results must agree: for every degree d <= 3, the span of each peer's
generators times all monomials of complementary degree equals the span of
factorkit's basis of I_d (exact rational elimination, here in Python).

  python3 bench/sem/run.py [--rounds 3] [--timeout 900] [--json]
"""
import argparse
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import time
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# label, factorkit graph, vertices, directed, bidirected. The first two are the
# reference note's; the 5-node ones are ours (one cyclic, one acyclic so that
# GraphicalModels itself can take part).
GRAPHS = [
    ("4-node cycle 2->3->4->2 (reference note)", "1->2; 2->3; 3->4; 4->2", 4, [(1, 2), (2, 3), (3, 4), (4, 2)], []),
    ("4-cycle + 1<->3, 2<->4 (reference note)", "1->2; 2->3; 3->4; 4->1; 1<->3; 2<->4", 4,
     [(1, 2), (2, 3), (3, 4), (4, 1)], [(1, 3), (2, 4)]),
    ("5-node: cycle 2->3->4->5->2, 1->2, 1->5", "1->2; 2->3; 3->4; 4->5; 5->2; 1->5", 5,
     [(1, 2), (2, 3), (3, 4), (4, 5), (5, 2), (1, 5)], []),
    ("5-node acyclic, 2<->3", "1->2; 1->3; 2->4; 3->4; 4->5; 2<->3", 5,
     [(1, 2), (1, 3), (2, 4), (3, 4), (4, 5)], [(2, 3)]),
]
MODES = ["gm", "elim", "ker", "gb", "linalg"]
MAX_DEGREE = 3


def m2_list(edges):
    return "{" + ",".join("{%d,%d}" % e for e in edges) + "}"


def run_m2(mode, n, directed, bidirected, timeout):
    cmd = ["M2", "--script", os.path.join(HERE, "peer.m2"), mode, str(n), m2_list(directed), m2_list(bidirected),
           str(MAX_DEGREE)]
    t = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    wall = time.perf_counter() - t
    if p.returncode != 0:
        msg = [l for l in p.stderr.splitlines() if "error" in l]
        return {"error": (msg[0] if msg else p.stderr[-300:]).strip(), "wall": wall}
    seconds = float(re.search(r"^SECONDS (\S+)", p.stdout, re.M).group(1))
    gens = [l[4:] for l in p.stdout.splitlines() if l.startswith("GEN ")]
    return {"seconds": seconds, "wall": wall, "gens": [re.sub(r"s_\((\d+),(\d+)\)", r"s\1\2", g) for g in gens]}


def run_ours(exe, graph, threads, repeat):
    t = time.perf_counter()
    p = subprocess.run([exe, "--graph", graph, "--threads", str(threads), "--repeat", str(repeat)],
                       capture_output=True, text=True)
    wall = (time.perf_counter() - t) / repeat
    if p.returncode != 0:
        sys.exit(f"run.py: bench_sem failed on {graph}:\n{p.stderr}")
    j = json.loads(p.stdout)
    return {"seconds": statistics.median(j["seconds"]), "wall": wall, "degrees": j["degrees"]}


# ---- exact span comparison ----------------------------------------------------------

def parse_poly(text, n):
    """'s13*s22 - 2*s12^2' -> {exponent tuple over the sigma_ij: Fraction}"""
    names = ["s%d%d" % (i, j) for i in range(1, n + 1) for j in range(i, n + 1)]
    index = {v: k for k, v in enumerate(names)}
    poly = {}
    for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", text.replace(" ", "")):
        coeff, exps = Fraction(1), [0] * len(names)
        for f in term.split("*"):
            if f in index:
                exps[index[f]] += 1
            elif "^" in f and f.split("^")[0] in index:
                exps[index[f.split("^")[0]]] += int(f.split("^")[1])
            else:
                coeff *= Fraction(f)
        key = tuple(exps)
        poly[key] = poly.get(key, 0) + (-coeff if sign == "-" else coeff)
    return {k: v for k, v in poly.items() if v != 0}


def span_rank(rows):
    """Rank of sparse rational rows (dicts), exactly. Each kept row is zero at
    the pivots kept before it, so one pass in that order reduces a new row."""
    pivots = []  # (column, row normalised to 1 there)
    for r in rows:
        r = dict(r)
        for c, prow in pivots:
            f = r.get(c)
            if f:
                for k, v in prow.items():
                    x = r.get(k, 0) - f * v
                    if x:
                        r[k] = x
                    else:
                        r.pop(k, None)
        if r:
            c = min(r)
            inv = 1 / r[c]
            pivots.append((c, {k: v * inv for k, v in r.items()}))
    return len(pivots)


def degree_part(polys, d, n):
    """Rows spanning the degree-d part of the ideal the polynomials generate."""
    m = n * (n + 1) // 2
    rows = []
    for p in polys:
        e = sum(next(iter(p)))
        if e > d:
            continue
        for combo in itertools.combinations_with_replacement(range(m), d - e):
            shift = [0] * m
            for v in combo:
                shift[v] += 1
            rows.append({tuple(a + b for a, b in zip(k, shift)): c for k, c in p.items()})
    return rows


def same_span(ours_degrees, peer_gens, n):
    peer = [parse_poly(g, n) for g in peer_gens]
    for part in ours_degrees:
        d = part["degree"]
        a = [parse_poly(b, n) for b in part["basis"]]
        b = degree_part(peer, d, n)
        ra, rb, rab = span_rank(a), span_rank(b), span_rank(a + b)
        if not (ra == rb == rab == part["dimension"]):
            return f"differ in degree {d}: ours {ra}, M2 {rb}, together {rab}"
    return "same"


def fmt_s(x):
    return "—" if x is None else f"{x:.3f}" if x < 100 else f"{x:.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="M2 rounds (the median is reported); one for runs over 30 s")
    ap.add_argument("--timeout", type=float, default=900, help="seconds before an M2 run is abandoned")
    ap.add_argument("--bench", default=os.path.join(ROOT, "build/release/bench/sem/bench_sem"))
    ap.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = ap.parse_args()
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"run.py: {args.bench} not found: build first (cmake --build build/release -j2 --target bench_sem)")
    try:
        subprocess.run(["M2", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        sys.exit("run.py: Macaulay2 not found: apt-get install macaulay2")

    results = []
    for label, graph, n, directed, bidirected in GRAPHS:
        row = {"graph": label, "text": graph}
        ours1 = run_ours(args.bench, graph, 1, 5)
        ours2 = run_ours(args.bench, graph, 2, 5)
        if ours1["degrees"] != ours2["degrees"]:
            sys.exit(f"run.py: bench_sem gives different polynomials with 1 and 2 threads on {graph}")
        row["dimensions"] = [p["dimension"] for p in ours1["degrees"]]
        row["verified"] = all(p["verified"] for p in ours1["degrees"])
        row["ours"] = {"1": ours1["seconds"], "2": ours2["seconds"]}
        best = min(ours1["seconds"], ours2["seconds"])
        row["m2"] = {}
        for mode in MODES:
            runs = []
            for r in range(args.rounds):
                res = run_m2(mode, n, directed, bidirected, args.timeout)
                runs.append(res)
                if res is None or "error" in res or res["wall"] > 30:
                    break
            ok = [r for r in runs if r and "error" not in r]
            if not ok:
                bad = runs[-1]
                row["m2"][mode] = {"status": "timeout" if bad is None else "refused: " + bad["error"]}
                continue
            mid = sorted(ok, key=lambda r: r["seconds"])[(len(ok) - 1) // 2]  # the median run (lower middle)
            row["m2"][mode] = {"status": "ok", "seconds": mid["seconds"], "wall": mid["wall"], "rounds": len(ok),
                               "speedup": mid["seconds"] / best,
                               # every round's polynomials are checked; the first disagreement is shown
                               "agree": next((a for a in (same_span(ours1["degrees"], r["gens"], n) for r in ok)
                                              if a != "same"), "same")}
        results.append(row)
        print(f"done: {label}", file=sys.stderr)

    if args.json:
        print(json.dumps(results, indent=1))
        return
    print(f"SEM vanishing ideal up to degree {MAX_DEGREE}: factorkit (bench_sem, in-process, median of 5) vs "
          f"Macaulay2 (in-process, median of {args.rounds}, one round when over 30 s; timeout {args.timeout:.0f} s)\n")
    for row in results:
        print(f"{row['graph']}:  {row['text']}")
        print(f"  dim I_1..I_{MAX_DEGREE} = {row['dimensions']}, verified exactly: {'yes' if row['verified'] else 'NO'}")
        print(f"  factorkit: {fmt_s(row['ours']['1'])} s (1 thread), {fmt_s(row['ours']['2'])} s (2 threads)")
        for mode in MODES:
            m = row["m2"][mode]
            if m["status"] == "timeout":
                print(f"  M2 {mode:<7} > {args.timeout:.0f} s (stopped)")
            elif m["status"] != "ok":
                print(f"  M2 {mode:<7} {m['status']}")
            else:
                print(f"  M2 {mode:<7} {fmt_s(m['seconds']):>8} s  (process {fmt_s(m['wall'])} s)   "
                      f"factorkit {m['speedup']:.0f}x faster   same polynomials up to span: {m['agree']}")
        print()


if __name__ == "__main__":
    main()
