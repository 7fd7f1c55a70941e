#!/usr/bin/env python3
"""The reference peer of bench/lightsb: the LightSB class of the reference
implementation (ngushchin/LightSB, src/light_sb.py, from a checkout given by
--reference) trained as its benchmark notebook trains it — Adam on
(-log v(x1) + log c(x0)).mean() over independent minibatches — on the same
sample pools as factorkit, with Debian 12's python3-torch on one thread.

The reference module imports geotorch (not packaged in Debian) for its
full-covariance option; the diagonal model never uses it, so a stand-in whose
`orthogonal` does nothing is installed before the import.

  /usr/bin/python3 bench/lightsb/peer.py --reference DIR --data DIR --eps E
      [--K 50 --steps 10000 --batch 128 --lr L --s-init 1.0 --seed 42] --out model.safetensors

Prints one JSON line: the training loop's CPU seconds and steps. Writes the
trained parameters as a factorkit LightSB model file (safetensors).
"""
import argparse
import json
import struct
import sys
import time
import types

import numpy as np
import torch


def write_model(path, eps, log_alpha_raw, r, s_log):
    """A factorkit LightSB model file: safetensors, float64, the reference's names."""
    tensors = {"epsilon": np.array(eps, dtype=np.float64),
               "log_alpha_raw": np.asarray(log_alpha_raw, dtype=np.float64),
               "r": np.asarray(r, dtype=np.float64),
               "S_log_diagonal_matrix": np.asarray(s_log, dtype=np.float64)}
    header, blobs, offset = {"__metadata__": {"format": "factorkit-lightsb", "version": "1",
                                              "covariance": "diagonal"}}, [], 0
    for name, a in tensors.items():
        b = np.ascontiguousarray(a).astype("<f8").tobytes()
        header[name] = {"dtype": "F64", "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True, help="checkout of ngushchin/LightSB (with src/light_sb.py)")
    ap.add_argument("--data", required=True, help="folder from `factorkit lightsb generate`")
    ap.add_argument("--eps", type=float, required=True)
    ap.add_argument("--K", type=int, default=50)
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, required=True)
    ap.add_argument("--s-init", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    sys.modules["geotorch"] = types.SimpleNamespace(orthogonal=lambda module, name: None)
    sys.path.insert(0, a.reference)
    from src.light_sb import LightSB  # noqa: E402

    torch.manual_seed(a.seed)
    x0 = torch.from_numpy(np.load(f"{a.data}/source.npy")).float()
    x1 = torch.from_numpy(np.load(f"{a.data}/target.npy")).float()
    dim = x0.shape[1]
    model = LightSB(dim=dim, n_potentials=a.K, epsilon=a.eps, sampling_batch_size=1, S_diagonal_init=a.s_init,
                    is_diagonal=True)
    model.init_r_by_samples(x1[torch.randint(len(x1), (a.K,))])
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    t0 = time.process_time()
    for _ in range(a.steps):
        b0 = x0[torch.randint(len(x0), (a.batch,))]
        b1 = x1[torch.randint(len(x1), (a.batch,))]
        loss = (-model.get_log_potential(b1) + model.get_log_C(b0)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    seconds = time.process_time() - t0
    with torch.no_grad():
        write_model(a.out, a.eps, model.log_alpha_raw.numpy(), model.r.numpy(), model.S_log_diagonal_matrix.numpy())
    print(json.dumps({"seconds": seconds, "steps": a.steps, "final_loss": float(loss), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
