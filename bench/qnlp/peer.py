#!/usr/bin/env python3
"""DisCoPy's side of bench/qnlp: evaluate the exported circuits (phases as
numbers) the way DisCoPy evaluates circuits, timed as DisCoPy's benchmark suite
times (CPU time, garbage collector off, at least 3 rounds and 0.1 s). Prints
one JSON line with the median time of one pass over all circuits and each
circuit's normalised probability of outcome 0.

  python3 peer.py --discopy DIR CIRCUITS.json

DIR is a DisCoPy source checkout (tag 1.2.2 runs on Debian 12's Python 3.11
with python3-numpy and python3-networkx); nothing is installed.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "diagram"))
from peer import load_discopy, time_it  # noqa: E402  (bench/diagram/peer.py)


def build(layers, q):
    from discopy.quantum import Id, Ket, Bra, H, X, Y, Z, S, T, Rx, Ry, Rz, Controlled
    from discopy.quantum.gates import sqrt
    fixed = {"H": H, "X": X, "Y": Y, "Z": Z, "S": S, "T": T}
    c = Id(q ** 0)
    for name, offset, args in layers:
        if name in fixed:
            g = fixed[name]
        elif name in ("Rx", "Ry", "Rz"):
            g = {"Rx": Rx, "Ry": Ry, "Rz": Rz}[name](args[0])
        elif name in ("CRz", "CRx"):
            # Controlled(Rz(φ), d) rather than CRz(φ, d): 1.2.2's CRz fails for
            # d != 1 (_decompose passes a gate where a phase goes); same gate
            g = Controlled({"CRz": Rz, "CRx": Rx}[name](args[0]), distance=int(args[1]))
        elif name in ("CX", "CZ"):
            g = Controlled({"CX": X, "CZ": Z}[name], distance=int(args[0]))
        elif name == "Ket":
            g = Ket(*[int(b) for b in args])
        elif name == "Bra":
            g = Bra(*[int(b) for b in args])
        elif name == "sqrt":
            g = sqrt(args[0])
        else:
            raise ValueError(f"unknown gate {name}")
        right = len(c.cod) - offset - len(g.dom)
        c = c >> Id(q ** offset) @ g @ Id(q ** right)
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--discopy", required=True)
    ap.add_argument("circuits")
    a = ap.parse_args()
    load_discopy(a.discopy)
    import numpy as np
    from discopy.quantum import qubit
    with open(a.circuits) as f:
        data = json.load(f)["circuits"]
    circuits = [build(c["layers"], qubit) for c in data]
    result = {}

    def step():
        p0 = []
        for c in circuits:
            amp = np.asarray(c.eval().array).reshape(-1)
            q = np.abs(amp) ** 2
            p0.append(float(q[0] / max(1e-9, q.sum())))
        result["p0"] = p0
    out = time_it(step)
    out["p0"] = result["p0"]
    out["circuits"] = len(circuits)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
