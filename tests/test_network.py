"""The network: tsai's doc tests, its module tree and state_dict layout, its options."""

import re
from pathlib import Path

import pytest
import torch
from conftest import assert_same_computation, trained_statistics
from tsai_reference import tsai_forward

from inceptionsk.network import InceptionBlock, InceptionModule, InceptionTime, fold_batch_norm

SEED_TREE = Path(__file__).parent / "data" / "tsai_InceptionTime_3_2.txt"


def _parse_module_tree(text):
    """Module paths, types and parameter/buffer shapes from a printed torch module tree.

    Returns ``{path: type_name}`` and ``{state_dict_key: shape}`` as implied by the
    leaves (Conv1d, BatchNorm1d, Linear) of ``print(module)``.
    """
    types, shapes, stack = {}, {}, []
    for line in text.splitlines():
        match = re.match(r"^( *)\((\w+)\): (\w+)(\(.*)?$", line)
        if not match:
            continue
        indent, name, type_name, args = match.groups()
        depth = len(indent) // 2
        stack[depth - 1:] = [name]
        path = ".".join(stack)
        types[path] = type_name
        args = args or ""
        if type_name == "Conv1d":
            pattern = r"\((\d+), (\d+), kernel_size=\((\d+),\)"
            n_in, n_out, k = map(int, re.match(pattern, args).groups())
            shapes[f"{path}.weight"] = (n_out, n_in, k)
            if "bias=False" not in args:
                shapes[f"{path}.bias"] = (n_out,)
        elif type_name == "BatchNorm1d":
            n = int(re.match(r"\((\d+),", args).group(1))
            for key in ("weight", "bias", "running_mean", "running_var"):
                shapes[f"{path}.{key}"] = (n,)
            shapes[f"{path}.num_batches_tracked"] = ()
        elif type_name == "Linear":
            pattern = r"\(in_features=(\d+), out_features=(\d+)"
            n_in, n_out = map(int, re.match(pattern, args).groups())
            shapes[f"{path}.weight"] = (n_out, n_in)
            shapes[f"{path}.bias"] = (n_out,)
    return types, shapes


def test_seed_doc_tests():
    """The doc tests of tsai's InceptionTime page."""
    bs, n_vars, seq_len, c_out = 16, 1, 12, 2
    xb = torch.rand(bs, n_vars, seq_len)
    assert InceptionTime(n_vars, c_out)(xb).shape == (bs, c_out)
    assert InceptionTime(n_vars, c_out, bottleneck=False)(xb).shape == (bs, c_out)
    assert InceptionTime(n_vars, c_out, residual=False)(xb).shape == (bs, c_out)
    n_params = sum(p.numel() for p in InceptionTime(3, 2).parameters() if p.requires_grad)
    assert n_params == 455490


def test_module_tree_and_state_dict_match_tsai():
    """Same module paths and types as tsai's printed tree, same state_dict keys and shapes,
    so tsai weights load with strict=True."""
    expected_types, expected_shapes = _parse_module_tree(SEED_TREE.read_text())
    net = InceptionTime(3, 2)
    ours = {name: type(module).__name__ for name, module in net.named_modules() if name}
    assert ours == expected_types
    assert {k: tuple(v.shape) for k, v in net.state_dict().items()} == expected_shapes


