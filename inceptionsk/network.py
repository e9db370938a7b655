"""The InceptionTime network in PyTorch, with the module tree and ``state_dict`` of tsai's.

The three public modules keep the constructor signatures, submodules and parameters of
tsai's ``tsai.models.InceptionTime`` (the seed of this package), so that weights trained
with tsai load here with ``load_state_dict(strict=True)`` and give the same outputs. The
network returns logits; the estimators add the loss and the softmax.

What differs is how the forward pass computes, for speed and for unequal lengths:

- A series ``(N, C, L)`` is computed as an image ``(N, C, 1, L)`` in ``channels_last``
  memory format, with the same weights viewed as ``(out, in, 1, k)`` kernels. oneDNN's
  2D convolutions in that layout are 1.5-2x faster on CPU than the 1D ones, and the
  results agree with the 1D computation to float32 rounding
  (``tests/test_network.py`` checks it against tsai's forward).
- An optional ``lengths`` tensor marks where each series ends in a zero-padded batch:
  padded steps are zeroed after every module, left out of batch-norm statistics and of
  the global average pooling, so a padded series gets (nearly) the features it would get
  alone. Without ``lengths`` nothing of this runs.
- For scoring, :class:`FoldedInceptionTime` is an inference-only copy of a trained
  network with every batch norm folded into the convolution before it: the same outputs
  up to float32 rounding, with fewer passes over the activations.

References
----------
.. [1] H. Ismail Fawaz, B. Lucas, G. Forestier, C. Pelletier, D. F. Schmidt, J. Weber,
   G. I. Webb, L. Idoumghar, P.-A. Muller and F. Petitjean. "InceptionTime: Finding
   AlexNet for Time Series Classification". Data Mining and Knowledge Discovery 34,
   2020. arXiv:1909.04939.
.. [2] I. Oguiza. tsai, a state-of-the-art deep learning library for time series.
   https://github.com/timeseriesAI/tsai
"""

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "FoldedInceptionTime", "InceptionModule", "InceptionBlock", "InceptionTime",
    "reference_forward",
]


