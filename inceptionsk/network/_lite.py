"""LITE and LITEMV: a light InceptionTime of depthwise-separable convolutions."""

import torch
from torch import nn

from ._folding import fold_into_convs
from ._hybrid import HybridLayer
from ._layout import as_image, channels_last_weights, conv, depthwise_conv, from_image, normalize
from ._pooled import GlobalPoolingNetwork


class SeparableConv1d(nn.Module):
    """A depthwise-separable convolution without bias (Keras' ``SeparableConv1D``).

    A depthwise convolution (one ``ks``-tap filter per input channel, dilated, 'same'
    padding: an even kernel gets its odd step of padding on the right, as in Keras)
    followed by a pointwise 1x1 convolution to ``nf`` channels.

    'same' padding of a dilated even kernel: by default the undilated kernel's padding
    stretched by the dilation (``dilation * ((ks - 1) // 2)`` steps on the left), so that
    one tap falls on the step itself, as it does without dilation. Keras pads
    ``dilation * (ks - 1) // 2`` steps on the left (``keras_dilation=True``), which
    puts the taps half a dilation either side of each step and never on it: with
    ``ks=10, dilation=4`` the nearest are 2 steps away, so on a series of 2 steps the
    layer sees only padding (see :class:`LITE`).

    Parameters
    ----------
    ni : int
        Number of input channels.
    nf : int
        Number of output channels.
    ks : int
        Kernel size of the depthwise convolution.
    dilation : int, default=1
        Dilation of the depthwise convolution.
    keras_dilation : bool, default=False
        Pad a dilated even kernel as Keras does (see above).

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network._lite import SeparableConv1d
    >>> SeparableConv1d(4, 8, 10, dilation=2)(torch.zeros(2, 4, 30)).shape
    torch.Size([2, 8, 30])
    """

    def __init__(self, ni, nf, ks, dilation=1, *, keras_dilation=False):
        super().__init__()
        self.depthwise = nn.Conv1d(
            ni, ni, ks, padding="same", dilation=dilation, groups=ni, bias=False
        )
        self.pointwise = nn.Conv1d(ni, nf, 1, bias=False)
        left = dilation * ((ks - 1) // 2)
        #: ``(left, right)`` zero padding along time; None: the module's, Keras' 'same'
        self.time_padding = None if keras_dilation else (left, dilation * (ks - 1) - left)
        channels_last_weights(self)

    def forward(self, x):
        """The convolution on series ``(N, ni, L)``: ``(N, nf, L)``."""
        return from_image(self.forward_image(as_image(x)))

    def forward_image(self, image):
        """The convolution on images ``(N, ni, 1, L)`` (see :mod:`inceptionsk.network`)."""
        return conv(self.pointwise, depthwise_conv(self.depthwise, image, self.time_padding))


class SeparableConvBlock(nn.Module):
    """A ``SeparableConv1d``, batch norm and ReLU: one of LITE's two last layers.

    Parameters as ``SeparableConv1d``.
    """

    def __init__(self, ni, nf, ks, dilation=1, *, keras_dilation=False):
        super().__init__()
        self.conv = SeparableConv1d(ni, nf, ks, dilation, keras_dilation=keras_dilation)
        self.bn = nn.BatchNorm1d(nf)
        self.act = nn.ReLU()

    def forward_image(self, image, padding=None):
        """The block on images ``(N, ni, 1, L)``; zero on padded steps."""
        return self.act(normalize(self.bn, self.conv.forward_image(image), padding))

    def fold_batch_norm_(self):
        """Fold the eval-mode batch norm into the pointwise convolution (see
        :func:`fold_batch_norm`)."""
        fold_into_convs([self.conv.pointwise], self.bn)
        self.bn = nn.Identity()


class LITE(GlobalPoolingNetwork):
    """LITE (Light Inception with boosTing tEchniques), or LITEMV with ``use_litemv=True``.

    A network of 9,814 trainable parameters without its linear head (one input channel,
    the defaults) [1]_ [2]_: 2.5% of this package's :class:`InceptionTime` (the paper's
    2.34% is of the authors' Keras InceptionTime):

    1. multiplexing: three convolutions of ``nf`` filters each on the input series, kernel
       sizes ``ks``, ``ks // 2`` and ``ks // 4`` (40, 20, 10); for LITEMV, depthwise-
       separable convolutions [2]_;
    2. hand-crafted filters on the input series (:class:`HybridLayer`, frozen): 17 filters
       on the sum of the channels, or for LITEMV on each channel (``17 * c_in``);
    3. the two concatenated, batch norm, ReLU;
    4. a depthwise-separable convolution to ``nf`` channels, kernel ``ks // 2``, dilation
       2, batch norm, ReLU;
    5. the same with kernel ``ks // 4``, dilation 4;
    6. global average pooling over time and a linear layer ``fc``: logits.

    All convolutions have stride 1, no bias, and 'same' padding: even kernels pad one
    step more on the right, as the authors' Keras code. The two dilated layers pad their
    even kernels so that a tap falls on each step (``SeparableConv1d``), where the
    authors' Keras code, whose taps fall half a dilation either side of each step, sees
    nothing but padding in its last layer (kernel 10, dilation 4: taps 2, 6, ... steps
    away) on series of 1 or 2 steps, and so predicts the same for every series there.
    ``keras_dilation=True`` is the Keras alignment (models saved by inceptionsk 0.1).

    Parameters
    ----------
    c_in : int
        Number of input channels.
    c_out : int
        Number of outputs (classes for classification); the network returns logits.
    seq_len : int, default=None
        Unused: the network works on any series length. Kept for the signature of
        :class:`InceptionTime`.
    nf : int, default=32
        Filters of each multiplexing convolution and of the last two layers.
    ks : int, default=40
        Longest kernel size; at least 4, so that ``ks // 4`` is a kernel.
    use_litemv : bool, default=False
        LITEMV, for multivariate series: the multiplexing convolutions are
        depthwise-separable and the hand-crafted filters apply to each channel.
    keras_dilation : bool, default=False
        Pad the dilated layers as the authors' Keras code (see above).

    Attributes
    ----------
    convs : nn.ModuleList
        The three multiplexing convolutions (``nn.Conv1d``, or ``SeparableConv1d``
        for LITEMV).
    hybrid : HybridLayer
        The hand-crafted filters.
    bn : nn.BatchNorm1d
        The batch norm of their concatenation, ``3 * nf + hybrid.out_channels`` wide.
    fcn : nn.ModuleList of SeparableConvBlock
        The two dilated layers.
    fc : nn.Linear
        The head, ``nf`` features to ``c_out`` outputs.

    Notes
    -----
    Series of unequal length (``lengths``), embeddings, class activation maps and batch
    norm folding work as for :class:`InceptionTime`. :func:`fold_batch_norm` folds the
    two dilated layers' batch norms but keeps the first one: the hand-crafted filters'
    ReLU sits between them and their slice of it.

    Weights are initialised as torch's (Keras: Glorot uniform) and batch norm has torch's
    ``eps=1e-5`` and momentum 0.1 (Keras: 1e-3 and 0.01), as in :class:`InceptionTime`.

    References
    ----------
    .. [1] A. Ismail-Fawaz, M. Devanne, S. Berretti, J. Weber and G. Forestier. "LITE:
       Light Inception with boosTing tEchniques for Time Series Classification". IEEE
       International Conference on Data Science and Advanced Analytics (DSAA), 2023.
    .. [2] A. Ismail-Fawaz, M. Devanne, S. Berretti, J. Weber and G. Forestier. "Look Into
       the LITE in Deep Learning for Time Series Classification". arXiv:2409.02869, 2024.
       LITEMV. The paper's 9,814 parameters exclude the output layer.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import LITE
    >>> net = LITE(1, 2)
    >>> sum(p.numel() for name, p in net.named_parameters() if not name.startswith("fc."))
    9814
    >>> net(torch.zeros(4, 1, 50)).shape
    torch.Size([4, 2])
    >>> LITE(6, 4, use_litemv=True)(torch.zeros(4, 6, 50)).shape
    torch.Size([4, 4])
    """

    def __init__(self, c_in, c_out, seq_len=None, nf=32, ks=40, *, use_litemv=False,
                 keras_dilation=False):
        super().__init__()
        if ks < 4:
            raise ValueError(f"LITE needs ks >= 4, so that ks // 4 is a kernel size; got {ks}")
        self.use_litemv = use_litemv
        if use_litemv:
            self.convs = nn.ModuleList(SeparableConv1d(c_in, nf, ks // 2**i) for i in range(3))
        else:
            self.convs = nn.ModuleList(
                nn.Conv1d(c_in, nf, ks // 2**i, padding="same", bias=False) for i in range(3)
            )
        self.hybrid = HybridLayer(c_in, per_channel=use_litemv)
        width = 3 * nf + self.hybrid.out_channels
        self.bn = nn.BatchNorm1d(width)
        self.act = nn.ReLU()
        self.fcn = nn.ModuleList([
            SeparableConvBlock(width, nf, ks // 2, dilation=2, keras_dilation=keras_dilation),
            SeparableConvBlock(nf, nf, ks // 4, dilation=4, keras_dilation=keras_dilation),
        ])
        self.fc = nn.Linear(nf, c_out)
        channels_last_weights(self)

    def features(self, image, padding=None):
        if self.use_litemv:
            branches = [separable.forward_image(image) for separable in self.convs]
        else:
            branches = [conv(conv_module, image) for conv_module in self.convs]
        branches.append(self.hybrid.forward_image(image))
        image = self.act(normalize(self.bn, torch.cat(branches, dim=1), padding))
        for block in self.fcn:
            image = block.forward_image(image, padding)
        return image
