"""Export a fitted estimator to ONNX: one graph from series to probabilities or targets.

:func:`~inceptionsk.export_onnx` writes a fitted single network or a whole ensemble as
one ONNX graph that ONNX Runtime (or any ONNX runtime) scores without Python, torch or
this package. The graph holds the networks with batch norm folded into their
convolutions (as scoring does, :func:`~inceptionsk.network.fold_batch_norm`) and what
the estimator computes around them: per-series z-normalisation when a ``Pipeline``
starts with :class:`~inceptionsk.SeriesStandardScaler`, the softmax of each member and
the mean over the members (classifiers), or the members' targets scaled back and
averaged (regressors).

The graph
---------
- Input ``"series"``: float32 of shape ``(batch, n_channels, n_timepoints)``, where
  ``batch`` is dynamic and the other two are those seen in ``fit`` (one channel is still
  a 3D array). Series must have the length seen in ``fit``: an estimator fitted on series
  of unequal lengths cannot be exported.
- Classifiers: output ``"label"`` of shape ``(batch,)``, the class of the highest
  probability taken from ``classes_`` (strings, integers, floats or booleans), and
  ``"probabilities"``, float32 of shape ``(batch, n_classes)`` with columns in the order of
  ``classes_``.
- Regressors: output ``"predictions"``, float32 of shape ``(batch,)`` for one target and
  ``(batch, n_outputs)`` for several, as ``predict`` returns them.
- The model's ``metadata_props`` hold ``classes`` (classifiers; a JSON list),
  ``estimator`` (the class name), ``n_channels``, ``n_timepoints`` and the versions of
  inceptionsk and torch that wrote it.

The graph computes in float32, where ``predict_proba`` takes its softmax in float64: the
outputs agree with the estimator's up to float32 rounding (``tests/test_onnx.py`` checks
1e-5).

The export runs torch's ONNX exporter (``torch.onnx.export(..., dynamo=True)``, opset
:data:`OPSET`), which needs the ``onnx`` and ``onnxscript`` packages:
``pip install "inceptionsk[onnx]"`` (with ``onnxruntime`` to run the graph).
"""

import contextlib
import json
import logging
import os
import warnings

import numpy as np
import torch
from sklearn.pipeline import Pipeline
from torch import nn

from ._version import __version__
from .ensemble import NetworkEnsemble
from .network import fold_batch_norm
from .preprocessing import SeriesImputer, SeriesStandardScaler
from .single_network import NetworkEstimator

__all__ = ["INPUT_NAME", "OPSET", "export_onnx"]

#: The ONNX opset of the exported graphs (the first that torch's exporter writes).
OPSET = 18
#: The name of the graph's input: float32 series (batch, n_channels, n_timepoints).
INPUT_NAME = "series"


class _Deployed(nn.Module):
    """What the estimator computes from series to results, as one torch module.

    ``standardize``: the ``(with_mean, with_std)`` of each SeriesStandardScaler before
    the estimator. ``target_scale`` and ``target_mean``: each member's target scaling,
    ``(n_members, 1, n_outputs)``, for regressors; None for classifiers.
    """

    def __init__(self, networks, standardize, target_scale=None, target_mean=None,
                 squeeze=False):
        super().__init__()
        self.networks = nn.ModuleList(networks)
        self.standardize = standardize
        self.classifier = target_scale is None
        self.squeeze = squeeze
        if not self.classifier:
            self.register_buffer("target_scale", target_scale)
            self.register_buffer("target_mean", target_mean)

    def forward(self, series):
        for with_mean, with_std in self.standardize:  # as SeriesStandardScaler.transform
            if with_mean:
                series = series - series.mean(dim=-1, keepdim=True)
            if with_std:
                std = series.std(dim=-1, correction=0, keepdim=True)
                series = series / torch.where(std > 0, std, torch.ones_like(std))
        outputs = torch.stack([network(series) for network in self.networks])
        if self.classifier:
            return outputs.softmax(dim=2).mean(dim=0)
        predictions = (outputs * self.target_scale + self.target_mean).mean(dim=0)
        return predictions[:, 0] if self.squeeze else predictions


