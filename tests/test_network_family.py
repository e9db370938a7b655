"""The InceptionTime family: hand-crafted filters, H-InceptionTime, LITE and LITEMV, and the
layout helpers they add (Keras 'same' padding, dilated depthwise convolutions as columns)."""

import copy

import pytest
import torch
import torch.nn.functional as F
from conftest import assert_same_computation, trained_statistics
from torch import nn

from inceptionsk.network import LITE, HybridLayer, InceptionTime, _inception, _lite, fold_batch_norm
from inceptionsk.network._hybrid import filter_bank, hand_crafted_filters
from inceptionsk.network._layout import as_image, channels_last_weights, conv, depthwise_conv


def _n_parameters(net, without_head=False):
    return sum(
        p.numel() for name, p in net.named_parameters()
        if not (without_head and name.startswith("fc."))
    )


def _keras_same(kernel_size, dilation=1):
    """Keras' 'same' padding ``(left, right)`` for stride 1, written out independently."""
    total = dilation * (kernel_size - 1)
    return total // 2, total - total // 2


# --------------------------------------------------------------------------- the filters


def test_hand_crafted_filter_values():
    filters = hand_crafted_filters()
    assert [len(f) for f in filters.values()] == [
        2, 4, 8, 16, 32, 64, 2, 4, 8, 16, 32, 64, 6, 12, 24, 48, 96
    ]
    assert filters["increase-2"].tolist() == [-1, 1]
    assert filters["increase-8"].tolist() == [-1, 1] * 4
    assert filters["decrease-4"].tolist() == [1, -1, 1, -1]
    assert filters["peak-6"].tolist() == [-1, -1, 2, 2, -1, -1]
    lobe = [0.25, 1, 1, 0.25]
    assert filters["peak-12"].tolist() == [-v for v in lobe] + [2 * v for v in lobe] + [
        -v for v in lobe
    ]
    quarter = [1 / 16, 1 / 4, 9 / 16, 1]
    assert filters["peak-24"][:8].tolist() == [-v for v in quarter + quarter[::-1]]
    assert filters["peak-96"][47].item() == 2.0


def test_the_17_filters_sum_to_zero():
    filters = hand_crafted_filters()
    assert len(filters) == 17
    for name, values in filters.items():
        assert values.sum().item() == 0.0, name
    assert filter_bank().sum().item() == 0.0


@pytest.mark.parametrize("length", [1, 5, 64, 130])
def test_hybrid_layer_applies_each_filter_with_keras_same_alignment(length):
    """One 96-tap convolution = each filter with its own 'same' padding (float64)."""
    x = torch.randn(3, 1, length, dtype=torch.float64)
    out = HybridLayer(1).double()(x)
    for i, (name, values) in enumerate(hand_crafted_filters().items()):
        expected = F.conv1d(F.pad(x, _keras_same(len(values))), values.view(1, 1, -1)).relu()
        torch.testing.assert_close(out[:, i : i + 1], expected, rtol=0, atol=1e-12, msg=name)


def test_hybrid_layer_per_channel_or_on_the_channel_sum():
    x = torch.randn(2, 3, 40, dtype=torch.float64)
    single = HybridLayer(1).double()
    per_channel = HybridLayer(3).double()
    assert per_channel.out_channels == 51
    out = per_channel(x)
    for channel in range(3):  # channel-major: channel 0's 17 filters first
        block = out[:, 17 * channel : 17 * (channel + 1)]
        torch.testing.assert_close(block, single(x[:, channel : channel + 1]))
    summed = HybridLayer(3, per_channel=False).double()
    assert summed.out_channels == 17
    torch.testing.assert_close(summed(x), single(x.sum(dim=1, keepdim=True)))


@pytest.mark.parametrize("make", [
    lambda: LITE(2, 3, nf=4), lambda: LITE(2, 3, nf=4, use_litemv=True),
    lambda: InceptionTime(2, 3, nf=4, depth=3, use_custom_filters=True),
])
def test_filters_are_constant_buffers_outside_the_state_dict(make):
    """Neither parameters nor state_dict entries, unchanged by training, rebuilt on load."""
    torch.manual_seed(0)
    net = make()
    assert not any("hybrid" in name for name, _ in net.named_parameters())
    assert not any("hybrid" in key for key in net.state_dict())
    hybrid = next(m for m in net.modules() if isinstance(m, HybridLayer))
    bank = filter_bank().repeat(hybrid.c_in if hybrid.per_channel else 1, 1, 1, 1)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.1)
    F.cross_entropy(net(torch.randn(4, 2, 30)), torch.tensor([0, 1, 2, 0])).backward()
    optimizer.step()
    assert hybrid.filters.grad is None
    assert torch.equal(hybrid.filters, bank)
    make().load_state_dict(net.state_dict(), strict=True)


