"""``harness show TRIAL_ID|CASE_ID``: one stored trial, or one case across its models, configs and repeats."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import click

from harness.cli.console import out, plain_lines
from harness.cli.options import store_option
from harness.errors import UserError
from harness.log.history import find_trials
from harness.log.results import TrialRecord
from harness.log.store import Store
from harness.log.verdicts import trial_verdict
from harness.run.session import default_store_path

_MARK = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "unscored": "-"}


def _print(text: str = "") -> None:
    out.print(plain_lines(text), markup=False, highlight=False, soft_wrap=True)


def _block(label: str, text: str | None) -> None:
    _print(f"{label}:")
    _print(textwrap.indent(text if text else "(empty)", "  "))


def _answer_line(trial: TrialRecord) -> str:
    output = trial.output
    if output is None:
        return "answer"
    bits = [output.finish_reason or "", f"{output.latency_ms:.0f} ms" if output.latency_ms is not None else ""]
    usage = output.usage
    if usage.prompt_tokens is not None or usage.output_tokens is not None:
        bits.append(f"{usage.prompt_tokens or 0} in + {usage.output_tokens or 0} out tokens")
    if output.cached:
        bits.append("from the cache")
    shown = ", ".join(b for b in bits if b)
    return f"answer ({shown})" if shown else "answer"


def show_trial(trial: TrialRecord) -> None:
    verdict = trial.verdict or trial_verdict(trial)
    _print(
        f"trial {trial.id} · case {trial.case_id} · prompt {trial.prompt_id} · {trial.model} · "
        f"{trial.config_id} · repeat {trial.repeat}"
    )
    reasons = f": {'; '.join(trial.reasons)}" if trial.reasons else ""
    _print(f"verdict: {_MARK.get(verdict, verdict)}{reasons}")
    if trial.config:
        _print("config: " + json.dumps(trial.config, ensure_ascii=False, sort_keys=True, default=str))
    if trial.request.system_instruction:
        _block("system", trial.request.system_instruction)
    if trial.turns:
        for number, turn in enumerate(trial.turns, start=1):
            _block(f"turn {number} prompt", turn.prompt)
            _block(f"turn {number} answer", turn.output.text if turn.output else None)
    else:
        _block("prompt", trial.request.prompt)
    for media in trial.media or (trial.output.media if trial.output else []):
        how = ", ".join(
            x
            for x in (
                media.mime_type or "",
                f"{media.duration_s:.1f} s" if media.duration_s is not None else "",
                f"{media.size_bytes:,} bytes" if media.size_bytes is not None else "",
            )
            if x
        )
        _print(f"media: {media.source}" + (f" ({how})" if how else ""))
    if not trial.turns:
        if trial.error is not None:
            _print(f"error: {trial.error.message}")
        else:
            _block(_answer_line(trial), trial.output.text if trial.output else None)
    if trial.scores:
        _print("scores:")
        for score in trial.scores:
            state = "error" if score.error else {True: "pass", False: "FAIL", None: "-"}[score.passed]
            value = "-" if score.value is None else f"{score.value:.4g}"
            at = f" (turn {score.turn + 1})" if score.turn is not None else ""
            why = score.error or (score.reason.text if score.reason else "")
            _print(f"  {state:<5} {score.metric}{at} = {value}" + (f"   {why}" if why else ""))


@click.command()
@click.argument("ident", metavar="TRIAL_ID|CASE_ID")
@click.option("--run", "run_id", help="Look in this run (default: the latest run that has it).")
@click.option("--json", "as_json", is_flag=True, help="Print the stored trial records as JSON.")
@store_option("The store to read.")
def show(ident: str, run_id: str | None, as_json: bool, store_path: Path | None) -> None:
    """Show one trial (rendered prompt, media, answer, scores with reasons) or one case across its models,
    configs and repeats. Trial ids are in every report and in `harness show CASE_ID`; case ids are the suite's.

    \b
    Examples:
      harness show jfk-flac
      harness show 3f2a9c0d1b7e4a55 --run 20261201-101500-ab12 --json
    """
    store = Store(store_path or default_store_path())
    found = find_trials(store, ident, run_id)
    store.close()
    if found is None:
        where = f"run {run_id}" if run_id else "any stored run"
        raise UserError(
            f"no trial or case '{ident}' in {where}", hint="`harness runs` lists runs; reports name trial ids"
        )
    run, trials = found
    if as_json:
        click.echo(json.dumps({"run_id": run, "trials": [t.model_dump(mode="json") for t in trials]}, indent=2))
        return
    _print(f"run {run}: {len(trials)} trial{'s' if len(trials) != 1 else ''}")
    for trial in trials:
        _print()
        show_trial(trial)
