"""Search for the fast recipe: single networks of each variant, scored one by one.

Each (dataset, variant, seed) trains one InceptionTime network on the dataset's TRAIN
split and scores its TEST split; the test probabilities (a regressor's predictions, on a
dataset with real targets: the TSER sets) are saved, so that ensembles of any size can be
scored afterwards without training again (``--report``). One CSV row is
appended per network as it finishes, and a rerun skips the networks already there: the
search resumes where it stopped.

A variant is a name made of ``-``-separated parts, each changing the fast recipe
(one-cycle schedule, 300 epochs, peak 10 x lr, torch's initialisation, float32):

- ``glorot``: ``weight_init="glorot"``, Glorot-uniform weights and zero biases (Keras'
  defaults, the paper's code);
- ``e<N>``: N epochs; ``s<N>``: N optimizer steps (epochs = ceil(N / batches per epoch));
- ``p<X>``: one-cycle peak X x lr;
- ``bf16``: bfloat16 mixed precision;
- ``b<N>``: batches of N cases (the paper's 64 makes an epoch of a set of up to 64
  cases one batch);
- ``bneps<K>``: batch norm's epsilon 10**-K (Keras' default is 1e-3, torch's 1e-5);
- ``plateau``: the paper's schedule instead of one-cycle;
- ``bnmom<X>``: batch norm's momentum X in torch's terms (Keras' 0.99 is torch's 0.01;
  torch's default is 0.1);
- ``keras``: the rest of Keras' defaults that the official code trained with: batch
  norm's epsilon 1e-3 and momentum 0.99 (0.01 in torch's terms), Adam's epsilon 1e-7;
- ``huber<X>``: a regressor's ``loss="huber"`` with ``epsilon=X`` (standard deviations
  of the training targets); ``l1``: ``loss="absolute_error"``;
- ``karch``: the official Keras network's two differences from tsai's (the package's):
  kernels 40, 20 and 10 (even, Keras' asymmetric 'same' padding) instead of 39, 19 and 9,
  and a 1x1 convolution + batch norm on every shortcut, also where the channels match
  (tsai: batch norm alone). A diagnostic, not an option of the package: tsai's weights
  need tsai's network.

Run from the repository root with the package importable, ARCHIVES being a folder of
dataset folders (``<Name>/<Name>_TRAIN.tsv`` or ``.ts``)::

    python benchmarks/recipe_search.py ARCHIVES/UCR --datasets GunPoint,Beef \\
        --variants bf16,glorot-bf16 --seeds 0-4 --out benchmarks/out/recipe_search
    python benchmarks/recipe_search.py --report --out benchmarks/out/recipe_search

A classifier's series are z-normalised first (``SeriesStandardScaler``), as the paper's
code does on UCR; a regressor's are left as stored, as the TSER study did (the
benchmark's ``scale="auto"``), and the regressor standardises its targets itself. The
report scores a classifier's ensembles by accuracy against the paper's ensemble, a
regressor's by the ratio of RMSEs to InceptionE's (the TSER study's 5 networks).

``--snapshots N`` also saves, every N epochs, the test probabilities of the weights at
that epoch and of the weights the recipe would keep if training stopped there (the
lowest training loss so far), beside the per-epoch training loss, in
``<dataset>__<variant>__<seed>.snapshots.npz``. The paper's schedule does not depend on
the number of epochs, so one long run of it gives the accuracy of every shorter budget,
and the ensembles of its snapshots, at no extra training. ``--snapshot-report`` prints
every snapshot of every run; ``--snapshot-summary --variants V`` one line per run of V
(kept weights, last weights, snapshot ensembles of ``--windows TAIL:STRIDE,...``) and
the mean of each column::

    python benchmarks/recipe_search.py --snapshot-summary --variants plateau-e1500-bf16 \
        --windows 500:100,500:50,1000:100 --out benchmarks/results/recipe_search
"""

import argparse
import contextlib
import copy
import math
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch
from resumable import append_row, read_rows
from sklearn.base import BaseEstimator
from skorch.callbacks import Callback

