"""The computation layout of the networks: series as channels_last images, padding as rows.

A batch of series ``(N, C, L)`` is computed as an image ``(N, C, 1, L)`` whose memory
holds, for each case and time step, the ``C`` channel values side by side (channels_last).
oneDNN's convolutions, batch norm and max-pooling are fastest on the CPU in that layout
(``benchmarks/RESULTS.md`` compares it with the 1D network). Every operation of a
network keeps the layout, because one that does not makes oneDNN reorder the activations
forward and backward, and the reorders eat the gain:

- images are made with *canonical* channels_last strides (:func:`as_image`): with one
  channel, ``.contiguous(memory_format=torch.channels_last)`` leaves the default strides,
  which torch cannot tell from the default layout, and the whole network then runs in it;
- convolution weights keep their ``Conv1d`` shape ``(out, in, k)`` (the ``state_dict``
  is tsai's) but are laid out in memory as ``(out, k, in)`` (:func:`channels_last_weights`),
  so that ``weight.unsqueeze(2)`` is a channels_last kernel without a copy, forward and
  backward;
- batch norm runs on the ``(N * L, C)`` rows of the image, a view of its memory, through
  the ``BatchNorm1d`` module itself (:func:`normalize`);
- an even kernel's 'same' padding (one step more on the right, as Keras and torch pad) is
  an explicit ``F.pad``, whose output keeps the canonical layout (:func:`conv`);
- depthwise convolutions, slow in oneDNN along the image's width, are computed down the
  columns of a free view of the padded image (:func:`depthwise_conv`).

Series of unequal length come zero-padded to a common length with their real lengths
(:class:`Padding`): batch norm then sees only the rows of real time steps, padded steps
are zero after every normalisation, and max-pooling treats them as ``-inf``, as it does
the steps beyond a series' end.
"""

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "Padding", "as_image", "channels_last_weights", "conv", "depthwise_conv", "from_image",
    "max_pool", "normalize", "padding_of", "time_padding",
]


def as_image(x):
    """Series ``(N, C, L)`` as images ``(N, C, 1, L)`` with canonical channels_last strides."""
    n, c, length = x.shape
    image = torch.empty_strided(
        (n, c, 1, length), (c * length, 1, c * length, c), dtype=x.dtype, device=x.device
    )
    return image.copy_(x.unsqueeze(2))


def from_image(image):
    """Images ``(N, C, 1, L)`` back as series ``(N, C, L)`` (a view)."""
    return image.squeeze(2)


def channels_last_weights(module):
    """Lay out every ``Conv1d`` weight of ``module`` in memory as ``(out, k, in)``, in place.

    The weights keep their values, shape and ``state_dict`` entry; ``weight.unsqueeze(2)``
    is then a channels_last kernel. ``load_state_dict``, ``.to(device)``, ``deepcopy`` and
    the optimizer's state preserve the layout. Returns ``module``.
    """
    for conv_module in module.modules():
        if isinstance(conv_module, nn.Conv1d):
            weight = conv_module.weight
            n_out, n_in, k = weight.shape
            laid_out = torch.empty_strided(
                weight.shape, (k * n_in, 1, n_in), dtype=weight.dtype, device=weight.device
            )
            with torch.no_grad():
                laid_out.copy_(weight)
            conv_module.weight = nn.Parameter(laid_out, requires_grad=weight.requires_grad)
    return module


def time_padding(conv_module):
    """The ``(left, right)`` zero padding along time of a stride-1 ``Conv1d``.

    ``padding="same"`` pads ``dilation * (kernel_size - 1)`` steps in all, the odd one out
    on the right (as torch's ``Conv1d`` and Keras' ``padding="same"`` both do); an integer
    padding pads both sides alike.
    """
    if conv_module.padding == "same":
        total = conv_module.dilation[0] * (conv_module.kernel_size[0] - 1)
        return total // 2, total - total // 2
    return conv_module.padding[0], conv_module.padding[0]


def conv(conv_module, image, padding=None):
    """Apply a ``Conv1d`` (weights, bias, padding, dilation, groups) to an image;
    ``padding``, ``(left, right)``, replaces the module's own (:func:`time_padding`)."""
    left, right = time_padding(conv_module) if padding is None else padding
    if left != right:  # F.pad keeps the canonical layout; F.conv2d pads both sides alike
        image, left = F.pad(image, (left, right)), 0
    return F.conv2d(
        image, conv_module.weight.unsqueeze(2), conv_module.bias,
        padding=(0, left), dilation=(1, conv_module.dilation[0]), groups=conv_module.groups,
    )


