"""Sphinx configuration of inceptionsk's documentation.

Build with ``python -m sphinx -W -b html docs docs/_build`` (``pip install ".[docs]"``).
The build runs no training and reaches no network: examples are shown, not executed
(the test suite runs the docstrings' examples), and there is no intersphinx, so
references to other packages' objects stay plain text.
"""

import contextlib
import importlib
import io
import os
import pkgutil
import re
import shutil
import sys

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.pycode import ModuleAnalyzer

# the checkout being built, even when another copy of the package is installed
sys.path.insert(0, os.path.abspath(".."))

import inceptionsk  # noqa: E402

project = "inceptionsk"
author = "inceptionsk developers"
copyright = "inceptionsk developers"
version = release = inceptionsk.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
templates_path = ["_templates"]

# -- API reference -------------------------------------------------------------------
# One page per public class and function, written by autosummary from the docstrings
# into api/generated/ (not committed).
autosummary_generate = True
autodoc_default_options = {"member-order": "groupwise"}
# the class template lists the methods; numpydoc's own table would list them twice
numpydoc_show_class_members = False
numpydoc_validation_checks = set()
add_module_names = False

# Every reference to an object of this package must resolve. Objects of other packages
# cannot, without intersphinx (which would fetch their inventories over the network):
# those are left as plain text.
nitpicky = True
_EXTERNAL = (
    r"(torch|numpy|np|sklearn|skorch|joblib|matplotlib|pandas|dask|tqdm|scipy"
    r"|warnings|dataclasses|pathlib|os|io|typing|collections)(\..*)?"
)
nitpick_ignore_regex = [(r"py:.*", _EXTERNAL)]

# -- HTML ----------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"inceptionsk {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False


# -- What the API pages show ---------------------------------------------------------
#: Methods that the estimators inherit from scikit-learn and that users call on them; the
#: rest of what torch and scikit-learn define is documented by those packages.
INHERITED_SHOWN = {"score", "get_params", "set_params", "fit_transform"}


def _defined_outside_package(member):
    """Whether ``member`` (a function, property or descriptor) comes from another package
    (or from Python: ``tuple.count`` of a NamedTuple)."""
    function = getattr(member, "fget", member)
    module = getattr(function, "__module__", None) or getattr(
        getattr(function, "__objclass__", None), "__module__", ""
    )
    return bool(module) and module.split(".")[0] != "inceptionsk"


def skip_foreign_member(app, what, name, obj, skip, options):
    """Leave out the members that classes inherit from torch and scikit-learn (``Module``
    has dozens), but those of :data:`INHERITED_SHOWN`."""
    if what == "class" and name not in INHERITED_SHOWN and _defined_outside_package(obj):
        return True
    return None


_FOREIGN_REF = re.compile(r":ref:`([^`<]*?)\s*(?:<[^>`]+>)?`")


def unlink_foreign_labels(app, what, name, obj, options, lines):
    """Turn ``:ref:`` roles in the docstrings of scikit-learn's inherited methods into
    plain text: their labels are sections of scikit-learn's user guide."""
    if _defined_outside_package(obj):
        lines[:] = [_FOREIGN_REF.sub(r"\1", line) for line in lines]


def document_reexported_data(app, what, name, obj, options, lines):
    """Give a constant re-exported by a package (``inceptionsk.datasets.BUNDLED_DATASETS``)
    the ``#:`` comment of the module that defines it, instead of its type's docstring."""
    if what != "data":
        return
    package_name, attribute = name.rsplit(".", 1)
    if ("", attribute) in ModuleAnalyzer.for_module(package_name).find_attr_docs():
        return  # defined, and commented, where it is documented
    package = importlib.import_module(package_name)
    for module in pkgutil.iter_modules(getattr(package, "__path__", [])):
        comments = ModuleAnalyzer.for_module(f"{package_name}.{module.name}").find_attr_docs()
        if ("", attribute) in comments:
            lines[:] = list(comments[("", attribute)])
            return


def _public_aliases():
    """``{"inceptionsk.persistence.save": "inceptionsk.save", ...}``: the names of the
    objects that the package re-exports, to the name under which the API documents them."""
    aliases = {}
    for module_name in ("inceptionsk.persistence", "inceptionsk.preprocessing",
                        "inceptionsk.exceptions"):
        module = importlib.import_module(module_name)
        for name in module.__all__:
            if getattr(inceptionsk, name, None) is getattr(module, name):
                aliases[f"{module_name}.{name}"] = f"inceptionsk.{name}"
    return aliases


ALIASES = _public_aliases()


def resolve_alias(app, env, node, contnode):
    """Resolve a reference to a re-exported object by the name it is documented under
    (``:func:`save``` in :mod:`inceptionsk.persistence` is :func:`inceptionsk.save`)."""
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    candidates = [target, f"{node.get('py:module')}.{target}"]
    for candidate in candidates:
        if candidate in ALIASES:
            return env.get_domain("py").resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], ALIASES[candidate],
                node, contnode,
            )
    return None


class CommandHelp(Directive):
    """``inceptionsk-help [COMMAND]``: the help that ``inceptionsk [COMMAND] --help`` prints,
    read from the parser itself so that the page cannot drift from the code."""

    optional_arguments = 1

    def run(self):
        from inceptionsk.cli import build_parser

        output = io.StringIO()
        previous = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = "90"  # argparse wraps the help to the terminal's width
        try:
            with contextlib.redirect_stdout(output):
                build_parser().parse_args([*self.arguments, "--help"])
        except SystemExit:  # argparse exits after printing the help
            pass
        finally:
            if previous is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = previous
        text = output.getvalue().rstrip()
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def clear_generated_pages(app):
    """Start the API pages afresh: a page left from a name since renamed or removed
    would fail the build (no toctree holds it, and its object cannot be imported)."""
    shutil.rmtree(os.path.join(app.srcdir, "api", "generated"), ignore_errors=True)


def setup(app):
    # before autosummary writes the pages, on the same event
    app.connect("builder-inited", clear_generated_pages, priority=100)
    app.add_directive("inceptionsk-help", CommandHelp)
    app.connect("autodoc-skip-member", skip_foreign_member)
    app.connect("autodoc-process-docstring", unlink_foreign_labels)
    app.connect("autodoc-process-docstring", document_reexported_data)
    app.connect("missing-reference", resolve_alias)
