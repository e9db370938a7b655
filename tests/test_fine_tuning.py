"""fine_tune: a network starts from another's weights (the head aside), some layers frozen."""

import numpy as np
import pytest
import torch
from conftest import SMALL, make
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from inceptionsk import (
    InceptionNetworkClassifier,
    InceptionNetworkRegressor,
    InceptionTimeClassifier,
    LITENetworkClassifier,
    fine_tune,
)


@pytest.fixture(scope="module")
def source(gunpoint):
    X, y = gunpoint[:2]
    return make(InceptionNetworkClassifier, SMALL, max_epochs=2).fit(X, y)


def parameters(estimator):
    return {name: p.detach().clone() for name, p in estimator.module_.named_parameters()}


def test_frozen_layers_keep_the_sources_weights_and_the_rest_trains(source, gunpoint):
    X, y = gunpoint[:2]
    before = parameters(source)
    target = make(InceptionNetworkClassifier, SMALL, max_epochs=2, random_state=1)
    tuned = fine_tune(source, target, X, y == "1", freeze=1)
    assert tuned.classes_.tolist() == [False, True]
    after = parameters(tuned)
    for name, tensor in after.items():
        if name.startswith("inceptionblock.inception.0."):
            assert torch.equal(tensor, before[name]), name  # frozen
            assert not tuned.module_.get_parameter(name).requires_grad
        elif not name.startswith("fc."):
            assert not torch.equal(tensor, before[name]), name  # trained on
    for name, tensor in parameters(source).items():  # the source is untouched
        assert torch.equal(tensor, before[name]) and source.module_.get_parameter(
            name).requires_grad
    assert clone(tuned).get_params() == target.get_params()


def test_the_network_starts_from_the_sources_weights(source, gunpoint):
    X, y = gunpoint[:2]
    # a learning rate too small to move them: the weights stay the source's (the new
    # head aside), where a fresh start of the same seed would differ
    target = make(InceptionNetworkClassifier, SMALL, lr=1e-12)
    tuned = fine_tune(source, target, X, y)
    for name, tensor in parameters(tuned).items():
        if not name.startswith("fc."):
            torch.testing.assert_close(tensor, parameters(source)[name], rtol=0, atol=1e-8)
    fresh = clone(target).fit(X, y)
    name = "inceptionblock.inception.1.convs.0.weight"
    assert not torch.allclose(parameters(fresh)[name], parameters(source)[name])


def test_a_regression_target_and_lite(source, gunpoint):
    X, y = gunpoint[:2]
    reg = fine_tune(source, make(InceptionNetworkRegressor, SMALL), X, X.mean(axis=(1, 2)),
                    freeze=3)
    assert reg.predict(X).shape == (len(X),)
    trained = [n for n, p in reg.module_.named_parameters() if p.requires_grad]
    assert trained == ["fc.weight", "fc.bias"]
    lite = make(LITENetworkClassifier, n_filters=4, max_epochs=1).fit(X, y)
    tuned = fine_tune(lite, clone(lite), X, y, freeze=2)
    frozen = {n.split(".")[0] for n, p in tuned.module_.named_parameters() if not p.requires_grad}
    assert frozen == {"convs", "bn", "fcn"}
    assert tuned.module_.fcn[1].conv.pointwise.weight.requires_grad


def test_bad_input_is_refused(source, gunpoint):
    X, y = gunpoint[:2]
    with pytest.raises(ValueError, match=r"n_filters=4 \(source: 8\)"):
        fine_tune(source, clone(source).set_params(n_filters=4), X, y)
    with pytest.raises(ValueError,
                       match=r"LITE\) differs from source's \(InceptionNetworkClassifier"):
        fine_tune(source, LITENetworkClassifier(), X, y)
    with pytest.raises(ValueError, match="trained on series of 1 channel.*X has 2"):
        fine_tune(source, clone(source), np.repeat(X, 2, axis=1), y)
    with pytest.raises(ValueError, match="freeze=4.*3 layers"):
        fine_tune(source, clone(source), X, y, freeze=4)
    with pytest.raises(ValueError, match="freeze"):
        fine_tune(source, clone(source), X, y, freeze=-1)
    with pytest.raises(NotFittedError):
        fine_tune(clone(source), clone(source), X, y)
    ensemble = make(InceptionTimeClassifier, SMALL)
    with pytest.raises(TypeError, match=r"estimators_\[0\]"):
        fine_tune(ensemble, clone(source), X, y)
    with pytest.raises(TypeError, match="fine_tune trains one network"):
        fine_tune(source, ensemble, X, y)
