"""Export to ONNX: ONNX Runtime scores the exported graph as the estimator predicts."""

import json

import numpy as np
import onnx
import onnxruntime
import pytest
import torch
from conftest import SMALL
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    LITETimeClassifier,
    SeriesImputer,
    SeriesStandardScaler,
    export_onnx,
)
from inceptionsk.export import INPUT_NAME, OPSET

#: conftest's SMALL network, trained for three epochs.
THREE_EPOCHS = dict(SMALL, max_epochs=3)


def session(model):
    """An ONNX Runtime session of a model (a ModelProto or a file)."""
    source = model.SerializeToString() if isinstance(model, onnx.ModelProto) else str(model)
    return onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module", params=["gunpoint", "basic_motions"])
def exported(request, tmp_path_factory):
    """An ensemble fitted on a real dataset and exported to a file:
    (ensemble, ONNX Runtime session, ModelProto, X_test)."""
    X, y, X_test, _ = request.getfixturevalue(request.param)
    ensemble = InceptionTimeClassifier(n_estimators=2, random_state=0, **THREE_EPOCHS).fit(X, y)
    path = tmp_path_factory.mktemp("onnx") / f"{request.param}.onnx"
    model = export_onnx(ensemble, path)
    return ensemble, session(path), model, X_test


def test_onnx_runtime_gives_the_ensembles_probabilities_and_labels(exported):
    ensemble, runtime, _, X_test = exported
    label, proba = runtime.run(None, {INPUT_NAME: X_test})
    expected = ensemble.predict_proba(X_test)
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(label, ensemble.predict(X_test))
    # the graph averages the members: not any one member's probabilities
    assert np.abs(ensemble.estimators_[0].predict_proba(X_test) - expected).max() > 1e-3


def test_the_batch_axis_is_dynamic(exported):
    ensemble, runtime, _, X_test = exported
    for batch in (X_test[:1], X_test[5:12]):
        label, proba = runtime.run(None, {INPUT_NAME: batch})
        np.testing.assert_allclose(proba, ensemble.predict_proba(batch), rtol=0, atol=1e-5)
        assert label.shape == (len(batch),)


def test_the_graphs_input_outputs_and_metadata(exported):
    ensemble, runtime, model, X_test = exported
    (series,) = runtime.get_inputs()
    assert (series.name, series.type) == (INPUT_NAME, "tensor(float)")
    assert series.shape == ["batch", *X_test.shape[1:]]
    label, proba = runtime.get_outputs()
    assert (label.name, label.type, label.shape) == ("label", "tensor(string)", ["batch"])
    assert (proba.name, proba.shape) == ("probabilities", ["batch", len(ensemble.classes_)])
    metadata = runtime.get_modelmeta().custom_metadata_map
    assert json.loads(metadata["classes"]) == ensemble.classes_.tolist()
    assert metadata["estimator"] == "InceptionTimeClassifier"
    assert (metadata["n_channels"], metadata["n_timepoints"]) == tuple(
        str(n) for n in X_test.shape[1:])
    assert [(o.domain, o.version) for o in model.opset_import] == [("", OPSET)]
    onnx.checker.check_model(model, full_check=True)


def test_a_single_network_in_a_pipeline_with_integer_labels(gunpoint):
    """The graph z-normalises each series as SeriesStandardScaler does; integer labels come
    out as int64."""
    X, y, X_test, _ = gunpoint
    X, X_test, y = 5 * X + 3, 5 * X_test + 3, y.astype(int)
    pipeline = make_pipeline(SeriesStandardScaler(),
                             InceptionNetworkClassifier(random_state=0, **THREE_EPOCHS)).fit(X, y)
    label, proba = session(export_onnx(pipeline)).run(None, {INPUT_NAME: X_test})
    np.testing.assert_allclose(proba, pipeline.predict_proba(X_test), rtol=0, atol=1e-5)
    assert label.dtype == np.int64
    np.testing.assert_array_equal(label, pipeline.predict(X_test))


