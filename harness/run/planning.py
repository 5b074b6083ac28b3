"""Planning: cases x prompt variants x models x config variants x repeats -> trials with stable ids."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from harness.api.provider import MediaRef, Message, Part, ProviderRequest
from harness.errors import UserError
from harness.log.records import Output
from harness.log.results import TrialPlan
from harness.suite.loader import CaseSpec, LoadedSuite, SourcedTemplate
from harness.suite.problems import Problems
from harness.suite.scorers import ScorerSpec
from harness.suite.templating import TemplateError, render_string


@dataclass
class PlannedTurn:
    prompt: str
    media: list[MediaRef]
    expect: list[ScorerSpec]


@dataclass
class PlannedTrial:
    id: str
    case: CaseSpec
    prompt_id: str
    model: str
    config_id: str
    config: dict[str, Any]
    repeat: int
    system: str | None
    turns: list[PlannedTurn]
    #: Scorers of the final answer: the suite's, then the case's.
    scorers: list[ScorerSpec]
    stream: bool
    count_tokens: bool
    timeout_s: float
    vars: dict[str, Any]
    media_before: bool = True

    @property
    def case_id(self) -> str:
        return self.case.id

    def plan(self) -> TrialPlan:
        """The public record of this trial before it runs (for observer plugins)."""
        return TrialPlan(
            id=self.id,
            case_id=self.case.id,
            prompt_id=self.prompt_id,
            model=self.model,
            config_id=self.config_id,
            repeat=self.repeat,
            tags=list(self.case.case.tags),
        )

    @property
    def key(self) -> str:
        """A readable identity: case/prompt/model/config#repeat."""
        return f"{self.case.id}/{self.prompt_id}/{self.model}/{self.config_id}#{self.repeat}"

    def request(self, turn: int, answers: list[Output]) -> ProviderRequest:
        """The request for ``turn``: the whole conversation so far, as the SDK's chats send it."""
        contents: list[Message] = []
        for index in range(turn + 1):
            planned = self.turns[index]
            media = [Part(media=m) for m in planned.media]
            text = [Part(text=planned.prompt)] if planned.prompt else []
            contents.append(Message(role="user", parts=media + text if self.media_before else text + media))
            if index < turn:
                contents.append(Message(role="model", parts=[Part(text=answers[index].text or "")]))
        return ProviderRequest(
            model=self.model,
            contents=contents,
            system_instruction=self.system,
            config=self.config,
            stream=self.stream,
            count_tokens=self.count_tokens,
            trial_id=self.id,
            case_id=self.case.id,
            prompt_id=self.prompt_id,
            config_id=self.config_id,
            repeat=self.repeat,
        )


def trial_id(suite: str, case_id: str, prompt_id: str, model: str, config_id: str, repeat: int) -> str:
    """Stable across runs: the same case, prompt variant, model, config variant and repeat get the same id."""
    identity = json.dumps([suite, case_id, prompt_id, model, config_id, repeat], ensure_ascii=False)
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def _matches(case: CaseSpec, prompt_id: str, model: str, patterns: list[str]) -> bool:
    if not patterns:
        return True
    for pattern in patterns:
        if pattern.startswith("tag:"):
            if any(fnmatch.fnmatchcase(tag, pattern[4:]) for tag in case.case.tags):
                return True
        elif any(fnmatch.fnmatchcase(value, pattern) for value in (case.id, prompt_id, model)):
            return True
    return False


def _render(template: SourcedTemplate, variables: dict[str, Any], case: CaseSpec, what: str) -> str:
    return template.render(variables, f"{what} for case '{case.id}' ({case.file.name}:{case.line})")


def _variant_ids(loaded: LoadedSuite, case: CaseSpec) -> list[str]:
    if case.case.turns is not None:
        return ["chat"]
    if case.prompt is not None:
        return ["case"]
    return list(case.case.prompts or loaded.prompts)


def count_trials(loaded: LoadedSuite, filters: list[str] | None = None) -> tuple[int, str]:
    """How many trials ``plan`` will make, and how (counted without rendering anything)."""
    combos = sum(
        1
        for case in loaded.cases
        for prompt_id in _variant_ids(loaded, case)
        for model in loaded.models
        if _matches(case, prompt_id, model, filters or [])
    )
    configs, repeat = len(loaded.configs), loaded.suite.repeat
    return combos * configs * repeat, f"{combos:,} case x prompt x model x {configs:,} configs x {repeat} repeats"


def _request_chars(system: str | None, turns: list[PlannedTurn]) -> int:
    """Characters of text one request sends: the system instruction and every user turn (a chat resends them)."""
    return len(system or "") + sum(len(turn.prompt) for turn in turns)


