"""The machine a result was measured on, in words: its CPU, cores, torch and threads."""

import os
import platform

import torch

__all__ = ["cpu_model", "machine_description"]


def cpu_model():
    """The CPU's model name from /proc/cpuinfo (or the platform's processor)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_description():
    """Cores, CPU, torch and its threads, Python: one line."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores ({cpu_model()}), torch {torch.__version__} with "
        f"{torch.get_num_threads()} thread(s), Python {platform.python_version()}"
    )
