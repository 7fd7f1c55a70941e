#!/usr/bin/python3
"""Reference numbers for factorkit's linalg tests, from scikit-learn and scipy.

  make_linalg_fixtures.py OUTDIR

Writes small safetensors files (float64) that tests/linalg/*.cpp compare
against. Run it again after changing it; the files are committed so the unit
tests need neither scikit-learn nor scipy. Uses the Debian packages
python3-sklearn (1.2) and python3-scipy (1.10).

The planted NMF problems are generated from a SplitMix64 stream that
tests/linalg/planted.h reproduces bit for bit, so only scikit-learn's results
(not the 500 x 64 matrices) need storing.
"""
import json
import os
import struct
import sys
import warnings

import numpy as np
import scipy
import sklearn
from scipy.optimize import nnls
from sklearn.decomposition import NMF, non_negative_factorization
from sklearn.decomposition._nmf import _initialize_nmf

MASK = (1 << 64) - 1


def splitmix_uniform(seed, count):
    """count doubles in [0, 1) from SplitMix64 (Steele, Lea & Flood 2014), top 53 bits."""
    out = np.empty(count)
    state = seed & MASK
    for i in range(count):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        out[i] = (z >> 11) * 2.0**-53
    return out


def planted(seed, n=500, p=64, r=10, noise=0.05):
    """X = W0 H0 + noise * U, all entries from one SplitMix64 stream in this order."""
    u = splitmix_uniform(seed, n * r + r * p + n * p)
    w0 = u[: n * r].reshape(n, r)
    h0 = u[n * r : n * r + r * p].reshape(r, p)
    e = u[n * r + r * p :].reshape(n, p)
    return w0 @ h0 + noise * e


def write_safetensors(path, tensors, meta):
    header, offset, blobs = {}, 0, []
    for name, a in tensors.items():
        a = np.ascontiguousarray(a, dtype="<f8")
        b = a.tobytes()
        header[name] = {"dtype": "F64", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    header["__metadata__"] = {k: str(v) for k, v in meta.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main(out):
    os.makedirs(out, exist_ok=True)
    meta = {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__}
    rng = np.random.default_rng(20261129)

    # --- NMF sweeps from a custom init (cd and mu), plain and regularized -----
    x = rng.random((30, 12))
    xpos = x + 0.05  # strictly positive, for beta <= 0
    w0 = np.abs(rng.standard_normal((30, 4))) * 0.5
    h0 = np.abs(rng.standard_normal((4, 12))) * 0.5
    t = {"X": x, "Xpos": xpos, "W0": w0, "H0": h0}
    cases = {
        "cd": dict(solver="cd", beta_loss="frobenius"),
        "mu2": dict(solver="mu", beta_loss="frobenius"),
        "mu1": dict(solver="mu", beta_loss="kullback-leibler"),
        "mu0": dict(solver="mu", beta_loss="itakura-saito"),
        "mu3": dict(solver="mu", beta_loss=3.0),
    }
    regs = {"plain": dict(alpha_W=0.0), "reg": dict(alpha_W=0.05, alpha_H="same", l1_ratio=0.3),
            "regh": dict(alpha_W=0.02, alpha_H=0.1, l1_ratio=0.7)}
    for cname, c in cases.items():
        xin = xpos if c["beta_loss"] in ("itakura-saito",) else x
        for rname, r in regs.items():
            for iters in (1, 5):
                w, h, n = non_negative_factorization(xin, w0.copy(), h0.copy(), n_components=4, init="custom",
                                                     max_iter=iters, tol=0, shuffle=False, **c, **r)
                assert n == iters
                t[f"{cname}_{rname}_{iters}_W"] = w
                t[f"{cname}_{rname}_{iters}_H"] = h
    # sklearn's transform (cd from W = 0, mu from sqrt(mean/r)) with the fit's tol
    for solver in ("cd", "mu"):
        m = NMF(n_components=4, solver=solver, init="custom", max_iter=200, tol=1e-4)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.fit(x, W=w0.copy(), H=h0.copy())
        t[f"transform_{solver}_H"] = m.components_
        t[f"transform_{solver}_W"] = m.transform(x)
    write_safetensors(os.path.join(out, "nmf_sweeps.safetensors"), t, meta)

    # --- NNDSVD initializations of an exactly rank-4 matrix --------------------
    xl = np.abs(rng.standard_normal((20, 4))) @ np.abs(rng.standard_normal((4, 15)))
    t = {"X": xl}
    for init in ("nndsvd", "nndsvda"):
        w, h = _initialize_nmf(xl, 4, init=init, random_state=0)
        t[f"{init}_W"], t[f"{init}_H"] = w, h
    write_safetensors(os.path.join(out, "nmf_init.safetensors"), t, meta)

    # --- planted 500 x 64 rank-10: scikit-learn's converged objective ----------
    rows = []
    for seed in range(5):
        xp = planted(seed)
        for solver in ("cd", "mu"):
            m = NMF(n_components=10, solver=solver, tol=1e-4, max_iter=200, init="nndsvda", random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                w = m.fit_transform(xp)
            obj = 0.5 * np.sum((xp - w @ m.components_) ** 2)
            rows.append([seed, 0 if solver == "cd" else 1, obj, m.n_iter_, m.reconstruction_err_])
    t = {"results": np.array(rows), "probe": planted(3)[:3, :5]}
    write_safetensors(os.path.join(out, "nmf_planted.safetensors"), t,
                      dict(meta, columns="seed,solver(0=cd,1=mu),objective,n_iter,reconstruction_err"))

    # --- NNLS against scipy.optimize.nnls, row by row --------------------------
    a = rng.standard_normal((40, 8))
    b = rng.standard_normal((40, 25)) + a @ np.abs(rng.standard_normal((8, 25)))
    xs = np.stack([nnls(a, b[:, j])[0] for j in range(b.shape[1])], axis=1)
    xt = rng.random((20, 12))
    ht = np.abs(rng.standard_normal((4, 12)))
    wt = np.stack([nnls(ht.T, xt[i])[0] for i in range(xt.shape[0])], axis=0)
    write_safetensors(os.path.join(out, "nnls.safetensors"),
                      {"A": a, "B": b, "X": xs, "Xt": xt, "Ht": ht, "Wt": wt}, meta)
    print(f"wrote fixtures to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data", "linalg"))
