"""The error raised for a malformed data file: it names the file, the line and the fault."""

from pathlib import Path

__all__ = ["DataFileError"]


class DataFileError(ValueError):
    """A data file that cannot be read as its format says; a ``ValueError``.

    The message reads ``"<file name> line <n>: <what was wrong>"`` so that the fault can
    be found with an editor; ``path`` and ``line`` hold the same facts for programs.

    Parameters
    ----------
    path : str or path-like
        The file.
    line : int or None
        The 1-based line number, or None when the fault is not on one line (an empty
        file, a missing ``@data`` section).
    message : str
        What was wrong.

    Examples
    --------
    >>> from inceptionsk.datasets import DataFileError
    >>> str(DataFileError("data/GunPoint_TRAIN.ts", 12, "expected 1 channel, found 2"))
    'GunPoint_TRAIN.ts line 12: expected 1 channel, found 2'
    """

    def __init__(self, path, line, message):
        self.path = Path(path)
        self.line = line
        where = self.path.name if line is None else f"{self.path.name} line {line}"
        self.message = message
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        # Exception pickling replays ``args`` (the formatted text); replay ours instead,
        # so that the error survives joblib's worker processes.
        return type(self), (self.path, self.line, self.message)
