"""The networks in PyTorch: InceptionTime with the module tree and ``state_dict`` of tsai's,
H-InceptionTime and LITE.

The three modules of InceptionTime [1]_ keep the constructor signatures, submodules and
parameters of tsai's ``tsai.models.InceptionTime`` [2]_ (the seed of this package), so that
weights trained with tsai load here with ``load_state_dict(strict=True)`` and give the
same outputs. The networks return logits; the estimators add the loss and the softmax.

What differs is how the forward pass computes, for speed and for unequal lengths:

- A series ``(N, C, L)`` is computed as an image ``(N, C, 1, L)`` in channels_last
  memory format, with the same weights viewed as ``(out, in, 1, k)`` kernels; no
  operation of the forward or backward pass changes that layout, in which oneDNN's CPU
  kernels run fastest (``benchmarks/RESULTS.md`` has the figures). The results are the
  1D network's up to float32 rounding (``tests/test_network.py`` checks it against
  tsai's forward).
- An optional ``lengths`` tensor marks where each series ends in a zero-padded batch:
  padded steps are left out of batch-norm statistics, max-pooling and the global
  average pooling, so a padded series gets (nearly) the features it would get alone.
  Without ``lengths`` nothing of this runs.
- For scoring, :func:`fold_batch_norm` copies a trained network with every batch norm
  folded into the convolution before it: the same forward, with fewer passes over the
  activations.

Every network ends in global average pooling and a linear layer ``fc``, so that
:meth:`~GlobalPoolingNetwork.embed` (the pooled features) and
:meth:`~GlobalPoolingNetwork.class_activation_map` are exact views of the forward pass.

Two later networks of the same research group compute the same way.
H-InceptionTime [3]_ is ``InceptionTime(..., use_custom_filters=True)``: its first module
adds 17 frozen hand-crafted filters that detect trends and peaks (:class:`HybridLayer`).
:class:`LITE` [4]_ [5]_ keeps those filters, three "multiplexed" convolutions of different
lengths and two dilated depthwise-separable layers: 9,814 parameters without its head
instead of InceptionTime's 388,352 (one channel), and the published mean accuracy of its
5-network ensemble on the UCR archive matches InceptionTime's (.846 against .844).
``LITE(..., use_litemv=True)`` (LITEMV) is its variant for multivariate series. Their even
kernels get Keras' 'same' padding, and LITE's dilated depthwise convolutions run down the
columns of a view of the image (``_layout.depthwise_conv``), which is faster on the CPU
than oneDNN's own (``benchmarks/RESULTS.md`` has the figures).

References
----------
.. [1] H. Ismail Fawaz, B. Lucas, G. Forestier, C. Pelletier, D. F. Schmidt, J. Weber,
   G. I. Webb, L. Idoumghar, P.-A. Muller and F. Petitjean. "InceptionTime: Finding
   AlexNet for Time Series Classification". Data Mining and Knowledge Discovery 34,
   2020. arXiv:1909.04939.
.. [2] I. Oguiza. tsai, a state-of-the-art deep learning library for time series.
   https://github.com/timeseriesAI/tsai
.. [3] A. Ismail-Fawaz, M. Devanne, J. Weber and G. Forestier. "Deep Learning For Time
   Series Classification Using New Hand-Crafted Convolution Filters". IEEE International
   Conference on Big Data, 2022.
.. [4] A. Ismail-Fawaz, M. Devanne, S. Berretti, J. Weber and G. Forestier. "LITE: Light
   Inception with boosTing tEchniques for Time Series Classification". IEEE International
   Conference on Data Science and Advanced Analytics (DSAA), 2023.
.. [5] A. Ismail-Fawaz, M. Devanne, S. Berretti, J. Weber and G. Forestier. "Look Into the
   LITE in Deep Learning for Time Series Classification". arXiv:2409.02869, 2024.
"""

from ._folding import fold_batch_norm
from ._hybrid import HybridLayer
from ._inception import InceptionBlock, InceptionModule, InceptionTime
from ._lite import LITE
from ._pooled import GlobalPoolingNetwork

__all__ = [
    "LITE", "GlobalPoolingNetwork", "HybridLayer", "InceptionBlock", "InceptionModule",
    "InceptionTime", "fold_batch_norm",
]
