"""What the resumable benchmark scripts share: rows appended to a CSV as each finishes (a
rerun reads them to skip what is done), and the header each run prints first.

Run as scripts, they import this neighbour module, as they import ``machine``.
"""

import csv
import shlex
import sys
from pathlib import Path

from machine import machine_description

__all__ = ["announce", "append_row", "read_rows"]


def read_rows(path):
    """The rows of the CSV at ``path`` as dicts of strings; none when it does not exist."""
    if not Path(path).exists():
        return []
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def append_row(path, row, columns):
    """Append ``row`` to the CSV at ``path`` (with the header ``columns`` when the file is
    new) and flush it, so that a killed run loses only the row in progress.

    An existing file keeps its own header: a row of a script that has since gained a
    column is written under the file's columns (a key it lacks is a ValueError), so the
    columns stay aligned with the header."""
    new = not Path(path).exists() or Path(path).stat().st_size == 0
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if not new:
        with open(path, newline="", encoding="utf-8") as file:
            columns = next(csv.reader(file), None) or columns
    with open(path, "a", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        if new:
            writer.writeheader()
        writer.writerow(row)


def announce(script, argv):
    """Print the machine and the command line of a run of ``benchmarks/<script>``."""
    print(machine_description())
    print(f"Command: python benchmarks/{script} "
          + shlex.join(sys.argv[1:] if argv is None else argv), flush=True)
