"""tsai's forward pass of InceptionTime, calling the 1D submodules as tsai does.

The plain eager computation (``Conv1d``, ``MaxPool1d``, ``BatchNorm1d`` on ``(N, C, L)``
tensors) that the package's channels_last forward is tested against, and that
``benchmarks/speed.py`` times as the baseline. It uses the weights and buffers of an
:class:`inceptionsk.network.InceptionTime`, whose module tree is tsai's. Equal-length
input only.
"""


def tsai_forward(net, x):
    """Logits of ``net`` for ``x`` of shape (n_cases, c_in, n_timepoints), as tsai computes them.

    Examples
    --------
    >>> import torch
    >>> from inceptionsk.network import InceptionTime
    >>> net = InceptionTime(2, 3).eval()
    >>> x = torch.randn(4, 2, 30)
    >>> torch.allclose(tsai_forward(net, x), net(x), atol=1e-5)
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
