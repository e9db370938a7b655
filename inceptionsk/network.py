"""The InceptionTime network in PyTorch, with the module tree and ``state_dict`` of tsai's.

The three public modules keep the constructor signatures of tsai's
``tsai.models.InceptionTime`` (the seed of this package) so that weights trained with
tsai load here with ``load_state_dict(strict=True)`` and give the same outputs. The
network returns logits; the estimators add the loss and the softmax.

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
from torch import nn

__all__ = ["InceptionModule", "InceptionBlock", "InceptionTime"]


def _odd_kernel_sizes(ks):
    """Return the three kernel sizes derived from ``ks``: halved twice, each made odd.

    Odd kernels give symmetric 'same' padding (``ks=40`` gives 39, 19 and 9).
    """
    sizes = [ks // 2**i for i in range(3)]
    return [k if k % 2 else k - 1 for k in sizes]


def _same_conv(ni, nf, ks):
    """A bias-free Conv1d with 'same' padding for an odd kernel size."""
    return nn.Conv1d(ni, nf, ks, padding=ks // 2, bias=False)


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
        bottled = self.bottleneck(x)
        branches = [conv(bottled) for conv in self.convs] + [self.maxconvpool(x)]
        return self.act(self.bn(self.concat(branches)))


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
        res = x
        for d, module in enumerate(self.inception):
            x = module(x)
            if self.residual and d % 3 == 2:
                res = x = self.act(self.add(x, self.shortcut[d // 3](res)))
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

    def forward(self, x):
        return self.fc(self.gap(self.inceptionblock(x)))
