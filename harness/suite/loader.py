"""Load a suite file: YAML -> validated Suite -> resolved prompts, cases, media, scorers and configs.

Every problem becomes one UserError naming file:line. Nothing here calls a model.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from harness.api.host import PluginHost
from harness.api.provider import MediaRef, Provider
from harness.api.scoring import CheckContext
from harness.errors import UserError
from harness.log.records import VideoMetadata
from harness.log.results import SkippedCase
from harness.suite.caps import Caps
from harness.suite.casefiles import LoadedCase, load_case_file
from harness.suite.model import Case, MediaEntry, MediaSpec, Suite
from harness.suite.pydantic_errors import to_user_error
from harness.suite.scorers import ScorerEnv, ScorerSpec, parse_scorer_entries
from harness.suite.storable import check_storable
from harness.suite.templating import Template, TemplateError
from harness.suite.yamlsource import MAX_FILE_BYTES, SourceMap, check_size, load_yaml


@dataclass
class LoadOptions:
    host: PluginHost
    #: Allow media, prompt and case files outside the suite's folder.
    allow_outside: bool = False
    #: Allow scorers that run Python code from the suite's folder.
    allow_python: bool = False
    #: ``--set key.path=value`` overrides applied to the YAML before validation.
    overrides: list[str] = field(default_factory=list)
    #: ``--model`` overrides the models of the suite.
    models: list[str] = field(default_factory=list)
    repeat: int | None = None
    #: The limits of whoever runs the command (--max-trials, --max-prompt-chars, --max-cost).
    caps: Caps = field(default_factory=Caps)


@dataclass
class SourcedTemplate:
    template: Template
    file: Path
    #: The line of the template's first line in ``file``.
    line: int | None

    def render(self, variables: dict[str, Any], context: str) -> str:
        try:
            return self.template.render(variables)
        except TemplateError as exc:
            line = (self.line + exc.line - 1) if (self.line and exc.line) else self.line
            raise UserError(f"{context}: {exc.message}", file=self.file, line=line) from None


@dataclass
class CaseSpec:
    case: Case
    id: str
    file: Path
    line: int | None
    media: list[MediaRef]
    expect: list[ScorerSpec]
    prompt: SourcedTemplate | None = None
    system: SourcedTemplate | None = None
    turn_prompts: list[SourcedTemplate] = field(default_factory=list)
    turn_media: list[list[MediaRef]] = field(default_factory=list)
    turn_expect: list[list[ScorerSpec]] = field(default_factory=list)


@dataclass
class LoadedSuite:
    suite: Suite
    path: Path
    dir: Path
    sha256: str
    smap: SourceMap
    provider_cls: type[Provider]
    prompts: dict[str, SourcedTemplate]
    system: SourcedTemplate | None
    scorers: list[ScorerSpec]
    cases: list[CaseSpec]
    models: list[str]
    configs: list[tuple[str, dict[str, Any]]]
    base_config: dict[str, Any]
    options: LoadOptions
    #: Cases with ``skip: true``: not run, but listed in the results (JUnit ``<skipped>``, the HTML report).
    skipped: list[SkippedCase] = field(default_factory=list)

    def resolve_path(self, name: str) -> Path:
        return resolve_path(self.dir, name, self.options.allow_outside)


def resolve_path(base: Path, name: str, allow_outside: bool) -> Path:
    """``name`` relative to ``base``; refuses to leave ``base`` unless allowed."""
    path = (base / name).resolve()
    if not allow_outside and not path.is_relative_to(base.resolve()):
        raise UserError(
            f"path '{name}' is outside the suite's folder",
            hint="suites are untrusted input; pass --allow-outside-files to allow this",
        )
    return path


_HASHES: dict[tuple[str, int, int], str] = {}


def _sha256(path: Path) -> tuple[str, int]:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        _HASHES[key] = digest.hexdigest()
    return _HASHES[key], stat.st_size


def _apply_override(data: dict[str, Any], override: str) -> None:
    if "=" not in override:
        raise UserError(f"--set needs key=value, got '{override}'", hint="e.g. --set defaults.config.temperature=0.2")
    key, raw = override.split("=", 1)
    try:
        value = yaml.safe_load(raw) if raw else ""
    except yaml.YAMLError:
        value = raw
    node: Any = data
    parts = key.strip().split(".")
    for part in parts[:-1]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            raise UserError(f"--set {key}: '{part}' is not a mapping in this suite")
        node = node.setdefault(part, {})
    if not isinstance(node, dict):
        raise UserError(f"--set {key}: cannot set a key inside a non-mapping")
    node[parts[-1]] = value


class _Loader:
    def __init__(self, path: Path, options: LoadOptions) -> None:
        self.path = path
        self.dir = path.parent
        self.options = options
        self.base: dict[str, Any] = {}
        self.skipped: list[SkippedCase] = []

    def resolve(self, name: str, smap: SourceMap, loc: tuple[str | int, ...], what: str) -> Path:
        try:
            path = resolve_path(self.dir, name, self.options.allow_outside)
        except UserError as exc:
            raise smap.error(exc.message, loc, exc.hint) from None
        if not path.is_file():
            raise smap.error(f"{what} not found: {name}", loc, f"paths are relative to {self.dir}")
        return path

    def template(self, source: str, smap: SourceMap, loc: tuple[str | int, ...]) -> SourcedTemplate:
        line = smap.line(loc)
        if line is not None and "\n" in source.rstrip("\n"):
            line += 1  # a block scalar starts on the line after its key
        return self._compile(source, smap.file, line)

    def template_file(self, name: str, smap: SourceMap, loc: tuple[str | int, ...]) -> SourcedTemplate:
        path = self.resolve(name, smap, loc, "template file")
        try:
            check_size(path, MAX_FILE_BYTES, "template files")
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise smap.error(f"cannot read template file {name}: {exc}", loc) from None
        return self._compile(source, path, 1)

    @staticmethod
    def _compile(source: str, file: Path, line: int | None) -> SourcedTemplate:
        try:
            return SourcedTemplate(Template(source), file, line)
        except TemplateError as exc:
            at = (line + exc.line - 1) if (line and exc.line) else line
            raise UserError(exc.message, file=file, line=at, hint="literal braces: {{ '{{' }} or {% raw %}") from None

    def media(self, entries: list[MediaEntry], smap: SourceMap, loc: tuple[str | int, ...]) -> list[MediaRef]:
        refs = []
        for index, entry in enumerate(entries):
            where = (*loc, index)
            spec = MediaSpec(path=entry) if isinstance(entry, str) else entry
            clip = None
            if spec.video_metadata is not None:
                meta = spec.video_metadata
                clip = VideoMetadata(start_offset_s=meta.start_seconds, end_offset_s=meta.end_seconds, fps=meta.fps)
            if spec.uri is not None:
                refs.append(MediaRef(source=spec.uri, uri=spec.uri, mime_type=spec.mime_type, video_metadata=clip))
                continue
            assert spec.path is not None
            path = self.resolve(spec.path, smap, where, "media file")
            digest, size = _sha256(path)
            refs.append(
                MediaRef(
                    source=spec.path,
                    path=path,
                    mime_type=spec.mime_type,
                    size_bytes=size,
                    sha256=digest,
                    video_metadata=clip,
                )
            )
        return refs

    def config(
        self,
        raw: dict[str, Any],
        smap: SourceMap,
        loc: tuple[str | int, ...],
        provider: type[Provider],
        base: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Resolve schema files in a config and check it (merged over ``base``) with the provider."""
        config = dict(raw)
        for file_key, key in provider.config_file_keys.items():
            if file_key in config:
                name = config.pop(file_key)
                if key in config:
                    raise smap.error(f"give '{key}' or '{file_key}', not both", (*loc, file_key))
                path = self.resolve(str(name), smap, (*loc, file_key), f"{file_key} file")
                try:
                    config[key] = (
                        json.loads(path.read_text(encoding="utf-8"))
                        if path.suffix == ".json"
                        else yaml.safe_load(path.read_text(encoding="utf-8"))
                    )
                except (ValueError, yaml.YAMLError) as exc:
                    raise smap.error(f"{file_key} {name} is not valid JSON/YAML: {exc}", (*loc, file_key)) from None
        for key_path, message in provider.check_config({**(base or {}), **config}):
            raise smap.error(f"generation config: {message}", (*loc, *key_path[:1]))
        return config

    def load(self) -> LoadedSuite:
        raw, smap = load_yaml(self.path)
        if not isinstance(raw, dict):
            raise UserError(
                "a suite file must be a YAML mapping (name:, prompts:, cases:, ...)", file=self.path, line=1
            )
        for override in self.options.overrides:
            _apply_override(raw, override)
        check_storable(raw, smap)
        try:
            suite = Suite.model_validate(raw)
        except ValidationError as exc:
            raise to_user_error(exc, smap, Suite) from None
        provider_cls = self.provider(suite.provider, smap)
        for key_path, message in provider_cls.check_options(suite.provider_options):
            raise smap.error(f"provider_options: {message}", ("provider_options", *key_path[:1]))
        base_config = self.config(suite.defaults.config, smap, ("defaults", "config"), provider_cls)
        self.base = base_config
        configs = self.configs(suite, smap, provider_cls)
        prompts: dict[str, SourcedTemplate] = {}
        for index, spec in enumerate(suite.prompts):
            loc: tuple[str | int, ...] = ("prompts", index)
            if spec.id in prompts:
                raise smap.error(f"duplicate prompt id '{spec.id}'", (*loc, "id"))
            prompts[spec.id] = (
                self.template(spec.template, smap, (*loc, "template"))
                if spec.template is not None
                else self.template_file(spec.file or "", smap, (*loc, "file"))
            )
        system = None
        if suite.defaults.system is not None and suite.defaults.system_file is not None:
            raise smap.error("give 'system' or 'system_file', not both", ("defaults", "system_file"))
        if suite.defaults.system is not None:
            system = self.template(suite.defaults.system, smap, ("defaults", "system"))
        elif suite.defaults.system_file is not None:
            system = self.template_file(suite.defaults.system_file, smap, ("defaults", "system_file"))
        scorers = parse_scorer_entries(suite.scorers, smap, ("scorers",), self._scorer_env())
        cases = self.cases(suite, smap, prompts, provider_cls)
        default_model = suite.defaults.model or provider_cls.default_model
        models = list(self.options.models or suite.matrix.models or ([default_model] if default_model else []))
        if not models:
            raise smap.error(
                f"no model: provider '{provider_cls.name}' has no default model",
                ("defaults",),
                "set defaults.model, matrix.models or --model",
            )
        if self.options.repeat is not None:
            suite = suite.model_copy(update={"repeat": self.options.repeat})
        return LoadedSuite(
            suite=suite,
            path=self.path,
            dir=self.dir,
            sha256=hashlib.sha256(self.path.read_bytes()).hexdigest(),
            smap=smap,
            provider_cls=provider_cls,
            prompts=prompts,
            system=system,
            scorers=scorers,
            cases=cases,
            models=models,
            configs=configs,
            base_config=base_config,
            options=self.options,
            skipped=self.skipped,
        )

    def provider(self, name: str | None, smap: SourceMap) -> type[Provider]:
        """The suite's provider plugin; without ``provider:``, the only one installed or the default one."""
        registry = self.options.host.providers
        if name is not None:
            try:
                found: type[Provider] = registry.get(name)
            except UserError as exc:
                raise smap.error(exc.message, ("provider",), exc.hint) from None
            return found
        installed: list[type[Provider]] = list(registry.items.values())
        defaults = [cls for cls in installed if cls.is_default]
        if len(installed) == 1:
            return installed[0]
        if len(defaults) == 1:
            return defaults[0]
        names = ", ".join(sorted(registry.items)) or "none"
        raise smap.error("the suite names no provider", (), f"add 'provider: NAME' (installed: {names})")

    def _scorer_env(self) -> ScorerEnv:
        check = CheckContext(
            suite_dir=self.dir,
            resolve_path=lambda name: resolve_path(self.dir, name, self.options.allow_outside),
            allow_python=self.options.allow_python,
        )
        return ScorerEnv(self.options.host, check)

    def configs(self, suite: Suite, smap: SourceMap, provider: type[Provider]) -> list[tuple[str, dict[str, Any]]]:
        matrix = suite.matrix
        if matrix.config is not None and matrix.configs is not None:
            raise smap.error(
                "give 'matrix.config' (a grid) or 'matrix.configs' (a list), not both", ("matrix", "configs")
            )
        out: list[tuple[str, dict[str, Any]]] = []
        if matrix.config:
            keys = list(matrix.config)
            sizes = [len(matrix.config[k]) for k in keys]
            self.options.caps.check_grid(sizes, smap.file, smap.line(("matrix", "config")))
            for values in itertools.product(*(matrix.config[k] for k in keys)):
                variant = dict(zip(keys, values, strict=True))
                label = ",".join(f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in variant.items())
                out.append((label, self.config(variant, smap, ("matrix", "config"), provider, self.base)))
        elif matrix.configs:
            seen: set[str] = set()
            for index, entry in enumerate(matrix.configs):
                variant = dict(entry)
                label = str(variant.pop("id", f"config-{index + 1}"))
                if label in seen:
                    raise smap.error(f"duplicate config id '{label}'", ("matrix", "configs", index))
                seen.add(label)
                out.append((label, self.config(variant, smap, ("matrix", "configs", index), provider, self.base)))
        return out or [("default", {})]

    def cases(
        self, suite: Suite, smap: SourceMap, prompts: dict[str, SourcedTemplate], provider: type[Provider]
    ) -> list[CaseSpec]:
        loaded: list[LoadedCase] = []
        for index, entry in enumerate(suite.cases):
            loc: tuple[str | int, ...] = ("cases", index)
            if isinstance(entry, str):
                path = self.resolve(entry, smap, loc, "cases file")
                loaded.extend(load_case_file(path))
            else:
                loaded.append(LoadedCase(entry, self.path, smap.line(loc), smap, loc))
        specs: list[CaseSpec] = []
        ids: dict[str, tuple[Path, int | None]] = {}
        for number, item in enumerate(loaded, start=1):
            case, csmap, loc = item.case, item.smap, item.loc_prefix
            case_id = case.id or f"case-{number}"
            if case_id in ids:
                file, line = ids[case_id]
                raise UserError(
                    f"duplicate case id '{case_id}' (first at {file}:{line})", file=item.file, line=item.line
                )
            ids[case_id] = (item.file, item.line)
            if case.skip:
                skipped = SkippedCase(case_id=case_id, file=_shown(item.file), line=item.line, tags=case.tags)
                self.skipped.append(skipped)
                continue
            spec = CaseSpec(
                case=case,
                id=case_id,
                file=item.file,
                line=item.line,
                media=self.media(case.media, csmap, (*loc, "media")),
                expect=parse_scorer_entries(case.expect, csmap, (*loc, "expect"), self._scorer_env()),
            )
            if case.config:
                case.config = self.config(case.config, csmap, (*loc, "config"), provider, self.base)
            if case.prompt is not None:
                spec.prompt = self.template(case.prompt, csmap, (*loc, "prompt"))
            if case.system is not None:
                spec.system = self.template(case.system, csmap, (*loc, "system"))
            for name in case.prompts or []:
                if name not in prompts:
                    raise csmap.error(
                        f"unknown prompt id '{name}'", (*loc, "prompts"), f"prompt ids: {', '.join(prompts)}"
                    )
            for t_index, turn in enumerate(case.turns or []):
                tloc = (*loc, "turns", t_index)
                spec.turn_prompts.append(self.template(turn.prompt, csmap, (*tloc, "prompt")))
                spec.turn_media.append(self.media(turn.media, csmap, (*tloc, "media")))
                spec.turn_expect.append(parse_scorer_entries(turn.expect, csmap, (*tloc, "expect"), self._scorer_env()))
            if case.turns is None and case.prompt is None and not prompts:
                raise csmap.error(
                    f"case '{case_id}' has nothing to send",
                    loc,
                    "add a 'prompts:' list to the suite, or give the case a 'prompt' or 'turns'",
                )
            specs.append(spec)
        if not specs:
            raise smap.error("the suite has no cases to run (all skipped?)", ("cases",))
        return specs


def _shown(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd())) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)


def load_suite(path: Path, options: LoadOptions) -> LoadedSuite:
    """Load and check a suite file (no model calls)."""
    if not path.exists():
        raise UserError(f"suite file not found: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder", hint="name a *.suite.yaml file")
    return _Loader(path, options).load()
