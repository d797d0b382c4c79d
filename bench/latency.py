"""Percentiles of timing samples, shared by the benches (the standard library's linear interpolation
between the closest ranks: `statistics.quantiles(..., method="inclusive")`)."""
import statistics


def percentile(values, q):
    """The q-quantile (0 < q < 1, in hundredths) of the samples; one sample is its own percentile."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]
