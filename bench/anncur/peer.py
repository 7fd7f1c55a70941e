#!/usr/bin/env python3
"""The peer of bench_anncur: the same cross-encoder (weights and token ids
exported by `bench_anncur --export DIR`) written with torch.nn and scored in a
plain Python PyTorch loop (Debian 12's python3-torch): for each anchor query,
the items in batches, each batch padded, a forward under no_grad. With --sort
the pairs of each query are ordered by length first (as factorkit does).
Prints one JSON line like bench_anncur."""
import argparse
import json
import math
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, CLS, SEP = 0, 2, 3


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x, padding):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // self.heads))
        s = s.masked_fill(padding.view(b, 1, 1, t), float("-inf"))
        return self.out((s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, dim, heads, ffn):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim), Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.ffn = nn.Sequential(nn.Linear(dim, ffn), nn.GELU(), nn.Linear(ffn, dim))

    def forward(self, x, padding):
        x = x + self.attn(self.norm1(x), padding)
        return x + self.ffn(self.norm2(x))


class Encoder(nn.Module):
    def __init__(self, vocab, max_len, dim, heads, layers, ffn):
        super().__init__()
        self.tokens = nn.Embedding(vocab, dim)
        self.positions = nn.Embedding(max_len, dim)
        self.blocks = nn.ModuleList([Block(dim, heads, ffn) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, 1)

    def encode(self, ids, extra=None):
        padding = ids == PAD
        x = self.tokens(ids) + self.positions.weight[: ids.shape[1]]
        if extra is not None:
            x = x + extra
        for b in self.blocks:
            x = b(x, padding)
        return self.norm(x)


class CrossEncoder(nn.Module):
    def __init__(self, arch, form, markers, match):
        super().__init__()
        self.encoder = Encoder(arch["vocab"], arch["max_len"], arch["dim"], arch["heads"], arch["layers"], arch["ffn"])
        self.form, self.markers = form, markers
        self.match = nn.Embedding(2, arch["dim"]) if match else None

    def matches(self, ids):
        # the token's id occurs in the other text of the pair (after / before the first [SEP])
        sep = (ids == SEP).int()
        seg = (sep.cumsum(1) - sep) > 0
        m = self.markers
        content = (ids > 4) & (ids != m["start"]) & (ids != m["end"]) & (ids != m["item"])
        same = (ids[:, :, None] == ids[:, None, :]) & (seg[:, :, None] != seg[:, None, :]) & content[:, None, :]
        return same.any(2) & content

    def forward(self, ids):
        extra = self.match(self.matches(ids).long()) if self.match is not None else None
        h = self.encoder.encode(ids, extra)
        if self.form == "cls":
            return self.encoder.head(h[:, 0]).squeeze(1)
        rows = torch.arange(ids.shape[0])

        def at(marker):
            return h[rows, (ids == marker).int().argmax(1)]

        mention = (at(self.markers["start"]) + at(self.markers["end"])) * 0.5
        return (mention * at(self.markers["item"])).sum(1) / math.sqrt(h.shape[2])


def rows(m):
    return [[int(v) for v in r if v >= 0] for r in m]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sort", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    info = json.load(open(os.path.join(a.dir, "model.json")))
    model = CrossEncoder(info["architecture"], info["form"], info["markers"], info["match"])
    state = {name: torch.from_numpy(np.load(os.path.join(a.dir, name + ".npy"))) for name in model.state_dict()}
    model.load_state_dict(state)
    model.eval()
    queries = rows(np.load(os.path.join(a.dir, "queries.npy")))
    items = rows(np.load(os.path.join(a.dir, "items.npy")))
    times, r = [], None
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        out = np.empty((len(queries), len(items)), dtype=np.float32)
        with torch.no_grad():
            for qi, q in enumerate(queries):
                order = list(range(len(items)))
                if a.sort:
                    order.sort(key=lambda i: len(items[i]))
                for s in range(0, len(order), a.batch):
                    chunk = order[s:s + a.batch]
                    seqs = [[CLS] + q + [SEP] + items[i] + [SEP] for i in chunk]
                    width = max(len(x) for x in seqs)
                    ids = torch.tensor([x + [PAD] * (width - len(x)) for x in seqs], dtype=torch.long)
                    out[qi, chunk] = model(ids).numpy()
        times.append(time.perf_counter() - t0)
        r = out
    np.save(os.path.join(a.dir, "peer_r.npy" if not a.sort else "peer_sorted_r.npy"), r)
    sec = statistics.median(times)
    pairs = len(queries) * len(items)
    print(json.dumps({"pairs": pairs, "seconds": sec, "calls_per_second": pairs / sec, "threads": a.threads,
                      "sorted": a.sort, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
