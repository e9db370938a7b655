"""distill: one network trained on a fitted ensemble's outputs, an ordinary estimator."""

import numpy as np
import onnxruntime
import pytest
import torch
from conftest import SMALL, TINY, make
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline, make_pipeline

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    InceptionTimeRegressor,
    LITENetworkClassifier,
    LITETimeClassifier,
    SeriesStandardScaler,
    distill,
    export_onnx,
    load,
)
from inceptionsk.export import INPUT_NAME
from inceptionsk.training import DistillationLoss


@pytest.fixture(scope="module")
def teacher(gunpoint):
    X, y = gunpoint[:2]
    return make(InceptionTimeClassifier, SMALL, n_estimators=2, max_epochs=3).fit(X, y)


def test_the_loss_is_hintons():
    rng = torch.Generator().manual_seed(0)
    student, teacher = torch.randn(5, 3, generator=rng), torch.randn(5, 3, generator=rng)
    labels = torch.tensor([0, 1, 2, 0, 1])
    loss = DistillationLoss(temperature=3.0, alpha=0.25)(student, [labels, teacher])
    p = torch.softmax(teacher / 3, dim=1)
    kl = (p * (torch.log(p) - torch.log_softmax(student / 3, dim=1))).sum(dim=1)
    ce = -torch.log_softmax(student, dim=1)[torch.arange(5), labels]
    torch.testing.assert_close(loss, 0.75 * ce + 0.25 * 9 * kl)
    # a teacher that agrees with the student adds nothing; without a teacher, plain CE
    torch.testing.assert_close(
        DistillationLoss(alpha=0.25)(student, [labels, student]), 0.75 * ce)
    torch.testing.assert_close(DistillationLoss()(student, labels), ce)
    target = torch.randn(5, 1, generator=rng)
    torch.testing.assert_close(
        DistillationLoss(alpha=0.5, regression=True)(student[:, :1], [target, teacher[:, :1]]),
        0.5 * (student[:, :1] - target) ** 2 + 0.5 * (student[:, :1] - teacher[:, :1]) ** 2)


def test_alpha_zero_is_the_students_own_fit(teacher, gunpoint):
    X, y = gunpoint[:2]
    student = make(InceptionNetworkClassifier, SMALL, max_epochs=2)
    distilled = distill(teacher, X, y, student, alpha=0.0)
    np.testing.assert_array_equal(distilled.predict_proba(X),
                                  clone(student).fit(X, y).predict_proba(X))
    soft = distill(teacher, X, y, student, alpha=1.0)
    assert not np.array_equal(soft.predict_proba(X), distilled.predict_proba(X))


def test_the_default_student_is_a_network_of_the_teachers_recipe(teacher, gunpoint):
    X, y = gunpoint[:2]
    student = distill(teacher, X, y)
    assert type(student) is InceptionNetworkClassifier
    expected = {k: v for k, v in teacher.get_params().items()
                if k not in ("n_estimators", "n_jobs")}
    assert student.get_params() == expected
    assert len(student.history_) == teacher.max_epochs
    assert student.net_.criterion_.temperature == 4.0  # the documented default
    assert student.net_.criterion_.alpha == 0.5
    unfitted = clone(student)
    assert not hasattr(unfitted, "net_") and unfitted.get_params() == student.get_params()


def test_the_student_saves_exports_and_loads(teacher, gunpoint, tmp_path):
    X, y, X_test = gunpoint[:3]
    student = distill(teacher, X, y, make(LITENetworkClassifier, max_epochs=2))
    assert isinstance(student, LITENetworkClassifier)
    student.save(tmp_path / "student.pt")
    loaded = load(tmp_path / "student.pt")
    np.testing.assert_array_equal(loaded.predict_proba(X_test), student.predict_proba(X_test))
    export_onnx(student, tmp_path / "student.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "student.onnx"),
                                           providers=["CPUExecutionProvider"])
    label, proba = session.run(None, {INPUT_NAME: X_test[:8]})
    np.testing.assert_allclose(proba, student.predict_proba(X_test[:8]), rtol=0, atol=1e-5)
    np.testing.assert_array_equal(label, student.predict(X_test[:8]))


def test_a_pipeline_teacher_gives_a_pipeline_student(gunpoint):
    X, y, X_test = gunpoint[:3]
    teacher = make_pipeline(SeriesStandardScaler(), make(LITETimeClassifier, max_epochs=2))
    teacher.fit(X * 100, y)
    student = distill(teacher, X * 100, y)
    assert isinstance(student, Pipeline)
    assert [name for name, _ in student.steps] == [name for name, _ in teacher.steps]
    assert student[0] is not teacher[0]
    assert type(student[-1]) is InceptionNetworkClassifier
    assert student.predict(X_test * 100).shape == (len(X_test),)


def test_a_regression_teacher_is_distilled_on_its_predictions(rng):
    X = rng.normal(size=(32, 1, 20)).astype(np.float32)
    y = X.mean(axis=(1, 2))
    teacher = make(InceptionTimeRegressor, n_estimators=2, max_epochs=2).fit(X, y)
    student = distill(teacher, X, y, make(InceptionNetworkRegressor, max_epochs=2), alpha=1.0)
    assert isinstance(student, InceptionNetworkRegressor)
    assert student.predict(X).shape == (32,)
    assert student.net_.criterion_.regression
    # alpha=0: the squared error to y alone, as the student's own fit
    network = make(InceptionNetworkRegressor, max_epochs=2)
    plain = distill(teacher, X, y, network, alpha=0.0)
    np.testing.assert_array_equal(plain.predict(X), clone(network).fit(X, y).predict(X))
    assert not np.array_equal(plain.predict(X), student.predict(X))


def test_bad_input_is_refused(teacher, gunpoint, rng):
    X, y = gunpoint[:2]
    with pytest.raises(NotFittedError):
        distill(clone(teacher), X, y)
    with pytest.raises(ValueError, match=r"fitted on the classes \['1', '2'\].*holds \['a', 'b'\]"):
        distill(teacher, X, np.where(y == "1", "a", "b"))
    with pytest.raises(ValueError, match="is a classifier, but the student"):
        distill(teacher, X, y, InceptionNetworkRegressor())
    with pytest.raises(TypeError, match="single-network estimator.*got InceptionTimeClassifier"):
        distill(teacher, X, y, InceptionTimeClassifier())
    with pytest.raises(ValueError, match="temperature"):
        distill(teacher, X, y, temperature=0)
    with pytest.raises(ValueError, match="alpha"):
        distill(teacher, X, y, alpha=1.5)
    with pytest.raises(ValueError, match="cases"):
        distill(teacher, X, y[:-1], make(InceptionNetworkClassifier, TINY))
