from __future__ import annotations

import base64
import hashlib
import html as html_lib
import json
import re
from pathlib import Path

from factory import AUDIO, HOSTILE_IMG, HOSTILE_SCRIPT, build, make_trials

from harness.log.records import MediaInfo
from harness_reporters import html as html_reporter
from harness_reporters.html import (
    HtmlReporter,
    asset,
    compact_alignment,
    embed_json,
    media_players,
    read_embedded_data,
    report_script,
)

DATA_BLOCK = re.compile(r'<script type="application/json" id="harness-data">(.*?)</script>', re.S)


def payload_of(html: str) -> dict:  # type: ignore[type-arg]
    return read_embedded_data(html)  # type: ignore[no-any-return]


def test_data_block_cannot_be_broken_out_of(results, ctx) -> None:  # type: ignore[no-untyped-def]
    html = HtmlReporter().write(results, ctx).read_text(encoding="utf-8")
    block = DATA_BLOCK.search(html).group(1)  # type: ignore[union-attr]
    assert "<" not in block and ">" not in block
    assert html.count("</script") == 2 and html.count("<!--") == 0
    answers = [t["output"]["text"] for t in payload_of(html)["trials"] if t.get("output")]
    assert any(HOSTILE_SCRIPT in a and HOSTILE_IMG in a and "<!--" in a for a in answers)


