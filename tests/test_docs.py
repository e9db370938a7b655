"""Builds the documentation as CI does (``python -m sphinx -W``): no warning, an API page
for every public name, the pages of the user guide, the benchmark results and the help of
every command."""

import contextlib
import html
import importlib
import inspect
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import inceptionsk
from inceptionsk.cli import build_parser

for _package in ("sphinx", "numpydoc", "pydata_sphinx_theme", "myst_parser"):
    pytest.importorskip(_package, reason='the docs extra: pip install -e ".[docs]"')

REPO = Path(__file__).resolve().parents[1]

#: The modules whose public names (``__all__``) the API reference documents.
PUBLIC_MODULES = (
    "inceptionsk", "inceptionsk.network", "inceptionsk.datasets", "inceptionsk.plotting",
    "inceptionsk.preprocessing", "inceptionsk.persistence", "inceptionsk.recipes",
    "inceptionsk.export", "inceptionsk.exceptions", "inceptionsk.benchmark",
)


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """The HTML build of docs/ in a fresh folder, and Sphinx's completed process."""
    out = tmp_path_factory.mktemp("docs") / "html"
    completed = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(REPO / "docs"), str(out)],
        capture_output=True, text=True, timeout=600,
    )
    return out, completed


@pytest.fixture(scope="module")
def site(build):
    out, completed = build
    if completed.returncode != 0:
        pytest.fail(f"the docs build failed:\n{completed.stderr[-5000:]}")
    return out


def page_text(path):
    """The visible text of an HTML page, whitespace collapsed and quotes made straight."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


def test_the_docs_build_without_a_warning(build):
    _, completed = build
    assert completed.returncode == 0, completed.stderr[-5000:]
    assert "WARNING" not in completed.stderr and "ERROR" not in completed.stderr


@pytest.mark.parametrize("name", [n for n in inceptionsk.__all__ if not n.startswith("__")])
def test_every_name_of_the_package_has_its_api_page(site, name):
    assert (site / "api" / "generated" / f"inceptionsk.{name}.html").is_file()


def public_objects():
    """``(qualified name, object)`` for every name in the public modules' ``__all__``."""
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            if not name.startswith("__"):
                yield f"{module_name}.{name}", getattr(module, name)


@pytest.mark.parametrize("qualified_name, obj", list(public_objects()))
def test_every_public_object_has_a_page_made_from_its_docstring(site, qualified_name, obj):
    # a name that the package re-exports is documented once, under ``inceptionsk.``
    short_name = qualified_name.rsplit(".", 1)[1]
    names = [qualified_name]
    if getattr(inceptionsk, short_name, None) is obj:
        names.append(f"inceptionsk.{short_name}")
    pages = [site / "api" / "generated" / f"{n}.html" for n in names]
    assert any(page.is_file() for page in pages), f"no API page for {qualified_name}"
    page = page_text(next(page for page in pages if page.is_file()))
    if inspect.isclass(obj) or inspect.isfunction(obj):
        summary = " ".join(inspect.getdoc(obj).split("\n\n")[0].split())
        if not re.search(r"[`*\\]", summary):  # markup renders as other text
            assert summary in page
    else:  # a constant: its ``#:`` comment, not the docstring of its type
        assert inspect.getdoc(type(obj)).splitlines()[0] not in page


@pytest.mark.parametrize("page", [
    "index", "user_guide/install", "user_guide/quickstart", "user_guide/data",
    "user_guide/recipes", "user_guide/saving", "user_guide/guarantees", "user_guide/cli",
    "user_guide/clusters", "user_guide/gpu", "api/index", "archives", "benchmarks",
    "developer",
])
def test_the_guide_pages_are_built(site, page):
    assert (site / f"{page}.html").is_file()


def test_the_benchmarks_page_holds_every_section_of_results_md(site):
    results = (REPO / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", results, flags=re.MULTILINE)
    words = " ".join(re.findall(r"\w+", page_text(site / "benchmarks.html")))
    assert len(headings) > 5
    for heading in headings:
        assert " ".join(re.findall(r"\w+", heading)) in words


def test_the_command_line_page_shows_every_option_of_every_command(site):
    text = page_text(site / "user_guide" / "cli.html")
    for command in ["fit", "predict", "evaluate", "cv", "export", "demo", "benchmark"]:
        output = io.StringIO()
        with contextlib.redirect_stdout(output), pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        options = set(re.findall(r"--[a-z][a-z-]+", output.getvalue()))
        assert "--quiet" in options
        for option in options:
            assert option in text, f"{option} of {command}"


def test_the_developer_page_follows_fit_through_every_layer(site):
    raw = (site / "developer.html").read_text(encoding="utf-8")
    assert re.findall(r"<strong>(\d)\. ", raw) == list("12345678")
    # the functions that the path names are where the page says they are: renaming one
    # fails here until the page follows
    text = page_text(site / "developer.html")
    for module, names in {
        "inceptionsk.inception_time": ["InceptionTimeNetwork"],
        "inceptionsk._params": ["estimator_class", "PARAMETERS"],
        "inceptionsk._docs": ["shared_blocks", "fill_docstring"],
        "inceptionsk.ensemble": ["NetworkEnsemble", "_train_member"],
        "inceptionsk.ensemble.NetworkEnsemble": [
            "_make_members", "_train_members", "_predict_validated", "_interrupt_report",
        ],
        "inceptionsk.single_network": ["NetworkEstimator", "_training_inputs", "_pad_rows"],
        "inceptionsk.single_network.NetworkEstimator": [
            "_fit_validated", "_build_net", "_train", "_score", "_scoring_chunk_size",
            "_check_validation_split",
        ],
        "inceptionsk._tasks.ClassifierTask": [
            "_check_target", "_encode_target", "_case_weights", "_finish",
        ],
        "inceptionsk._validation": [
            "validate_series", "check_trainable", "copy_layout", "validate_target",
            "validate_sample_weight", "check_callbacks", "_pad_cases",
        ],
        "inceptionsk.training": [
            "recipe_callbacks", "lr_scheduler", "KeepBestWeights", "EpochProgressBar",
            "WeightedNetClassifier", "_WeightedLoss", "seeded", "resolve_device",
        ],
        "inceptionsk.network": ["GlobalPoolingNetwork", "fold_batch_norm"],
        "inceptionsk.network._layout": [
            "as_image", "channels_last_weights", "conv", "max_pool", "normalize", "padding_of",
        ],
    }.items():
        owner = _resolve(module)
        for name in names:
            assert hasattr(owner, name), f"{module}.{name}"
            assert name in text, f"{name} is not on the developer page"


def _resolve(dotted):
    """The module or class that a dotted name of this package names."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            owner = getattr(owner, attribute)
        return owner
    raise ImportError(dotted)


def test_each_guarantee_names_tests_that_exist():
    """docs/user_guide/guarantees.md names its tests as ``test_file.py::test_name``:
    renaming or removing one fails here until the page follows."""
    page = (REPO / "docs" / "user_guide" / "guarantees.md").read_text(encoding="utf-8")
    named = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?`", page)
    assert len(named) > 15
    for file, test in named:
        source = (REPO / "tests" / file).read_text(encoding="utf-8")
        assert test == "" or f"def {test}(" in source, f"{file}::{test}"