def depthwise_conv(conv_module, image, padding=None):
    """Apply a ``Conv1d`` to an image; a dilated depthwise one down the columns of a free
    view.

    oneDNN's CPU depthwise convolution is slow along an image's width when dilated; down
    the columns, LITE's dilated layers run several times faster, forward and backward
    (``benchmarks/RESULTS.md`` has the figures).

    The zero-padded series ``(N, C, 1, Lp)``, in canonical channels_last memory, *is* the
    image ``(N, C, Lp / d, d)`` whose column ``r`` holds the steps ``r, r + d, r + 2d, ...``:
    a ``1 x k`` kernel dilated by ``d`` along the first image is the same ``k x 1`` kernel,
    undilated, down the columns of the second. The series is padded on the right to a
    whole number of rows and the extra outputs are cut off by a negative ``F.pad`` (whose
    backward keeps the layout, unlike a slice's). Same outputs as ``F.conv2d`` with
    dilation; gradients equal up to float rounding.

    For any other convolution, this is :func:`conv`: undilated (where running down the
    columns was not always faster), not depthwise (``groups`` smaller than the input
    channels: not measured, and float64 gradients fail in torch's reference kernel), or
    on another device than the CPU (not measured).

    ``padding``, ``(left, right)``, replaces the module's own (:func:`time_padding`).
    """
    depthwise = conv_module.groups == conv_module.in_channels > 1
    if depthwise and image.device.type == "cpu" and torch.is_autocast_enabled("cpu"):
        # oneDNN's bfloat16 depthwise convolution on a channels_last image stalls for
        # long kernels (torch 2.13: LITEMV's first layer, 6 channels and a kernel of 40,
        # did not finish one batch in minutes); depthwise layers are a small share of
        # the work, so they compute in float32
        with torch.autocast("cpu", enabled=False):
            return depthwise_conv(conv_module, image.float(), padding)
    if not depthwise or conv_module.dilation[0] == 1 or image.device.type != "cpu":
        return conv(conv_module, image, padding)
    n, _, _, length = image.shape
    dilation, kernel_size = conv_module.dilation[0], conv_module.kernel_size[0]
    left, right = time_padding(conv_module) if padding is None else padding
    n_out = length + left + right - dilation * (kernel_size - 1)
    right += -(length + left + right) % dilation  # a whole number of rows of d steps
    if left or right:
        image = F.pad(image, (left, right))
    # a view of the canonical channels_last image (reshape copies any other layout)
    columns = image.reshape(n, image.shape[1], -1, dilation)
    out = F.conv2d(
        columns, conv_module.weight.unsqueeze(3), conv_module.bias, groups=conv_module.groups
    )
    out = out.reshape(n, out.shape[1], 1, -1)
    return out if out.shape[-1] == n_out else F.pad(out, (0, n_out - out.shape[-1]))


class Padding(NamedTuple):
    """Where the real time steps of a zero-padded batch are.

    Attributes
    ----------
    lengths : Tensor of shape (N,)
        The real length of each series.
    steps : Tensor of shape (N, 1, 1, L), bool
        True on real time steps.
    rows : Tensor of shape (n_real_steps,)
        The indices of the real steps among the ``N * L`` rows of an image.
    """

    lengths: torch.Tensor
    steps: torch.Tensor
    rows: torch.Tensor


def padding_of(lengths, n_timepoints):
    """The :class:`Padding` of a batch, or None when every series fills all steps."""
    if lengths is None or bool((lengths >= n_timepoints).all()):
        return None
    steps = torch.arange(n_timepoints, device=lengths.device) < lengths[:, None]
    return Padding(
        lengths=lengths,
        steps=steps.view(len(lengths), 1, 1, n_timepoints),
        rows=steps.reshape(-1).nonzero().squeeze(1),
    )


class _SelectRows(torch.autograd.Function):
    """``rows.index_select(0, index)`` for distinct indices.

    Its backward copies the gradient back to the selected rows (``index_copy_``) where
    torch's accumulates it (``index_add_``, for indices that may repeat), which is
    slower on the CPU.
    """

    @staticmethod
    def forward(ctx, rows, index):
        ctx.save_for_backward(index)
        ctx.n_rows = rows.shape[0]
        return rows.index_select(0, index)

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        return grad.new_zeros((ctx.n_rows, grad.shape[1])).index_copy_(0, index, grad), None


def normalize(norm, image, padding=None):
    """Apply ``norm`` (a ``BatchNorm1d``, or ``nn.Identity`` once folded) to an image.

    The image's rows ``(N * L, C)`` are a view of its channels_last memory, which the
    ``BatchNorm1d`` module normalises with its own training or eval behaviour (running
    statistics, momentum). With ``padding``, only the rows of real steps are normalised
    (and count in the statistics); the padded steps of the result are zero.
    """
    n, c, _, length = image.shape
    rows = image.permute(0, 2, 3, 1).reshape(n * length, c)
    if padding is None:
        out = norm(rows)
    else:
        real = norm(_SelectRows.apply(rows, padding.rows))
        out = rows.new_zeros(rows.shape).index_copy_(0, padding.rows, real)
    return out.view(n, 1, length, c).permute(0, 3, 1, 2)


def max_pool(pool, image, padding=None, nonnegative=False):
    """Apply tsai's ``MaxPool1d(3, stride=1, padding=1)`` along time.

    The pool treats the steps beyond a series' end as -inf. In a padded batch the padded
    steps hold zeros, which act as -inf where the image holds no negative values
    (``nonnegative``: the output of a ReLU); otherwise they are set to -inf first. The
    results at padded steps are left as they come: the networks normalise real steps only.
    """
    if (pool.kernel_size, pool.stride, pool.padding) != (3, 1, 1):
        raise ValueError(f"max_pool computes MaxPool1d(3, stride=1, padding=1), not {pool}")
    if padding is not None and not nonnegative:
        # in place on a copy: an out-of-place masked_fill gives a one-channel image the
        # default strides, and the layout would be lost
        image = image.clone().masked_fill_(~padding.steps, float("-inf"))
    pooled = F.max_pool2d(image, (1, 3), 1, (0, 1))
    if padding is not None and not nonnegative:
        pooled.masked_fill_(~padding.steps, 0.0)  # -inf windows: NaN gradients otherwise
    return pooled
