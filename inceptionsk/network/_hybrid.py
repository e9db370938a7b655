"""The hand-crafted filters of H-InceptionTime and LITE, and the frozen layer that applies them."""

import torch
import torch.nn.functional as F
from torch import nn

from ._layout import as_image, from_image

#: Lengths of the trend filters (increasing, then decreasing).
TREND_LENGTHS = (2, 4, 8, 16, 32, 64)
#: Bases of the peak filters; a base ``k`` gives a filter of length ``k + k // 2`` (6 ... 96).
PEAK_BASES = (4, 8, 16, 32, 64)


def hand_crafted_filters():
    """The 17 hand-crafted filters, by name, in the order of the layer's output channels.

    Returns
    -------
    filters : dict of str to Tensor of shape (length,), float64
        ``increase-k`` and ``decrease-k`` for ``k`` in 2, 4, ..., 64, then ``peak-k`` for
        ``k`` in 6, 12, 24, 48, 96. See :class:`HybridLayer` for the formulas.
    """
    filters = {}
    for sign, name in ((1.0, "increase"), (-1.0, "decrease")):
        for k in TREND_LENGTHS:
            alternating = torch.ones(k, dtype=torch.float64)
            alternating[0::2] = -1.0
            filters[f"{name}-{k}"] = sign * alternating
    for base in PEAK_BASES:
        quarter = base // 4
        rise = torch.linspace(0.0, 1.0, quarter + 1, dtype=torch.float64)[1:] ** 2
        lobe = torch.cat([rise, rise.flip(0)])
        filters[f"peak-{base + base // 2}"] = torch.cat([-lobe, 2.0 * lobe, -lobe])
    return filters


def filter_bank():
    """The 17 filters as one ``(17, 1, 1, 96)`` kernel: one convolution applies them all.

    A filter of length ``k`` sits at offset ``47 - (k - 1) // 2`` of the 96 taps, so that
    one convolution with 'same' padding for 96 taps (47 steps left, 48 right) gives each
    filter's own 'same' output (``(k - 1) // 2`` left, ``k // 2`` right): one convolution
    instead of 17, and faster (``benchmarks/RESULTS.md``). The values are exact in
    float32.
    """
    filters = list(hand_crafted_filters().values())
    width = max(len(f) for f in filters)
    bank = torch.zeros(len(filters), 1, 1, width)
    for i, f in enumerate(filters):
        start = (width - 1) // 2 - (len(f) - 1) // 2
        bank[i, 0, 0, start : start + len(f)] = f
    return bank


class HybridLayer(nn.Module):
    """Frozen hand-crafted filters on the raw series, then ReLU: H-InceptionTime's and
    LITE's "custom filters".

    17 filters detect trends and peaks at six scales. With ``i`` the tap index from 0:

    - increasing trend, lengths ``k`` = 2, 4, 8, 16, 32, 64: ``w[i] = -1`` for even ``i``,
      ``+1`` for odd ``i`` (``[-1, 1, -1, 1, ...]``);
    - decreasing trend, same lengths: ``-w`` (``[1, -1, 1, -1, ...]``);
    - peak, lengths ``k + k // 2`` = 6, 12, 24, 48, 96 for ``k`` = 4, ..., 64: with
      ``q = k // 4`` and the lobe ``h = [r, reversed(r)]`` of ``r_j = (j / q)**2``,
      ``j = 1..q``, the filter is ``[-h, 2h, -h]`` (peak-6 is ``[-1, -1, 2, 2, -1, -1]``).

    Every filter sums to zero. Each is a cross-correlation (as ``torch.conv1d`` and Keras'
    ``Conv1D``), with Keras' 'same' alignment: ``(k - 1) // 2`` zeros before the series,
    ``k // 2`` after, so an even filter's output at step ``t`` sees one step more ahead
    than behind. A zero-padded series thus gets at its real steps what it gets alone.

    Parameters
    ----------
    c_in : int
        Number of input channels.
    per_channel : bool, default=True
        True: every filter on every channel separately (a depthwise convolution, LITEMV's
        way [3]_), ``17 * c_in`` output channels in channel-major order (channel 0's 17
        filters, then channel 1's, ...; Keras orders them filter-major). This package's
        H-InceptionTime uses it. False: every filter on the sum of the channels (a Keras
        ``Conv1D(filters=1)`` holding the same filter for every channel, as aeon's LITE and
        H-InceptionTime do on multivariate input), 17 output channels whatever ``c_in``.
        The authors' own code is univariate, where both are the same.

    Attributes
    ----------
    out_channels : int
        ``17 * c_in`` if ``per_channel``, else 17.
    filters : Tensor of shape (out_channels or 17, 1, 1, 96)
        The filter bank (``filter_bank()``), repeated per channel: a non-persistent
        buffer, so it follows ``.to()`` but is neither a parameter (no gradient, unseen by
        optimizers) nor in the ``state_dict`` (it is rebuilt by the constructor).

    References
    ----------
    .. [1] A. Ismail-Fawaz, M. Devanne, J. Weber and G. Forestier. "Deep Learning For Time
       Series Classification Using New Hand-Crafted Convolution Filters". IEEE
       International Conference on Big Data, 2022 (H-InceptionTime).
    .. [2] A. Ismail-Fawaz, M. Devanne, S. Berretti, J. Weber and G. Forestier. "LITE:
       Light Inception with boosTing tEchniques for Time Series Classification". IEEE
       International Conference on Data Science and Advanced Analytics (DSAA), 2023.
    .. [3] A. Ismail-Fawaz, M. Devanne, S. Berretti, J. Weber and G. Forestier. "Look Into
       the LITE in Deep Learning for Time Series Classification". arXiv:2409.02869, 2024
       (LITEMV).

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import HybridLayer
    >>> HybridLayer(3)(torch.randn(2, 3, 50)).shape
    torch.Size([2, 51, 50])
    >>> HybridLayer(3, per_channel=False)(torch.randn(2, 3, 50)).shape
    torch.Size([2, 17, 50])
    """

    def __init__(self, c_in, per_channel=True):
        super().__init__()
        self.c_in, self.per_channel = c_in, per_channel
        self.groups = c_in if per_channel else 1
        bank = filter_bank().repeat(self.groups, 1, 1, 1)
        self.out_channels = bank.shape[0]
        self.register_buffer("filters", bank, persistent=False)  # constants: rebuilt, not saved

    def forward(self, x):
        """The layer on series ``(N, c_in, L)``: ``(N, out_channels, L)``."""
        return from_image(self.forward_image(as_image(x)))

    def forward_image(self, image):
        """The layer on images ``(N, c_in, 1, L)`` (see :mod:`inceptionsk.network`)."""
        if not self.per_channel and image.shape[1] > 1:
            image = as_image(image.sum(dim=1))  # canonical strides for the one channel left
        width = self.filters.shape[-1]
        padded = F.pad(image, ((width - 1) // 2, width // 2))
        return F.conv2d(padded, self.filters, groups=self.groups).relu_()

    def extra_repr(self):
        return f"{self.c_in}, {self.out_channels}, per_channel={self.per_channel}"
