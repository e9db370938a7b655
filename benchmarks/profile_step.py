"""Where a training step's time goes: torch.profiler over a few steps of the bare loop.

Profiles training steps (forward, backward, Adam) of InceptionTime on random data with
our channels_last forward and with tsai's 1D forward, and prints for each the top
operators by self CPU time and the share of the layout changes (``aten::copy_``,
``aten::contiguous``, ``aten::_to_copy``, oneDNN reorders). Optionally with series of
unequal lengths (the masked path).

Usage::

    python benchmarks/profile_step.py                      # 64x1x500, our forward and tsai's
    python benchmarks/profile_step.py --shape 64x6x100 --steps 10 --top 15
    python benchmarks/profile_step.py --unequal            # lengths drawn from [L/2, L]
"""

import argparse
import sys
from pathlib import Path

import torch
from torch.profiler import ProfilerActivity, profile

from inceptionsk.network import InceptionTime

# tsai's 1D forward, the baseline, lives with the tests that check ours against it
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from tsai_reference import tsai_forward  # noqa: E402

#: Operators that only change the memory layout of a tensor.
LAYOUT_OPS = ("aten::copy_", "aten::contiguous", "aten::_to_copy", "aten::clone")


def profile_steps(forward, x, y, lengths, steps, warmup=3):
    """``(events, total self CPU µs)`` of ``steps`` training steps after ``warmup``."""
    torch.manual_seed(0)
    net = InceptionTime(x.shape[1], int(y.max()) + 1).train()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(forward(net, x, lengths), y).backward()
        optimizer.step()

    for _ in range(warmup):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    events = prof.key_averages()
    return events, sum(event.self_cpu_time_total for event in events)


def report(name, events, total, top):
    print(f"\n{name}: {total / 1e3:.0f} ms self CPU time in all")
    for event in sorted(events, key=lambda e: -e.self_cpu_time_total)[:top]:
        print(f"  {event.key:<45}{event.self_cpu_time_total / 1e3:9.1f} ms "
              f"{event.self_cpu_time_total / total:6.1%} {event.count:6d} calls")
    layout = sum(e.self_cpu_time_total for e in events
                 if e.key in LAYOUT_OPS or "reorder" in e.key.lower())
    print(f"  layout changes ({', '.join(LAYOUT_OPS)}, reorders): {layout / 1e3:.1f} ms, "
          f"{layout / total:.1%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", default="64x1x500", help="NxCxT of the batch")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--top", type=int, default=12, help="operators to list")
    parser.add_argument("--unequal", action="store_true",
                        help="lengths drawn uniformly from [L/2, L] (our forward only)")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    n, c, t = map(int, args.shape.split("x"))
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(n, c, t, generator=generator)
    y = torch.randint(0, 2, (n,), generator=generator)
    lengths = None
    if args.unequal:
        lengths = torch.randint(t // 2, t + 1, (n,), generator=generator)
        lengths[0] = t
        x *= torch.arange(t) < lengths[:, None, None]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {args.shape}"
          f"{', unequal lengths' if args.unequal else ''}, {args.steps} training steps")
    runs = [("our forward (channels_last)", lambda net, x, lengths: net(x, lengths))]
    if not args.unequal:
        runs.append(("tsai's forward (1D)", lambda net, x, lengths: tsai_forward(net, x)))
    for name, forward in runs:
        report(name, *profile_steps(forward, x, y, lengths, args.steps), args.top)


if __name__ == "__main__":
    main()