# --------------------------------------------------------------------------- H-InceptionTime


def test_h_inception_time_parameter_counts_and_state_dict():
    """Only module 0's batch norm and module 1's two input convolutions grow, by 17 * c_in."""
    assert _n_parameters(InceptionTime(1, 2, use_custom_filters=True)) == 389_732
    assert _n_parameters(InceptionTime(1, 2)) == 388_610
    assert _n_parameters(InceptionTime(6, 4, use_custom_filters=True)) == 463_056
    plain = {k: tuple(v.shape) for k, v in InceptionTime(3, 2).state_dict().items()}
    hybrid = {
        k: tuple(v.shape)
        for k, v in InceptionTime(3, 2, use_custom_filters=True).state_dict().items()
    }
    assert hybrid.keys() == plain.keys()
    grown = {k for k in plain if plain[k] != hybrid[k]}
    bn = "inceptionblock.inception.0.bn."
    assert grown == {
        bn + "weight", bn + "bias", bn + "running_mean", bn + "running_var",
        "inceptionblock.inception.1.bottleneck.weight",
        "inceptionblock.inception.1.maxconvpool.1.weight",
    }
    assert hybrid[bn + "weight"] == (128 + 17 * 3,)
    assert hybrid["inceptionblock.inception.1.bottleneck.weight"] == (32, 128 + 17 * 3, 1)
    modules = InceptionTime(3, 2, use_custom_filters=True).inceptionblock.inception
    assert [m.hybrid is not None for m in modules] == [True] + [False] * 5


def test_h_inception_time_appends_the_filters_to_the_first_concat():
    """The hybrid channels come after InceptionTime's 4 * nf: with module 1's weights on
    them zeroed, H-InceptionTime gives InceptionTime's outputs; those channels hold the
    filters' ReLU output, batch-normed and ReLU'd."""
    torch.manual_seed(0)
    plain = trained_statistics(InceptionTime(2, 3, nf=4, depth=3), 2, 30)
    net = InceptionTime(2, 3, nf=4, depth=3, use_custom_filters=True).eval()
    target = net.state_dict()
    for key, value in plain.state_dict().items():
        if target[key].shape == value.shape:
            target[key] = value
        elif key.startswith("inceptionblock.inception.0.bn."):
            target[key] = torch.cat([value, target[key][16:]])
        else:  # module 1's convolutions on the module-0 output
            target[key] = torch.cat([value, torch.zeros_like(target[key][:, 16:])], dim=1)
    net.load_state_dict(target)
    x = torch.randn(4, 2, 30)
    with torch.no_grad():
        torch.testing.assert_close(net(x), plain(x))
        module = net.inceptionblock.inception[0]
        hybrid_out = module(x)[:, 16:]
        expected = module.hybrid(x) / (1 + module.bn.eps) ** 0.5  # fresh statistics
        torch.testing.assert_close(hybrid_out, expected.relu())


# --------------------------------------------------------------------------- LITE


def test_lite_parameter_counts():
    """The paper's 9,814 trainable parameters of LITE (Ismail-Fawaz et al., DSAA 2023 and
    arXiv:2409.02869) are those of one input channel without the output layer."""
    assert _n_parameters(LITE(1, 2), without_head=True) == 9814
    assert _n_parameters(LITE(1, 2)) == 9880
    assert _n_parameters(LITE(6, 4)) == 21_146
    assert _n_parameters(LITE(1, 2, use_litemv=True)) == 7806
    assert _n_parameters(LITE(6, 4, use_litemv=True)) == 13_292


