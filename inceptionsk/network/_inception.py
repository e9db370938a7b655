"""InceptionTime's modules with tsai's constructor signatures, module tree and state_dict."""

import torch
from torch import nn

from ._folding import fold_into_convs
from ._hybrid import HybridLayer
from ._layout import as_image, channels_last_weights, conv, from_image, max_pool, normalize
from ._pooled import GlobalPoolingNetwork


def _odd_kernel_sizes(ks):
    """Return the three kernel sizes derived from ``ks``: halved twice, each made odd.

    Odd kernels give symmetric 'same' padding (``ks=40`` gives 39, 19 and 9).
    """
    sizes = [ks // 2**i for i in range(3)]
    return [k if k % 2 else k - 1 for k in sizes]


# tsai's small modules, kept so that the module tree (and so the state_dict) is tsai's.
# The forward passes below compute on channels_last images and call them only where
# they keep that layout.


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

    def fold_batch_norm_(self):
        """Fold the eval-mode batch norm into the convolution (see :func:`fold_batch_norm`)."""
        fold_into_convs([self[0]], self[1])
        self[1] = nn.Identity()


class InceptionModule(nn.Module):
    """One Inception module: three parallel convolutions and a max-pool branch (and, in
    H-InceptionTime's first module, hand-crafted filters).

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
    use_custom_filters : bool, default=False
        Whether to add a fifth branch, a :class:`HybridLayer` (frozen hand-crafted
        filters, per channel, then ReLU) on the module input, concatenated after the
        max-pool branch: the batch norm then has ``4 * nf + 17 * ni`` channels, and so
        does the module's output. H-InceptionTime's first module.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import InceptionModule
    >>> InceptionModule(3, 8)(torch.zeros(2, 3, 50)).shape
    torch.Size([2, 32, 50])
    """

    def __init__(self, ni, nf, ks=40, bottleneck=True, *, use_custom_filters=False):
        super().__init__()
        bottleneck = bottleneck and ni > 1
        # nn.Identity has no parameters, so the state_dict matches tsai's ``noop``.
        self.bottleneck = nn.Conv1d(ni, nf, 1, bias=False) if bottleneck else nn.Identity()
        conv_in = nf if bottleneck else ni
        self.convs = nn.ModuleList(
            nn.Conv1d(conv_in, nf, k, padding=k // 2, bias=False) for k in _odd_kernel_sizes(ks)
        )
        self.maxconvpool = nn.Sequential(
            nn.MaxPool1d(3, stride=1, padding=1), nn.Conv1d(ni, nf, 1, bias=False)
        )
        self.concat = Concat()
        # None registers no submodule: without it, the module tree is tsai's
        self.hybrid = HybridLayer(ni, per_channel=True) if use_custom_filters else None
        n_hybrid = self.hybrid.out_channels if use_custom_filters else 0
        self.bn = nn.BatchNorm1d(nf * 4 + n_hybrid)
        self.act = nn.ReLU()
        channels_last_weights(self)

    def forward(self, x):
        """The module on series ``(N, ni, L)``: ``(N, bn.num_features, L)``."""
        return from_image(self.forward_image(as_image(x)))

    def forward_image(self, image, padding=None, nonnegative=False):
        """The module on images ``(N, ni, 1, L)`` (see :mod:`inceptionsk.network`);
        ``nonnegative``: the image is a ReLU's output, which spares the max-pool a mask."""
        bottled = conv(self.bottleneck, image) if isinstance(self.bottleneck, nn.Conv1d) else image
        pool, pool_conv = self.maxconvpool
        branches = [conv(branch, bottled) for branch in self.convs]
        branches.append(conv(pool_conv, max_pool(pool, image, padding, nonnegative)))
        if self.hybrid is not None:
            branches.append(self.hybrid.forward_image(image))
        return self.act(normalize(self.bn, self.concat(branches), padding))

    def fold_batch_norm_(self):
        """Fold the eval-mode batch norm into the four branches' convolutions (see
        :func:`fold_batch_norm`).

        With hand-crafted filters the batch norm is kept: their branch's ReLU sits between
        the filters and the batch norm, so its slice of the batch norm cannot be folded.
        """
        if self.hybrid is not None:
            return
        fold_into_convs([*self.convs, self.maxconvpool[1]], self.bn)
        self.bn = nn.Identity()


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
    use_custom_filters : bool, default=False
        Whether the first module adds hand-crafted filters (H-InceptionTime), see
        :class:`InceptionModule`; the second module's input grows to match. The
        shortcuts do not change.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import InceptionBlock
    >>> InceptionBlock(1, nf=8, depth=3)(torch.zeros(2, 1, 50)).shape
    torch.Size([2, 32, 50])
    """

    def __init__(
        self, ni, nf=32, residual=True, depth=6, ks=40, bottleneck=True, *,
        use_custom_filters=False,
    ):
        super().__init__()
        self.residual, self.depth = residual, depth
        self.inception, self.shortcut = nn.ModuleList(), nn.ModuleList()
        module_in = ni
        for d in range(depth):
            module = InceptionModule(
                module_in, nf, ks=ks, bottleneck=bottleneck,
                use_custom_filters=use_custom_filters and d == 0,
            )
            self.inception.append(module)
            module_in = module.bn.num_features
            if self.residual and d % 3 == 2:
                n_in, n_out = (ni if d == 2 else nf * 4), nf * 4
                self.shortcut.append(
                    nn.BatchNorm1d(n_in) if n_in == n_out else ConvBlock(n_in, n_out)
                )
        # the hand-crafted filters widen the first module's output, with depth 1 the block's
        self.out_channels = module_in
        self.add = Add()
        self.act = nn.ReLU()
        channels_last_weights(self)

    def forward(self, x):
        """The block on series ``(N, ni, L)``: ``(N, 4 * nf, L)``."""
        return from_image(self.forward_image(as_image(x)))

    def forward_image(self, image, padding=None):
        """The block on images ``(N, ni, 1, L)`` (see :mod:`inceptionsk.network`)."""
        res = image
        for d, module in enumerate(self.inception):
            # every module after the first gets a ReLU's output
            image = module.forward_image(image, padding, nonnegative=d > 0)
            if self.residual and d % 3 == 2:
                shortcut = self.shortcut[d // 3]
                if isinstance(shortcut, ConvBlock):
                    res = normalize(shortcut[1], conv(shortcut[0], res), padding)
                else:
                    res = normalize(shortcut, res, padding)
                res = image = self.act(self.add(image, res))
        return image


class InceptionTime(GlobalPoolingNetwork):
    """The InceptionTime network: an Inception block, global average pooling, a linear head;
    H-InceptionTime with ``use_custom_filters=True``.

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
    use_custom_filters : bool, default=False
        H-InceptionTime [1]_: the first Inception module adds a fifth branch of 17 frozen
        hand-crafted filters (:class:`HybridLayer`) on the input series, each channel
        filtered separately (``17 * c_in`` channels, as LITEMV; aeon filters the channels'
        sum: the authors' code is univariate, and no published result tells the two
        apart). Its batch norm and
        the second module's input grow by ``17 * c_in`` channels (1,122 more parameters
        for one channel, ``nf=32``); nothing else changes. The filters are a buffer
        outside the ``state_dict``. The learnable kernels stay tsai's odd 39, 19 and 9
        (the authors' are 40, 20 and 10); the filters keep their own even lengths.
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

    H-InceptionTime:

    >>> h_net = InceptionTime(1, 2, use_custom_filters=True)
    >>> sum(p.numel() for p in h_net.parameters())
    389732

    References
    ----------
    .. [1] A. Ismail-Fawaz, M. Devanne, J. Weber and G. Forestier. "Deep Learning For Time
       Series Classification Using New Hand-Crafted Convolution Filters". IEEE
       International Conference on Big Data, 2022.
    """

    def __init__(
        self, c_in, c_out, seq_len=None, nf=32, nb_filters=None, ks=40, bottleneck=True, *,
        use_custom_filters=False, **kwargs,
    ):
        super().__init__()
        nf = nf if nb_filters is None else nb_filters
        self.inceptionblock = InceptionBlock(
            c_in, nf, ks=ks, bottleneck=bottleneck, use_custom_filters=use_custom_filters,
            **kwargs,
        )
        # tsai's pooling module; the forward pools the channels_last image itself
        self.gap = GAP1d(1)
        self.fc = nn.Linear(self.inceptionblock.out_channels, c_out)

    def features(self, image, padding=None):
        return self.inceptionblock.forward_image(image, padding)
