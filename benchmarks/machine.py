"""What every benchmark reports of the machine it ran on: its CPU, threads, load and peak.

A timing taken while other processes run is not a finding: on a 2-core machine one other
process slows a 2-thread torch job 2-20x. The scripts print the 1-minute load average and
an fp32 matmul peak measured in the same run, at the start and at the end, so that a
contended run shows itself.
"""

import os
import time

import torch

# the description of the machine is the package's, which the benchmark command writes too
from inceptionsk._machine import cpu_model, machine_description

__all__ = ["cpu_model", "load_average", "machine_description", "matmul_peak_gflops"]


def load_average():
    """The 1-minute load average, as ``uptime`` prints it."""
    return os.getloadavg()[0]


def matmul_peak_gflops(size=2048, repeats=5, device="cpu"):
    """Best fp32 throughput of a ``size x size`` matrix product on ``device``, GFLOP/s."""
    if str(device).startswith("cuda"):
        size = 8192

    def synchronize():
        if str(device).startswith("cuda"):
            torch.cuda.synchronize()

    a, b = torch.randn(size, size, device=device), torch.randn(size, size, device=device)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        synchronize()
        start = time.perf_counter()
        a @ b
        synchronize()
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9
