"""Layout helpers of the InceptionTime family: Keras 'same' padding of even kernels, dilated
depthwise convolutions as columns."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from inceptionsk.network._layout import as_image, channels_last_weights, conv, depthwise_conv


def _keras_same(kernel_size, dilation=1):
    """Keras' 'same' padding ``(left, right)`` for stride 1, written out independently."""
    total = dilation * (kernel_size - 1)
    return total // 2, total - total // 2


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