def _parts(estimator):
    """``(standardize, final estimator)`` of an estimator or a Pipeline ending in one."""
    steps = estimator.steps if isinstance(estimator, Pipeline) else [(None, estimator)]
    *transformers, (_, final) = steps
    if not isinstance(final, (NetworkEstimator, NetworkEnsemble)):
        raise TypeError(
            f"export_onnx takes an estimator of inceptionsk, or a Pipeline of "
            f"SeriesStandardScaler steps ending with one, got {type(final).__name__}."
        )
    standardize = []
    for name, step in transformers:
        if step in (None, "passthrough"):
            continue
        if isinstance(step, SeriesImputer):
            raise ValueError(
                f"The Pipeline's step {name!r} is a SeriesImputer, which the ONNX graph does "
                "not hold: fill the gaps before scoring with the exported model, and export "
                "the Pipeline's other steps (e.g. Pipeline(pipeline.steps[1:]))."
            )
        if type(step) is not SeriesStandardScaler:
            raise TypeError(
                f"The Pipeline's step {name!r} is a {type(step).__name__}; export_onnx "
                "exports Pipelines of SeriesStandardScaler steps ending in an estimator of "
                "inceptionsk."
            )
        standardize.append((step.with_mean, step.with_std))
    return standardize, final


def _class_labels(classes):
    """``classes_`` as an ONNX tensor of labels."""
    import onnx

    values = classes.tolist()
    if all(isinstance(value, str) for value in values):
        return onnx.helper.make_tensor(
            "classes", onnx.TensorProto.STRING, [len(values)], [v.encode() for v in values]
        )
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"classes_ of dtype {classes.dtype} cannot be ONNX labels: use strings or "
            "numbers as class labels."
        )
    array = array.astype(np.int64 if array.dtype.kind in "iu" else array.dtype)
    return onnx.numpy_helper.from_array(array, name="classes")


def _add_labels(model, labels):
    """Add the output ``label``: ``labels[argmax(probabilities)]``, in front."""
    import onnx
    from onnx import helper

    graph = model.graph
    batch = graph.output[0].type.tensor_type.shape.dim[0]
    graph.node.extend([
        helper.make_node("Constant", [], ["classes"], value=labels),
        helper.make_node("ArgMax", ["probabilities"], ["class_index"], axis=1, keepdims=0),
        helper.make_node("Gather", ["classes", "class_index"], ["label"], axis=0),
    ])
    label = helper.make_tensor_value_info("label", labels.data_type, [None])
    label.type.tensor_type.shape.dim[0].CopyFrom(batch)
    outputs = [label, *graph.output]
    del graph.output[:]
    graph.output.extend(outputs)
    onnx.checker.check_model(model, full_check=True)


