"""/statistics and /api/statistics: how much each agency discloses, and on what grounds it withholds.

Counts come from the store over public records only (archive/store/statistics.py); they agree with
the search facets (tests/web/test_statistics.py). Nothing here reads a title, a name or a text.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from archive.statistics import cached_counts, report

from . import charts
from .context import get_store, int_arg

bp = Blueprint("statistics", __name__)

MAX_AGENCY = 200  # characters: longer than any agency's name; the filter is an exact match


def _filters(args) -> tuple[str | None, str | None]:
    """The agency and year asked for (None: all), validated like every integer argument."""
    agency = (args.get("agency") or "").strip() or None
    if agency is not None and (len(agency) > MAX_AGENCY or not agency.isprintable()):
        abort(400, description=f"‘agency’는 {MAX_AGENCY}자 이하의 기관 이름이어야 합니다. "
                               f"The ‘agency’ argument must be an agency name of at most {MAX_AGENCY} characters.")
    year = int_arg(args, "year", 0, lo=1, hi=9999)
    return agency, (f"{year:04d}" if year else None)


def statistics_data() -> dict:
    agency, year = _filters(request.args)
    store = get_store()
    data = report(cached_counts(store, agency, year), agency, year)
    agencies, years = store.statistics_choices()
    data["choices"] = {"agencies": agencies, "years": years}
    return data


@bp.get("/api/statistics")
def api():
    return statistics_data()


@bp.get("/statistics")
def page():
    data = statistics_data()
    english = str(get_locale() or "ko") == "en"
    rows = {  # each chart's numbers, whole: the table alternative lists every value
        "agencies": [(i["value"], i["count"]) for i in data["by_agency"]],
        "years": [(i["value"], i["count"]) for i in data["by_year"]],
        "kinds": [(i["value"] or _("종류 없음"), i["count"]) for i in data["by_kind"]],
        "grounds": [(_("제%(n)s호", n=g["ground"]) + " " + (g["label_en"] if english else g["label_ko"]), g["count"])
                    for g in data["withheld_attachments"]["by_ground"]],
        "days": [(_bucket_label(b), b["count"]) for b in data["days_to_publication"]["buckets"]],
    }
    drawn = {
        "levels": charts.stacked(data["disclosure"]),
        "agencies": charts.bars(rows["agencies"], _("그 밖의 기관")),
        "years": charts.bars(rows["years"], _("그 밖의 해")),
        "kinds": charts.bars(rows["kinds"], _("그 밖의 종류")),
        "grounds": charts.bars([(_("제%(n)s호", n=g["ground"]), g["count"])
                                for g in data["withheld_attachments"]["by_ground"]]),
        "days": charts.bars(rows["days"]),
    }
    return render_template("statistics.html", page=data, charts=drawn, rows=rows)


def _bucket_label(bucket: dict) -> str:
    lo, hi = bucket["min"], bucket["max"]
    if hi is None:
        return _("%(days)s일 넘게", days=lo - 1)
    if lo == 0:
        return _("%(days)s일 이내", days=hi)
    return _("%(lo)s–%(hi)s일", lo=lo, hi=hi)
