#!/usr/bin/env python3
"""The peer of bench_craft: the reference CRAFT implementation (deel-ai/Craft,
craft/craft_torch.py from a checkout given with --reference; not part of
factorkit) on the same reference CNN and images, exported by bench_craft.
Its NMF is scikit-learn's (Debian 12's python3-sklearn), its model calls
PyTorch (python3-torch). Prints one JSON line like bench_craft.

The reference reshapes crops to 3 channels, so the grey images are repeated
over 3 channels and g reads the first one (the same pixels reach the model)."""
import argparse
import glob
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "nn"))
from peer import Cnn  # noqa: E402  (bench/nn/peer.py: the reference CNN's architecture)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True, help="a checkout of github.com/deel-ai/Craft")
    ap.add_argument("--dir", required=True, help="bench_craft --export DIR")
    ap.add_argument("--concepts", type=int, default=10)
    ap.add_argument("--patch", type=int, default=14)
    ap.add_argument("--designs", type=int, default=32)
    ap.add_argument("--class", dest="cls", type=int, default=0)
    ap.add_argument("--cut", type=int, default=7, help="g = features[:cut] (features.6 is index 6)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    sys.path.insert(0, a.reference)
    # craft/sobol/sampler.py imports TensorFlow at module level for its Sobol'
    # sampler (tf.math.sobol_sample); the Halton path CRAFT uses does not touch
    # it, and Debian has no TensorFlow: an empty stand-in module lets it import.
    import types
    sys.modules.setdefault("tensorflow", types.ModuleType("tensorflow"))
    from craft.craft_torch import Craft  # the reference implementation

    model = Cnn()
    state = {os.path.basename(p)[:-4]: torch.from_numpy(np.load(p))
             for p in glob.glob(os.path.join(a.dir, "*.npy"))
             if not os.path.basename(p).startswith(("images", "ours"))}
    model.load_state_dict(state)
    model.eval()
    g_part = model.features[:a.cut]
    h_part = torch.nn.Sequential(model.features[a.cut:], model.head)

    def g(x):
        return g_part(x[:, :1])

    images = np.load(os.path.join(a.dir, "images.npy"))
    images3 = torch.from_numpy(np.repeat(images, 3, axis=1))
    times, imp, w = [], None, None
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        craft = Craft(input_to_latent=g, latent_to_logit=h_part, number_of_concepts=a.concepts,
                      patch_size=a.patch, batch_size=64, device="cpu")
        _, u, w = craft.fit(images3)
        imp = craft.estimate_importance(images3.numpy(), class_id=a.cls, nb_design=a.designs)
        times.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": statistics.median(times), "crops": int(u.shape[0]),
                      "importance": [float(v) for v in imp], "w": np.asarray(w).tolist(),
                      "nmf_iterations": int(craft.reducer.n_iter_), "threads": a.threads}))


if __name__ == "__main__":
    main()
