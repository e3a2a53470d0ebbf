"""scikit-learn's own estimator checks. All pass: no expected failure is listed. (One is skipped
by scikit-learn itself unless SCIPY_ARRAY_API is set: the array-API input check.) The
sample-weight equivalence check passes because fits run to the stopping rule reach the same
minimizer from the weighted and the repeated data, within the check's tolerance."""
from sklearn.utils.estimator_checks import parametrize_with_checks

import linsgd


@parametrize_with_checks([linsgd.SGDRegressor(device="cpu", random_state=0)])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)
