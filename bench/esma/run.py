#!/usr/bin/env python3
"""Race factorkit's ESMA against the reference Python implementation.

The search is the reference repository's own test run (ESMA/APITesting.py):
constant e, sign periods of length 2, depth 105, P(e)/Q(e) of degree <= 1 with
coefficients in [-2, 2]. Rounds alternate reference / ours so that machine
drift hits both. Reported: in-process seconds (each side times its own search),
process wall seconds (the torch-free bench_esma, and the factorkit program,
which also pays LibTorch's start-up), and whether the result sets agree:
--compat against the unmodified reference, and the default mode against the
reference run with L starting terms (reference_runner.py --corrected --filter L).

The reference is not part of factorkit: pass a checkout of
https://github.com/RamanujanMachine/RamanujanMachine with --reference.

  python3 bench/esma/run.py --reference /path/to/RamanujanMachine [--rounds 3] [--json]
"""
import argparse
import decimal
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def timed(cmd, env=None):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"run.py: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p.stdout, wall


def reference(ref_dir, corrected=False):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "ref.json")
        cmd = ["/usr/bin/python3", os.path.join(HERE, "reference_runner.py"), "--reference", ref_dir, "--out", out]
        if corrected:
            cmd += ["--corrected", "--filter", "L"]
        env = dict(os.environ, PYTHONHASHSEED="0")
        _, wall = timed(cmd, env)
        with open(out) as f:
            return json.load(f), wall


def key_set(results):
    # (value to 100 significant digits, sign period, recurrence polynomial)
    return {(decimal.Decimal(r["value"]), tuple(r["signs"]), tuple(r["recurrence"])) for r in results}


def main():
    decimal.getcontext().prec = 120
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", required=True, help="RamanujanMachine checkout (read-only)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--bench", default=os.path.join(ROOT, "build/release/bench/esma/bench_esma"))
    ap.add_argument("--factorkit", default=os.path.join(ROOT, "build/release/factorkit"))
    ap.add_argument("--json", action="store_true", help="print the raw figures as JSON")
    args = ap.parse_args()
    ref_dir = os.path.abspath(args.reference)
    if not os.path.isfile(os.path.join(ref_dir, "ESMA", "enumerate_over_signed_rcf.py")):
        sys.exit(f"run.py: {ref_dir} is not a RamanujanMachine checkout (no ESMA/enumerate_over_signed_rcf.py)")
    for exe in (args.bench, args.factorkit):
        if not os.access(exe, os.X_OK):
            sys.exit(f"run.py: {exe} not found: build first (cmake --build build/release -j2 --target bench_esma factorkit)")

    search = ["--constant", "e", "--poly-deg", "1", "--coeff-lim", "2", "--sign-len", "2", "--depth", "105", "--compat"]
    fig = {"ref_in": [], "ref_wall": [], "ours1_in": [], "ours1_wall": [], "ours2_in": [], "ours2_wall": [],
           "prog_in": [], "prog_wall": []}
    ref_json = ours_json = None
    for _ in range(args.rounds):
        ref_json, wall = reference(ref_dir)
        fig["ref_in"].append(ref_json["seconds"])
        fig["ref_wall"].append(wall)
        for t in (1, 2):
            out, wall = timed([args.bench, "--compat", "--threads", str(t)])
            ours_json = json.loads(out)
            fig[f"ours{t}_in"].append(ours_json["seconds"][0])
            fig[f"ours{t}_wall"].append(wall)
        out, wall = timed([args.factorkit, "--quiet", "--json", "--threads", "2", "esma", "search"] + search)
        fig["prog_in"].append(json.loads(out)["seconds"])
        fig["prog_wall"].append(wall)
    med = {k: statistics.median(v) for k, v in fig.items()}

    # result sets: compat vs the reference, default vs the corrected reference
    compat_same = key_set(ref_json["results"]) == key_set(ours_json["results"])
    corr_json, _ = reference(ref_dir, corrected=True)
    default_out, _ = timed([args.bench, "--threads", "2"])
    default_json = json.loads(default_out)
    ref_values = {decimal.Decimal(r["value"]) for r in corr_json["results"]}
    our_values = {decimal.Decimal(r["value"]) for r in default_json["results"]}

    report = {"median_seconds": med, "rounds": args.rounds,
              "compat": {"reference_results": len(ref_json["results"]), "ours": len(ours_json["results"]),
                         "identical_set": compat_same,
                         "reference_pre_hits": ref_json["pre_hits"], "our_pre_hits": ours_json["pre_hits"],
                         "reference_lhs": ref_json["lhs_count"], "our_lhs": ours_json["lhs_count"]},
              "default": {"reference_corrected_values": len(ref_values), "our_values": len(our_values),
                          "identical_values": ref_values == our_values,
                          "reference_corrected_hits": corr_json["verified_before_dedup"],
                          "our_hits": default_json["verified_before_dedup"]}}
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"ESMA, the reference's test search (e, sign periods of length 2, depth 105, degree 1, coefficients ±2); "
          f"median of {args.rounds} alternating rounds\n")
    print(f"{'':34s}{'in-process s':>14s}{'wall s':>10s}{'speed-up (in-process)':>24s}{'speed-up (wall)':>18s}")
    rows = [("reference (Python, sympy/mpmath)", "ref"), ("bench_esma, 1 thread", "ours1"),
            ("bench_esma, 2 threads", "ours2"), ("factorkit esma search, 2 threads", "prog")]
    for name, k in rows:
        sin, swall = med[f"{k}_in"], med[f"{k}_wall"]
        print(f"{name:34s}{sin:14.3f}{swall:10.3f}{med['ref_in'] / sin:23.0f}x{med['ref_wall'] / swall:17.0f}x")
    c, d = report["compat"], report["default"]
    print(f"\n--compat: reference {c['reference_results']} results, ours {c['ours']}; identical (value, signs, C) set: "
          f"{'yes' if c['identical_set'] else 'NO'} (left-hand sides {c['reference_lhs']} vs {c['our_lhs']}, "
          f"hits before approval {c['reference_pre_hits']} vs {c['our_pre_hits']})")
    print(f"default: reference with L starting terms {d['reference_corrected_hits']} hits / "
          f"{d['reference_corrected_values']} values, ours {d['our_hits']} / {d['our_values']}; identical values: "
          f"{'yes' if d['identical_values'] else 'NO'}")


if __name__ == "__main__":
    main()
