"""Cases loaded from CSV, JSONL or YAML files named in a suite's ``cases`` list."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.errors import UserError
from harness.suite.model import Case
from harness.suite.problems import Problems
from harness.suite.pydantic_errors import to_user_errors
from harness.suite.storable import MAX_DEPTH, check_storable
from harness.suite.yamlsource import MAX_CASES_FILE_BYTES, SourceMap, check_size, parse_yaml

#: CSV columns with a meaning of their own; every other column becomes a variable.
CSV_FIELDS = {"id", "description", "tags", "media", "prompt", "system", "threshold", "skip"}


@dataclass
class LoadedCase:
    case: Case
    file: Path
    line: int | None
    #: Source map for errors inside this case (for YAML-backed cases), with ``loc_prefix``.
    smap: SourceMap
    loc_prefix: tuple[str | int, ...]


def _csv_rows(path: Path, text: str, problems: Problems) -> list[LoadedCase]:
    # strict: a quote left open is an error at its line, not a cell that swallows the rest of the file
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        columns = reader.fieldnames
    except csv.Error as exc:
        raise UserError(f"the CSV header cannot be read: {exc}", file=path, line=1) from None
    if not columns:
        raise UserError("CSV file has no header row", file=path, line=1)
    smap = SourceMap(path)
    out: list[LoadedCase] = []
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            # line_num counts the lines of the rows read so far: the row that failed starts on the next one
            problems.add(
                UserError(f"the CSV cannot be read from here on: {exc}", file=path, line=reader.line_num + 1,
                          hint="a cell with a comma, quote or line break must be quoted, with \"\" for a quote"),
            )  # fmt: skip
            break
        line = reader.line_num
        if None in row:
            problems.add(UserError("row has more cells than the header has columns", file=path, line=line))
            continue
        if None in row.values():
            given = sum(value is not None for value in row.values())
            problems.add(
                UserError(f"row has {given} cell{'' if given == 1 else 's'} but the header has {len(columns)} columns",
                          file=path, line=line,
                          hint="leave a cell empty with nothing between its commas (a,,c)"),
            )  # fmt: skip
            continue
        raw: dict[str, Any] = {"vars": {}}
        for key, value in row.items():
            key = (key or "").strip()
            if key in CSV_FIELDS:
                if value == "" or value is None:
                    continue
                if key == "media":
                    raw["media"] = [m.strip() for m in value.split(";") if m.strip()]
                elif key == "skip":
                    raw["skip"] = value.strip().lower() in {"1", "true", "yes", "y"}
                else:
                    raw[key] = value
            elif key:
                raw["vars"][key] = value
        index = len(smap.lines)
        smap.lines[(index,)] = line
        out.extend(_validate(raw, path, line, smap, (index,), problems))
    return out


def _validate(
    raw: Any, path: Path, line: int | None, smap: SourceMap, loc: tuple[str | int, ...], problems: Problems
) -> list[LoadedCase]:
    """The case at ``loc`` (an empty list when it has a mistake: recorded, and the case left out whole, so
    nothing half-valid is checked further)."""
    if not isinstance(raw, dict):
        problems.add(UserError(f"a case must be a mapping, got {type(raw).__name__}", file=path, line=line))
        return []
    with problems.guard():
        check_storable(raw, smap, loc)
        try:
            case = Case.model_validate(raw)
        except ValidationError as exc:
            problems.extend(to_user_errors(exc, smap, Case, loc))
            return []
        return [LoadedCase(case, path, line, smap, loc)]
    return []


def load_case_file(path: Path, problems: Problems) -> list[LoadedCase]:
    """Load cases from ``path``; the format follows the extension (.csv, .jsonl, .yaml/.yml). Mistakes in a
    case are recorded in ``problems`` and the other cases still load; an unreadable file raises."""
    try:
        check_size(path, MAX_CASES_FILE_BYTES, "cases files")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"cases file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read cases file: {exc}", file=path) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path, text, problems)
    if suffix in {".jsonl", ".ndjson"}:
        smap = SourceMap(path)
        out: list[LoadedCase] = []
        for number, line_text in enumerate(text.splitlines(), start=1):
            if not line_text.strip():
                continue
            try:
                raw = json.loads(line_text)
            except json.JSONDecodeError as exc:
                problems.add(UserError(f"invalid JSON: {exc.msg}", file=path, line=number))
                continue
            except RecursionError:
                message = f"nested deeper than {MAX_DEPTH} levels (results could not store it)"
                problems.add(UserError(message, file=path, line=number))
                continue
            index = len(smap.lines)
            smap.lines[(index,)] = number
            out.extend(_validate(raw, path, number, smap, (index,), problems))
        return out
    if suffix in {".yaml", ".yml"}:
        data, smap = parse_yaml(text, path)
        problems.extend(smap.duplicates)
        prefix: tuple[str | int, ...] = ()
        if isinstance(data, dict) and "cases" in data:
            data, prefix = data["cases"], ("cases",)
        if not isinstance(data, list):
            raise UserError("a YAML cases file must be a list of cases (or a mapping with 'cases')", file=path, line=1)
        return [
            case
            for i, raw in enumerate(data)
            for case in _validate(raw, path, smap.line((*prefix, i)), smap, (*prefix, i), problems)
        ]
    raise UserError(f"unknown cases file type '{suffix or path.name}'", file=path, hint="use .csv, .jsonl or .yaml")