import inceptionsk.training as training
from inceptionsk import InceptionNetworkClassifier, InceptionNetworkRegressor, SeriesStandardScaler
from inceptionsk._validation import validate_series
from inceptionsk.datasets import load_dataset, published_result, published_rmse
from inceptionsk.network import _inception
from inceptionsk.network._layout import channels_last_weights

COLUMNS = ["dataset", "variant", "seed", "n_train", "epochs", "steps", "accuracy",
           "train_loss", "seconds", "threads", "rmse"]


def variant_params(variant, n_train, batch_size=64):
    """The estimator's parameters of a variant name (see the module docstring)."""
    params = dict(lr_schedule="one_cycle", max_epochs=300, precision="float32")
    parts = list(filter(None, variant.split("-")))
    # the batch size first, wherever it is named, so that a step budget counts its batches
    for part in parts:
        if part[0] == "b" and part[1:].isdigit():
            batch_size = params["batch_size"] = int(part[1:])
    for part in parts:
        if part == "glorot":
            params["weight_init"] = "glorot"
        elif part == "bf16":
            params["precision"] = "bfloat16"
        elif part == "plateau":
            params["lr_schedule"] = "plateau"
        elif part == "keras":
            # Keras' batch norm (momentum 0.99 is torch's 0.01) and Adam
            params.setdefault("callbacks", []).append(
                BatchNormSettings(eps=1e-3, momentum=0.01, adam_eps=1e-7))
        elif part == "karch":
            params["_keras_architecture"] = True
        elif part == "l1":
            params["loss"] = "absolute_error"
        elif part.startswith("huber"):
            params.update(loss="huber", epsilon=float(part[5:]))
        elif part == "base" or (part[0] == "b" and part[1:].isdigit()):
            pass  # the batch size is set above
        elif part.startswith("bnmom"):
            params.setdefault("callbacks", []).append(BatchNormSettings(momentum=float(part[5:])))
        elif part.startswith("bneps"):
            params.setdefault("callbacks", []).append(BatchNormSettings(eps=10.0 ** -int(part[5:])))
        elif part[0] == "e":
            params["max_epochs"] = int(part[1:])
        elif part[0] == "s":
            params["max_epochs"] = math.ceil(int(part[1:]) / math.ceil(n_train / batch_size))
        elif part[0] == "p":
            params["_peak"] = float(part[1:])
        else:
            raise ValueError(f"unknown variant part {part!r} in {variant!r}")
    return params


class BatchNormSettings(Callback):
    """Set attributes of every batch norm of the network (``eps``, ``momentum`` in
    torch's meaning), and Adam's ``adam_eps`` when given, as the training begins."""

    def __init__(self, adam_eps=None, **attributes):
        self.adam_eps, self.attributes = adam_eps, attributes

    def on_train_begin(self, net, **kwargs):
        for module in net.module_.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                for name, value in self.attributes.items():
                    setattr(module, name, value)
        if self.adam_eps is not None:
            for group in net.optimizer_.param_groups:
                group["eps"] = self.adam_eps


