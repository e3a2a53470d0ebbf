"""linsgd.SGDRegressor: scikit-learn's SGDRegressor names and conventions over linsgd's trainer.

The estimator turns its parameters into the hyperparameters of a linsgd model file (the JSON the
command line writes) and hands them, with the arrays, to the C++ core: nothing of the training is
implemented here. The same parameters, seed and data therefore give the same coefficients as
``linsgd train``, bit for bit on the CPU.
"""
import json
import math
import numbers
import os
import re
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from . import _core
from ._arrays import (all_finite, all_non_negative, cuda_float32, cuda_predict, detached,
                      is_cuda_array, ones_like, standardized, to_host)

try:  # scikit-learn 1.6 and later
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # pragma: no cover - scikit-learn 1.4 and 1.5
    def _validate_data(estimator, *args, **kwargs):
        return estimator._validate_data(*args, **kwargs)

# scikit-learn's names -> the command line's.
_LOSSES = {
    "squared_error": "squared",
    "huber": "huber",
    "epsilon_insensitive": "epsilon-insensitive",
    "squared_epsilon_insensitive": "squared-epsilon-insensitive",
}
_PENALTIES = {None: "none", "l2": "l2", "l1": "l1", "elasticnet": "elasticnet"}
_SCHEDULES = ("constant", "invscaling", "cosine", "adaptive")
_SAMPLINGS = ("epoch", "sequential", "replacement")
_SOLVERS = ("sgd", "exact")
_DEVICES = ("auto", "cpu", "cuda")

# The core's messages name the command line's options: these are SGDRegressor's parameters.
_PARAMETERS = {
    "--loss": "loss", "--epsilon": "epsilon", "--penalty": "penalty", "--alpha": "alpha",
    "--l1-ratio": "l1_ratio", "--schedule": "learning_rate", "--lr": "eta0",
    "--power-t": "power_t", "--warmup": "warmup", "--momentum": "momentum",
    "--nesterov": "nesterov", "--average": "average", "--epochs": "max_iter", "--tol": "tol",
    "--n-iter-no-change": "n_iter_no_change", "--val-fraction": "validation_fraction",
    "--batch-size": "batch_size", "--sampling": "sampling", "--solver": "solver",
    "--device": "device", "--seed": "random_state",
}


# The values of the options that take a name, as the parameters spell them.
_VALUES = {
    "--loss": {cli: name for name, cli in _LOSSES.items()},
    "--penalty": {"l2": "l2", "l1": "l1", "elasticnet": "elasticnet", "none": None},
    "--schedule": {name: name for name in _SCHEDULES},
    "--sampling": {name: name for name in _SAMPLINGS},
    "--solver": {name: name for name in _SOLVERS},
    "--device": {name: name for name in _DEVICES},
    "--lr": {"auto": "auto"},
}


def _in_parameter_names(message):
    """A message of the core with each option it names spelled as the parameter: "invalid
    value for --lr" -> "invalid value for eta0", "a --momentum" -> "a momentum", "--schedule
    cosine" -> "learning_rate='cosine'"."""
    # What the command line does that the estimator leaves to scikit-learn, or does otherwise
    # (the initial weights: fit's coef_init).
    message = message.replace("--standardize the features",
                              "standardize the features (StandardScaler)")
    message = message.replace("--standardize", "StandardScaler")
    message = message.replace("smaller weights (--sigma)", "smaller coefficients (coef_init)")

    def parameter(match):
        article, option, value = match.group(1), match.group(2), match.group(3)
        name = _PARAMETERS.get(option)
        if name is None:
            return match.group(0)
        if article:
            article = "an " if name[0] in "aeiou" else "a "
        values = _VALUES.get(option, {})
        if value and value.strip() in values:
            return (article or "") + f"{name}={values[value.strip()]!r}"
        return (article or "") + name + (value or "")

    return re.sub(r"(\ban? )?(--[a-z][a-z0-9-]*)( [a-z][a-z0-9-]*)?", parameter, message)


def _choice(name, value, allowed):
    if value not in allowed:
        names = ", ".join("None" if a is None else str(a) for a in allowed)
        raise ValueError(f"invalid value for {name}: {value!r} (must be one of {names})")
    return value


_INT64_MAX = 2**63 - 1


def _integer(name, value, minimum, maximum=_INT64_MAX):
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum
            or value > maximum):
        raise ValueError(f"invalid value for {name}: {value!r} (must be an integer from "
                         f"{minimum} to {maximum})")
    return int(value)


def _flag(name, value):
    """A bool parameter: True or False (NumPy's too), never a string or number read as truthy."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"invalid value for {name}: {value!r} (must be True or False)")
    return bool(value)


def _averaging_off_or_from_start(average):
    """average False or 0 (none, as scikit-learn's), or True (from the first step)."""
    return isinstance(average, (bool, np.bool_)) or average == 0


def _number(name, value):
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value)):
        raise ValueError(f"invalid value for {name}: {value!r} (must be a finite number)")
    return float(value)


