#!/usr/bin/env python3
"""The peer of bench_nn: the same reference models (CNN, SwiGLU decoder LM),
batch, data and optimizer settings trained in a plain Python PyTorch loop
(Debian 12's python3-torch). Prints one JSON line like bench_nn."""
import argparse
import gzip
import json
import math
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Cnn(nn.Module):
    def __init__(self, width=32, hidden=128, classes=10, dropout=0.25):
        super().__init__()
        w = width
        self.features = nn.Sequential(
            nn.Conv2d(1, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(w, 2 * w, 3, padding=1), nn.BatchNorm2d(2 * w), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(2 * w * 7 * 7, hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden, classes))

    def forward(self, x):
        return self.head(self.features(x))


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // self.heads))
        s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        return self.out((s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d))


class SwiGLU(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1, self.attn = RMSNorm(dim), Attention(dim, heads)
        self.norm2, self.ffn = RMSNorm(dim), SwiGLU(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))


class DecoderLM(nn.Module):
    def __init__(self, vocab, max_len=128, dim=128, heads=4, layers=2):
        super().__init__()
        hidden = ((8 * dim // 3 + 31) // 32) * 32
        self.tokens = nn.Embedding(vocab, dim)
        self.positions = nn.Embedding(max_len, dim)
        self.blocks = nn.ModuleList([Block(dim, heads, hidden) for _ in range(layers)])
        self.norm = RMSNorm(dim)
        nn.init.normal_(self.tokens.weight, 0, 0.02)  # as factorkit's DecoderLM
        nn.init.normal_(self.positions.weight, 0, 0.02)

    def forward(self, ids):
        x = self.tokens(ids) + self.positions.weight[: ids.shape[1]]
        for b in self.blocks:
            x = b(x)
        return self.norm(x) @ self.tokens.weight.t()


def fashion_mnist():
    with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read()[16:], dtype=np.uint8).reshape(-1, 1, 28, 28).astype(np.float32) / 255
    with gzip.open("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read()[8:], dtype=np.uint8).astype(np.int64)
    x = (x - x.mean()) / x.std()
    return torch.from_numpy(x), torch.from_numpy(y)


def lr_at(step, warmup, total, peak):
    if step < warmup:
        return peak * (step + 1) / warmup
    return peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", choices=["cnn", "lm"], default="cnn")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tokens", help="lm: the token stream bench_nn exported (.npy)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    if a.workload == "cnn":
        x, y = fashion_mnist()
        batch, model = 128, Cnn()

        def get(order, b):
            idx = order[b * batch:(b + 1) * batch]
            return x[idx], y[idx]

        n = x.shape[0]

        def loss_of(xb, yb):
            return F.cross_entropy(model(xb), yb)
    else:
        stream = torch.from_numpy(np.load(a.tokens))
        seq, batch = 64, 16
        vocab = int(stream.max()) + 1
        model = DecoderLM(max(vocab, 4000))
        n = (stream.shape[0] - 1) // seq
        offsets = torch.arange(seq + 1)

        def get(order, b):
            w = stream[(order[b * batch:(b + 1) * batch] * seq).unsqueeze(1) + offsets]
            return w[:, :-1], w[:, 1:]

        def loss_of(xb, yb):
            logits = model(xb)
            return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), yb.reshape(-1))
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=2e-3)
    model.train()

    def run(steps):
        order = torch.randperm(n)
        loss = None
        start = time.perf_counter()
        for step in range(steps):
            for g in opt.param_groups:
                g["lr"] = lr_at(step, 5, steps, 2e-3)
            xb, yb = get(order, step % (n // batch))
            opt.zero_grad(set_to_none=True)
            loss = loss_of(xb, yb)
            if not torch.isfinite(loss):
                raise SystemExit("diverged")
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        return steps * batch / (time.perf_counter() - start), float(loss)

    run(a.warmup)
    rates, last = [], 0.0
    for _ in range(a.repeats):
        r, last = run(a.steps)
        rates.append(r)
    print(json.dumps({"workload": a.workload, "samples_per_second": statistics.median(rates), "runs": rates,
                      "batch": batch, "params": sum(p.numel() for p in model.parameters()), "threads": a.threads,
                      "steps": a.steps, "last_loss": last}))


if __name__ == "__main__":
    main()