@pytest.mark.parametrize("estimator", [
    LITETimeClassifier(n_estimators=2, use_litemv=True, n_filters=8, max_epochs=2,
                       random_state=0),
    InceptionTimeClassifier(n_estimators=2, use_custom_filters=True, random_state=0,
                            **THREE_EPOCHS),
], ids=["LITEMV", "H-InceptionTime"])
def test_the_other_networks_of_the_family(basic_motions, estimator):
    X, y, X_test, _ = basic_motions
    label, proba = session(export_onnx(estimator.fit(X, y))).run(None, {INPUT_NAME: X_test})
    np.testing.assert_allclose(proba, estimator.predict_proba(X_test), rtol=0, atol=1e-5)
    np.testing.assert_array_equal(label, estimator.predict(X_test))


@pytest.mark.parametrize(("cls", "n_targets"), [(InceptionTimeRegressor, 1),
                                                (InceptionNetworkRegressor, 2)])
def test_regressors_predictions(basic_motions, cls, n_targets):
    """Targets in their own scale (here in the thousands), as predict returns them: 1D for
    one target."""
    X, _, X_test, _ = basic_motions
    y = 1e3 * np.c_[X.std(axis=(1, 2)), X.mean(axis=(1, 2))][:, :n_targets]
    params = dict(THREE_EPOCHS, random_state=0,
                  **({"n_estimators": 2} if "Time" in cls.__name__ else {}))
    regressor = cls(**params).fit(X, y if n_targets > 1 else y[:, 0])
    (predictions,) = session(export_onnx(regressor)).run(None, {INPUT_NAME: X_test})
    expected = regressor.predict(X_test)
    assert predictions.shape == expected.shape
    np.testing.assert_allclose(predictions, expected, rtol=1e-5, atol=1e-5 * np.abs(y).max())


def test_an_unfitted_estimator_is_refused(tmp_path):
    for estimator in (InceptionTimeClassifier(), InceptionNetworkRegressor(),
                      make_pipeline(SeriesStandardScaler(), InceptionTimeClassifier())):
        with pytest.raises(NotFittedError):
            export_onnx(estimator, tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_what_the_graph_cannot_hold_is_refused(gunpoint):
    X, y, _, _ = gunpoint
    ragged = [series[:, : 100 + i] for i, series in enumerate(X[:20])]
    clf = InceptionNetworkClassifier(random_state=0, **dict(THREE_EPOCHS, max_epochs=1))
    with pytest.raises(ValueError, match="was fitted on series of unequal lengths; its ONNX "
                                         "graph would need their lengths"):
        export_onnx(clf.fit(ragged, y[:20]))
    with pytest.raises(ValueError, match="'seriesimputer' is a SeriesImputer"):
        export_onnx(make_pipeline(SeriesImputer(), clf))
    with pytest.raises(TypeError, match="got LogisticRegression"):
        export_onnx(LogisticRegression())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_model_trained_on_cuda_exports(gunpoint):
    X, y, X_test, _ = gunpoint
    clf = InceptionTimeClassifier(n_estimators=2, random_state=0,
                                  **dict(THREE_EPOCHS, device="cuda")).fit(X, y)
    _, proba = session(export_onnx(clf)).run(None, {INPUT_NAME: X_test})
    np.testing.assert_allclose(proba, clf.predict_proba(X_test), rtol=0, atol=1e-5)


def test_a_constant_target_is_exported_as_that_constant(basic_motions):
    X, _, X_test, _ = basic_motions
    y = np.c_[X.mean(axis=(1, 2)), np.full(len(X), 2.5e-6)]
    regressor = InceptionTimeRegressor(n_estimators=2, random_state=0, **THREE_EPOCHS).fit(X, y)
    (predictions,) = session(export_onnx(regressor)).run(None, {INPUT_NAME: X_test})
    np.testing.assert_allclose(predictions[:, 1], 2.5e-6, rtol=1e-6)
