#!/usr/bin/python3
"""Race factorkit's linalg layer against scikit-learn / numpy on the same inputs.

One command (from the repository root):

    /usr/bin/python3 bench/linalg/run.py            # full sizes (a few minutes on 2 cores)
    /usr/bin/python3 bench/linalg/run.py --small    # tiny sizes, a quick check

What runs, all on the same .npy files written to a temporary directory:

* NMF, solvers 'cd' and 'mu': X is n x p (5000 x 1000), a planted non-negative
  rank-r product plus uniform noise, X = Wt Ht + U(0, 1), Wt, Ht ~ U(0, 1),
  r = 20. Both libraries start from scikit-learn's nndsvda initialization of X
  (sklearn.decomposition._nmf._initialize_nmf, random_state=0) and run exactly
  200 iterations (tol = 0). Quality: the final objective 0.5 ||X - W H||_F^2.
  Peer: sklearn.decomposition.NMF(init='custom', tol=0).fit_transform(X, W=W0, H=H0).

* Randomized SVD: A is m x n (10000 x 2000), rank k = 50, q = 4 power
  iterations, 10 oversamples, LU normalization (scikit-learn's 'auto' for q > 2).
  Spectrum: A = U diag(s) V^T + sigma G, with U (m x R), V (n x R) orthonormal
  (QR of Gaussian matrices), s_i = 1/i for i = 1..R, R = 4k, and G standard
  Gaussian noise scaled so that its largest singular values,
  about sigma (sqrt(m) + sqrt(n)), are s_R / 10. The slow 1/i decay is the hard
  case for randomized SVD (the power iterations matter). Quality: the relative
  error ||A - U S Vh||_F / ||A||_F; the "planted" reference is
  sqrt(sum_{i>k} s_i^2 + sigma^2 m n) / ||A||_F, about the best rank-k error.
  Peer: sklearn.utils.extmath.randomized_svd(A, k, n_iter=q, random_state=0).
  Ours also runs with --mixed (power iterations in float32) as an extra row.

* float64 GEMM rate: numpy's matmul and our at::mm for the shapes of the
  dominant products, (n x p)(p x r) for NMF and (m x n)(n x (k + 10)) for the
  rSVD, plus a square 2000^3 product.

Timings: --repeats rounds (default 5); each round is one warm-up plus one timed
run of the peer, then the same of ours, so a slow phase of a shared machine
hits both sides alike; the medians over the rounds are reported. Only
the computation is timed (not file reading, not the copies of W0/H0). The
Python side runs in-process with OPENBLAS_NUM_THREADS = OMP_NUM_THREADS =
--threads (the script re-executes itself with that environment before numpy is
imported); bench_linalg gets the same environment and --threads. Both use the
same OpenBLAS.

Achieved GFLOP/s of a whole run count only its dominant products:
  NMF:  iterations * 2 * (2 n p r)        (X H^T and W^T X per iteration)
  rSVD: 2 (2q + 2) m n (k + oversamples)  (2 products per power iteration,
                                           plus A Q and Q^T A)

Output: a Markdown table on stdout; --json PATH writes the same results as JSON.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO / "build" / "release" / "bench" / "linalg" / "bench_linalg"
REEXEC_MARK = "FACTORKIT_BENCH_LINALG_THREADS"

# Problem sizes: full (the benchmark) and --small (a quick check).
SIZES = {
    "full": dict(nmf_n=5000, nmf_p=1000, nmf_r=20, nmf_iters=200,
                 svd_m=10000, svd_n=2000, svd_k=50, svd_q=4, svd_p=10, square=2000),
    "small": dict(nmf_n=500, nmf_p=100, nmf_r=5, nmf_iters=200,
                  svd_m=1000, svd_n=200, svd_k=10, svd_q=4, svd_p=10, square=500),
}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--small", action="store_true", help="tiny problem sizes, for a quick check")
    ap.add_argument("--inputs-only", action="store_true",
                    help="write the inputs into --data-dir and stop (to time other variants on them)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per task after one warm-up (default 5)")
    ap.add_argument("--threads", type=int, default=2, help="BLAS/LibTorch threads on both sides (default 2)")
    ap.add_argument("--bin", type=Path, default=DEFAULT_BIN,
                    help="path of bench_linalg (default build/release/bench/linalg/bench_linalg)")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this path")
    ap.add_argument("--seed", type=int, default=0, help="seed of the generated inputs (default 0)")
    ap.add_argument("--data-dir", type=Path, help="write (and keep) the inputs here instead of a temp dir")
    args = ap.parse_args()
    if args.inputs_only and not args.data_dir:
        ap.error("--inputs-only needs --data-dir (where to keep the inputs)")
    if args.repeats < 1:
        ap.error("--repeats must be >= 1")
    if args.threads < 1:
        ap.error("--threads must be >= 1")
    return args


def pin_threads(threads):
    """Re-execute this script with the thread counts in the environment.

    OpenBLAS reads OPENBLAS_NUM_THREADS once, when numpy loads it, so the
    variables must be set before the interpreter imports numpy.
    """
    if os.environ.get(REEXEC_MARK) == str(threads):
        return
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env[REEXEC_MARK] = str(threads)
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, str(Path(__file__).resolve())] + sys.argv[1:], env)


# ---- timing ------------------------------------------------------------------

def time_runs(prepare, run, repeats):
    """One warm-up, then `repeats` timed calls of run(prepare()); returns
    (timings in seconds, result of the last call). prepare() is not timed."""
    result = run(prepare())
    timings = []
    for _ in range(repeats):
        state = prepare()
        start = time.perf_counter()
        result = run(state)
        timings.append(time.perf_counter() - start)
    return timings, result


def alternate(peer_call, ours_call, rounds):
    """Alternates single timed runs of the peer and of ours, `rounds` times, so
    that a slow phase of a shared machine hits both sides alike; returns the
    two result dicts with all timings and their medians."""
    import statistics
    peer_all, ours_all, peer, me = [], [], None, None
    for _ in range(rounds):
        peer = peer_call(1)
        me = ours_call(1)
        peer_all += peer["timings_s"]
        ours_all += me["timings_s"]
    for side, ts in ((peer, peer_all), (me, ours_all)):
        side["timings_s"] = ts
        side["median_s"] = statistics.median(ts)
    return peer, me


def ours(binary, *argv):
    """Runs bench_linalg and returns its JSON record (the last stdout line)."""
    cmd = [str(binary)] + [str(a) for a in argv]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"run.py: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---- inputs ------------------------------------------------------------------

def make_nmf_input(np, rng, n, p, r):
    """Planted non-negative rank-r product plus uniform noise, and its nndsvda init."""
    from sklearn.decomposition._nmf import _initialize_nmf
    x = rng.uniform(size=(n, r)) @ rng.uniform(size=(r, p)) + rng.uniform(size=(n, p))
    w0, h0 = _initialize_nmf(x, r, init="nndsvda", random_state=0)
    return x, w0, h0


def make_svd_input(np, rng, m, n, k):
    """U diag(1/i) V^T of rank 4k plus Gaussian noise at s_R / 10 (see the docstring).
    Returns A and the planted reference error sqrt(sum_{i>k} s_i^2 + sigma^2 m n)."""
    rank = min(4 * k, m, n)
    s = 1.0 / np.arange(1, rank + 1)
    u, _ = np.linalg.qr(rng.standard_normal((m, rank)))
    v, _ = np.linalg.qr(rng.standard_normal((n, rank)))
    sigma = (s[-1] / 10) / (np.sqrt(m) + np.sqrt(n))
    a = (u * s) @ v.T + sigma * rng.standard_normal((m, n))
    planted = float(np.sqrt(np.sum(s[k:] ** 2) + sigma ** 2 * m * n))
    return a, planted


# ---- the peers -----------------------------------------------------------------

def peer_nmf(np, x, w0, h0, solver, iters, repeats):
    from sklearn.decomposition import NMF

    def run(state):
        w, h = state
        model = NMF(n_components=w0.shape[1], solver=solver, init="custom", tol=0, max_iter=iters)
        w = model.fit_transform(x, W=w, H=h)
        return w, model.components_, model.n_iter_

    timings, (w, h, n_iter) = time_runs(lambda: (w0.copy(), h0.copy()), run, repeats)
    objective = 0.5 * float(np.linalg.norm(x - w @ h) ** 2)
    return dict(median_s=statistics.median(timings), timings_s=timings, objective=objective, n_iter=int(n_iter))


def peer_rsvd(np, a, k, q, repeats):
    from sklearn.utils.extmath import randomized_svd

    timings, (u, s, vt) = time_runs(lambda: None,
                                    lambda _: randomized_svd(a, k, n_iter=q, random_state=0), repeats)
    rel = float(np.linalg.norm(a - (u * s) @ vt) / np.linalg.norm(a))
    return dict(median_s=statistics.median(timings), timings_s=timings, rel_error=rel)


def peer_gemm(np, m, n, k, repeats):
    rng = np.random.default_rng(1)
    lhs, rhs = rng.random((m, k)), rng.random((k, n))
    out = np.empty((m, n))
    timings, _ = time_runs(lambda: None, lambda _: np.matmul(lhs, rhs, out=out), repeats)
    med = statistics.median(timings)
    return dict(median_s=med, timings_s=timings, gflops=2.0 * m * n * k / med / 1e9)


# ---- report --------------------------------------------------------------------

def fmt(v, spec):
    return "–" if v is None else format(v, spec)


def markdown(res):
    c, env = res["config"], res["environment"]
    lines = [
        f"factorkit linalg vs scikit-learn {env['sklearn']} / numpy {env['numpy']} / scipy {env['scipy']}"
        f" — {env['cpu']}, {c['threads']} thread(s), median of {c['repeats']} alternating rounds (warm-up + timed run each)"
        f"{' (--small)' if c['small'] else ''}",
        f"BLAS on the Python side: {env['python_blas']}",
        "",
        "| task | peer | peer median s | ours median s | ratio peer/ours | peer quality | our quality "
        "| ours/peer quality | peer GFLOP/s | ours GFLOP/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in res["tasks"]:
        p, o = t["peer"], t["ours"]
        lines.append(
            f"| {t['task']} | {t['peer_name']} | {p['median_s']:.4f} | {o['median_s']:.4f} "
            f"| {p['median_s'] / o['median_s']:.2f} | {t['quality_name']} {p['quality']:.6g} "
            f"| {o['quality']:.6g} | {o['quality'] / p['quality']:.6f} "
            f"| {p['gflops']:.2f} | {o['gflops']:.2f} |")
    lines += [
        "",
        "Quality: NMF objective 0.5 ||X - W H||_F^2 after the iterations (lower is better); "
        "rSVD relative error ||A - U S Vh||_F / ||A||_F "
        f"(planted rank-k reference ≈ {res['inputs']['rsvd_planted_rel_error']:.6g}).",
        "GFLOP/s of a run count its dominant products only: "
        "NMF iterations·2·(2·n·p·r) (X H^T and W^T X); rSVD 2·(2q+2)·m·n·(k+p).",
        "",
        "| float64 GEMM (M×K)·(K×N) | numpy GFLOP/s | ours GFLOP/s | ours/numpy |",
        "|---|---:|---:|---:|",
    ]
    for g in res["gemm"]:
        lines.append(f"| {g['m']}×{g['k']} · {g['k']}×{g['n']} ({g['what']}) | {g['numpy']['gflops']:.2f} "
                     f"| {g['ours']['gflops']:.2f} | {g['ours']['gflops'] / g['numpy']['gflops']:.2f} |")
    return "\n".join(lines)


# ---- main ----------------------------------------------------------------------

def main():
    args = parse_args()
    pin_threads(args.threads)
    try:
        import numpy as np
        import scipy
        import sklearn
        from threadpoolctl import threadpool_info
    except ImportError as e:
        sys.exit(f"run.py: {e}; run it with /usr/bin/python3 (Debian's numpy/scipy/scikit-learn)")
    warnings.filterwarnings("ignore")  # max_iter reached with tol = 0 is the point, not a problem

    # a relative --bin is taken from the current directory if it is there, else from the repo root
    binary = args.bin if args.bin.is_absolute() or args.bin.exists() else REPO / args.bin
    if not binary.exists():
        sys.exit(f"run.py: {binary} not found; build it with "
                 "`cmake --build build/release --target bench_linalg` or pass --bin")
    sz = SIZES["small" if args.small else "full"]
    R, T = args.repeats, args.threads
    common = ["--repeats", R, "--threads", T]

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
               platform.processor())
    res = dict(
        config=dict(small=args.small, repeats=R, threads=T, seed=args.seed, sizes=sz, bin=str(binary)),
        environment=dict(cpu=cpu, python=platform.python_version(), numpy=np.__version__,
                         scipy=scipy.__version__, sklearn=sklearn.__version__,
                         python_blas=", ".join(f"{i['internal_api']} {i.get('version')} "
                                               f"({i['num_threads']} threads, {i.get('architecture')} kernels)"
                                               for i in threadpool_info() if i["user_api"] == "blas")),
        tasks=[], gemm=[], inputs={})

    with tempfile.TemporaryDirectory(prefix="bench_linalg_") as tmp:
        data = args.data_dir or Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(args.seed)
        n, p, r, iters = sz["nmf_n"], sz["nmf_p"], sz["nmf_r"], sz["nmf_iters"]
        m, ns, k, q, ov = sz["svd_m"], sz["svd_n"], sz["svd_k"], sz["svd_q"], sz["svd_p"]

        # inputs
        x, w0, h0 = make_nmf_input(np, rng, n, p, r)
        a, planted = make_svd_input(np, rng, m, ns, k)
        files = dict(x=data / "nmf_X.npy", w0=data / "nmf_W0.npy", h0=data / "nmf_H0.npy", a=data / "rsvd_A.npy")
        for key, arr in (("x", x), ("w0", w0), ("h0", h0), ("a", a)):
            np.save(files[key], np.ascontiguousarray(arr, dtype=np.float64))
        if args.inputs_only:
            print(f"[run.py] inputs written to {data}: " + ", ".join(sorted(f.name for f in files.values())),
                  file=sys.stderr)
            return
        res["inputs"] = dict(nmf_shape=[n, p], nmf_rank=r, rsvd_shape=[m, ns], rsvd_rank=k,
                             rsvd_planted_rel_error=planted / float(np.linalg.norm(a)),
                             nmf_init_objective=0.5 * float(np.linalg.norm(x - w0 @ h0) ** 2))

        # NMF, both solvers
        nmf_flops = iters * 2 * (2.0 * n * p * r)
        for solver in ("cd", "mu"):
            print(f"[run.py] nmf {solver} {n}x{p} r={r}", file=sys.stderr, flush=True)
            peer, me = alternate(
                lambda reps: peer_nmf(np, x, w0, h0, solver, iters, reps),
                lambda reps: ours(binary, "nmf", files["x"], files["w0"], files["h0"], "--solver", solver,
                                  "--iters", iters, "--repeats", reps, "--threads", T), R)
            for side in (peer, me):
                side["quality"] = side["objective"]
                side["gflops"] = nmf_flops / side["median_s"] / 1e9
            res["tasks"].append(dict(task=f"nmf {solver} {n}×{p} r={r} {iters} it", peer_name=f"NMF(solver='{solver}')",
                                     quality_name="obj", flops=nmf_flops, peer=peer, ours=me))

        # randomized SVD, float64 then mixed precision
        svd_flops = 2 * (2 * q + 2) * float(m) * ns * (k + ov)
        print(f"[run.py] rsvd {m}x{ns} k={k}", file=sys.stderr, flush=True)
        for normalizer, mixed in (("auto", False), ("auto", True), ("fused", False), ("fused", True)):
            peer, me = alternate(
                lambda reps: peer_rsvd(np, a, k, q, reps),
                lambda reps: ours(binary, "rsvd", files["a"], "--rank", k, "--power-iters", q, "--oversamples", ov,
                                  "--normalizer", normalizer, "--repeats", reps, "--threads", T,
                                  *(["--mixed"] if mixed else [])), R)
            peer["quality"] = peer["rel_error"]
            peer["gflops"] = svd_flops / peer["median_s"] / 1e9
            me["quality"] = me["rel_error"]
            me["gflops"] = svd_flops / me["median_s"] / 1e9
            res["tasks"].append(dict(task=f"rsvd {m}×{ns} k={k} q={q} --normalizer {normalizer}{' --mixed' if mixed else ''}",
                                     peer_name="randomized_svd", quality_name="rel err",
                                     flops=svd_flops, peer=peer, ours=me))

        # GEMM rates for the dominant shapes and a square product
        shapes = [(n, r, p, "NMF X·H^T"), (m, k + ov, ns, "rSVD A·Q"),
                  (sz["square"], sz["square"], sz["square"], "square")]
        for gm, gn, gk, what in shapes:
            print(f"[run.py] gemm {gm}x{gk}x{gn}", file=sys.stderr, flush=True)
            res["gemm"].append(dict(what=what, m=gm, n=gn, k=gk, numpy=peer_gemm(np, gm, gn, gk, R),
                                    ours=ours(binary, "gemm", "--m", gm, "--n", gn, "--k", gk, *common)))

    print(markdown(res))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
