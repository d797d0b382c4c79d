"""The benchmark's ceiling (issue 15): a trivial page of the same app rendering the base template under the
same server, so bench/pages_bench.py can report every page's throughput as a ratio of it (figures then
compare across noisy machines). Registered only when BENCH_CEILING_ROUTE is set: not a public page in
production, and absent from the crawl test."""
from flask import Blueprint, render_template

from ..permissions import requires

bp = Blueprint("bench_ceiling", __name__)


@bp.route("/_bench/ceiling")
@requires("authenticated")
def ceiling():
    # Signed in like the measured pages: the session and user load are part of every page's floor.
    return render_template("core/bench_ceiling.html")
