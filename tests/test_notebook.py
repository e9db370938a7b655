"""Runs examples/quickstart.ipynb with tiny settings, so that the notebook never rots."""

import re
from pathlib import Path

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "examples" / "quickstart.ipynb"


def test_the_committed_notebook_has_no_outputs():
    # outputs would bloat the repository and go stale; the test below makes fresh ones
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells and all(not cell.outputs for cell in code_cells)


def test_the_quickstart_notebook_runs(monkeypatch):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("INCEPTIONSK_NOTEBOOK_TINY", "1")
    # the kernel imports this checkout of inceptionsk, installed or not
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()
    outputs = "".join(
        output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
        for output in cell.outputs
    )
    assert "test accuracy" in outputs and "paper, 5 networks x 1500 epochs: 1.0000" in outputs
    assert "best: {'inceptiontimeclassifier__depth'" in outputs
    assert "class_weight='balanced': test recall of class '1'" in outputs
    assert "stopped early: " in outputs
    assert "same labels as predict: True" in outputs  # the ONNX graph
    assert "distilled network: test accuracy" in outputs
    assert "members after warm start: 2" in outputs
    assert "fine-tuned classes: [False  True]" in outputs
    assert outputs.strip().endswith("True")  # the restored model predicts the same
    # the class activation maps are exact: the printed means + bias are the logits
    maps_identity = re.search(r"mean \+ bias: \[(.*?)\]\s+logit: +\[(.*?)\]", outputs, re.S)
    assert maps_identity, outputs
    np.testing.assert_allclose(*[np.array(group.split(), dtype=float)
                                 for group in maps_identity.groups()], atol=2e-4)
    assert "maps: (150, 150)" in outputs and "embeddings: (150, 64)" in outputs
    assert "LogisticRegression on the embeddings: test accuracy" in outputs
    for name, published in (("InceptionTime", "1.0000"), ("H-InceptionTime", "1.0000"),
                            ("LITETime", "1.0000")):  # the family compared
        assert re.search(rf"^{name} +test accuracy \d\.\d{{4}} \(published {published}\)",
                         outputs, re.M), name
    figures = [output for cell in notebook.cells if cell.cell_type == "code"
               for output in cell.outputs if "image/png" in output.get("data", {})]
    # training curves and confusion matrix, activation maps, validation curves
    assert len(figures) == 4
