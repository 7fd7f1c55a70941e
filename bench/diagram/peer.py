#!/usr/bin/env python3
"""DisCoPy's side of bench/diagram: the same workloads as bench_diagram, timed
the way DisCoPy's own benchmark suite times them (CPU time, garbage collector
off, at least 3 rounds and 0.1 s). Prints one JSON line per case.

  python3 peer.py --discopy DIR CASE N [M] [--boundary state|amplitude|open]

DIR is a DisCoPy source checkout (tag 1.2.2 runs on Debian 12's Python 3.11
with python3-numpy and python3-networkx); nothing is installed.
"""
import argparse
import gc
import json
import resource
import sys
import time
import types


def load_discopy(path):
    sys.path.insert(0, path)
    try:
        import discopy.version  # noqa: F401  (a git checkout has no generated version module)
    except ImportError:
        module = types.ModuleType("discopy.version")
        module.version, module.version_tuple = "0+checkout", (0,)
        sys.modules["discopy.version"] = module
    import discopy
    return discopy


def time_it(f, min_total=0.1, min_rounds=3):
    times = []
    gc.disable()
    try:
        while len(times) < min_rounds or sum(times) < min_total:
            t = time.process_time()
            f()
            times.append(time.process_time() - t)
    finally:
        gc.enable()
    times.sort()
    return {"median_s": times[len(times) // 2], "rounds": len(times)}


def encoding(d):
    return [[str(b), o] for b, o in zip(d.boxes, d.offsets)]


def repeated(op, box, k):
    if k == 1:
        return box
    half = repeated(op, box, k // 2)
    result = op(half, half)
    return op(result, box) if k % 2 else result


def spiral(symmetric, n):
    x, e = symmetric.Ty("x"), symmetric.Ty()
    wire = lambda k: symmetric.Id(x ** k)
    unit, counit = symmetric.Box("unit", e, x), symmetric.Box("counit", x, e)
    cup, cap = symmetric.Box("cup", x @ x, e), symmetric.Box("cap", e, x @ x)
    result = unit
    for i in range(n):
        result >>= wire(i) @ cap @ wire(i + 1)
    result >>= wire(n) @ counit @ wire(n)
    for i in range(n):
        result >>= wire(n - i - 1) @ cup @ wire(n - i - 1)
    return result


def adder_step(symmetric, full_adder, adder, k):
    bit = full_adder.dom[:1]
    reorder1 = list(range(1, k + 1)) + [0, k + 1, k + 2]
    reorder2 = [k] + list(range(k)) + [k + 1]
    D = symmetric.Diagram
    return (adder @ D.id(bit @ bit) >> D.permutation(reorder1, bit ** (k + 3))
            >> D.id(bit ** k) @ full_adder >> D.permutation(reorder2, bit ** (k + 2)))


def brick(k):
    """Brick k's array, the same as bench_diagram's (see brick() there)."""
    import numpy as np
    out = np.empty(16, dtype=complex)
    for e in range(16):
        i = 16 * k + e
        out[e] = complex((i * 2654435761) % 4294967296 / 4294967296.0 - 0.5,
                         (i * 2246822519 + 1) % 4294967296 / 4294967296.0 - 0.5)
    return out.reshape(2, 2, 2, 2)


def main():
    sys.setrecursionlimit(1 << 20)  # calling a composed Function recurses once per layer
    ap = argparse.ArgumentParser()
    ap.add_argument("--discopy", required=True)
    ap.add_argument("case", choices=["spiral", "snakes", "tensor", "adder", "brickwall"])
    ap.add_argument("n", type=int)
    ap.add_argument("m", type=int, nargs="?")
    ap.add_argument("--boundary", default="state")
    a = ap.parse_args()
    load_discopy(a.discopy)
    from discopy import rigid, symmetric
    n = a.n
    if a.case == "spiral":
        d = spiral(symmetric, n)
        out = time_it(d.normal_form)
        out["build"] = time_it(lambda: spiral(symmetric, n))
        out["encoding"] = encoding(d.normal_form())
    elif a.case == "snakes":
        x = rigid.Ty("x")
        g = rigid.Box("f", x, x)
        for _ in range(n):
            g = g.transpose(left=True).transpose(left=False)
        out = time_it(g.normal_form)
        out["layers"] = len(g)
        out["encoding"] = encoding(g.normal_form())
    elif a.case == "tensor":
        box = symmetric.Box("NOT", symmetric.Ty("bit"), symmetric.Ty("bit"))
        out = time_it(lambda: repeated(lambda p, q: p.tensor(q), box, n))
        d = repeated(lambda p, q: p.tensor(q), box, n)
        out["layers"] = len(d)
        out["encoding"] = encoding(d)
    elif a.case == "adder":
        from discopy.python import Category
        import random
        bit = symmetric.Ty("bit")
        fa = symmetric.Box("FA", bit @ bit @ bit, bit @ bit)
        adder = fa
        for k in range(1, n):
            adder = adder_step(symmetric, fa, adder, k)

        def full_adder(p, q, c):
            return p ^ q ^ c, (p & q) | (c & (p ^ q))
        functor = symmetric.Functor(ob={bit: int}, ar={fa: full_adder}, cod=Category())
        out = time_it(lambda: functor(adder))
        compiled = functor(adder)
        rng = random.Random(0)
        ok = True
        for _ in range(20):
            bits = [rng.randrange(2) for _ in range(2 * n + 1)]
            res = compiled(*bits)
            ok &= res[0] + 2 * sum(res[1:]) == sum(bits)
        out["layers"] = len(adder)
        out["correct"] = ok
    else:
        import numpy as np
        from discopy import tensor
        q, layers = n, a.m
        qb = tensor.Dim(2)
        d = tensor.Id(qb ** q)
        count = 0
        for layer in range(layers):
            for i in range(layer % 2, q - 1, 2):
                box = tensor.Box(f"U{count}", qb @ qb, qb @ qb, brick(count))
                d = d >> tensor.Id(qb ** i) @ box @ tensor.Id(qb ** (q - i - 2))
                count += 1
        ket = tensor.Box("0", tensor.Dim(1), qb, np.array([1, 0], dtype=complex))
        bra = tensor.Box("0", qb, tensor.Dim(1), np.array([1, 0], dtype=complex))
        if a.boundary != "open":
            kets = tensor.Id(tensor.Dim(1))
            for _ in range(q):
                kets = kets @ ket
            d = kets >> d
        if a.boundary == "amplitude":
            bras = tensor.Id(tensor.Dim(1))
            for _ in range(q):
                bras = bras @ bra
            d = d >> bras
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = {}

        def run():
            result["r"] = np.asarray(d.eval().array)
        out = time_it(run)
        r = result["r"]
        out["boxes"] = count
        out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["rss_growth_mib"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
        out["result_norm"] = float(np.sum(np.abs(r) ** 2))
        out["result_sum_re"] = float(np.real(np.sum(r)))
        out["result_sum_im"] = float(np.imag(np.sum(r)))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
