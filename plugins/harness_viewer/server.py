"""The viewer's server: one ordinary page (assets/) and a small read-only JSON API over the store, on aiohttp.

Every verdict, reason and comparison is the core's (``harness.api.RunBrowser``); the server only shapes it for
the page. It listens on 127.0.0.1 only, answers GET only, refuses other Host headers (so a web page elsewhere
cannot reach it through DNS rebinding) and sends a CSP that forbids anything but its own scripts.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aiohttp import web

from harness.api import RunBrowser, TrialRecord, UserError, word_diff

ASSETS = Path(__file__).with_name("assets")
HOST = "127.0.0.1"
PAGE = 200
#: Answers are cut to this many characters in lists; a trial's own page shows them whole.
EXCERPT = 600
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"
_ORDER = {"regressed": 0, "errored": 1, "fixed": 2, "new": 3, "missing": 4, "unchanged": 5}


def _answer(trial: TrialRecord) -> str:
    if trial.turns:
        return "\n\n".join((t.output.text or "") if t.output else "" for t in trial.turns)
    return (trial.output.text or "") if trial.output else ""


def _prompt(trial: TrialRecord) -> str:
    return "\n\n".join(t.prompt for t in trial.turns) if trial.turns else trial.request.prompt


def _row(trial: TrialRecord) -> dict[str, Any]:
    answer = _answer(trial)
    return {
        "id": trial.id,
        "case_id": trial.case_id,
        "prompt_id": trial.prompt_id,
        "model": trial.model,
        "config_id": trial.config_id,
        "repeat": trial.repeat,
        "tags": trial.tags,
        "verdict": trial.verdict,
        "reasons": trial.reasons,
        "answer": answer[:EXCERPT] + ("…" if len(answer) > EXCERPT else ""),
        "error": trial.error.message if trial.error else None,
        "latency_ms": trial.output.latency_ms if trial.output else None,
    }


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "") in ("1", "true", "yes")


def _int(request: web.Request, name: str, default: int) -> int:
    try:
        return max(0, int(request.query.get(name, default)))
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} must be a number") from None


class Viewer:
    """Two readers of the store, each its own SQLite connection: one for pages of rows (always quick), one for
    what adds a whole run up (totals, comparisons), so a long comparison never holds up a page of trials."""

    def __init__(self, browser: RunBrowser, heavy: RunBrowser) -> None:
        self.browser = browser
        self.heavy = heavy
        self.locks = {id(browser): asyncio.Lock(), id(heavy): asyncio.Lock()}

    async def call(self, reader: RunBrowser, func: Any, *args: Any) -> Any:
        """``func(*args)`` reading through ``reader``: in a thread (the server keeps answering), one call at a time
        per connection."""
        async with self.locks[id(reader)]:
            return await asyncio.to_thread(func, *args)

    async def suites(self, _request: web.Request) -> web.Response:
        found = await self.call(self.browser, self.browser.suites)
        return web.json_response([{"suite": s, "suite_file": f, "runs": n} for s, f, n in found])

    async def history(self, request: web.Request) -> web.Response:
        suite = request.query.get("suite") or None
        found = await self.call(self.heavy, self.heavy.history, suite, _int(request, "limit", 500) or None)
        return web.json_response([t.model_dump(mode="json") for t in found])

    async def run(self, request: web.Request) -> web.Response:
        run_id = request.match_info["run"]
        info = await self.call(self.browser, self.browser.info, run_id)
        if info is None:
            raise web.HTTPNotFound(text=f"no run {run_id}")
        total, page = await self.call(
            self.browser,
            self.browser.trials,
            run_id,
            _int(request, "offset", 0),
            min(_int(request, "limit", PAGE), 1000),
            _flag(request, "failing"),
            request.query.get("tag") or None,
            request.query.get("model") or None,
            request.query.get("case") or None,
        )
        return web.json_response(
            {
                "run": info.model_dump(mode="json", include={"id", "suite", "suite_file", "started_at", "status"}),
                "matching": total,
                "trials": [_row(t) for t in page],
            }
        )

    async def totals(self, request: web.Request) -> web.Response:
        run_id = request.match_info["run"]
        found = await self.call(self.heavy, self.heavy.totals, run_id)
        if found is None:
            raise web.HTTPNotFound(text=f"no run {run_id}")
        facets = await self.call(self.browser, self.browser.facets, run_id)
        return web.json_response({"totals": found.model_dump(mode="json"), "facets": facets})

    async def trial(self, request: web.Request) -> web.Response:
        found = await self.call(self.browser, self.browser.find, request.match_info["trial"], request.match_info["run"])
        if not found:
            raise web.HTTPNotFound(text="no such trial")
        return web.json_response(found[1][0].model_dump(mode="json"))

    async def grid(self, request: web.Request) -> web.Response:
        """One case of a run across models and configs: columns (model, config), rows (prompt, repeat)."""
        run_id, case = request.match_info["run"], request.match_info["case"]
        _, trials = await self.call(self.browser, self.browser.trials, run_id, 0, 10_000, False, None, None, case)
        if not trials:
            raise web.HTTPNotFound(text=f"no case {case} in run {run_id}")
        columns = sorted({(t.model, t.config_id) for t in trials})
        rows = sorted({(t.prompt_id, t.repeat) for t in trials})
        cells = {(t.prompt_id, t.repeat, t.model, t.config_id): t for t in trials}
        return web.json_response(
            {
                "run": run_id,
                "case": case,
                "columns": [{"model": m, "config_id": c} for m, c in columns],
                "rows": [
                    {
                        "prompt_id": p,
                        "repeat": r,
                        "prompt": _prompt(next(t for t in trials if (t.prompt_id, t.repeat) == (p, r))),
                        "cells": [
                            {**_row(cells[(p, r, m, c)]), "answer": _answer(cells[(p, r, m, c)])}
                            if (p, r, m, c) in cells
                            else None
                            for m, c in columns
                        ],
                    }
                    for p, r in rows
                ],
            }
        )

    def _compare(self, before: str, after: str, query: dict[str, str]) -> dict[str, Any]:
        comparison = self.heavy.compare(before, after)
        new, old = self.heavy.results(after), self.heavy.results(before)
        first_new: dict[tuple[str, str, str, str], TrialRecord] = {}
        first_old: dict[tuple[str, str, str, str], TrialRecord] = {}
        for trials, first in ((new.trials, first_new), (old.trials, first_old)):
            for t in sorted(trials, key=lambda t: t.repeat):
                first.setdefault((t.case_id, t.prompt_id, t.model, t.config_id), t)
        tags = {(c.case_id, c.prompt_id, c.model, c.config_id): c.tags for c in [*new.cases, *old.cases]}
        cases = sorted(comparison.cases, key=lambda c: (_ORDER[c.change], c.case_id, c.prompt_id, c.model))
        if query.get("failing") in ("1", "true"):
            cases = [c for c in cases if c.after in ("fail", "error") or c.change in ("regressed", "errored")]
        if query.get("model"):
            cases = [c for c in cases if c.model == query["model"]]
        if query.get("tag"):
            cases = [c for c in cases if query["tag"] in tags.get((c.case_id, c.prompt_id, c.model, c.config_id), [])]
        offset, limit = int(query.get("offset", 0)), min(int(query.get("limit", PAGE)), 1000)
        shown = []
        for case in cases[offset : offset + limit]:
            key = (case.case_id, case.prompt_id, case.model, case.config_id)
            a, b = first_old.get(key), first_new.get(key)
            entry = case.model_dump(mode="json")
            entry["before_answer"] = _answer(a) if a else None
            entry["after_answer"] = _answer(b) if b else None
            entry["answer_diff"] = word_diff(_answer(a), _answer(b)) if a and b else None
            entry["prompt_diff"] = word_diff(_prompt(a), _prompt(b)) if a and b and _prompt(a) != _prompt(b) else None
            entry["before_trial"], entry["after_trial"] = (a.id if a else None), (b.id if b else None)
            shown.append(entry)
        summary = comparison.model_dump(mode="json", exclude={"cases", "trials"})
        return {"before": before, "after": after, "summary": summary, "matching": len(cases), "cases": shown}

    async def compare(self, request: web.Request) -> web.Response:
        before, after = request.query.get("a", ""), request.query.get("b", "")
        for run_id in (before, after):
            if await self.call(self.browser, self.browser.info, run_id) is None:
                raise web.HTTPNotFound(text=f"no run {run_id}")
        try:
            body = await self.call(self.heavy, self._compare, before, after, dict(request.query))
        except ValueError:
            raise web.HTTPBadRequest(text="offset and limit must be numbers") from None
        return web.json_response(body)


@web.middleware
async def _guard(request: web.Request, handler: Any) -> web.StreamResponse:
    allowed = {f"{HOST}:{request.url.port}", f"localhost:{request.url.port}"}
    if request.host not in allowed:
        raise web.HTTPForbidden(text="the viewer answers only on 127.0.0.1")
    response: web.StreamResponse = await handler(request)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def build_app(browser: RunBrowser, heavy: RunBrowser) -> web.Application:
    viewer = Viewer(browser, heavy)
    app = web.Application(middlewares=[_guard])

    async def index(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(ASSETS / "viewer.html")

    app.router.add_get("/", index)
    app.router.add_static("/assets/", ASSETS)
    app.router.add_get("/api/suites", viewer.suites)
    app.router.add_get("/api/history", viewer.history)
    app.router.add_get("/api/runs/{run}", viewer.run)
    app.router.add_get("/api/runs/{run}/totals", viewer.totals)
    app.router.add_get("/api/runs/{run}/trials/{trial}", viewer.trial)
    app.router.add_get("/api/runs/{run}/cases/{case:.+}", viewer.grid)
    app.router.add_get("/api/compare", viewer.compare)
    return app


@contextlib.contextmanager
def running(store: Path | None, port: int = 0) -> Iterator[str]:
    """The viewer on 127.0.0.1 in a background thread, for as long as the context lasts; yields its URL."""
    browser, heavy = RunBrowser(store), RunBrowser(store)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(build_app(browser, heavy), access_log=None)

    async def start() -> str:
        await runner.setup()
        site = web.TCPSite(runner, HOST, port)
        await site.start()
        return f"http://{HOST}:{runner.addresses[0][1]}/"

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=30)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
        browser.close()
        heavy.close()


def serve(store: Path | None, port: int) -> None:
    """Serve until Ctrl-C, printing the address (a store with no runs is a mistake: nothing to show)."""
    browser = RunBrowser(store)
    empty = not browser.suites()
    path = browser.store.path
    browser.close()
    if empty:
        raise UserError(f"no runs in the store {path}", hint="`harness run` records runs there first")
    with running(store, port) as url:
        print(f"harness view: {url} (reading {path}; Ctrl-C stops)", flush=True)
        threading.Event().wait()
