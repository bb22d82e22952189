"""The report's charts as SVG a browser and an XML parser both read: titled, escaped, and with a
mark for each figure they show, placed in the order of the figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ledger.render.charts import calibration_chart, history_chart, lateness_chart, speaker_charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'Ada <script>alert("x")</script> & Co'


def _speaker(**figures) -> dict:
    empty = {"calibration": [], "by_year": [], "lateness": {"n": 0, "delivered": 0, "median_ratio": None, "curve": []}}
    return {"speaker": HOSTILE, **empty, **figures}


def _parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed, whatever the name holds
    assert root.tag == f"{SVG}svg" and root.get("class") == "chart"
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    return root


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_every_chart_is_titled_with_the_name_as_text_and_needs_no_id():
    for svg in speaker_charts(_speaker()):
        root = _parsed(svg)
        assert HOSTILE in root.get("aria-label") and "<script>" not in svg
        assert not [e for e in root.iter() if e.get("id")]  # many charts share a page


def test_the_calibration_chart_has_a_dot_per_bucket_higher_for_a_larger_share():
    buckets = [{"n": 0, "observed": None, "mean_probability": None},
               {"n": 4, "observed": 0.25, "mean_probability": 0.3},
               {"n": 10, "observed": 0.9, "mean_probability": 0.8}]
    root = _parsed(calibration_chart(_speaker(calibration=buckets)))
    dots = [c for c in root.iter(f"{SVG}circle") if c.get("cx") and float(c.get("cx")) > 60]  # not the legend's
    assert len(dots) == 2
    low, high = sorted(dots, key=lambda c: float(c.get("cx")))
    assert float(high.get("cy")) < float(low.get("cy"))  # SVG's y grows downwards
    assert float(high.get("r")) > float(low.get("r"))  # more claims, a larger dot
    assert {"n=4", "n=10"} <= set(_texts(root))


def test_the_history_chart_labels_at_most_ten_years():
    years = [{"year": 1990 + i, "scored": 2, "rate": 0.5, "rate_ci": [0.1, 0.9], "cumulative_rate": 0.5} for i in range(30)]
    labels = [t for t in _texts(_parsed(history_chart(_speaker(by_year=years)))) if t.isdigit() and len(t) == 4]
    assert labels[0] == "1990" and len(labels) <= 10
    one = [{"year": 2020, "scored": 3, "rate": 1 / 3, "rate_ci": [0.06, 0.79], "cumulative_rate": 1 / 3}]
    assert "2020" in _texts(_parsed(history_chart(_speaker(by_year=one))))


def test_empty_charts_say_why():
    texts = [_texts(_parsed(svg)) for svg in speaker_charts(_speaker())]
    assert "no scored claim with a probability" in texts[0]
    assert "no scored claims yet" in texts[1]
    assert "no claim past its deadline" in texts[2]


def test_the_lateness_chart_marks_the_deadline_and_the_median():
    late = {"n": 4, "delivered": 3, "median_ratio": 1.5, "curve": [(0.5, 0.75), (1.5, 0.5), (2.0, 0.25)]}
    root = _parsed(lateness_chart(_speaker(lateness=late)))
    texts = _texts(root)
    assert "the deadline" in texts and any(t.startswith("median: ") for t in texts)
    assert "3 of 4 delivered; the rest censored at the report date" in texts
