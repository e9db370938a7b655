"""What the networks of this package share: features over time, global average pooling,
one linear layer ``fc`` on the pooled features."""

import torch
from torch import nn

from ._layout import as_image, from_image, padding_of


class GlobalPoolingNetwork(nn.Module):
    """A network that maps series to feature maps over time, averages them over time and
    ends in one linear layer ``fc``.

    Subclasses define :meth:`features`. Because the head is linear on the time average of
    the last feature maps, a class's logit is the time average of its class activation
    map (Zhou et al. 2016) plus the class's bias: :meth:`class_activation_map` is exact.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import GlobalPoolingNetwork, InceptionTime
    >>> net = InceptionTime(2, 3, nf=4, depth=1).eval()
    >>> isinstance(net, GlobalPoolingNetwork)
    True
    >>> x = torch.randn(5, 2, 30)
    >>> net.embed(x).shape, net.class_activation_map(x).shape
    (torch.Size([5, 16]), torch.Size([5, 3, 30]))
    >>> cam_logits = net.class_activation_map(x).mean(dim=2) + net.fc.bias
    >>> torch.allclose(cam_logits, net(x), atol=1e-5)
    True
    """

    def features(self, image, padding=None):
        """The last feature maps ``(N, F, 1, L)`` of images ``(N, C, 1, L)``; zero on
        padded steps."""
        raise NotImplementedError

    def forward(self, x, lengths=None):
        """Logits of a batch of series.

        Parameters
        ----------
        x : Tensor of shape (n_cases, c_in, n_timepoints)
            The series; with ``lengths``, zero-padded at the end.
        lengths : Tensor of shape (n_cases,), default=None
            The real length of each series. Padded steps then count neither in
            batch-norm statistics, max-pooling nor the average pooling.

        Returns
        -------
        logits : Tensor of shape (n_cases, c_out)
        """
        return self.fc(self.embed(x, lengths))

    def embed(self, x, lengths=None):
        """The globally pooled features: the input of the linear head.

        Parameters and ``lengths`` as in :meth:`forward`.

        Returns
        -------
        embedding : Tensor of shape (n_cases, n_features)
        """
        feature_maps, padding = self._feature_image(x, lengths)
        if padding is None:
            return feature_maps.mean(dim=(2, 3))
        return feature_maps.sum(dim=(2, 3)) / padding.lengths[:, None].to(feature_maps.dtype)

    def class_activation_map(self, x, lengths=None):
        """Class activation maps: each class's share of its logit at each time step.

        ``cam[n, c, t] = fc.weight[c] @ features[n, :, t]``, so that the mean of
        ``cam[n, c]`` over the real steps of series ``n``, plus ``fc.bias[c]``, is the
        logit of class ``c``.

        Parameters and ``lengths`` as in :meth:`forward`.

        Returns
        -------
        cam : Tensor of shape (n_cases, c_out, n_timepoints)
            Zero on padded steps; trimmed to the longest series when ``lengths`` is given.
        """
        feature_maps, _ = self._feature_image(x, lengths)
        return torch.einsum("of,nfl->nol", self.fc.weight, from_image(feature_maps))

    def _feature_image(self, x, lengths):
        """``(feature maps, padding)`` of a batch, trimmed to its longest series."""
        if lengths is not None:
            lengths = lengths.to(device=x.device)
            x = x[..., : int(lengths.max())]  # the batch needs no more than its longest series
        padding = padding_of(lengths, x.shape[-1])
        image = as_image(x)
        if padding is not None:  # whatever the padding holds, it counts as zero
            image.masked_fill_(~padding.steps, 0.0)
        return self.features(image, padding), padding
