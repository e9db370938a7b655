"""Docstrings: what the estimators share reads the same, the public API has numpydoc
docstrings with examples, and no block of text stands twice in the package."""

import ast
import importlib
import inspect
import warnings
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import ESTIMATORS

import inceptionsk
from inceptionsk import SeriesImputer, SeriesStandardScaler, inception_time, lite_time
from inceptionsk._params import PARAMETERS

numpydoc_validate = pytest.importorskip("numpydoc.validate")
from sklearn.utils._testing import assert_docstring_consistency  # noqa: E402 (needs numpydoc)

#: Each network's estimators, and the parameters of its network and those whose default
#: differs for the family (worded for it).
FAMILIES = {
    module.__name__: ([getattr(module, name) for name in module.__all__],
                      [*module.NETWORK_PARAMETERS, *getattr(module, "OVERRIDES", {})])
    for module in (inception_time, lite_time)
}
ALL_ESTIMATORS = [cls for classes, _ in FAMILIES.values() for cls in classes]
NETWORK_PARAMETERS = sorted({name for _, names in FAMILIES.values() for name in names})
#: The parameters that _params.py words differently for the ensembles, on purpose.
WORDED_FOR_ENSEMBLES = sorted(name for name, parameter in PARAMETERS.items()
                              if parameter.ensemble_doc)
#: The attribute that means one network, or the members, depending on the kind.
WORDED_BY_KIND = ["interrupted_"]
#: Groups of estimators, and what their docstrings may word differently.
GROUPS = {
    "all": (ALL_ESTIMATORS, NETWORK_PARAMETERS + WORDED_FOR_ENSEMBLES, WORDED_BY_KIND),
    **{family: (classes, WORDED_FOR_ENSEMBLES, WORDED_BY_KIND)
       for family, (classes, _) in FAMILIES.items()},
    "single networks": ([cls for cls in ALL_ESTIMATORS if "Network" in cls.__name__],
                        NETWORK_PARAMETERS, None),
    "ensembles": ([cls for cls in ALL_ESTIMATORS if "Network" not in cls.__name__],
                  NETWORK_PARAMETERS, None),
}

#: The modules users import from; the objects of their ``__all__`` are the public API.
#: (Never inceptionsk.__main__: importing it runs the demo.)
PUBLIC_MODULES = [
    "inceptionsk", "inceptionsk.cli", "inceptionsk.datasets", "inceptionsk.exceptions",
    "inceptionsk.network", "inceptionsk.persistence", "inceptionsk.plotting",
    "inceptionsk.preprocessing",
]
#: numpydoc's checks that the public API passes: a docstring with a summary, every
#: parameter documented with a description and none unknown, Returns or Yields where
#: they belong, and Examples. Left out: See Also (SA01), an extended summary (ES01), a
#: one-line summary (SS06: ours may take two lines), return names (RT02, RT03).
CHECKS = {"GL08", "SS01", "PR01", "PR02", "PR07", "RT01", "YD01", "EX01"}
#: A block of this many lines of text, or more, must not stand twice.
MIN_LINES = 3

PACKAGE = Path(inceptionsk.__file__).parent


def public_objects():
    """``(qualified name, object)`` of every class and function in the public API."""
    found = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return sorted(found.items())


def consistent(objects, **kwargs):
    """assert_docstring_consistency, quiet about the names that only some objects have."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Checking was skipped", UserWarning)
        assert_docstring_consistency(objects, **kwargs)


@pytest.mark.parametrize("group", GROUPS)
def test_parameters_and_attributes_the_estimators_share_read_the_same(group):
    estimators, worded_parameters, worded_attributes = GROUPS[group]
    assert len(estimators) >= 4
    consistent(estimators, include_params=True, exclude_params=worded_parameters,
               include_attrs=True, exclude_attrs=worded_attributes)


def test_the_transformers_describe_their_attributes_alike():
    consistent([SeriesStandardScaler, SeriesImputer], include_attrs=True)


def named_by_qualname(function):
    """A stand-in for ``function`` with its docstring, named by its qualified name:
    assert_docstring_consistency tells objects apart by ``__name__``."""

    def stand_in():
        pass

    stand_in.__name__, stand_in.__doc__ = function.__qualname__, function.__doc__
    return stand_in


@pytest.mark.parametrize("methods, n_functions", [
    # fit and resume are written once, on the shared base; fit_transform is the mixin's
    (("fit", "fit_transform"), 2),
    (("resume",), 1),
    # predict: the classifiers' (labels) and the regressors' (values)
    (("predict",), 2),
])
def test_methods_of_the_same_name_describe_their_parameters_alike(methods, n_functions):
    functions = {getattr(cls, method) for cls in ESTIMATORS for method in methods}
    assert len(functions) == n_functions
    if n_functions > 1:
        consistent([named_by_qualname(f)
                    for f in sorted(functions, key=lambda f: f.__qualname__)],
                   include_params=True)


@pytest.mark.parametrize("name, obj", public_objects(), ids=[n for n, _ in public_objects()])
def test_the_public_api_has_numpydoc_docstrings_with_examples(name, obj):
    errors = [
        f"{code}: {message}" for code, message in numpydoc_validate.validate(name)["errors"]
        if code in CHECKS
        # a torch module's signature is nn.Module's (*args, **kwargs): nothing to document
        and not (code == "PR01" and inspect.isclass(obj)
                 and not obj.__init__.__module__.startswith("inceptionsk"))
    ]
    assert not errors, "\n".join(errors)
    assert "%(" not in obj.__doc__, "a template line was left unfilled"


def docstring_blocks(path, root=PACKAGE.parent):
    """``(place, block)`` for each block of every docstring of a source file, and of its
    module-level strings of several lines (the shared blocks of _docs.py): a block is
    what blank lines separate, its numpydoc section headers and underlines left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        text = None
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            text = ast.get_docstring(node)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str) and node.value.value.count("\n") > 1:
            text = inspect.cleandoc(node.value.value)
        for block in (text or "").split("\n\n"):
            lines = [line.strip() for line in block.splitlines()]
            # a header is a line followed by its underline of dashes
            headers = {i for i, line in enumerate(lines[1:]) if line and set(line) == {"-"}}
            kept = [line for i, line in enumerate(lines)
                    if line and i not in headers and i - 1 not in headers]
            place = f"{path.relative_to(root)}:{getattr(node, 'lineno', 1)}"
            yield place, tuple(kept)


def test_no_block_of_docstring_text_stands_twice():
    places = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        for place, block in docstring_blocks(path):
            if len(block) >= MIN_LINES:
                places[block].append(place)
    twice = {block: where for block, where in places.items() if len(where) > 1}
    assert not twice, "\n\n".join(
        f"{', '.join(where)}:\n" + "\n".join(block) for block, where in twice.items()
    )


def test_the_check_finds_a_copied_block(tmp_path):
    """The check itself, on a Raises block copied between two functions."""
    copied = "    Raises\n    ------\n    ValueError\n        When the name is in both\n" \
             "        archives.\n"
    path = tmp_path / "copied.py"
    path.write_text(f'def a():\n    """A.\n\n{copied}    """\n\n\n'
                    f'def b():\n    """B.\n\n{copied}    """\n')
    blocks = [block for _, block in docstring_blocks(path, root=tmp_path)
              if len(block) >= MIN_LINES]
    assert blocks == [("ValueError", "When the name is in both", "archives.")] * 2
