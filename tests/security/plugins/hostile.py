"""A provider whose answers and errors carry terminal escapes, hyperlinks and CI workflow commands."""

from __future__ import annotations

from harness.api import Output, Provider, ProviderError, ProviderRequest, Register, Usage, hookimpl

#: Clear the screen and paint a green "ALL PASSED"; a hidden OSC 8 link; then a GitHub Actions command.
POISON = (
    "\x1b[2J\x1b[1;32mALL PASSED\x1b[0m \x1b]8;;https://attacker.example\x1b\\click\x1b]8;;\x1b\\"
    "\n::add-mask::passed\r\n##[error]fake\u202eevil"
)


class Hostile(Provider):
    name = "hostile"
    default_model = "[/bold]"
    description = "answers and fails with poisoned text"

    async def generate(self, request: ProviderRequest) -> Output:
        text = " ".join(part.text or "" for part in request.contents[-1].parts)
        if "fail" in text:
            raise ProviderError(POISON, code=400, status="INVALID_ARGUMENT", retryable=False)
        return Output(text=POISON, finish_reason="STOP", latency_ms=1.0, usage=Usage(output_tokens=3))


@hookimpl
def register_providers(register: Register) -> None:
    register(Hostile)