def export_onnx(estimator, path=None):
    """Write a fitted estimator as one ONNX graph, to be scored by ONNX Runtime.

    The graph maps float32 series ``(batch, n_channels, n_timepoints)`` (input
    ``"series"``, dynamic batch) to what ``predict`` and ``predict_proba`` return: for a
    classifier, outputs ``"label"`` and ``"probabilities"`` (the mean of the members'
    softmax); for a regressor, ``"predictions"``. See :mod:`inceptionsk.export` for the
    graph and its metadata.

    Parameters
    ----------
    estimator : fitted estimator
        An ensemble of this package (:class:`~inceptionsk.InceptionTimeClassifier`,
        :class:`~inceptionsk.LITETimeClassifier`, their regressors: all members in one
        graph), a single network, or a Pipeline of
        :class:`~inceptionsk.SeriesStandardScaler` steps ending in one of those, fitted on
        series of equal length.
    path : str or path-like, default=None
        Where to write the ``.onnx`` file; None writes nothing.

    Returns
    -------
    model : onnx.ModelProto
        The exported model.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        When the estimator is not fitted.
    ValueError
        When it was fitted on series of unequal lengths, which the graph cannot take, or
        a Pipeline holds a :class:`~inceptionsk.SeriesImputer`.
    TypeError
        For an estimator of another package.
    ImportError
        Without the ``onnx`` and ``onnxscript`` packages.

    Examples
    --------
    >>> import numpy as np, onnxruntime
    >>> from inceptionsk import InceptionTimeClassifier, export_onnx
    >>> from inceptionsk.datasets import load_gunpoint
    >>> X, y = load_gunpoint(split="train", return_X_y=True)
    >>> clf = InceptionTimeClassifier(n_estimators=2, max_epochs=2, depth=1, n_filters=4,
    ...                               random_state=0).fit(X, y)
    >>> model = export_onnx(clf)
    >>> session = onnxruntime.InferenceSession(model.SerializeToString())
    >>> label, proba = session.run(None, {"series": X[:3]})
    >>> bool((label == clf.predict(X[:3])).all())
    True
    >>> bool(np.allclose(proba, clf.predict_proba(X[:3]), atol=1e-5))
    True
    """
    try:
        import onnx  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "export_onnx needs the onnx and onnxscript packages, optional dependencies: "
            'pip install "inceptionsk[onnx]"'
        ) from exc
    standardize, final = _parts(estimator)
    final._check_fitted()
    if final._fitted_unequal_length:
        raise ValueError(
            f"{type(final).__name__} was fitted on series of unequal lengths; its ONNX graph "
            "would need their lengths as a second input, which export_onnx does not write. "
            "Export an estimator fitted on series of one length (resample them to it)."
        )
    members = final.estimators_ if hasattr(final, "estimators_") else [final]
    networks = [fold_batch_norm(member.net_.module_).cpu() for member in members]
    if final._regression:
        module = _Deployed(
            networks, standardize,
            target_scale=torch.tensor(
                np.stack([member._output_scale() for member in members])[:, None, :],
                dtype=torch.float32),
            target_mean=torch.tensor(
                np.stack([member.target_scaler_.mean_ for member in members])[:, None, :],
                dtype=torch.float32),
            squeeze=final.n_outputs_ == 1,
        )
        output = "predictions"
    else:
        module = _Deployed(networks, standardize)
        output = "probabilities"
        labels = _class_labels(final.classes_)  # refuses labels of other types before exporting
    example = torch.zeros(2, final.n_channels_in_, final.n_timepoints_in_)
    with warnings.catch_warnings(), _quiet_logger("torch.onnx._internal.exporter._registration"):
        # torch's exporter warns about its internals (pytree) and logs that it skips
        # torchvision's operators when torchvision is absent: nothing for the user to do
        warnings.simplefilter("ignore", FutureWarning)
        program = torch.onnx.export(
            module.eval(), (example,), dynamo=True, opset_version=OPSET, verbose=False,
            input_names=[INPUT_NAME], output_names=[output],
            dynamic_shapes={"series": {0: torch.export.Dim("batch")}},
        )
    model = program.model_proto
    if not final._regression:
        _add_labels(model, labels)
    metadata = {
        "estimator": type(final).__name__,
        "n_channels": str(final.n_channels_in_),
        "n_timepoints": str(final.n_timepoints_in_),
        "inceptionsk_version": __version__,
        "torch_version": str(torch.__version__),
    }
    if not final._regression:
        metadata["classes"] = json.dumps(final.classes_.tolist())
    for key, value in metadata.items():
        model.metadata_props.add(key=key, value=value)
    model.doc_string = (
        f"{type(final).__name__} of inceptionsk: input {INPUT_NAME!r}, float32 (batch, "
        f"{final.n_channels_in_}, {final.n_timepoints_in_})."
    )
    if path is not None:
        import onnx

        onnx.save(model, os.fspath(path))
    return model


@contextlib.contextmanager
def _quiet_logger(name):
    """Let the logger ``name`` report only errors inside the block."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