def test_lite_kernel_sizes_derive_from_ks():
    def kernels(net):
        convs = [c.depthwise if net.use_litemv else c for c in net.convs]
        return [c.kernel_size[0] for c in convs], [
            (b.conv.depthwise.kernel_size[0], b.conv.depthwise.dilation[0]) for b in net.fcn
        ]

    assert kernels(LITE(1, 2)) == ([40, 20, 10], [(20, 2), (10, 4)])
    assert kernels(LITE(3, 2, ks=4, use_litemv=True)) == ([4, 2, 1], [(2, 2), (1, 4)])
    assert LITE(1, 2, ks=4)(torch.randn(2, 1, 9)).shape == (2, 2)
    with pytest.raises(ValueError, match="ks >= 4"):
        LITE(1, 2, ks=3)


@pytest.mark.parametrize("c_in", [1, 6])
@pytest.mark.parametrize("use_litemv", [False, True])
def test_lite_output_shapes(c_in, use_litemv):
    net = LITE(c_in, 4, nf=8, use_litemv=use_litemv)
    x = torch.randn(5, c_in, 33)
    assert net(x).shape == (5, 4)
    assert net.embed(x).shape == (5, 8)
    assert net.class_activation_map(x).shape == (5, 4, 33)
    assert net.bn.num_features == 24 + (17 * c_in if use_litemv else 17)


