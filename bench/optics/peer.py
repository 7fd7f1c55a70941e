#!/usr/bin/env python3
"""The PyTorch peers of bench_optics: one training step (forward, backward,
Adam update) of the same workloads, with torch autograd storing every
activation, and with torch.utils.checkpoint (non-reentrant) keeping only the
input of every segment of blocks and recomputing the segment in the backward
pass. Debian 12's python3-torch (1.13), one thread.

  /usr/bin/python3 bench/optics/peer.py --workload mlp|deep [--blocks 64 --width 64 --batch 2048]
      [--segment 8] [--min-seconds 1]

Prints one JSON line: per contestant the median CPU time of a step (the
contestants take turns, at least 5 rounds and --min-seconds each), the peak
bytes the CPU allocator held during one step above what it held before it,
and the bytes held when the loss was reached, both from the allocation
events of torch.profiler (profile_memory=True); and the largest difference
between the checkpointed gradients and autograd's.
"""
import argparse
import json
import time

import torch
from torch.profiler import ProfilerActivity, profile, record_function
from torch.utils.checkpoint import checkpoint


def blocks_of(workload, a):
    if workload == "mlp":
        return [torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU()),
                torch.nn.Sequential(torch.nn.Linear(256, 256), torch.nn.ReLU()),
                torch.nn.Sequential(torch.nn.Linear(256, 10))]
    return [torch.nn.Sequential(torch.nn.Linear(a.width, a.width), torch.nn.Tanh()) for _ in range(a.blocks)]


class Contestant:
    def __init__(self, blocks, segment, x, target, classification):
        self.blocks = torch.nn.ModuleList(blocks)
        self.segment = segment  # 0: plain autograd
        self.x, self.target, self.classification = x, target, classification
        self.opt = torch.optim.Adam(self.blocks.parameters(), lr=1e-3)

    def loss(self):
        y = self.x
        if self.segment == 0:
            for b in self.blocks:
                y = b(y)
        else:
            for s in range(0, len(self.blocks), self.segment):
                part = self.blocks[s:s + self.segment]

                def run(v, part=part):
                    for b in part:
                        v = b(v)
                    return v
                y = checkpoint(run, y, use_reentrant=False, preserve_rng_state=False)
        if self.classification:
            return torch.nn.functional.cross_entropy(y, self.target)
        return torch.nn.functional.mse_loss(y, self.target)

    def step(self, marker=None):
        loss = self.loss()
        if marker is not None:
            with record_function(marker):
                pass
        loss.backward()
        self.opt.step()

    def clear(self):
        self.opt.zero_grad(set_to_none=True)


def memory(c):
    c.step()
    c.clear()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as p:
        c.step(marker="turn")
    events = p.profiler.kineto_results.events()
    turn_at = min(e.start_us() for e in events if e.name() == "turn")
    mem = sorted(((e.start_us(), i, e.nbytes()) for i, e in enumerate(events) if e.name() == "[memory]"))
    live = peak = turn = 0
    for t, _, b in mem:
        live += b
        peak = max(peak, live)
        if t <= turn_at:
            turn = live
    c.clear()
    return peak, turn


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", choices=["mlp", "deep"], default="mlp")
    ap.add_argument("--blocks", type=int, default=64)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--batch", type=int, default=2048)
    ap.add_argument("--segment", type=int, default=0, help="blocks per checkpointed segment (default: mlp 1, deep sqrt(blocks))")
    ap.add_argument("--min-seconds", type=float, default=1.0)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(7)
    if a.workload == "mlp":
        x, target, classification = torch.randn(64, 784), torch.randint(10, (64,)), True
    else:
        x, target, classification = torch.randn(a.batch, a.width), torch.randn(a.batch, a.width), False
    segment = a.segment or (1 if a.workload == "mlp" else max(1, round(a.blocks ** 0.5)))
    torch.manual_seed(0)
    init = blocks_of(a.workload, a)
    state = torch.nn.ModuleList(init).state_dict()

    def contestant(seg):
        blocks = blocks_of(a.workload, a)
        torch.nn.ModuleList(blocks).load_state_dict(state)
        return Contestant(blocks, seg, x, target, classification)

    # the checkpointed gradients against autograd's
    plain, ck = contestant(0), contestant(segment)
    plain.loss().backward()
    ck.loss().backward()
    diff = max((p.grad - q.grad).abs().max().item() for p, q in zip(plain.blocks.parameters(), ck.blocks.parameters()))

    cs = [contestant(0), contestant(segment)]
    times = [[], []]
    for c in cs:
        c.step(), c.clear()
    rounds = 0
    while rounds < 5 or min(sum(t) for t in times) < a.min_seconds:
        for c, t in zip(cs, times):
            t0 = time.process_time()
            c.step()
            t.append(time.process_time() - t0)
            c.clear()
        rounds += 1
    med = [sorted(t)[len(t) // 2] for t in times]
    out = {"workload": a.workload, "torch": torch.__version__, "segment": segment, "max_gradient_difference": diff}
    for name, c, m in (("autograd", cs[0], med[0]), ("checkpoint", cs[1], med[1])):
        peak, turn = memory(c)
        out[name] = {"seconds": m, "rounds": rounds, "peak_bytes": peak, "turn_bytes": turn}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