def plan(loaded: LoadedSuite, filters: list[str] | None = None, problems: Problems | None = None) -> list[PlannedTrial]:
    """Every trial of the suite, in a deterministic order; renders every template (errors name file:line).

    The run's limits (``loaded.options.caps``) are checked first for the number of trials (before anything is
    rendered) and then for each rendered request's length. With ``problems``, a template that fails to render
    (or a request over the length limit) is recorded there and its trials are left out; without, the first
    one raises."""
    suite = loaded.suite
    caps = loaded.options.caps
    count, breakdown = count_trials(loaded, filters)
    caps.check_trials(count, breakdown, loaded.path)
    trials: list[PlannedTrial] = []
    failed: set[tuple[str | None, int | None]] = set()
    for case in loaded.cases:
        c = case.case
        if c.turns is not None:
            variants: list[tuple[str, SourcedTemplate | None]] = [("chat", None)]
        elif case.prompt is not None:
            variants = [("case", case.prompt)]
        else:
            names = c.prompts or list(loaded.prompts)
            variants = [(name, loaded.prompts[name]) for name in names]
        variables = {
            **suite.vars,
            **c.vars,
            "case": {"id": case.id, "tags": list(c.tags), "description": c.description},
        }
        for prompt_id, template in variants:
            for model in loaded.models:
                if not _matches(case, prompt_id, model, filters or []):
                    continue
                for config_id, variant in loaded.configs:
                    config = {**loaded.base_config, **variant, **c.config}
                    scope = {**variables, "model": model, "config": config}
                    try:
                        system, turns = _render_turns(loaded, case, template, prompt_id, scope)
                        what = f"case '{case.id}' (prompt '{prompt_id}', {model}, {config_id})"
                        caps.check_prompt(_request_chars(system, turns), what, case.file, case.line)
                    except UserError as error:
                        if problems is None:
                            raise
                        if (error.file, error.line) not in failed:  # one report per template line
                            failed.add((error.file, error.line))
                            problems.add(error)
                        continue
                    for repeat in range(suite.repeat):
                        trials.append(
                            PlannedTrial(
                                id=trial_id(suite.name, case.id, prompt_id, model, config_id, repeat),
                                case=case,
                                prompt_id=prompt_id,
                                model=model,
                                config_id=config_id,
                                config=config,
                                repeat=repeat,
                                system=system,
                                turns=turns,
                                scorers=loaded.scorers + case.expect,
                                stream=c.stream if c.stream is not None else suite.defaults.stream,
                                count_tokens=suite.defaults.count_tokens,
                                timeout_s=suite.defaults.timeout_s,
                                vars={**suite.vars, **c.vars},
                                media_before=suite.defaults.media_position == "before",
                            )
                        )
    return trials


def _render_turns(
    loaded: LoadedSuite, case: CaseSpec, template: SourcedTemplate | None, prompt_id: str, scope: dict[str, Any]
) -> tuple[str | None, list[PlannedTurn]]:
    """The rendered system instruction and user turns of one trial."""
    system_t = case.system or loaded.system
    system = _render(system_t, scope, case, "system instruction") if system_t else None
    if template is not None:
        return system, [PlannedTurn(_render(template, scope, case, f"prompt '{prompt_id}'"), case.media, [])]
    turns = [
        PlannedTurn(
            _render(t, scope, case, f"turn {i + 1}"),
            (case.media if i == 0 else []) + case.turn_media[i],
            case.turn_expect[i],
        )
        for i, t in enumerate(case.turn_prompts)
    ]
    return system, turns


def _templates_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if "{{" in value or "{%" in value else []
    if isinstance(value, dict):
        return [t for v in value.values() for t in _templates_in(v)]
    if isinstance(value, list):
        return [t for v in value for t in _templates_in(v)]
    return []


def check_scorer_templates(trials: list[PlannedTrial], problems: Problems) -> None:
    """Render every scorer option that is a template with each case's variables (validate time)."""
    seen: set[tuple[str, int]] = set()
    for trial in trials:
        scope = {
            **trial.vars,
            "case": {"id": trial.case.id, "tags": trial.case.case.tags},
            "model": trial.model,
        }
        specs = [*trial.scorers, *(s for t in trial.turns for s in t.expect)]
        for spec in specs:
            key = (trial.case.id, id(spec))
            if key in seen:
                continue
            seen.add(key)
            for source in _templates_in(spec.scorer.options.model_dump()):
                try:
                    render_string(source, scope)
                except TemplateError as exc:
                    where = f"{trial.case.file.name}:{trial.case.line}"
                    problems.add(
                        UserError(
                            f"scorer '{spec.name}' for case '{trial.case.id}' ({where}): {exc.message}",
                            file=spec.file,
                            line=spec.line,
                        )
                    )


def check_requests(loaded: LoadedSuite, trials: list[PlannedTrial], problems: Problems | None = None) -> None:
    """Ask the provider to check each distinct request shape (e.g. total audio duration) without calling it.

    Every problem is recorded in ``problems``; without it, they are raised together at the end.
    """
    own = problems is None
    problems = Problems() if problems is None else problems
    check_scorer_templates(trials, problems)
    seen: set[tuple[Any, ...]] = set()
    for trial in trials:
        for turn in range(len(trial.turns)):
            media = tuple(m.model_dump_json() for t in trial.turns[: turn + 1] for m in t.media)
            # The config matters too: limits and token estimates depend on e.g. media_resolution.
            key = (trial.model, media, json.dumps(trial.config, sort_keys=True, default=str))
            if key in seen:
                continue
            seen.add(key)
            request = trial.request(turn, [Output(text="") for _ in range(turn)])
            for problem in loaded.provider_cls.check_request(request):
                problems.add(
                    UserError(f"case '{trial.case.id}': {problem}", file=trial.case.file, line=trial.case.line)
                )
    if own:
        problems.raise_any()


def count_media_uses(trials: list[PlannedTrial]) -> None:
    """How many calls of the run send each media item (a chat sends its media with every later turn)."""
    counts: dict[str, int] = {}
    refs: dict[str, list[MediaRef]] = {}
    for trial in trials:
        turns = len(trial.turns)
        for index, turn in enumerate(trial.turns):
            for ref in turn.media:
                key = ref.sha256 or ref.uri or str(ref.path)
                counts[key] = counts.get(key, 0) + turns - index
                refs.setdefault(key, []).append(ref)
    for key, items in refs.items():
        for ref in items:
            ref.uses = counts[key]