def _file_path(path):
    """A path (str, bytes or os.PathLike) as the core takes it: text, without a NUL (which would
    end it early: "a\0b" would name the file "a"), as Python's open refuses it."""
    path = os.fsdecode(os.fspath(path))
    if "\0" in path:
        raise ValueError(f"embedded null byte in the path {path!r}")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are no UTF-8 (the model file's path is text)
        raise ValueError(f"the path {path!r} is not UTF-8 text") from None
    return path


# What fit and partial_fit set before training, from the data (see _train).
_SET_BY_VALIDATION = ("n_features_in_", "feature_names_in_", "_target_name", "_target_column",
                      "_weight_column")


class SGDRegressor(RegressorMixin, BaseEstimator):
    """Linear regression by mini-batch SGD, on a CUDA GPU or the CPU (linsgd's C++ core).

    Minimizes (1 / sum(s)) sum_i s_i L(x_i . w + b - y_i) + alpha [(1 - l1_ratio) / 2 |w|^2 +
    l1_ratio |w|_1] with scikit-learn's names where they exist:

    loss : "squared_error", "huber", "epsilon_insensitive" or "squared_epsilon_insensitive".
    penalty : "l2", "l1", "elasticnet" or None; alpha, l1_ratio and epsilon as scikit-learn's.
    fit_intercept : train the intercept b (True); False keeps it at its starting value, 0 unless
        intercept_init gives one, as scikit-learn's (the command line's --no-intercept).
    learning_rate : the schedule: "invscaling" (eta0 / (t + 1)^power_t, t the step),
        "constant", "adaptive" (divided by 5 when the objective stops improving) or "cosine"
        (with ``warmup`` steps of linear warm-up, fewer than a fit's steps: max_iter x
        ceil(n_samples / batch_size), and partial_fit's one epoch).
    eta0 : the initial rate, or "auto" (the default: 1 / the mini-batch's expected smoothness,
        computed from the data, so that no data scale makes the run diverge).
    momentum, nesterov : heavy-ball or Nesterov momentum (PyTorch's convention).
    average : False; True to average the iterates from the first step; an integer k to start
        at the step whose batch holds the k-th sample, after the floor((k - 1) / batch_size) steps
        before it (scikit-learn's average=k with batch_size=1, and 1 is True; never, when the run
        sees fewer than k samples; 0 is False).
    max_iter : epochs (passes over the data). tol, n_iter_no_change : stop when the objective
        (the validation objective with early_stopping) has not improved by tol for that many
        epochs; tol=None runs every epoch (learning_rate="adaptive" then still divides its rate
        by the rule with tol 1e-3, as the command line's does, where scikit-learn's never does).
    early_stopping, validation_fraction : hold out that fraction of the rows (a seeded split, the
        command line's --val-fraction) and watch their objective.
    batch_size : rows a step (64). sampling : "epoch" (a fresh permutation each epoch, scikit-
        learn's shuffle=True), "sequential" (the rows in order, shuffle=False) or "replacement"
        (each batch drawn with replacement, as the reference post does).
    solver : "sgd", or "exact" (the normal equations in double precision: squared loss with no
        or an l2 penalty). The exact solve ignores the parameters of the steps that have
        defaults (eta0, learning_rate, batch_size, sampling, tol, max_iter: a grid over solver
        keeps them) and refuses those set only to change the steps (momentum, nesterov,
        average, early_stopping).
    device : "auto" (the GPU when there is one), "cuda" or "cpu".
    random_state : an integer is linsgd's --seed; None draws one.
    warm_start : start fit from the previous coef_ and intercept_.

    Attributes: coef_, intercept_ (shape (1,)), n_iter_ (epochs run by the last fit or
    partial_fit; 1 for the exact solver), t_ (steps, i.e. weight updates, run by every call), n_features_in_, feature_names_in_, loss_curve_ (the batch loss of every
    step), objective_curve_ (rows of step, seconds, objective, validation objective, at each
    evaluation), eta0_ (the rate the run started with: eta0 "auto"'s value), stopped_by_ (why the
    run ended: "steps", "tol", "lr", "exact", ...), device_ (where it trained: "CPU: <model> (<n>
    threads)" or "GPU: <name>"; device="auto" without a GPU trains on the CPU).
    """

    def __init__(
        self,
        loss="squared_error",
        penalty="l2",
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        epsilon=0.1,
        learning_rate="invscaling",
        eta0="auto",
        power_t=0.25,
        warmup=0,
        momentum=0.0,
        nesterov=False,
        average=False,
        max_iter=1000,
        tol=1e-3,
        n_iter_no_change=5,
        early_stopping=False,
        validation_fraction=0.1,
        batch_size=64,
        sampling="epoch",
        solver="sgd",
        device="auto",
        random_state=None,
        warm_start=False,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.epsilon = epsilon
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.warmup = warmup
        self.momentum = momentum
        self.nesterov = nesterov
        self.average = average
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.batch_size = batch_size
        self.sampling = sampling
        self.solver = solver
        self.device = device
        self.random_state = random_state
        self.warm_start = warm_start

    # -- fitting --------------------------------------------------------------------------------

    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Trains for max_iter epochs (or until the stopping rule ends the run); returns self.

        As scikit-learn's: coef_init (n_features values) and intercept_init (one) start the run
        in place of the drawn coefficients (or warm_start's); either alone starts the other at
        0."""
        start = None
        if coef_init is not None or intercept_init is not None:
            start = (coef_init, intercept_init)
        warm_start = _flag("warm_start", self.warm_start)
        continuing = start is None and warm_start and hasattr(self, "coef_")
        return self._train(X, y, sample_weight, epochs=self.max_iter, continuing=continuing,
                           partial=False, start=start)

    def _steps_sgd(self):
        """partial_fit's condition (scikit-learn's available_if): hasattr(estimator,
        "partial_fit") is False under solver="exact", as for MLPRegressor(solver="lbfgs")."""
        if self.solver == "exact":  # a solve of this chunk alone would forget the ones before
            raise AttributeError("partial_fit steps SGD over each chunk from the current "
                                 "coefficients; solver='exact' solves the rows it is given at "
                                 "once: use fit")
        return True

    @available_if(_steps_sgd)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over X and y from the current coef_ and intercept_ (no stopping rule).

        The invscaling schedule goes on from the steps before (t_, as scikit-learn's); cosine,
        momentum and averages start afresh with each call. With learning_rate="constant" or
        "invscaling", sampling="sequential", no momentum or averaging and chunks of whole
        batches, calls over consecutive chunks equal one fit over their concatenation.
        Sample weights count across calls: each call's are taken relative to the mean sample
        weight of the call that started the model (its first partial_fit or its fit; 1 without
        weights), so at a given eta0 a chunk weighted 10 steps ten times as far as one weighted 1
        (a lone fit divides by its own weights' sum). Chunks of equal mean weight then equal one
        fit too. eta0="auto" is the rate the model's first run found; a later call keeps it
        unless its chunk needs a smaller one (fewer rows than batch_size, larger features or
        weights: each call computes its chunk's), which it then keeps (eta0_).
        """
        if _flag("early_stopping", self.early_stopping):  # as scikit-learn's
            raise ValueError("early_stopping should be False with partial_fit")
        return self._train(X, y, sample_weight, epochs=1, continuing=hasattr(self, "coef_"),
                           partial=True)

    def _train(self, X, y, sample_weight, epochs, continuing, partial, start=None):
        # Validating the data sets these (scikit-learn's validate_data sets the first two); a fit
        # that fails or is interrupted puts them back, leaving the estimator as it was.
        # (A trained run is recorded whole after it, warnings raised as errors included.)
        kept = {name: getattr(self, name) for name in _SET_BY_VALIDATION if hasattr(self, name)}
        try:
            hyperparameters = self._hyperparameters(epochs, partial)
            file_parameters = self._file_parameters(partial)  # checked before any step
            result, standardization = self._run(X, y, sample_weight, hyperparameters, continuing,
                                                partial, start)
        except BaseException:
            for name in _SET_BY_VALIDATION:
                if name in kept:
                    setattr(self, name, kept[name])
                elif hasattr(self, name):
                    delattr(self, name)
            raise
        self._record(result, partial and continuing, standardization, epochs)
        extras, self._held_out_fraction = file_parameters
        self._hyperparameters_json = json.dumps(json.loads(self._hyperparameters_json) | extras)
        if hyperparameters["tol"] is not None and self.stopped_by_ == "steps":
            # As scikit-learn's SGDRegressor: the stopping rule did not end the run.
            warnings.warn("Maximum number of iteration reached before convergence. Consider "
                          "increasing max_iter to improve the fit.", ConvergenceWarning)
        if not partial and not continuing and result["intercept_reach_short"] is not None:
            self._warn_that_the_steps_fall_short(result["intercept_reach_short"],
                                                 hyperparameters["learning_rate_auto"])
        return self

    def _warn_that_the_steps_fall_short(self, reach, auto):
        """A ConvergenceWarning, however the run stopped, when its steps add up to too little for
        the intercept to reach its optimum (TrainResult::intercept_reach_short: at most `reach`
        of its curvature, below 3)."""
        if auto and self.eta0_ < 1e-2:
            advice = (f"eta0='auto' took {self.eta0_:.3g} from the features' largest curvature: "
                      "standardize them (StandardScaler) if their scale is large, or use "
                      "solver='exact'")
        else:
            advice = ("take more steps (a larger max_iter, a smaller tol or batch_size)"
                      + ("" if auto else ", or a larger eta0"))
        momentum = f", momentum {self.momentum:g}" if self.momentum else ""
        warnings.warn(f"the fit's step sizes add up to at most {reach:.3g} (eta0_ {self.eta0_:.3g}, "
                      f"{self.t_} steps{momentum}) against the intercept's curvature of 1: the "
                      f"least curved direction (the intercept's, or one curved less) keeps about "
                      f"{math.exp(-reach):.0%} of its starting error, so the intercept may be far "
                      f"from its optimum; {advice}", ConvergenceWarning)

    def _run(self, X, y, sample_weight, hyperparameters, continuing, partial, start):
        """Validates the data and trains: the core's result and the standardization trained in."""
        if is_cuda_array(X):
            X, y, sample_weight = self._cuda_arrays(X, y, sample_weight, reset=not continuing)
        else:
            X, y, sample_weight = self._host_arrays(X, y, sample_weight, reset=not continuing)
        # A model trained on standardized features (linsgd train --standardize, then load):
        # its coefficients are in that space, so it goes on there, with its statistics.
        standardization = getattr(self, "_standardization", None) if continuing else None
        if standardization is not None:
            X = standardized(X, *standardization)
        initial = None
        if continuing:
            weights, bias = self._trained_parameters()
            initial = (weights, bias)
        elif start is not None:
            initial = self._initial_parameters(*start)
        fraction = None
        if _flag("early_stopping", self.early_stopping) and not partial:
            fraction = _number("validation_fraction", self.validation_fraction)
        average_samples = (None if _averaging_off_or_from_start(self.average)
                           else int(self.average))
        # A partial_fit after the model's first run goes on from the runs before: invscaling's
        # rate from step t_, and eta0="auto" at the rate they took unless this chunk needs a
        # smaller one (a chunk of one row steps far shorter than batches of 64 may), which it
        # then keeps (eta0_).
        going_on = partial and continuing
        schedule_step = int(getattr(self, "t_", 0)) if going_on else 0
        rate_cap = 0.0
        if (going_on and hyperparameters["learning_rate_auto"]
                and getattr(self, "eta0_", 0.0) > 0.0
                and json.loads(self._hyperparameters_json).get("learning_rate_auto")):
            rate_cap = float(self.eta0_)
        # A partial_fit after the first: weights relative to the first call's mean (a chunk
        # without weights weighs 1 a row on that scale).
        weight_mean = getattr(self, "_weight_mean", None) if partial and continuing else None
        if weight_mean is not None and sample_weight is None and weight_mean != 1.0:
            sample_weight = ones_like(y)
        if sample_weight is None:
            weight_mean = None
        try:
            result = _core.train(
                json.dumps(hyperparameters), X, y, sample_weight, fraction,
                None if initial is None else initial[0], 0.0 if initial is None else initial[1],
                average_samples, weight_mean, schedule_step, rate_cap)
        except (ValueError, RuntimeError) as error:
            raise type(error)(_in_parameter_names(str(error))) from None
        return result, standardization

    def _initial_parameters(self, coef_init, intercept_init):
        """fit's coef_init and intercept_init as the core's starting weights and bias."""
        coef = np.zeros(self.n_features_in_, dtype=np.float32)
        if coef_init is not None:
            given = np.asarray(to_host(coef_init) if is_cuda_array(coef_init) else coef_init,
                               dtype=np.float64)
            if given.shape != (self.n_features_in_,):
                raise ValueError(f"coef_init has shape {given.shape}, but the data has "
                                 f"{self.n_features_in_} features: expected "
                                 f"({self.n_features_in_},)")
            coef = np.ascontiguousarray(given, dtype=np.float32)
        intercept = 0.0
        if intercept_init is not None:
            given = np.asarray(intercept_init, dtype=np.float64).reshape(-1)
            if given.shape != (1,):
                raise ValueError(f"intercept_init has {given.size} values; expected 1")
            intercept = float(given[0])
        with np.errstate(over="ignore"):
            if not (np.all(np.isfinite(coef)) and np.isfinite(np.float32(intercept))):
                raise ValueError("coef_init and intercept_init must be finite float32 values")
        return coef, intercept

    def _host_arrays(self, X, y, sample_weight, reset):
        target_name = getattr(y, "name", None)
        X, y, sample_weight = detached(X), detached(y), detached(sample_weight)
        X, y = _validate_data(self, X, y, reset=reset, dtype=np.float32, order="C",
                              y_numeric=True)
        with np.errstate(over="ignore"):  # a finite float64 past float32's range: refused below
            y = np.ascontiguousarray(y, dtype=np.float32)  # no copy when already float32
        if not np.all(np.isfinite(y)):
            raise ValueError("Input y contains infinity or a value too large for "
                             "dtype('float32').")
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float32)
            negative = np.flatnonzero(sample_weight < 0)  # NaN and infinity refused above
            if negative.size:
                raise ValueError(f"sample_weight: row {negative[0]}: "
                                 f"{float(sample_weight[negative[0]])!r} (must be >= 0)")
            # Unit weights are the unweighted problem: train it as such (same arithmetic).
            sample_weight = None if np.all(sample_weight == 1) else np.ascontiguousarray(
                sample_weight)
        if reset:
            self._target_name = str(target_name) if target_name is not None else "y"
            self._target_column = self._weight_column = None
        return X, y, sample_weight

    def _cuda_arrays(self, X, y, sample_weight, reset):
        X = cuda_float32(X)
        if X.ndim != 2:
            raise ValueError(f"X: expected a 2-D array, got {X.ndim} dimensions")
        if not reset and X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, but SGDRegressor is expecting "
                             f"{self.n_features_in_} features as input.")
        y = cuda_float32(y).reshape(-1)
        if sample_weight is not None:
            sample_weight = cuda_float32(sample_weight).reshape(-1)
        # As scikit-learn's validation (and _host_arrays) refuse them in host arrays.
        for name, values in (("X", X), ("y", y), ("sample_weight", sample_weight)):
            if values is not None and not all_finite(values):
                raise ValueError(f"Input {name} contains NaN, infinity or a value too large for "
                                 "dtype('float32').")
        if sample_weight is not None and not all_non_negative(sample_weight):
            raise ValueError("sample_weight: negative values (must be >= 0)")
        if reset:
            self.n_features_in_ = int(X.shape[1])
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            self._target_name = "y"
            self._target_column = self._weight_column = None
        return X, y, sample_weight

    def _seed(self, partial):
        if isinstance(self.random_state, numbers.Integral) and not isinstance(
                self.random_state, bool):
            seed = _integer("random_state", self.random_state, 0, 2**64 - 1)
        else:
            seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        # Each partial_fit call draws afresh (a permutation of its own chunk); seeds are 64-bit.
        return (seed + (getattr(self, "_partial_fit_calls", 0) if partial else 0)) % 2**64

    def _hyperparameters(self, epochs, partial):
        """The parameters as a model file's hyperparameters (the command line's option names)."""
        if self.solver == "exact":  # as the command line refuses the steps' options
            for name, unset in (("momentum", 0.0), ("nesterov", False), ("average", False),
                                ("early_stopping", False)):
                if getattr(self, name) != unset:
                    raise ValueError(f"{name} applies to the steps of solver='sgd', not to "
                                     "solver='exact'")
        batch_size = _integer("batch_size", self.batch_size, 1, 2**31 - 1)  # the core's limit
        auto = isinstance(self.eta0, str)
        if auto and self.eta0 != "auto":
            raise ValueError(f"invalid value for eta0: {self.eta0!r} (must be a positive number "
                             "or 'auto')")
        if _averaging_off_or_from_start(self.average):
            average_from = 0 if self.average else None
        else:
            # As scikit-learn's: its average=k averages from the k-th sample on (k=1 as True);
            # here from the step whose batch holds it, after the (k - 1) // batch_size before.
            average_from = (_integer("average", self.average, 1) - 1) // batch_size
        tol = None if (partial or self.tol is None) else _number("tol", self.tol)
        # As scikit-learn checks it, with early_stopping or not.
        if not 0.0 < _number("validation_fraction", self.validation_fraction) < 1.0:
            raise ValueError(f"invalid value for validation_fraction: {self.validation_fraction!r} "
                             "(must be in (0, 1))")
        return {
            "batch_size": batch_size,
            "learning_rate": 0.01 if auto else _number("eta0", self.eta0),
            "learning_rate_auto": auto,
            "epochs": _integer("max_iter", epochs, 1),
            "seed": self._seed(partial),
            "device": _choice("device", self.device, _DEVICES),
            "loss": _LOSSES[_choice("loss", self.loss, tuple(_LOSSES))],
            "epsilon": _number("epsilon", self.epsilon),
            "penalty": _PENALTIES[_choice("penalty", self.penalty, tuple(_PENALTIES))],
            "alpha": _number("alpha", self.alpha),
            "l1_ratio": _number("l1_ratio", self.l1_ratio),
            "fit_intercept": _flag("fit_intercept", self.fit_intercept),
            "sampling": _choice("sampling", self.sampling, _SAMPLINGS),
            "schedule": _choice("learning_rate", self.learning_rate, _SCHEDULES),
            "power_t": _number("power_t", self.power_t),
            "warmup": _integer("warmup", self.warmup, 0),
            "momentum": _number("momentum", self.momentum),
            "nesterov": _flag("nesterov", self.nesterov),
            "average_from": average_from,
            "tol": tol,
            "n_iter_no_change": _integer("n_iter_no_change", self.n_iter_no_change, 1),
            "solver": _choice("solver", self.solver, _SOLVERS),
        }

    def _record(self, result, accumulate, standardization, planned_epochs):
        steps = int(result["steps_done"])
        # The passes begun (an early stop's last one in progress), at most those asked; a run
        # its rule did not stop made them all (scikit-learn's n_iter_ == max_iter). Sampling with
        # replacement, the planned steps draw max_iter x n rows (less than a batch more), and an
        # epoch of the stopping rule is ceil(n / batch_size) steps: an early stop counts those.
        if result["stopped_by"] == "steps":
            epochs = planned_epochs
        elif self.sampling == "replacement":
            per_epoch = -(-int(result["rows"]) // int(json.loads(result["hyperparameters"])
                                                       ["batch_size"]))
            epochs = min(-(-steps // per_epoch), planned_epochs)
        else:
            epochs = min(math.ceil(result["epochs_run"] - 1e-9), planned_epochs)
        if result["stopped_by"] == "exact":
            epochs = 1  # one solve: scikit-learn's estimators with max_iter report at least 1
        self._set_parameters(result["weights"], result["bias"], standardization)
        self.n_iter_ = epochs  # the last call's, as scikit-learn's (t_ counts every call's steps)
        self.t_ = (getattr(self, "t_", 0) + steps) if accumulate else steps
        self.loss_curve_ = result["loss_history"]
        self.objective_curve_ = result["evaluations"]
        self.eta0_ = result["learning_rate"]
        self.stopped_by_ = result["stopped_by"]
        self.device_ = result["device"]
        self._partial_fit_calls = getattr(self, "_partial_fit_calls", 0) + 1 if accumulate else 1
        if not accumulate or not hasattr(self, "_weight_mean"):  # the scale later calls keep
            self._weight_mean = float(result["weight_mean"])
        self._hyperparameters_json = result["hyperparameters"]
        self._metrics = {"final_batch_loss": float(result["loss_history"][-1])
                         if len(result["loss_history"]) else 0.0,
                         "full_loss": result["full_loss"], "objective": result["objective"],
                         "steps_run": float(steps)}
        if result["validation_objective"] is not None:
            self._metrics["validation_objective"] = result["validation_objective"]
        if self._weight_mean != 1.0:  # the scale a loaded model's partial_fit goes on with
            self._metrics["sample_weight_mean"] = self._weight_mean
        if self.t_ != steps:  # every call's steps, where a loaded model's schedule goes on from
            self._metrics["steps_total"] = float(self.t_)
        if self._partial_fit_calls > 1:  # the calls that seed a loaded model's next draws
            self._metrics["partial_fit_calls"] = float(self._partial_fit_calls)
        # Debug: the address of the X the core trained on (the caller's buffer when no copy
        # was made).
        self._data_pointer = int(result["data_pointer"])

    def _file_parameters(self, partial):
        """What save writes as the fit's parameters, beside its run's hyperparameters (its
        steps), taken as the fit reads them (set_params after it changes neither coef_ nor the
        file): the estimator's max_iter, tol and integer seed, in place of a partial_fit run's
        (one epoch, no stopping rule, a seed a call), and the fraction held out (which load
        gives back)."""
        extras = {"epochs": _integer("max_iter", self.max_iter, 1),
                  "tol": None if self.tol is None else _number("tol", self.tol)}
        if isinstance(self.random_state, numbers.Integral) and not isinstance(
                self.random_state, bool):
            extras["seed"] = _integer("random_state", self.random_state, 0, 2**64 - 1)
        fraction = (_number("validation_fraction", self.validation_fraction)
                    if _flag("early_stopping", self.early_stopping) and not partial else None)
        return extras, fraction

    def _set_parameters(self, weights, bias, standardization):
        """The trained float32 weights and bias, and the (mean, scale) of the standardization they
        were trained under (a model of linsgd train --standardize, or None). coef_ and intercept_
        are always on the features as given, as scikit-learn's (predict(X) = X @ coef_ +
        intercept_): with a standardization, w / scale and b - sum(w mean / scale), in float64.
        predict of float32 X (and CUDA arrays), save and continued training use the trained
        values themselves, as the command line does."""
        self._standardization = standardization
        weights = np.ascontiguousarray(weights, dtype=np.float32)
        if standardization is None:  # float64 as scikit-learn's (the float32 values, exactly)
            self._standardized = None
            self.coef_ = weights.astype(np.float64)
            self.intercept_ = np.array([float(bias)])
            return
        mean, scale = (np.asarray(values, dtype=np.float64) for values in standardization)
        self.coef_ = weights.astype(np.float64) / scale
        self.intercept_ = np.array([float(bias) - float(self.coef_ @ mean)])
        self._standardized = (weights, float(bias), self.coef_.copy(), self.intercept_.copy())

    def _trained_parameters(self):
        """The weights (float32) and bias as trained: in the standardized space for a model
        trained with --standardize (see _set_parameters); there, coef_ or intercept_ assigned
        since are taken back into that space."""
        standardized = getattr(self, "_standardized", None)
        # (intercept_ assigned a scalar works too, as in scikit-learn's X @ coef_ + intercept_.)
        intercept = float(np.ravel(self.intercept_)[0])
        if standardized is None:
            return np.ascontiguousarray(self.coef_, dtype=np.float32), intercept
        weights, bias, coef, trained_intercept = standardized
        if np.array_equal(self.coef_, coef) and intercept == float(trained_intercept[0]):
            return weights, bias
        mean, scale = (np.asarray(values, dtype=np.float64) for values in self._standardization)
        coef = np.asarray(self.coef_, dtype=np.float64)
        return (np.ascontiguousarray(coef * scale, dtype=np.float32),
                float(intercept + coef @ mean))

    # -- using the model ------------------------------------------------------------------------

    def predict(self, X):
        """x . coef_ + intercept_ per row, in float64, as an array of X's kind: NumPy for NumPy
        (and lists, DataFrames), a PyTorch tensor on X's device for a tensor, CuPy for CuPy.
        X of float64 (or integers) on the host: X @ coef_ + intercept_ in float64, as
        scikit-learn's. float32 X, and CUDA arrays, as ``linsgd predict`` computes it: the trained
        float32 weights (and a standardization applied in float, as training did), each row's
        sum in float64."""
        check_is_fitted(self)
        standardization = getattr(self, "_standardization", None)
        if is_cuda_array(X):
            if X.ndim != 2 or X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has shape {tuple(X.shape)}, but SGDRegressor is expecting "
                                 f"{self.n_features_in_} features as input.")
            weights, bias = self._trained_parameters()
            return cuda_predict(X, weights, bias, standardization)
        torch_input = type(X).__module__.split(".")[0] == "torch"  # a CPU tensor
        X = detached(X)
        if torch_input:  # as NumPy, its dtype kept (validation would make any tensor float64)
            X = X.numpy()
        X = _validate_data(self, X, reset=False, dtype=[np.float64, np.float32], order="C")
        if X.dtype == np.float64:  # not rounded to float32 first
            predictions = X @ np.asarray(self.coef_, dtype=np.float64) + float(
                np.ravel(self.intercept_)[0])
        else:
            mean, scale = standardization if standardization is not None else (None, None)
            weights, bias = self._trained_parameters()
            predictions = _core.predict(X, weights, bias, mean, scale)
        if torch_input:
            import torch

            return torch.from_numpy(predictions)
        return predictions

    def score(self, X, y, sample_weight=None):
        """R² of predict(X) against y (CUDA arrays: computed on the host from n values each)."""
        if not is_cuda_array(X):
            return super().score(X, y, sample_weight)
        from sklearn.metrics import r2_score

        def host(values):
            return None if values is None else (
                to_host(values) if is_cuda_array(values) else np.asarray(values))

        return r2_score(host(y), to_host(self.predict(X)), sample_weight=host(sample_weight))

    def save(self, path):
        """Writes the model file of ``linsgd train --model-out`` (atomically): ``linsgd
        predict --model`` and ``linsgd.load`` read it."""
        check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        named = names is not None
        names = ([str(name) for name in names] if named
                 else [f"x{j}" for j in range(self.n_features_in_)])
        for name in names + [self._target_name]:  # the file is UTF-8 JSON
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(f"the column name {name!r} is no Unicode text (a lone "
                                 "surrogate), which a model file cannot hold") from None
        mean, scale = self._standardization or (None, None)
        # The parameters the model was fit with (see _file_parameters): set_params since
        # changes nothing here, as it changes nothing in coef_.
        weights, bias = self._trained_parameters()
        _core.save_model(_file_path(path), weights, bias, names, named, self._target_name,
                         getattr(self, "_target_column", None),
                         getattr(self, "_weight_column", None), self._hyperparameters_json,
                         getattr(self, "_held_out_fraction", None), self._metrics, mean, scale)


def _parameters_of(hyperparameters, validation_fraction):
    """SGDRegressor's parameters from a model file's hyperparameters and held-out fraction."""
    h = hyperparameters
    average_from = h.get("average_from")
    # A model trained by steps (linsgd train --steps) has no epochs: max_iter keeps its default.
    passes = {"max_iter": h["epochs"]} if h.get("epochs") else {}
    # Held out to watch the steps' objective (the exact solver's only reports on them).
    held_out = ({"early_stopping": True, "validation_fraction": validation_fraction}
                if validation_fraction is not None and h.get("solver", "sgd") == "sgd" else {})
    return passes | held_out | {
        "loss": {cli: name for name, cli in _LOSSES.items()}[h["loss"]],
        "penalty": None if h["penalty"] == "none" else h["penalty"],
        "alpha": h["alpha"],
        # (A file holds the rho its penalty used, 1 for l1 and 0 for l2: the default comes back
        # for those, as an elastic net set later would otherwise take it.)
        "l1_ratio": h["l1_ratio"] if h["penalty"] == "elasticnet" else 0.15,
        "fit_intercept": h.get("fit_intercept", True),
        "epsilon": h["epsilon"],
        "learning_rate": h["schedule"],
        "eta0": "auto" if h.get("learning_rate_auto") else h["learning_rate"],
        "power_t": h["power_t"],
        "warmup": h.get("warmup", 0),
        "momentum": h["momentum"],
        "nesterov": h["nesterov"],
        # The first sample of the first averaged step (see _hyperparameters).
        "average": (False if average_from is None
                    else True if average_from == 0 else average_from * h["batch_size"] + 1),
        "tol": h.get("tol"),
        "n_iter_no_change": h["n_iter_no_change"],
        "batch_size": h["batch_size"],
        "sampling": h["sampling"],
        "solver": h.get("solver", "sgd"),
        "random_state": h["seed"],
    }


def load(path):
    """The SGDRegressor of a model file written by ``linsgd train --model-out`` or
    ``SGDRegressor.save``: its parameters from the file's hyperparameters, fitted (coef_,
    intercept_, t_, feature_names_in_ when the training data named its columns, and the
    standardization of ``--standardize``, which a warm-started fit or partial_fit keeps: coef_
    and intercept_ are then on the features as given, the scaling folded in, while predict and
    save use the file's values; n_iter_ is not in the file: continuing counts from 0).
    partial_fit goes on as after the run that wrote the file: at its rate (eta0="auto"'s value
    kept, as eta0_), with later sample weights on the scale of its own, and drawing what the
    next call would have drawn (the calls so far are kept). max_iter is the file's epochs
    (``--epochs``) when it was trained by epochs; a held-out fraction (``--val-fraction``) sets
    early_stopping and validation_fraction. device and warm_start are not in the file (their
    defaults come back: set device to train where the saved model did), and average comes back
    as the first sample of the first averaged step."""
    model = _core.load_model(_file_path(path))
    hyperparameters = json.loads(model["hyperparameters"])
    estimator = SGDRegressor(**_parameters_of(hyperparameters, model["validation_fraction"]))
    try:  # the parameters as fit checks them first: an edited file is refused here, not there
        estimator._hyperparameters(1, False)
    except ValueError as error:
        raise ValueError(f"{os.fsdecode(os.fspath(path))}: the file's hyperparameters: "
                         f"{error}") from None
    estimator._set_parameters(model["weights"], model["bias"],
                              None if model["mean"] is None else (model["mean"], model["scale"]))
    estimator.n_features_in_ = int(len(model["weights"]))
    if model["named_features"]:
        estimator.feature_names_in_ = np.asarray(list(model["feature_names"]), dtype=object)
    # t_: every call's steps (steps_total, after partial_fit calls), where invscaling goes on.
    key = next((k for k in ("steps_total", "steps_run") if k in model["metrics"]), None)
    steps = model["metrics"][key] if key else hyperparameters["steps"]
    # (At most 2^62, a run's steps' bound: partial_fit goes on from it as the core's
    # InitialParameters::schedule_step.)
    if not (math.isfinite(steps) and 0 <= steps <= 2**62 and steps == int(steps)):
        raise ValueError(f"{os.fsdecode(os.fspath(path))}: metrics.{key}: {steps!r} "
                         "(must be a whole number, 0 to 2^62)")
    estimator.t_ = int(steps)
    # The calls so far, where the next call's seed goes on from (random_state + calls).
    calls = model["metrics"].get("partial_fit_calls", 1)
    if not (math.isfinite(calls) and 1 <= calls < 2**63 and calls == int(calls)):
        raise ValueError(f"{os.fsdecode(os.fspath(path))}: metrics.partial_fit_calls: "
                         f"{calls!r} (must be a whole number, 1 to 2^63 - 1)")
    estimator._partial_fit_calls = int(calls)
    estimator._hyperparameters_json = model["hyperparameters"]
    estimator._held_out_fraction = model["validation_fraction"]
    estimator._metrics = dict(model["metrics"])
    # What partial_fit goes on with, as after the run that wrote the file: the rate it ran at
    # (eta0="auto"'s value is kept) and the scale of its sample weights.
    estimator.eta0_ = float(hyperparameters["learning_rate"])
    estimator._weight_mean = float(model["metrics"].get("sample_weight_mean", 1.0))
    if not (math.isfinite(estimator._weight_mean) and estimator._weight_mean > 0.0):
        raise ValueError(f"{os.fsdecode(os.fspath(path))}: metrics.sample_weight_mean: "
                         f"{estimator._weight_mean!r} (must be a positive number)")
    estimator._target_name = model["target_name"]
    # Where a data file held the target and the weights (by position), for the command line.
    estimator._target_column = model["target_column"]
    estimator._weight_column = model["weight_column"]
    return estimator
