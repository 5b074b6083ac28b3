"""The comparisons and the detectable effect after a run, and ``harness plan-power``, as a user calls them."""

from __future__ import annotations

from pathlib import Path

from test_cli_tools import ROOT, harness

WORDS = ["dog", "cat", "emu", "owl", "ant", "bee", "elk", "yak", "cod", "eel", "gnu", "hen"]


def test_run_prints_comparisons_and_plan_power_answers_from_the_store(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "fakes.py").write_text((ROOT / "tests" / "fakes.py").read_text())
    suite = tmp_path / "s" / "t.suite.yaml"
    suite.parent.mkdir()
    cases = "".join(f"  - {{id: {w}, vars: {{w: {w}}}}}\n" for w in WORDS)
    # The echo provider repeats the prompt: "plain" passes for the dog case only, "hinted" for every case.
    suite.write_text(
        "name: t\nprovider: fake\nscorers: [{has: dog}]\n"
        "prompts: [{id: plain, template: 'say {{ w }}'}, {id: hinted, template: 'say {{ w }} dog'}]\n"
        f"cases:\n{cases}"
    )
    env = {"HARNESS_LOAD_PLUGINS": "reporters", "HARNESS_STORE": str(tmp_path / "store.db"), "COLUMNS": "220"}
    done = harness("run", str(suite), "--plugins-dir", str(plugins), "--out", str(tmp_path / "run"), env=env)
    assert done.returncode == 1, done.stderr  # the plain prompt fails 11 cases
    assert "Comparisons: one factor at a time" in done.stdout and "Holm over 2" in done.stdout
    # hinted vs plain: 11 of 12 cases fixed (McNemar p = 2/2^11), and the "has" metric beside it
    assert "better" in done.stdout
    assert "detectable: with 12 cases this suite detects pass changes of" in done.stdout

    planned = harness("plan-power", str(suite), "--effect", "0.1", "--plugins-dir", str(plugins), env=env)
    assert planned.returncode == 0, planned.stderr
    assert "pass (12 cases x 1 repeats, 2 comparisons" in planned.stdout
    assert "to detect 0.1:" in planned.stdout and "cases at 1 repeats" in planned.stdout

    missing = harness(
        "plan-power", str(suite), "--effect", "0.1", "--metric", "wer", "--plugins-dir", str(plugins), env=env
    )
    assert missing.returncode == 2 and "no paired comparison of wer" in missing.stderr
    assert "Traceback" not in missing.stderr
    fresh = {**env, "HARNESS_STORE": str(tmp_path / "empty.db")}
    nothing = harness("plan-power", str(suite), "--effect", "0.1", "--plugins-dir", str(plugins), env=fresh)
    assert nothing.returncode == 2 and "no store at" in nothing.stderr
    bad = harness("plan-power", str(suite), "--effect", "0", "--plugins-dir", str(plugins), env=env)
    assert bad.returncode == 2
