from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.run.planning import plan
from harness.run.session import SessionOptions, execute
from harness.suite.loader import LoadOptions, load_suite


def write_suite(folder: Path, text: str, name: str = "t.suite.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def planned(host: Any, path: Path, **load: Any) -> list[Any]:
    return plan(load_suite(path, LoadOptions(host=host, **load)))


def run_suite(host: Any, path: Path, tmp: Path, **options: Any) -> Any:
    load_keys = {"models", "overrides", "repeat", "allow_outside", "allow_python"}
    load = {k: options.pop(k) for k in list(options) if k in load_keys}
    opts = SessionOptions(
        load=LoadOptions(host=host, **load),
        formats=[],
        store_path=options.pop("store_path", tmp / "store.db"),
        out_dir=options.pop("out_dir", tmp / "out"),
        **options,
    )
    return execute(path, opts)


def record(
    case: str, repeat: int = 0, *, model: str = "m", passed: bool | None = None, status: str = "ok", **fields: Any
) -> Any:
    """A finished TrialRecord for summary and verdict tests (prompt p, config c)."""
    from harness.log.results import RequestRecord, TrialRecord

    return TrialRecord(
        id=f"{model}-{case}-{repeat}",
        case_id=case,
        prompt_id="p",
        model=model,
        config_id="c",
        repeat=repeat,
        status=status,
        passed=passed,
        request=RequestRecord(prompt="x"),
        **fields,
    )
