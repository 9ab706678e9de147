"""`manage.py bench`: a smoke run with tiny sizes, so that the benchmark cannot rot, and the pieces
it stands on. Nothing here asserts a time: the figures of a quick run say nothing."""

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from devtools.bench import formdata, report, stats


def test_the_quick_benchmark_measures_every_area_and_leaves_nothing_behind(tmp_path):
    out = StringIO()
    call_command("bench", "--quick", f"--json={tmp_path / 'results.json'}", stdout=out)

    results = json.loads((tmp_path / "results.json").read_text())
    rows = {row["key"]: row for row in results["rows"]}
    assert {
        "health_anonymous",
        "preview_1_client",
        "preview_concurrent",
        "preview_in_process",
        "composer_page_time",
        "composer_page_queries",
        "composer_page_bytes",
        "draft_list_20",
        "draft_list_60",
        "template_list_20",
        "template_list_60",
        "calendar_month_10",
        "calendar_month_40",
        "seed_audience",
        "estimate_event",
        "estimate_segment",
        "estimate_http",
        "identities_parse",
        "identities_send",
        "identities_upload",
        "identities_draft_open",
        "identities_autosave",
        "server_memory",
        "payload_core",
    } <= set(rows)
    assert results["quick"] is True
    assert all(row["met"] is None for row in results["rows"])
    # Each timing has its reference from the same run.
    assert rows["preview_1_client"]["reference"]["label"] == "health"
    assert rows["preview_1_client"]["details"]["p95_over_health_p95"] > 0
    assert rows["payload_core"]["reference"]["label"] == "json.dumps"
    assert len(rows["composer_page_queries"]["details"]["queries"]) == 12
    assert rows["composer_page_queries"]["queries"] > 0
    assert rows["preview_in_process"]["queries"] > 0
    assert rows["template_list_60"]["queries"] == rows["template_list_20"]["queries"] > 0
    calendar_small, calendar_large = rows["calendar_month_10"], rows["calendar_month_40"]
    assert calendar_large["queries"] == calendar_small["queries"] > 0
    assert calendar_large["details"]["sends"] > calendar_small["details"]["sends"] > 0
    assert rows["estimate_http"]["details"]["answer"]["status"] == "success"
    assert rows["identities_send"]["details"]["batches"] == 2
    assert rows["identities_upload"]["details"]["version"] == 2
    assert rows["identities_autosave"]["bytes"] < 20_000
    assert "live preview, 1 client" in out.getvalue()
    assert not Path(results["scratch_dir"]).exists()


def test_the_health_check_answers_ok_without_a_login(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_the_form_serializer_takes_only_the_named_forms_controls():
    html = """
    <form id="other"><input name="csrf" value="x"></form>
    <form id="composer">
      <input name="a" value="1"><input name="b" form="other" value="2">
      <textarea name="t">\nline one\nline two</textarea>
      <select name="s"><option value="x">X</option><option value="y" selected>Y</option></select>
      <input type="checkbox" name="c" value="on" checked><input type="submit" name="go">
    </form>
    <input name="outside" form="composer" value="3">
    """
    assert formdata.submitted_pairs(html, form_id="composer") == [
        ("a", "1"),
        ("t", "line one\r\nline two"),
        ("s", "y"),
        ("c", "on"),
        ("outside", "3"),
    ]
    assert ("csrf", "x") in formdata.submitted_pairs(html)


def test_percentiles_interpolate_between_the_nearest_samples():
    summary = stats.summary([0.004, 0.001, 0.003, 0.002, 0.005])
    assert summary.median == 0.003
    assert round(summary.p95, 6) == 0.0048


def test_a_row_with_several_targets_is_met_only_when_all_are():
    row = report.Row(key="k", label="l")
    row.check(True)
    row.check(False, "p95 25 ms")
    row.check(True)
    assert row.met is False
    assert row.shortfall == "p95 25 ms"