def test_tsai_state_dict_loads_strictly_and_gives_same_outputs():
    """A state_dict with tsai's keys (here: another instance's) loads strictly, same logits."""
    torch.manual_seed(0)
    source, target = InceptionTime(3, 2).eval(), InceptionTime(3, 2).eval()
    for module in source.modules():  # non-trivial batch-norm statistics
        if isinstance(module, torch.nn.BatchNorm1d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
    target.load_state_dict(source.state_dict(), strict=True)
    x = torch.randn(5, 3, 40)
    torch.testing.assert_close(target(x), source(x), rtol=0, atol=0)


def test_kernel_sizes_are_odd_and_padding_same():
    module = InceptionModule(4, 8, ks=40)
    assert [conv.kernel_size[0] for conv in module.convs] == [39, 19, 9]
    assert [conv.kernel_size[0] for conv in InceptionModule(4, 8, ks=10).convs] == [9, 5, 1]
    assert module(torch.zeros(2, 4, 17)).shape == (2, 32, 17)


def test_single_channel_input_has_no_bottleneck():
    """tsai skips the bottleneck on a one-channel input: no weights for it."""
    net = InceptionTime(1, 3)
    assert "inceptionblock.inception.0.bottleneck.weight" not in net.state_dict()
    assert "inceptionblock.inception.1.bottleneck.weight" in net.state_dict()


def test_nb_filters_sets_the_filter_count():
    assert InceptionTime(2, 3, nb_filters=16).fc.in_features == 64
    assert InceptionTime(2, 3, nf=8).fc.in_features == 32
    assert InceptionTime(2, 3, nf=8, nb_filters=4).fc.in_features == 16


@pytest.mark.parametrize("depth, n_shortcuts", [(3, 1), (6, 2), (7, 2), (2, 0)])
def test_block_depth_and_residual_shortcuts(depth, n_shortcuts):
    block = InceptionBlock(3, nf=4, depth=depth)
    assert len(block.inception) == depth
    assert len(block.shortcut) == n_shortcuts
    assert len(InceptionBlock(3, nf=4, depth=depth, residual=False).shortcut) == 0
    assert block(torch.randn(2, 3, 11)).shape == (2, 16, 11)


def test_residual_changes_the_output():
    torch.manual_seed(0)
    with_res = InceptionTime(2, 2, nf=4, depth=3).eval()
    torch.manual_seed(0)
    without = InceptionTime(2, 2, nf=4, depth=3, residual=False).eval()
    x = torch.randn(3, 2, 20)
    assert not torch.allclose(with_res(x), without(x))


def test_output_is_logits_and_length_agnostic():
    net = InceptionTime(2, 4, nf=4, depth=3).eval()
    out = net(torch.randn(3, 2, 50))
    assert not torch.allclose(out.sum(dim=1), torch.ones(3))  # not probabilities
    assert net(torch.randn(3, 2, 7)).shape == (3, 4)


@pytest.mark.parametrize("c_in, train", [(1, False), (1, True), (4, False), (4, True)])
def test_fast_forward_equals_tsai_forward(c_in, train):
    """Our channels_last 2D computation gives tsai's 1D results and gradients."""
    torch.manual_seed(0)
    ours, reference = InceptionTime(c_in, 3), InceptionTime(c_in, 3)
    reference.load_state_dict(ours.state_dict())
    ours.train(train), reference.train(train)
    assert_same_computation(ours, reference, torch.randn(6, c_in, 57), tsai_forward)


def test_padded_series_get_the_features_they_get_alone():
    """With lengths, zero padding changes neither pooled features nor the logits (eval)."""
    torch.manual_seed(0)
    net = InceptionTime(2, 3, nf=8).eval()
    short, long = torch.randn(1, 2, 30), torch.randn(1, 2, 45)
    padded = torch.cat([torch.nn.functional.pad(short, (0, 15)), long])
    with torch.no_grad():
        together = net(padded, lengths=torch.tensor([30, 45]))
        torch.testing.assert_close(together[0], net(short)[0], rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(together[1], net(long)[0], rtol=1e-4, atol=1e-5)
        unmasked = net(padded)
    assert not torch.allclose(unmasked[0], net(short)[0], atol=1e-3), "padding alone biases"


def test_padding_leaves_batch_norm_statistics_alone():
    """Training statistics of a padded batch are those of the real steps only."""
    torch.manual_seed(0)
    net, reference = InceptionTime(1, 2, nf=4, depth=3), InceptionTime(1, 2, nf=4, depth=3)
    reference.load_state_dict(net.state_dict())
    series = torch.randn(4, 1, 20)
    padded = torch.nn.functional.pad(series, (0, 9))
    net(padded, lengths=torch.full((4,), 20))  # equal lengths: trimmed, unmasked
    reference(series)
    for name, buffer in net.state_dict().items():
        torch.testing.assert_close(buffer, reference.state_dict()[name], msg=name)
    net(torch.cat([padded, padded[:1]]), lengths=torch.tensor([20, 20, 20, 20, 11]))
    first_bn = net.inceptionblock.inception[0].bn
    assert torch.isfinite(first_bn.running_var).all()


@pytest.mark.parametrize("c_in, options", [
    (1, {}), (3, {}), (3, {"residual": False}), (2, {"bottleneck": False, "depth": 4}),
    (5, {"nf": 8, "depth": 7, "ks": 10}),
])
def test_folded_network_gives_the_eval_outputs(c_in, options):
    """Batch norm folded into the convolutions: tsai's eval outputs, equal and unequal lengths."""
    torch.manual_seed(0)
    net = trained_statistics(InceptionTime(c_in, 3, **options), c_in, 40)
    folded = fold_batch_norm(net)
    x = torch.randn(8, c_in, 40)
    lengths = torch.tensor([40, 10, 25, 40, 7, 33, 40, 1])
    with torch.no_grad():
        torch.testing.assert_close(folded(x), tsai_forward(net, x), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(folded(x, lengths), net(x, lengths), rtol=1e-4, atol=1e-5)
    assert not any(t.requires_grad for t in folded.buffers())


def test_folded_network_is_a_copy():
    """Folding copies the weights: training the network afterwards leaves the copy as it was."""
    torch.manual_seed(0)
    net = trained_statistics(InceptionTime(2, 2, nf=4, depth=3), 2, 30)
    x = torch.randn(4, 2, 30)
    folded = fold_batch_norm(net)
    with torch.no_grad():
        before = folded(x).clone()
        for parameter in net.parameters():
            parameter.add_(1.0)
        torch.testing.assert_close(folded(x), before)
        assert not torch.allclose(fold_batch_norm(net)(x), before)


@pytest.mark.parametrize("c_in", [1, 3])
@pytest.mark.parametrize("padded", [False, True])
def test_forward_keeps_the_channels_last_layout(c_in, padded, monkeypatch):
    """Every module's output, forward and backward, is a channels_last image with the
    channel values side by side in memory (stride 1), one-channel input included: an op
    that changes the layout makes oneDNN reorder the activations."""
    torch.manual_seed(0)
    net = InceptionTime(c_in, 2, nf=4, depth=6)
    for weight in (m.weight for m in net.modules() if isinstance(m, torch.nn.Conv1d)):
        assert weight.unsqueeze(2).is_contiguous(memory_format=torch.channels_last)
    channel_strides = []
    forward_image = InceptionModule.forward_image

    def recording_forward_image(module, image, *args, **kwargs):
        channel_strides.append(image.stride(1))
        output = forward_image(module, image, *args, **kwargs)
        output.register_hook(lambda grad: channel_strides.append(grad.stride(1)))
        return output

    monkeypatch.setattr(InceptionModule, "forward_image", recording_forward_image)
    lengths = torch.tensor([30, 17, 30, 5]) if padded else None
    logits = net(torch.randn(4, c_in, 30), lengths)
    torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 0, 1])).backward()
    assert channel_strides == [1] * 12  # 6 module inputs, 6 output gradients
