#!/usr/bin/env python3
"""Run the RamanujanMachine reference ESMA on its own regression search and dump JSON.

The search is the one in the reference's ESMA/APITesting.py: constant e, sign
periods of length 2, depth 105, rational LHS of degree <= 1 with coefficients in
[-2, 2]. The reference checkout is used read-only. ortools, matplotlib and
sympy.core.compatibility are supplied by the stub modules in ./ref_shims.

Usage:
  python3 reference_runner.py --reference /path/to/RamanujanMachine [--corrected] [--out F]

--corrected: the reference strips trailing zeros from the Berlekamp-Massey
polynomial C and then takes len(C)-1 initial terms. That is too few when the
linear complexity L is larger than deg C. With this flag the zeros are kept, so
the initial terms are a[:L]. The beauty filter then sees len(C) = L+1.
--corrected --filter trimmed: same, but the beauty filter is applied to the
trimmed C as in the reference (same pre-hits as default); each hit is then
re-extracted to recover its untrimmed C and a[:L].
--corrected --filter L: keep the zeros and accept when L < depth//4 (one more
than len(C) = L+1 < depth//4 allows).

The output order is the reference's order. It follows Python set iteration over
sympy expressions, so it can depend on PYTHONHASHSEED.
"""
import argparse
import contextlib
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def setup_paths(reference):
    """Put the shims first, then the reference root (for `ramanujan`) and ESMA/."""
    shims = os.path.join(HERE, "ref_shims")
    for p in (os.path.join(reference, "ESMA"), reference, shims):
        sys.path.insert(0, p)
    import sympy_compat
    sympy_compat.install()


def to_ints(xs):
    return [int(x) for x in xs]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", required=True, help="RamanujanMachine checkout root")
    ap.add_argument("--out", help="write JSON here (default: stdout)")
    ap.add_argument("--corrected", action="store_true",
                    help="use L initial terms (keep trailing zeros of C)")
    ap.add_argument("--filter", choices=["untrimmed", "trimmed", "L"], default="untrimmed",
                    help="with --corrected: which len(C) the beauty filter sees")
    args = ap.parse_args()

    setup_paths(os.path.abspath(args.reference))
    import mpmath
    import sympy
    from sympy import lambdify
    import enumerate_over_signed_rcf as esr
    from enumerate_over_signed_rcf import SignedRcfEnumeration, esma_search_wrapper  # noqa: F401

    from ramanujan.utils.mobius import GeneralizedContinuedFraction
    enum_extra_beauty = 0
    recut = args.corrected and args.filter == "trimmed"
    if args.corrected and not recut:
        # find_signed_rcf_conj looks up the module-level clear_end_zeros at call time.
        esr.clear_end_zeros = lambda items: None
        if args.filter == "L":  # len(C) = L+1 < depth//4 + 1  <=>  L < depth//4
            enum_extra_beauty = 1

    # These are the arguments esma_search_wrapper passes for the APITesting search.
    # We build the object ourselves so that each phase can be timed.
    enum = SignedRcfEnumeration(sym_constant=sympy.E, cycle_len_range=[2, 2], depth=105,
                                coefficients_limit=2, poly_deg=1, min_deg=None,
                                custom_enum=None, do_print=False)
    enum.beauty_standard += enum_extra_beauty
    phases = {}
    # The reference prints to stdout even with do_print=False: sympy.pprint on a
    # ZeroDivisionError, and a message from mobius. Send all of that to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        t_all = time.perf_counter()
        # Same dps context as find_hits. Time the LHS enumeration on its own, then
        # let the search reuse that set (the same set, so the same iteration order).
        with mpmath.workdps(enum.enum_dps):
            t = time.perf_counter()
            lhs_set = enum.create_rational_variations_enum()
            phases["enumerate_lhs"] = time.perf_counter() - t
            enum.create_rational_variations_enum = lambda: lhs_set
            t = time.perf_counter()
            pre = enum.find_signed_rcf_conj()
            phases["extract_and_massey"] = time.perf_counter() - t
            if recut:  # redo each hit's extraction; keep untrimmed C and a[:len(C)-1]
                t = time.perf_counter()
                for res in pre:
                    var, period = res[0], res[1]
                    b_ = (period * (enum.depth // len(period) + 1))[:enum.depth]
                    a_ = GeneralizedContinuedFraction.from_irrational_constant(
                        const_gen=lambdify((), var, modules="mpmath"), b_=b_).a_
                    c_full = list(esr.slow_massey(a_, enum.prime))
                    res[2], res[3] = a_[:len(c_full) - 1], c_full
                phases["recut"] = time.perf_counter() - t
        with mpmath.workdps(enum.verify_dps):
            t = time.perf_counter()
            verified, recurring = enum.verify_results(pre)
            phases["verify"] = time.perf_counter() - t
        total = time.perf_counter() - t_all

    def row(res):
        val = lambdify((), res[0], modules="mpmath")
        with mpmath.workdps(enum.verify_dps):
            v = mpmath.nstr(val(), 100)
        return {"lhs": str(res[0]), "value": v, "signs": to_ints(res[1]),
                "recurrence": to_ints(res[3]), "initial": to_ints(res[2])}

    out = {
        "mode": ("corrected-" + args.filter) if args.corrected else "default",
        "pythonhashseed": os.environ.get("PYTHONHASHSEED"),
        "seconds": total,
        "phases": phases,
        "lhs_count": len(lhs_set),
        "pre_hits": len(pre),
        "verified_before_dedup": len(verified) + sum(len(v) for v in recurring.values()),
        "verified": len(verified),
        "results": [row(r) for r in verified],
        "duplicates": [row(r) for rs in recurring.values() for r in rs],
    }
    text = json.dumps(out, indent=1)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