def _odd_kernel_sizes(ks):
    """Return the three kernel sizes derived from ``ks``: halved twice, each made odd.

    Odd kernels give symmetric 'same' padding (``ks=40`` gives 39, 19 and 9).
    """
    sizes = [ks // 2**i for i in range(3)]
    return [k if k % 2 else k - 1 for k in sizes]


def _same_conv(ni, nf, ks):
    """A bias-free Conv1d with 'same' padding for an odd kernel size."""
    return nn.Conv1d(ni, nf, ks, padding=ks // 2, bias=False)


def _as_image(x):
    """View series ``(N, C, L)`` as ``(N, C, 1, L)`` images in channels_last memory format."""
    return x.unsqueeze(2).contiguous(memory_format=torch.channels_last)


def _conv(conv, x):
    """Apply a ``Conv1d``'s weights to ``(N, C, 1, L)`` as a 2D convolution."""
    return F.conv2d(x, conv.weight.unsqueeze(2), conv.bias, padding=(0, conv.padding[0]))


def _batch_norm(bn, x, mask=None):
    """``BatchNorm1d``'s computation on ``(N, C, 1, L)``, by the module's own buffers.

    With a ``mask`` (1 on real time steps, 0 on padding) training statistics, and the
    running averages updated from them, cover the real steps only.
    """
    if bn.training and bn.track_running_stats:
        bn.num_batches_tracked.add_(1)
        momentum = bn.momentum if bn.momentum is not None else 1.0 / float(bn.num_batches_tracked)
    else:
        momentum = 0.0
    if mask is None or not bn.training:
        return F.batch_norm(
            x, bn.running_mean, bn.running_var, bn.weight, bn.bias, bn.training, momentum, bn.eps
        )
    n_valid = mask.sum()
    mean = (x * mask).sum(dim=(0, 2, 3)) / n_valid
    centred = x - mean.view(1, -1, 1, 1)
    var = (centred.square() * mask).sum(dim=(0, 2, 3)) / n_valid
    if bn.track_running_stats:
        with torch.no_grad():
            unbiased = var * n_valid / (n_valid - 1).clamp(min=1)
            bn.running_mean.lerp_(mean, momentum)
            bn.running_var.lerp_(unbiased, momentum)
    scale = bn.weight * torch.rsqrt(var + bn.eps)
    return centred * scale.view(1, -1, 1, 1) + bn.bias.view(1, -1, 1, 1)


def _max_pool(pool, x, mask=None):
    """``MaxPool1d`` on ``(N, C, 1, L)``; padded steps count as -inf, then become 0."""
    if mask is not None:  # like the -inf padding max-pool uses at a series' true end
        x = x.masked_fill(mask == 0, float("-inf"))
    # max_pool1d on the (N, C, L) view: 2-6x faster than max_pool2d on channels_last
    pooled = F.max_pool1d(x.squeeze(2), pool.kernel_size, 1, pool.padding).unsqueeze(2)
    return pooled if mask is None else pooled.masked_fill(mask == 0, 0.0)


def _image_kernel(weight):
    """A copy of a Conv1d weight ``(out, in, k)`` as a channels_last kernel ``(out, in, 1, k)``."""
    return weight.detach().unsqueeze(2).clone(memory_format=torch.channels_last)


def _batch_norm_affine(bn):
    """``(scale, shift)`` of an eval-mode batch norm: it computes ``x * scale + shift``."""
    scale = bn.weight * torch.rsqrt(bn.running_var + bn.eps)
    return scale, bn.bias - bn.running_mean * scale


def _padding_mask(lengths, n_timepoints, dtype):
    """``(N, 1, 1, L)`` mask of real time steps, or None when no series is padded."""
    if bool((lengths >= n_timepoints).all()):
        return None
    steps = torch.arange(n_timepoints, device=lengths.device)
    return (steps < lengths[:, None]).to(dtype).view(len(lengths), 1, 1, n_timepoints)


class Concat(nn.Module):
    """Concatenate a list of tensors along ``dim`` (tsai's ``Concat``)."""

    def __init__(self, dim=1):
        super().__init__()
        self.dim = dim

    def forward(self, tensors):
        return torch.cat(tensors, dim=self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class Add(nn.Module):
    """Add two tensors (tsai's ``Add``); a module so that it shows in the tree."""

    def forward(self, x, y):
        return x.add(y)

    def __repr__(self):
        return self.__class__.__name__


class Flatten(nn.Module):
    """Flatten all but the batch dimension (tsai's ``Flatten(full=False)``)."""

    def __init__(self, full=False):
        super().__init__()
        self.full = full

    def forward(self, x):
        return x.reshape(-1) if self.full else x.reshape(x.shape[0], -1)

    def __repr__(self):
        return f"{self.__class__.__name__}(full={self.full})"


class GAP1d(nn.Module):
    """Global average pooling over time, flattened to ``(n_cases, n_features)``."""

    def __init__(self, output_size=1):
        super().__init__()
        self.gap = nn.AdaptiveAvgPool1d(output_size)
        self.flatten = Flatten()

    def forward(self, x):
        return self.flatten(self.gap(x))


class ConvBlock(nn.Sequential):
    """A 1x1 convolution followed by batch norm: the shortcut when channels change."""

    def __init__(self, ni, nf):
        super().__init__(nn.Conv1d(ni, nf, 1, bias=False), nn.BatchNorm1d(nf))


class InceptionModule(nn.Module):
    """One Inception module: three parallel convolutions and a max-pool branch.

    Parameters
    ----------
    ni : int
        Number of input channels.
    nf : int
        Number of filters of each of the four branches; the module outputs ``4 * nf``
        channels.
    ks : int, default=40
        Longest kernel size. The three convolutions use ``ks``, ``ks // 2`` and
        ``ks // 4``, each made odd (40 gives 39, 19 and 9).
    bottleneck : bool, default=True
        Whether to reduce the input to ``nf`` channels with a 1x1 convolution before
        the three convolutions. Never used on a single-channel input.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import InceptionModule
    >>> InceptionModule(3, 8)(torch.zeros(2, 3, 50)).shape
    torch.Size([2, 32, 50])
    """

    def __init__(self, ni, nf, ks=40, bottleneck=True):
        super().__init__()
        bottleneck = bottleneck and ni > 1
        # nn.Identity has no parameters, so the state_dict matches tsai's ``noop``.
        self.bottleneck = nn.Conv1d(ni, nf, 1, bias=False) if bottleneck else nn.Identity()
        conv_in = nf if bottleneck else ni
        self.convs = nn.ModuleList(_same_conv(conv_in, nf, k) for k in _odd_kernel_sizes(ks))
        self.maxconvpool = nn.Sequential(
            nn.MaxPool1d(3, stride=1, padding=1), nn.Conv1d(ni, nf, 1, bias=False)
        )
        self.concat = Concat()
        self.bn = nn.BatchNorm1d(nf * 4)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.forward_image(_as_image(x)).squeeze(2)

    def forward_image(self, x, mask=None):
        """The module on ``(N, C, 1, L)`` images; ``mask`` zeroes padded steps."""
        bottled = _conv(self.bottleneck, x) if isinstance(self.bottleneck, nn.Conv1d) else x
        pool, pool_conv = self.maxconvpool
        pooled = _max_pool(pool, x, mask)
        branches = [_conv(conv, bottled) for conv in self.convs] + [_conv(pool_conv, pooled)]
        out = self.act(_batch_norm(self.bn, self.concat(branches), mask))
        return out if mask is None else out * mask


class InceptionBlock(nn.Module):
    """A stack of ``depth`` Inception modules with a residual shortcut every third one.

    Parameters
    ----------
    ni : int
        Number of input channels.
    nf : int, default=32
        Filters per branch of each module (each module outputs ``4 * nf`` channels).
    residual : bool, default=True
        Whether to add a shortcut from the input of every group of three modules to
        its output (batch norm alone when channel counts match, else 1x1 conv + batch
        norm).
    depth : int, default=6
        Number of Inception modules.
    ks : int, default=40
        Longest kernel size, see :class:`InceptionModule`.
    bottleneck : bool, default=True
        Whether the modules use a bottleneck, see :class:`InceptionModule`.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import InceptionBlock
    >>> InceptionBlock(1, nf=8, depth=3)(torch.zeros(2, 1, 50)).shape
    torch.Size([2, 32, 50])
    """

    def __init__(self, ni, nf=32, residual=True, depth=6, ks=40, bottleneck=True):
        super().__init__()
        self.residual, self.depth = residual, depth
        self.inception, self.shortcut = nn.ModuleList(), nn.ModuleList()
        for d in range(depth):
            self.inception.append(
                InceptionModule(ni if d == 0 else nf * 4, nf, ks=ks, bottleneck=bottleneck)
            )
            if self.residual and d % 3 == 2:
                n_in, n_out = (ni if d == 2 else nf * 4), nf * 4
                self.shortcut.append(
                    nn.BatchNorm1d(n_in) if n_in == n_out else ConvBlock(n_in, n_out)
                )
        self.add = Add()
        self.act = nn.ReLU()

    def forward(self, x):
        return self.forward_image(_as_image(x)).squeeze(2)

    def forward_image(self, x, mask=None):
        """The block on ``(N, C, 1, L)`` images; ``mask`` zeroes padded steps."""
        res = x
        for d, module in enumerate(self.inception):
            x = module.forward_image(x, mask)
            if self.residual and d % 3 == 2:
                shortcut = self.shortcut[d // 3]
                if isinstance(shortcut, ConvBlock):
                    res = _batch_norm(shortcut[1], _conv(shortcut[0], res), mask)
                else:
                    res = _batch_norm(shortcut, res, mask)
                res = x = self.act(self.add(x, res))
                if mask is not None:
                    res = x = x * mask
        return x


class InceptionTime(nn.Module):
    """The InceptionTime network: an Inception block, global average pooling, a linear head.

    Parameters
    ----------
    c_in : int
        Number of input channels.
    c_out : int
        Number of outputs (classes for classification); the network returns logits.
    seq_len : int, default=None
        Unused: the network works on any series length. Kept for tsai's signature.
    nf : int, default=32
        Filters per branch of each Inception module.
    nb_filters : int, default=None
        Alias of ``nf`` (the name used by the official Keras code). When given, it
        sets the filter count and ``nf`` is ignored.
    ks : int, default=40
        Longest kernel size, see :class:`InceptionModule`.
    bottleneck : bool, default=True
        Whether the modules use a 1x1 bottleneck, see :class:`InceptionModule`.
    **kwargs
        Passed to :class:`InceptionBlock`: ``residual`` and ``depth``.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import InceptionTime
    >>> net = InceptionTime(3, 2)
    >>> sum(p.numel() for p in net.parameters())
    455490
    >>> net(torch.zeros(4, 3, 12)).shape
    torch.Size([4, 2])

    Series of unequal lengths, zero-padded at the end, with their lengths:

    >>> x = torch.zeros(2, 3, 12)
    >>> net(x, lengths=torch.tensor([12, 7])).shape
    torch.Size([2, 2])
    """

    def __init__(
        self, c_in, c_out, seq_len=None, nf=32, nb_filters=None, ks=40, bottleneck=True,
        **kwargs,
    ):
        super().__init__()
        nf = nf if nb_filters is None else nb_filters
        self.inceptionblock = InceptionBlock(c_in, nf, ks=ks, bottleneck=bottleneck, **kwargs)
        self.gap = GAP1d(1)
        self.fc = nn.Linear(nf * 4, c_out)

    def forward(self, x, lengths=None):
        """Logits of a batch of series.

        Parameters
        ----------
        x : Tensor of shape (n_cases, c_in, n_timepoints)
            The series; with ``lengths``, zero-padded at the end.
        lengths : Tensor of shape (n_cases,), default=None
            The real length of each series. Padded steps then count neither in
            batch-norm statistics nor in the average pooling.

        Returns
        -------
        logits : Tensor of shape (n_cases, c_out)
        """
        x, mask, lengths = _trim_and_mask(x, lengths)
        features = self.inceptionblock.forward_image(_as_image(x), mask).squeeze(2)
        if mask is None:
            pooled = self.gap(features)
        else:
            pooled = features.sum(dim=-1) / lengths[:, None].to(features.dtype)
        return self.fc(pooled)


def _trim_and_mask(x, lengths):
    """``(x, mask, lengths)``: x cut to its longest series and the mask of real steps."""
    if lengths is None:
        return x, None, None
    lengths = lengths.to(device=x.device)
    x = x[..., : int(lengths.max())]  # the batch needs no more than its longest series
    return x, _padding_mask(lengths, x.shape[-1], x.dtype), lengths


class _FoldedInceptionModule(nn.Module):
    """An eval-mode :class:`InceptionModule` with its batch norm folded into its branches."""

    def __init__(self, module):
        super().__init__()
        scale, shift = _batch_norm_affine(module.bn)
        n_filters = module.bn.num_features // 4
        bottleneck = module.bottleneck
        self.register_buffer(
            "bottleneck",
            _image_kernel(bottleneck.weight) if isinstance(bottleneck, nn.Conv1d) else None,
        )
        self.pool = module.maxconvpool[0]
        # the concatenated branches are normalised channel by channel, so each branch's
        # slice of the batch norm scales its kernels and becomes its bias
        self.paddings = [conv.padding[0] for conv in module.convs] + [0]
        for i, conv in enumerate([*module.convs, module.maxconvpool[1]]):
            part = slice(i * n_filters, (i + 1) * n_filters)
            self.register_buffer(f"weight{i}", _image_kernel(conv.weight * scale[part, None, None]))
            self.register_buffer(f"bias{i}", shift[part].clone())

    def forward(self, x, mask=None):
        bottled = x if self.bottleneck is None else F.conv2d(x, self.bottleneck)
        inputs = [bottled, bottled, bottled, _max_pool(self.pool, x, mask)]
        branches = [
            F.conv2d(branch_input, getattr(self, f"weight{i}"), getattr(self, f"bias{i}"),
                     padding=(0, padding))
            for i, (branch_input, padding) in enumerate(zip(inputs, self.paddings, strict=True))
        ]
        out = torch.cat(branches, dim=1).relu_()
        return out if mask is None else out * mask


class _FoldedShortcut(nn.Module):
    """An eval-mode residual shortcut: a 1x1 convolution with batch norm folded in, or
    the batch norm alone as a per-channel scale and shift."""

    def __init__(self, shortcut):
        super().__init__()
        if isinstance(shortcut, ConvBlock):
            scale, shift = _batch_norm_affine(shortcut[1])
            self.register_buffer("weight", _image_kernel(shortcut[0].weight * scale[:, None, None]))
        else:
            scale, shift = _batch_norm_affine(shortcut)
            self.register_buffer("weight", None)
            self.register_buffer("scale", scale.view(1, -1, 1, 1).clone())
        self.register_buffer("shift", shift.clone())

    def forward(self, x):
        if self.weight is not None:
            return F.conv2d(x, self.weight, self.shift)
        return torch.addcmul(self.shift.view(1, -1, 1, 1), x, self.scale)


class FoldedInceptionTime(nn.Module):
    """An inference-only copy of a trained :class:`InceptionTime`, batch norm folded in.

    In eval mode a batch norm is a fixed per-channel affine map, so it is folded into
    the convolution before it (kernels scaled, a bias added); the ReLU runs in place.
    This saves two passes over the activations of every module: scoring is about 1.8x
    faster on CPU than the plain 1D forward (``benchmarks/speed.py``), with the same
    outputs up to float32 rounding. The copy holds tensors computed from the network's
    weights at construction: build a new one after the network trains again.

    Parameters
    ----------
    net : InceptionTime
        The trained network; its batch norms' running statistics are used, whatever
        its train/eval mode.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import FoldedInceptionTime, InceptionTime
    >>> net = InceptionTime(3, 2).eval()
    >>> x = torch.randn(4, 3, 50)
    >>> with torch.no_grad():
    ...     torch.allclose(FoldedInceptionTime(net)(x), net(x), atol=1e-5)
    True
    """

    def __init__(self, net):
        super().__init__()
        block = net.inceptionblock
        self.residual = block.residual
        with torch.no_grad():
            self.inception = nn.ModuleList(_FoldedInceptionModule(m) for m in block.inception)
            self.shortcut = nn.ModuleList(_FoldedShortcut(s) for s in block.shortcut)
            self.register_buffer("fc_weight", net.fc.weight.detach().clone())
            self.register_buffer("fc_bias", net.fc.bias.detach().clone())
        self.requires_grad_(False)
        self.eval()

    def forward(self, x, lengths=None):
        """Logits of a batch of series, as :meth:`InceptionTime.forward` in eval mode."""
        x, mask, lengths = _trim_and_mask(x, lengths)
        x = res = _as_image(x)
        for d, module in enumerate(self.inception):
            x = module(x, mask)
            if self.residual and d % 3 == 2:
                x = x.add_(self.shortcut[d // 3](res)).relu_()
                if mask is not None:
                    x = x * mask
                res = x
        if mask is None:
            pooled = x.mean(dim=(2, 3))
        else:
            pooled = x.sum(dim=(2, 3)) / lengths[:, None].to(x.dtype)
        return F.linear(pooled, self.fc_weight, self.fc_bias)


def reference_forward(net, x):
    """tsai's forward pass of an :class:`InceptionTime`, with its 1D submodules as tsai calls them.

    The plain eager computation that the fast default forward is tested and benchmarked
    against; the same weights, buffers and results up to float32 rounding. Equal-length
    input only.

    Parameters
    ----------
    net : InceptionTime
    x : Tensor of shape (n_cases, c_in, n_timepoints)

    Returns
    -------
    logits : Tensor of shape (n_cases, c_out)

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import InceptionTime, reference_forward
    >>> net = InceptionTime(2, 3).eval()
    >>> x = torch.randn(4, 2, 30)
    >>> torch.allclose(reference_forward(net, x), net(x), atol=1e-5)
    True
    """

    def module_forward(module, x):
        bottled = module.bottleneck(x)
        branches = [conv(bottled) for conv in module.convs] + [module.maxconvpool(x)]
        return module.act(module.bn(module.concat(branches)))

    block, res = net.inceptionblock, x
    for d, module in enumerate(block.inception):
        x = module_forward(module, x)
        if block.residual and d % 3 == 2:
            res = x = block.act(block.add(x, block.shortcut[d // 3](res)))
    return net.fc(net.gap(x))