def test_a_large_run_is_embedded_gzipped_and_reads_back_the_same(results, ctx, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    plain = HtmlReporter().write(results, ctx).read_text(encoding="utf-8")
    assert DATA_BLOCK.search(plain) is not None  # a small run stays plain JSON
    monkeypatch.setattr(html_reporter, "COMPRESS_ABOVE_BYTES", 100)
    packed = HtmlReporter().write(results, ctx).read_text(encoding="utf-8")
    block = re.search(
        r'<script type="application/gzip" data-encoding="gzip-base64" id="harness-data">([^<]*)</script>', packed
    )
    assert block is not None and re.fullmatch(r"[A-Za-z0-9+/=]+", block.group(1))
    assert read_embedded_data(packed) == read_embedded_data(plain)
    assert len(packed) < len(plain)
    again = HtmlReporter().write(results, ctx).read_text(encoding="utf-8")
    assert again == packed  # no timestamp in the gzip header: the same run gives the same file


def test_embed_json_escapes_markup_characters() -> None:
    text = embed_json({"a": "</script><!-- & >"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & >"}


def test_csp_allows_exactly_the_inline_script(results, ctx) -> None:  # type: ignore[no-untyped-def]
    html = HtmlReporter().write(results, ctx).read_text(encoding="utf-8")
    found = re.search(r"http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\"", html)
    assert found is not None
    csp = html_lib.unescape(found.group(1))
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    script = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(script) == 1
    digest = base64.b64encode(hashlib.sha256(script[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp


def test_assets_make_no_network_request_and_never_parse_html() -> None:
    js, css, page = report_script(), asset("report.css"), asset("report.html")
    for text in (js, css, page):
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.\w+[^\s\"')]*", text)) - {"http://www.w3.org/2000/svg"}
        assert not urls
        assert "@import" not in text and "url(" not in text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in js


def test_alignment_is_compacted_and_unknown_shapes_are_kept() -> None:
    alignment = [
        {"op": "equal", "ref": ["and", "so"], "hyp": ["and", "so"]},
        {"op": "substitute", "ref": ["americans"], "hyp": ["america"]},
        {"op": "delete", "ref": ["ask"], "hyp": []},
        {"op": "insert", "ref": [], "hyp": ["lovely"]},
    ]
    assert compact_alignment(alignment) == {
        "$align": [["=", "and so"], ["s", "americans", "america"], ["d", "ask", ""], ["i", "", "lovely"]]
    }
    odd = [{"op": "equal", "ref": ["two words"], "hyp": ["two words"]}]
    assert compact_alignment(odd) is odd
    other = [{"op": "move", "ref": [], "hyp": []}]
    assert compact_alignment(other) is other


def test_payload_keeps_what_the_page_needs(results, ctx) -> None:  # type: ignore[no-untyped-def]
    data = payload_of(HtmlReporter().write(results, ctx).read_text(encoding="utf-8"))
    assert len(data["trials"]) == len(results.trials)
    first = data["trials"][0]
    assert data["texts"][first["request"]["prompt"]] == results.trials[0].request.prompt
    assert "$align" in first["scores"][0]["details"]["alignment"]
    assert data["baseline"]["regressions"] == results.baseline.regressions > 0  # type: ignore[union-attr]
    regressed = [d for d in data["baseline"]["cases"] if d["change"] == "regressed"]
    assert len(regressed) == results.baseline.regressions  # type: ignore[union-attr]
    assert all(d["explanation"] for d in regressed)  # the core's sentence travels to the page
    assert [c["verdict"] for c in data["cases"]] == [c.verdict for c in results.cases]


def test_small_local_audio_gets_a_player_only_when_the_hash_matches(tmp_path: Path) -> None:
    results = build(make_trials(repeats=1))
    players = media_players(results)
    wav = next(m for t in results.trials for m in t.media if m.source.endswith("sr_english.wav"))
    flac = next(m for t in results.trials for m in t.media if m.source.endswith("jfk.flac"))
    assert players[wav.sha256 or ""].startswith("data:audio/wav;base64,")
    assert flac.sha256 not in players  # 1.1 MB: too big to embed
    assert len(players) == 3  # wav, ogg, mp3; the hostile file name does not exist
    stale = results.model_copy(deep=True)
    stale.trials[0].media = [MediaInfo(source=wav.source, mime_type="audio/wav", sha256="0" * 64)]
    stale.trials = stale.trials[:1]
    assert media_players(stale) == {}


def test_small_local_video_gets_a_player(tmp_path: Path) -> None:
    from tools.example_media import write_video

    clip = write_video(tmp_path / "clip.webm", "webm", audio=AUDIO / "sr_english.wav", size=(32, 32))
    results = build(make_trials(repeats=1))
    digest = hashlib.sha256(clip.read_bytes()).hexdigest()
    results.trials[0].media = [MediaInfo(source=str(clip), mime_type="video/webm", sha256=digest, pages=None)]
    results.trials = results.trials[:1]
    players = media_players(results)
    assert list(players) == [digest] and players[digest].startswith("data:video/webm;base64,")


def test_noscript_gives_totals_and_failures_escaped(results, ctx) -> None:  # type: ignore[no-untyped-def]
    html = HtmlReporter().write(results, ctx).read_text(encoding="utf-8")
    block = html.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert "FAILED" in block and f"{results.verdict.cases} cases" in block
    failing = next(c for c in results.cases if c.verdict == "fail")
    assert html_lib.escape(failing.explanation) in block
    assert "hostile-&lt;b&gt;markup&lt;/b&gt;" in block and "<b>markup" not in block
    assert "<script" not in block


def test_tables_get_the_same_numbers_as_every_report(results, ctx) -> None:  # type: ignore[no-untyped-def]
    from harness_reporters.numbers import interval, summary_notations

    data = payload_of(HtmlReporter().write(results, ctx).read_text(encoding="utf-8"))
    shown = summary_notations(results.summary)
    row, metric = results.summary[0], results.summary[0].metrics[0]
    assert data["summary"][0]["metrics"][0]["text"] == interval(
        metric.mean, metric.ci_low, metric.ci_high, shown[metric.metric]
    )
    comparison = results.comparisons[0]
    assert data["comparisons"][0]["diff_text"] == interval(
        comparison.mean_diff, comparison.ci_low, comparison.ci_high, sign=True
    )
    assert data["summary"][0]["pass_text"].endswith("%]") and row.pass_rate_ci is not None
    assert data["run"]["config_texts"]["temperature=1"] == "temperature 1.0"
    assert data["notations"]["wer"] == shown["wer"].as_json()
