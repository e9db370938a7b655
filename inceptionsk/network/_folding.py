"""Batch norm folded into the convolutions before it: a faster network for inference."""

import copy

import torch
from torch import nn


def fold_into_convs(convs, norm):
    """Fold an eval-mode batch norm into the convolutions whose outputs it normalises.

    ``convs`` are the ``Conv1d`` modules whose outputs, concatenated along channels in
    this order, are the input of ``norm``. In eval mode a batch norm is the per-channel
    affine map ``x * scale + shift``: each convolution's kernels are scaled by its slice
    of ``scale`` and get its slice of ``shift`` as bias, in place. The caller replaces
    ``norm`` with ``nn.Identity()``.
    """
    scale = norm.weight * torch.rsqrt(norm.running_var + norm.eps)
    shift = norm.bias - norm.running_mean * scale
    start = 0
    for conv in convs:
        part = slice(start, start + conv.out_channels)
        conv.weight.mul_(scale[part, None, None])  # in place: keeps the weight's layout
        conv.bias = nn.Parameter(shift[part].clone(), requires_grad=False)
        start += conv.out_channels


def fold_batch_norm(net):
    """An inference-only copy of a trained network, with batch norm folded into its
    convolutions.

    In eval mode a batch norm that follows a convolution is folded into it (kernels
    scaled, a bias added), which saves a pass over the activations of every module:
    scoring runs faster (``benchmarks/speed.py`` measures it; the figures are in
    ``benchmarks/RESULTS.md``) with the same outputs up to float32 rounding. The copy
    runs the network's own forward; it is detached from the network: fold again after
    the network trains again.

    Parameters
    ----------
    net : torch.nn.Module
        A trained network of :mod:`inceptionsk.network`; its batch norms' running
        statistics are used, whatever its train/eval mode.

    Returns
    -------
    folded : torch.nn.Module
        A copy in eval mode, without gradients.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import InceptionTime, fold_batch_norm
    >>> net = InceptionTime(3, 2).eval()
    >>> x = torch.randn(4, 3, 50)
    >>> with torch.no_grad():
    ...     torch.allclose(fold_batch_norm(net)(x), net(x), atol=1e-5)
    True
    """
    folded = copy.deepcopy(net).eval().requires_grad_(False)
    with torch.no_grad():
        for module in list(folded.modules()):
            if hasattr(module, "fold_batch_norm_"):
                module.fold_batch_norm_()
    return folded