def _stretched_same(kernel_size, dilation):
    """'same' padding ``(left, right)`` of the undilated kernel, times the dilation: a tap
    on the step itself."""
    left = dilation * ((kernel_size - 1) // 2)
    return left, dilation * (kernel_size - 1) - left


@pytest.mark.parametrize("length", [1, 2, 3])
@pytest.mark.parametrize("use_litemv", [False, True])
def test_lite_sees_series_of_one_and_two_steps(length, use_litemv):
    """Every dilated layer has a tap on the step itself, so the logits depend on the
    series at any length. With Keras' alignment the last layer (10 taps dilated by 4)
    reaches only padding on 1 or 2 steps: the same logits for every series."""
    torch.manual_seed(0)
    x = torch.randn(8, 2, length)
    for keras_dilation in (False, True):
        net = LITE(2, 3, use_litemv=use_litemv, keras_dilation=keras_dilation).eval()
        with torch.no_grad():
            varies = bool((net(x) - net(x[:1])).abs().max() > 1e-6)
        assert varies == (not keras_dilation or length > 2)


def _plain_lite_forward(net, x):
    """LITE computed in 1D by its own submodules (torch's Conv1d 'same', BatchNorm1d) and
    the filters convolved one by one: the reference for the image path."""

    def separable(module, h):
        depthwise = module.depthwise
        if module.time_padding is None:  # Keras' alignment: torch's Conv1d 'same'
            return module.pointwise(depthwise(h))
        k, d = depthwise.kernel_size[0], depthwise.dilation[0]
        h = F.conv1d(F.pad(h, _stretched_same(k, d)), depthwise.weight, dilation=d,
                     groups=depthwise.groups)
        return module.pointwise(h)

    hybrid_in = x if net.hybrid.per_channel else x.sum(dim=1, keepdim=True)
    filtered = [
        F.conv1d(F.pad(hybrid_in[:, c : c + 1], _keras_same(len(f))), f.view(1, 1, -1).to(x))
        for c in range(hybrid_in.shape[1]) for f in hand_crafted_filters().values()
    ]
    branches = [separable(m, x) if net.use_litemv else m(x) for m in net.convs]
    h = net.act(net.bn(torch.cat([*branches, torch.cat(filtered, dim=1).relu()], dim=1)))
    for block in net.fcn:
        h = block.act(block.bn(separable(block.conv, h)))
    return net.fc(h.mean(dim=-1))


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("c_in, use_litemv, keras_dilation",
                         [(1, False, False), (3, False, False), (3, True, False), (1, False, True)])
@pytest.mark.parametrize("train", [False, True])
def test_lite_image_path_equals_the_plain_1d_forward(c_in, use_litemv, keras_dilation, train):
    """Outputs, gradients and batch-norm statistics of the channels_last path are those of
    the plain 1D computation."""
    torch.manual_seed(0)
    net = LITE(c_in, 3, nf=8, use_litemv=use_litemv, keras_dilation=keras_dilation)
    net = trained_statistics(net, c_in, 50)
    reference = copy.deepcopy(net)
    net.train(train), reference.train(train)
    assert_same_computation(net, reference, torch.randn(6, c_in, 47), _plain_lite_forward)


# --------------------------------------------------------------------------- the whole family

FAMILY = {
    "LITE-1": (1, lambda: LITE(1, 3, nf=8)),
    "LITE-3": (3, lambda: LITE(3, 3, nf=8)),
    "LITEMV-3": (3, lambda: LITE(3, 3, nf=8, use_litemv=True)),
    "LITEMV-1": (1, lambda: LITE(1, 3, nf=8, use_litemv=True)),
    "H-InceptionTime-2": (2, lambda: InceptionTime(2, 3, nf=4, depth=3, use_custom_filters=True)),
}


@pytest.mark.parametrize("name", FAMILY)
def test_padded_series_get_the_features_they_get_alone(name):
    """With lengths, padding changes neither the logits nor the class activation maps at
    real steps (eval), the feature maps are zero at padded steps, and in training what
    the padding holds changes nothing, batch-norm statistics included."""
    c_in, make = FAMILY[name]
    torch.manual_seed(0)
    net = trained_statistics(make(), c_in, 45)
    short, long = torch.randn(1, c_in, 30), torch.randn(1, c_in, 45)
    padded = torch.cat([F.pad(short, (0, 15)), long])
    lengths = torch.tensor([30, 45])
    with torch.no_grad():
        together = net(padded, lengths)
        torch.testing.assert_close(together[0], net(short)[0], rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(together[1], net(long)[0], rtol=1e-4, atol=1e-5)
        cam = net.class_activation_map(padded, lengths)
        torch.testing.assert_close(cam[0, :, :30], net.class_activation_map(short)[0])
        assert torch.all(cam[0, :, 30:] == 0)
    garbage = padded.clone()
    garbage[0, :, 30:] = 100.0
    trained = [copy.deepcopy(net).train() for _ in range(2)]
    torch.testing.assert_close(trained[0](padded, lengths), trained[1](garbage, lengths))
    for key, buffer in trained[0].state_dict().items():
        torch.testing.assert_close(buffer, trained[1].state_dict()[key], msg=key)


@pytest.mark.parametrize("name", FAMILY)
def test_folded_network_gives_the_eval_outputs(name):
    """Batch norm folded wherever convolutions precede it; the first batch norm of LITE and
    of H-InceptionTime's first module, after the filters' ReLU, stays."""
    c_in, make = FAMILY[name]
    torch.manual_seed(0)
    net = trained_statistics(make(), c_in, 40)
    folded = fold_batch_norm(net)
    x = torch.randn(8, c_in, 40)
    lengths = torch.tensor([40, 10, 25, 40, 7, 33, 40, 1])
    with torch.no_grad():
        torch.testing.assert_close(folded(x), net(x), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(folded(x, lengths), net(x, lengths), rtol=1e-4, atol=1e-5)
    kept = [name for name, m in folded.named_modules() if isinstance(m, nn.BatchNorm1d)]
    if isinstance(net, LITE):
        assert kept == ["bn"]
    else:
        assert kept == ["inceptionblock.inception.0.bn"]


@pytest.mark.parametrize("name", FAMILY)
@pytest.mark.parametrize("padded", [False, True])
def test_forward_keeps_the_channels_last_layout(name, padded, monkeypatch):
    """Every image that a convolution, a batch norm, a max-pool or the filters take or
    give is a canonical channels_last image, one-channel input included, and its gradient
    has the channel values side by side in memory (stride 1; the gradient of a branch is
    a slice of the concatenation's)."""
    c_in, make = FAMILY[name]
    torch.manual_seed(0)
    net = make()
    for weight in (m.weight for m in net.modules() if isinstance(m, nn.Conv1d)):
        assert weight.unsqueeze(2).is_contiguous(memory_format=torch.channels_last)
    seen = []

    def record(image):
        seen.append((image.stride(1), image.is_contiguous(memory_format=torch.channels_last)))

    def record_gradient(grad):
        seen.append((grad.stride(1), True))

    def recording(function):
        def wrapper(*args, **kwargs):
            for arg in args:
                if isinstance(arg, torch.Tensor) and arg.dim() == 4:
                    record(arg)
            out = function(*args, **kwargs)
            record(out)
            if out.requires_grad:
                out.register_hook(record_gradient)
            return out
        return wrapper

    for module, names in ((_lite, ("conv", "depthwise_conv", "normalize")),
                          (_inception, ("conv", "normalize", "max_pool"))):
        for function_name in names:
            monkeypatch.setattr(module, function_name, recording(getattr(module, function_name)))
    monkeypatch.setattr(HybridLayer, "forward_image", recording(HybridLayer.forward_image))
    lengths = torch.tensor([31, 17, 31, 5]) if padded else None
    logits = net(torch.randn(4, c_in, 31), lengths)
    F.cross_entropy(logits, torch.tensor([0, 1, 2, 0])).backward()
    assert len(seen) > 20
    assert seen == [(1, True)] * len(seen)


# --------------------------------------------------------------------------- layout helpers


@pytest.mark.parametrize("length", [1, 2, 7, 16, 33])
@pytest.mark.parametrize("channels, kernel_size, dilation, padding, groups, bias", [
    (5, 20, 2, "same", 5, False),  # LITE's first dilated layer
    (5, 10, 4, "same", 5, False),  # its second
    (5, 3, 3, "same", 5, False),
    (5, 1, 4, "same", 5, False),
    (4, 4, 3, "same", 4, True),  # two filters per channel, with a bias
    (4, 4, 3, "same", 2, True),  # grouped, not depthwise: plain F.conv2d
    (5, 5, 2, 3, 5, False),  # an integer padding, not 'same'
    (5, 6, 1, "same", 5, False),  # undilated: plain F.conv2d
])
def test_depthwise_conv_equals_dilated_conv2d(
    length, channels, kernel_size, dilation, padding, groups, bias
):
    """The column trick gives F.conv2d's dilated grouped convolution, outputs and gradients
    (float64), for lengths not divisible by the dilation and a length of one."""
    if padding != "same" and length + 2 * padding < dilation * (kernel_size - 1) + 1:
        pytest.skip("the series is shorter than the kernel")
    torch.manual_seed(0)
    module = nn.Conv1d(
        channels, 2 * channels if bias else channels, kernel_size, padding=padding,
        dilation=dilation, groups=groups, bias=bias,
    )
    module = channels_last_weights(module.double())
    image = as_image(torch.randn(3, channels, length, dtype=torch.float64)).requires_grad_()
    left, right = _keras_same(kernel_size, dilation) if padding == "same" else (padding,) * 2
    weight = module.weight.detach().clone().requires_grad_()
    expected = F.conv2d(
        F.pad(image, (left, right)), weight.unsqueeze(2), module.bias, dilation=(1, dilation),
        groups=groups,
    )
    out = depthwise_conv(module, image)
    torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(conv(module, image), expected, rtol=1e-12, atol=1e-12)
    grad_out = torch.randn_like(expected)
    grads = torch.autograd.grad(out, (image, module.weight), grad_out)
    expected_grads = torch.autograd.grad(expected, (image, weight), grad_out)
    for grad, expected_grad in zip(grads, expected_grads, strict=True):
        torch.testing.assert_close(grad, expected_grad, rtol=1e-10, atol=1e-10)
    assert out.is_contiguous(memory_format=torch.channels_last)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("kernel_size", [2, 9, 40])
def test_conv_pads_even_kernels_as_keras_and_torch(kernel_size):
    """'same' padding of an even kernel: one step more on the right, as Keras and as
    torch's own Conv1d."""
    torch.manual_seed(0)
    module = channels_last_weights(nn.Conv1d(3, 4, kernel_size, padding="same").double())
    x = torch.randn(2, 3, 25, dtype=torch.float64)
    out = conv(module, as_image(x)).squeeze(2)
    torch.testing.assert_close(out, module(x))
    keras = F.conv1d(F.pad(x, _keras_same(kernel_size)), module.weight, module.bias)
    torch.testing.assert_close(out, keras)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_h_inceptiontime_of_any_depth(depth):
    """With one module the hand-crafted filters' channels reach the head."""
    net = InceptionTime(2, 3, nf=4, depth=depth, use_custom_filters=True)
    expected = 4 * 4 + 17 * 2 if depth == 1 else 4 * 4
    assert net.inceptionblock.out_channels == net.fc.in_features == expected
    assert net(torch.randn(5, 2, 30)).shape == (5, 3)
    assert net.embed(torch.randn(5, 2, 30)).shape == (5, expected)