class TestSnapshots(Callback):
    """Every ``every`` epochs, the test probabilities of the current weights and of the
    best-so-far weights (the keep-best callback's), scored in float32 and eval mode.

    Given ``X_train`` and ``windows`` (``(tail, stride)`` pairs), it also keeps the
    current weights of every snapshot and, when training ends, scores the average of
    the weights within each window (every snapshot at a multiple of ``stride`` within
    the last ``tail`` epochs) with batch-norm statistics measured again over the
    training cases (stochastic weight averaging, Izmailov et al. 2018): ``swa_``, one
    per window with snapshots in it (``swa_windows_``).
    """

    def __init__(self, X_test, every, X_train=None, windows=()):
        # as the estimator scores: float32 (n, c, t), unequal lengths zero-padded
        self.X_test, self.lengths = validate_series(BaseEstimator(), X_test, reset=True)
        self.X_train, self.train_lengths = (None, None) if X_train is None else \
            validate_series(BaseEstimator(), X_train, reset=True)
        self.every, self.windows = every, list(windows)

    def on_train_begin(self, net, **kwargs):
        self.epochs_, self.current_, self.best_, self.best_epoch_ = [], [], [], []
        self.swa_, self.swa_windows_, self._weights = [], [], []

    @staticmethod
    def _batches(X, lengths, size=256):
        for start in range(0, len(X), size):
            yield (torch.from_numpy(X[start:start + size]),
                   None if lengths is None else torch.from_numpy(lengths[start:start + size]))

    def _proba(self, module):
        was_training = module.training
        module.eval()
        with torch.inference_mode():
            logits = [module(x, lengths=lengths)
                      for x, lengths in self._batches(self.X_test, self.lengths)]
        module.train(was_training)
        return torch.softmax(torch.cat(logits).float(), dim=1).numpy()

    def _averaged(self, module, weights):
        """A copy of ``module`` with the mean of ``weights`` (state dicts) and its batch
        norms' statistics measured over the training cases, as ``update_bn`` does.

        Not torch's ``AveragedModel``/``update_bn``: ``update_bn`` calls the module
        with one positional input, and a padded batch needs its ``lengths`` too."""
        averaged = copy.deepcopy(module)
        mean = {name: (torch.stack([w[name].float() for w in weights]).mean(0).to(tensor.dtype)
                       if tensor.is_floating_point() else tensor)
                for name, tensor in weights[-1].items()}
        averaged.load_state_dict(mean)
        norms = [m for m in averaged.modules()
                 if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        for norm in norms:
            norm.reset_running_stats()
            norm.momentum = None  # a cumulative average over every batch
        averaged.train()
        with torch.no_grad():
            for x, lengths in self._batches(self.X_train, self.train_lengths):
                averaged(x, lengths=lengths)
        return averaged

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch % self.every:
            return
        keep_best = dict(net.callbacks_)["keep_best"]
        best = copy.deepcopy(net.module_)
        best.load_state_dict(keep_best._best_weights)
        self.epochs_.append(epoch)
        self.current_.append(self._proba(net.module_))
        self.best_.append(self._proba(best))
        self.best_epoch_.append(keep_best.best_epoch_)
        if self.windows:
            self._weights.append(copy.deepcopy(net.module_.state_dict()))

    def on_train_end(self, net, **kwargs):
        if not self.windows or not self.epochs_:
            return
        epochs = np.asarray(self.epochs_)
        for tail, stride in self.windows:
            chosen = np.flatnonzero(in_window(epochs, tail, stride))
            if len(chosen):  # a window without snapshots is left out
                averaged = self._averaged(net.module_, [self._weights[i] for i in chosen])
                self.swa_.append(self._proba(averaged))
                self.swa_windows_.append((tail, stride))
        self._weights = []


@contextlib.contextmanager
def keras_architecture():
    """Within the block, every InceptionTime built has the official Keras network's
    kernels (40, 20, 10) and a convolution on every shortcut (the ``karch`` variant)."""
    module_init = _inception.InceptionModule.__init__
    block_init = _inception.InceptionBlock.__init__

    def keras_module_init(self, ni, nf, ks=40, bottleneck=True, **kwargs):
        module_init(self, ni, nf, ks, bottleneck, **kwargs)
        conv_in = self.convs[0].in_channels
        self.convs = torch.nn.ModuleList(
            torch.nn.Conv1d(conv_in, nf, ks // 2**i, padding="same", bias=False)
            for i in range(3)
        )
        channels_last_weights(self.convs)

    def keras_block_init(self, ni, nf=32, *args, **kwargs):
        block_init(self, ni, nf, *args, **kwargs)
        for i, shortcut in enumerate(self.shortcut):
            if isinstance(shortcut, torch.nn.BatchNorm1d):
                n = shortcut.num_features
                self.shortcut[i] = channels_last_weights(_inception.ConvBlock(n, n))

    _inception.InceptionModule.__init__ = keras_module_init
    _inception.InceptionBlock.__init__ = keras_block_init
    try:
        yield
    finally:
        _inception.InceptionModule.__init__ = module_init
        _inception.InceptionBlock.__init__ = block_init


def done_keys(csv_path):
    """The (dataset, variant, seed) of the networks already in the CSV."""
    return {(r["dataset"], r["variant"], r["seed"]) for r in read_rows(csv_path)}


def run(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    csv_path = out / "networks.csv"
    done = done_keys(csv_path)
    seeds = parse_seeds(args.seeds)
    root = Path(args.archive)
    for entry in args.datasets.split(","):
        name = Path(entry).stem  # a dataset folder's name, or an .npz file's
        train = load_dataset(root / entry, split="train")
        X_train, y_train = train.data, train.target
        X_test, y_test = load_dataset(root / entry, split="test", return_X_y=True)
        regression = train.target_names is None  # real targets, no classes
        if not regression:
            scaler = SeriesStandardScaler().fit(X_train)
            X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        network = InceptionNetworkRegressor if regression else InceptionNetworkClassifier
        if args.snapshots and regression:
            raise ValueError(f"--snapshots saves class probabilities, but {name} is a "
                             "regression: leave --snapshots out.")
        for variant in args.variants.split(","):
            for seed in seeds:
                if (name, variant, str(seed)) in done:
                    continue
                params = variant_params(variant, len(X_train))
                peak = params.pop("_peak", None)
                keras = params.pop("_keras_architecture", False)
                if peak is not None:
                    training.ONE_CYCLE_PEAK = peak
                snapshots = None
                if args.snapshots:
                    snapshots = TestSnapshots(X_test, args.snapshots, X_train=X_train,
                                              windows=parse_windows(args.windows))
                    params["callbacks"] = params.get("callbacks", []) + [snapshots]
                clf = network(random_state=seed, device="cpu", **params)
                start = time.perf_counter()
                try:
                    with keras_architecture() if keras else contextlib.nullcontext():
                        clf.fit(X_train, y_train)
                finally:
                    training.ONE_CYCLE_PEAK = 10.0
                seconds = time.perf_counter() - start
                if regression:
                    prediction = clf.predict(X_test)
                    np.savez_compressed(out / f"{name}__{variant}__{seed}.npz",
                                        prediction=prediction, y_test=y_test)
                    score = dict(rmse=_rmse(prediction, y_test))
                else:
                    proba = clf.predict_proba(X_test)
                    np.savez_compressed(out / f"{name}__{variant}__{seed}.npz", proba=proba,
                                        classes=clf.classes_, y_test=y_test)
                    score = dict(accuracy=_accuracy(proba, classes=clf.classes_, y_test=y_test))
                history = clf.history_
                if snapshots is not None:
                    np.savez_compressed(
                        out / f"{name}__{variant}__{seed}.snapshots.npz",
                        epochs=snapshots.epochs_, current=snapshots.current_,
                        best=snapshots.best_, best_epoch=snapshots.best_epoch_,
                        swa=snapshots.swa_, swa_windows=snapshots.swa_windows_,
                        train_loss=history[:, "train_loss"], classes=clf.classes_,
                        y_test=y_test)
                row = dict(
                    dataset=name, variant=variant, seed=seed, n_train=len(X_train),
                    epochs=len(history), steps=sum(len(e["batches"]) for e in history),
                    **score, train_loss=float(min(history[:, "train_loss"])),
                    seconds=round(seconds, 1), threads=torch.get_num_threads(),
                )
                append_row(csv_path, row, COLUMNS)
                print(row, flush=True)


def in_window(epochs, tail, stride):
    """Which snapshot ``epochs`` are multiples of ``stride`` within the last ``tail``."""
    return (epochs > epochs[-1] - tail) & (epochs % stride == 0)


def parse_windows(text):
    """``"500:100,1000:100"`` as ``[(500, 100), (1000, 100)]``: (tail, stride) pairs."""
    return [tuple(int(n) for n in window.split(":")) for window in text.split(",")]


def parse_seeds(text):
    """``"0-4"`` or ``"0,2,5"`` as a list of ints."""
    if "-" in text:
        lo, hi = text.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(s) for s in text.split(",")]


def report(args):
    """Ensembles of the first k seeds of each (dataset, variant) beside the published
    result: a classifier's accuracy minus the paper's ensemble's, a regressor's RMSE over
    InceptionE's (the TSER study's 5 networks), one table each."""
    out = Path(args.out)
    rows = read_rows(out / "networks.csv")
    groups = {}
    for r in rows:
        groups.setdefault((r["dataset"], r["variant"]), []).append(int(r["seed"]))
    ks = [int(k) for k in args.ks.split(",")]
    tables = {"accuracy": {}, "rmse": {}}
    for (name, variant), seeds in sorted(groups.items()):
        saved = [np.load(out / f"{name}__{variant}__{seed}.npz", allow_pickle=True)
                 for seed in sorted(seeds)]
        if "prediction" in saved[0]:
            metric, outputs = "rmse", [data["prediction"] for data in saved]
            score = partial(_rmse, y_test=saved[0]["y_test"])
        else:
            metric, outputs = "accuracy", [data["proba"] for data in saved]
            score = partial(_accuracy, classes=saved[0]["classes"], y_test=saved[0]["y_test"])
        scores = {}
        for k in ks:
            if k <= len(outputs):
                # every window of k consecutive seeds: less luck of the draw than one
                windows = [np.mean(outputs[i:i + k], axis=0)
                           for i in range(len(outputs) - k + 1)]
                scores[k] = float(np.mean([score(p) for p in windows]))
        tables[metric][(name, variant)] = scores
    if tables["accuracy"]:
        _print_report(tables["accuracy"], ks, lambda name: published_result(name).accuracy,
                      compare=np.subtract, sign="+", summary="mean difference")
    if tables["rmse"]:
        _print_report(tables["rmse"], ks, published_rmse, compare=np.divide, sign="",
                      summary="mean RMSE ratio to InceptionE")


def _print_report(table, ks, published, *, compare, sign, summary):
    """One line per dataset, a column per (variant, k): ``compare(score, published)``,
    then their means (``sign``: ``"+"`` to sign the differences)."""
    variants = sorted({v for _, v in table})
    print(f"{'dataset':32s}{'published':>10s} " + " ".join(
        f"{v + ' k=' + str(k):>22s}" for v in variants for k in ks))
    columns = {(v, k): [] for v in variants for k in ks}
    for name in sorted({n for n, _ in table}):
        reference = published(name)
        cells = []
        for v in variants:
            scores = table.get((name, v), {})
            for k in ks:
                if k in scores:
                    value = float(compare(scores[k], reference))
                    cells.append(f"{value:>{sign}22.3f}")
                    columns[(v, k)].append(value)
                else:
                    cells.append(f"{'':>22s}")
        print(f"{name:32s}{reference:10.4g} " + " ".join(cells))
    print(f"{summary:43s}" + " ".join(
        f"{np.mean(columns[(v, k)]) if columns[(v, k)] else float('nan'):>{sign}22.4f}"
        for v in variants for k in ks))


def _accuracy(proba, *, classes, y_test):
    return float(np.mean(classes[proba.argmax(1)] == y_test))


def _rmse(prediction, y_test):
    return float(np.sqrt(np.mean((np.asarray(prediction, dtype=np.float64) - y_test) ** 2)))


def snapshot_report(args):
    """Per run saved with ``--snapshots``: the test accuracy of the kept and the current
    weights at every snapshot, and of averaging the current weights' probabilities over
    the last k snapshots (a snapshot ensemble: no extra training)."""
    out = Path(args.out)
    ks = [int(k) for k in args.ks.split(",")]
    for path in sorted(out.glob("*.snapshots.npz")):
        data = np.load(path, allow_pickle=True)
        accuracy = partial(_accuracy, classes=data["classes"], y_test=data["y_test"])

        name, variant, seed = path.name[:-len(".snapshots.npz")].split("__")
        paper = published_result(name).accuracy
        print(f"{name} {variant} seed {seed} (paper {paper:.3f}; differences from it)")
        print(f"  {'epoch':>14s}" + "".join(f"{e:>7d}" for e in data["epochs"]))
        print(f"  {'kept weights':>14s}" + "".join(
            f"{accuracy(p) - paper:+7.3f}" for p in data["best"]))
        print(f"  {'kept at epoch':>14s}" + "".join(f"{e:>7d}" for e in data["best_epoch"]))
        print(f"  {'current':>14s}" + "".join(
            f"{accuracy(p) - paper:+7.3f}" for p in data["current"]))
        for k in ks:
            if 1 < k <= len(data["current"]):
                print(f"  {'last ' + str(k) + ' current':>14s}" + " " * 7 * (k - 1) + "".join(
                    f"{accuracy(np.mean(data['current'][i - k + 1:i + 1], axis=0)) - paper:+7.3f}"
                    for i in range(k - 1, len(data["current"]))))


def snapshot_summary(args):
    """One line per run saved with ``--snapshots``, then the mean per column: the test
    accuracy, minus the paper's, of the weights the recipe keeps (the lowest training
    loss), of the last weights, and of each window ``TAIL:STRIDE`` of ``--windows``: the
    averaged probabilities of the last weights at every epoch that is a multiple of STRIDE
    within the last TAIL epochs (a snapshot ensemble of TAIL / STRIDE networks)."""
    out = Path(args.out)
    windows = parse_windows(args.windows)
    heads = ["kept", "last"] + [f"{tail}:{stride}" for tail, stride in windows]
    heads += [f"swa{tail}:{stride}" for tail, stride in windows]
    print(f"{'dataset':24s}{'seed':>5s}{'paper':>7s}" + "".join(f"{h:>12s}" for h in heads))
    columns = {h: [] for h in heads}
    for path in sorted(out.glob(f"*__{args.variants}__*.snapshots.npz")):
        data = np.load(path, allow_pickle=True)
        accuracy = partial(_accuracy, classes=data["classes"], y_test=data["y_test"])
        name, _, seed = path.name[:-len(".snapshots.npz")].split("__")
        paper = published_result(name).accuracy
        epochs = np.asarray(data["epochs"])
        cells = [accuracy(data["best"][-1]), accuracy(data["current"][-1])]
        for tail, stride in windows:
            chosen = in_window(epochs, tail, stride)
            cells.append(accuracy(np.mean(data["current"][chosen], axis=0))
                         if chosen.any() else np.nan)
        # runs saved before the weight averages, or with other windows, leave them blank
        swa = dict(zip(map(tuple, data["swa_windows"]), data["swa"], strict=True)) \
            if "swa" in data else {}
        cells += [accuracy(swa[w]) if w in swa else np.nan for w in windows]
        for head, cell in zip(heads, cells, strict=True):
            columns[head].append(cell - paper)
        print(f"{name:24s}{seed:>5s}{paper:7.3f}" + "".join(
            f"{c - paper:+12.3f}" if c == c else f"{'':12s}" for c in cells))
    complete = np.isfinite(np.array([columns[h] for h in heads]).reshape(len(heads), -1)).all(0)
    if complete.any():  # means over the same runs: those with every column
        print(f"{'mean of ' + str(complete.sum()) + ' runs':36s}" + "".join(
            f"{np.mean(np.asarray(columns[h])[complete]):+12.4f}" for h in heads))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", nargs="?")
    parser.add_argument("--datasets")
    parser.add_argument("--variants", default="base")
    parser.add_argument("--seeds", default="0-4")
    parser.add_argument("--out", default="benchmarks/out/recipe_search")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--snapshot-report", action="store_true")
    parser.add_argument("--snapshot-summary", action="store_true")
    parser.add_argument("--windows", default="500:100,500:50,1000:100",
                        help="TAIL:STRIDE windows of snapshots: averaged probabilities "
                             "(--snapshot-summary) and weights (saved by --snapshots)")
    parser.add_argument("--ks", default="1,2,3,5")
    parser.add_argument("--snapshots", type=int, default=0,
                        help="every N epochs, save the test probabilities (0: never)")
    args = parser.parse_args(argv)
    if args.report:
        report(args)
    elif args.snapshot_report:
        snapshot_report(args)
    elif args.snapshot_summary:
        snapshot_summary(args)
    else:
        run(args)


if __name__ == "__main__":
    sys.exit(main())
