"""Load a suite file: YAML -> validated Suite -> resolved prompts, cases, media, scorers and configs.

Every mistake is recorded at its file:line in a ``Problems`` collector (harness/suite/problems.py), and the
load goes on with the next part of the suite, so one pass reports them all. Nothing here calls a model.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.api.host import PluginHost
from harness.api.provider import MediaRef, Provider
from harness.api.scoring import CheckContext
from harness.errors import UserError, UserErrors
from harness.log.records import VideoMetadata
from harness.log.results import SkippedCase
from harness.suite.caps import Caps
from harness.suite.casefiles import LoadedCase, load_case_file
from harness.suite.configs import Configs
from harness.suite.files import file_digest, resolve_path
from harness.suite.model import Case, MediaEntry, MediaSpec, Suite
from harness.suite.overrides import apply_override
from harness.suite.problems import Problems
from harness.suite.salvage import validate_salvaging
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
    #: The command-line flag that gave this template (``--set``), which its mistakes then name.
    flag: str | None = None

    def render(self, variables: dict[str, Any], context: str) -> str:
        try:
            return self.template.render(variables)
        except TemplateError as exc:
            file, line = template_location(self.file, self.line, self.flag, exc.line)
            raise UserError(f"{context}: {exc.message}", file=file, line=line) from None


def template_location(
    file: Path, line: int | None, flag: str | None, line_in_template: int | None
) -> tuple[str | Path, int | None]:
    """Where a line of a template is: its file:line, or the flag that gave the template."""
    if flag is not None:
        return flag, None
    return file, (line + line_in_template - 1) if (line and line_in_template) else line


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


class _Loader:
    def __init__(self, path: Path, options: LoadOptions, problems: Problems) -> None:
        self.path = path
        self.dir = path.parent
        self.options = options
        self.problems = problems
        self.configs = Configs(None, problems, self.resolve, options.caps)
        #: The suite lists prompt variants (even if some of them failed to load), and their ids.
        self.has_prompts = False
        self.prompt_ids: set[str] = set()
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
        return self._compile(source, smap.file, line, smap.flag(loc))

    def template_file(self, name: str, smap: SourceMap, loc: tuple[str | int, ...]) -> SourcedTemplate:
        path = self.resolve(name, smap, loc, "template file")
        try:
            check_size(path, MAX_FILE_BYTES, "template files")
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise smap.error(f"cannot read template file {name}: {exc}", loc) from None
        return self._compile(source, path, 1)

    @staticmethod
    def _compile(source: str, file: Path, line: int | None, flag: str | None = None) -> SourcedTemplate:
        try:
            return SourcedTemplate(Template(source), file, line, flag)
        except TemplateError as exc:
            at, where = template_location(file, line, flag, exc.line)
            raise UserError(exc.message, file=at, line=where, hint="literal braces: {{ '{{' }} or {% raw %}") from None

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
            with self.problems.guard():
                path = self.resolve(spec.path, smap, where, "media file")
                digest, size = file_digest(path)
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

    def load(self) -> LoadedSuite:
        raw, smap = load_yaml(self.path)
        self.problems.extend(smap.duplicates)
        if not isinstance(raw, dict):
            raise UserError(
                "a suite file must be a YAML mapping (name:, prompts:, cases:, ...)", file=self.path, line=1
            )
        for override in self.options.overrides:
            with self.problems.guard():
                apply_override(raw, override, smap)
        check_storable(raw, smap)
        listed = raw.get("prompts")
        declared: list[Any] = listed if isinstance(listed, list) else []
        # Prompt variants as written, even those dropped for a mistake: cases naming them are not wrong too.
        self.prompt_ids = {str(p["id"]) for p in declared if isinstance(p, dict) and "id" in p}
        self.has_prompts = bool(declared)
        found = validate_salvaging(Suite, raw, smap, self.problems)
        if found is None:
            raise UserErrors(self.problems.errors)
        suite: Suite = found
        provider_cls = self.problems.attempt(lambda: self.provider(suite.provider, smap))
        if provider_cls is not None:
            for key_path, message in provider_cls.check_options(suite.provider_options):
                self.problems.add(smap.error(f"provider_options: {message}", ("provider_options", *key_path[:1])))
        self.configs = Configs(provider_cls, self.problems, self.resolve, self.options.caps)
        base_config = self.configs.config(suite.defaults.config, smap, ("defaults", "config"))
        self.configs.base = base_config
        configs = self.configs.variants(suite, smap)
        prompts = self.prompts(suite, smap)
        system = None
        if suite.defaults.system is not None and suite.defaults.system_file is not None:
            self.problems.add(smap.error("give 'system' or 'system_file', not both", ("defaults", "system_file")))
        elif suite.defaults.system is not None:
            system = self.problems.attempt(
                lambda: self.template(suite.defaults.system or "", smap, ("defaults", "system"))
            )
        elif suite.defaults.system_file is not None:
            system = self.problems.attempt(
                lambda: self.template_file(suite.defaults.system_file or "", smap, ("defaults", "system_file"))
            )
        scorers = parse_scorer_entries(suite.scorers, smap, ("scorers",), self._scorer_env())
        cases = self.cases(suite, smap, prompts, provider_cls)
        default_model = suite.defaults.model or (provider_cls.default_model if provider_cls else None)
        models = list(self.options.models or suite.matrix.models or ([default_model] if default_model else []))
        if not models and provider_cls is not None:
            self.problems.add(
                smap.error(
                    f"no model: provider '{provider_cls.name}' has no default model",
                    ("defaults",),
                    "set defaults.model, matrix.models or --model",
                )
            )
        if provider_cls is None or not cases:
            raise UserErrors(self.problems.errors)
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

    def prompts(self, suite: Suite, smap: SourceMap) -> dict[str, SourcedTemplate]:
        prompts: dict[str, SourcedTemplate] = {}
        for index, spec in enumerate(suite.prompts):
            loc: tuple[str | int, ...] = ("prompts", index)
            if spec.id in prompts:
                self.problems.add(smap.error(f"duplicate prompt id '{spec.id}'", (*loc, "id")))
                continue
            found = self.problems.attempt(
                functools.partial(self.template, spec.template, smap, (*loc, "template"))
                if spec.template is not None
                else functools.partial(self.template_file, spec.file or "", smap, (*loc, "file"))
            )
            if found is not None:
                prompts[spec.id] = found
        return prompts

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
        return ScorerEnv(self.options.host, check, self.problems)

    def cases(
        self, suite: Suite, smap: SourceMap, prompts: dict[str, SourcedTemplate], provider: type[Provider] | None
    ) -> list[CaseSpec]:
        had_problems = len(self.problems)
        loaded: list[LoadedCase] = []
        for index, entry in enumerate(suite.cases):
            loc: tuple[str | int, ...] = ("cases", index)
            if isinstance(entry, str):
                with self.problems.guard():
                    path = self.resolve(entry, smap, loc, "cases file")
                    loaded.extend(load_case_file(path, self.problems))
            else:
                loaded.append(LoadedCase(entry, self.path, smap.line(loc), smap, loc))
        specs: list[CaseSpec] = []
        ids: dict[str, tuple[Path, int | None]] = {}
        for number, item in enumerate(loaded, start=1):
            case_id = item.case.id or f"case-{number}"
            if case_id in ids:
                file, line = ids[case_id]
                self.problems.add(
                    UserError(f"duplicate case id '{case_id}' (first at {file}:{line})", file=item.file, line=item.line)
                )
                continue
            ids[case_id] = (item.file, item.line)
            if item.case.skip:
                shown = _shown(item.file)
                self.skipped.append(SkippedCase(case_id=case_id, file=shown, line=item.line, tags=item.case.tags))
                continue
            spec = self.problems.attempt(functools.partial(self.case, item, case_id, prompts, provider))
            if spec is not None:
                specs.append(spec)
        if not specs and len(self.problems) == had_problems:
            self.problems.add(smap.error("the suite has no cases to run (all skipped?)", ("cases",)))
        return specs

    def case(
        self, item: LoadedCase, case_id: str, prompts: dict[str, SourcedTemplate], provider: type[Provider] | None
    ) -> CaseSpec | None:
        """One case's files, scorers, config and templates; its mistakes are recorded, not raised one by one."""
        case, csmap, loc = item.case, item.smap, item.loc_prefix
        before = len(self.problems)
        media = self.media(case.media, csmap, (*loc, "media"))
        spec = CaseSpec(
            case=case,
            id=case_id,
            file=item.file,
            line=item.line,
            media=media,
            expect=parse_scorer_entries(case.expect, csmap, (*loc, "expect"), self._scorer_env()),
        )
        if case.config:
            case.config = self.configs.config(case.config, csmap, (*loc, "config"), self.configs.base)
        if case.prompt is not None:
            spec.prompt = self.problems.attempt(lambda: self.template(case.prompt or "", csmap, (*loc, "prompt")))
        if case.system is not None:
            spec.system = self.problems.attempt(lambda: self.template(case.system or "", csmap, (*loc, "system")))
        for name in case.prompts or []:
            if name not in self.prompt_ids:
                self.problems.add(
                    csmap.error(f"unknown prompt id '{name}'", (*loc, "prompts"), f"prompt ids: {', '.join(prompts)}")
                )
            elif name not in prompts:
                return None  # that prompt has a mistake of its own (reported there)
        for t_index, turn in enumerate(case.turns or []):
            tloc = (*loc, "turns", t_index)
            turn_prompt = self.problems.attempt(functools.partial(self.template, turn.prompt, csmap, (*tloc, "prompt")))
            if turn_prompt is not None:
                spec.turn_prompts.append(turn_prompt)
            spec.turn_media.append(self.media(turn.media, csmap, (*tloc, "media")))
            spec.turn_expect.append(parse_scorer_entries(turn.expect, csmap, (*tloc, "expect"), self._scorer_env()))
        if case.turns is None and case.prompt is None and not prompts and not self.has_prompts:
            self.problems.add(
                csmap.error(
                    f"case '{case_id}' has nothing to send",
                    loc,
                    "add a 'prompts:' list to the suite, or give the case a 'prompt' or 'turns'",
                )
            )
        return spec if len(self.problems) == before else None


def _shown(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd())) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)


def load_suite(path: Path, options: LoadOptions, problems: Problems | None = None) -> LoadedSuite:
    """Load and check a suite file (no model calls).

    With ``problems``, mistakes are recorded there and the suite is returned when it is usable enough to plan
    (the caller raises them at the end of its checks); without, any mistake raises them all at once.
    """
    if not path.exists():
        raise UserError(f"suite file not found: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder", hint="name a *.suite.yaml file")
    own = problems is None
    collector = Problems() if problems is None else problems
    loaded = _Loader(path, options, collector).load()
    if own:
        collector.raise_any()
    return loaded
