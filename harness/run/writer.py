"""Store writes batched inside the event loop, without giving up "stored before reported".

Finished calls and trials are buffered and written together in one transaction at the end of the current loop
iteration (``call_soon``), so a thousand trials finishing close together cost a few transactions, not a thousand.
``trial()`` returns only once its transaction committed: a trial is reported (observer plugins, the progress bar)
only after it is on disk. A failed write (a full disk) keeps what still fits of its batch, one item at a time, and
is raised to every waiter whose trial it could not store; nothing after it is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from harness.log.records import Output
from harness.log.results import TrialRecord
from harness.log.store import Store, StoreFull


class StoreWriter:
    def __init__(self, store: Store, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self._calls: list[tuple[str, str, Output]] = []
        self._trials: list[tuple[int, TrialRecord]] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._scheduled = False
        #: The first failed write; once set, nothing more is written.
        self.failed: StoreFull | None = None
        self.transactions = 0

    def calls(self, items: Sequence[tuple[str, str, Output]]) -> None:
        """Buffer finished calls ``(request hash, model, output)``."""
        if items:
            self._calls.extend(items)
            self._schedule()

    async def trial(self, seq: int, record: TrialRecord) -> None:
        """Buffer a finished trial and wait until it is committed."""
        if self.failed is not None:
            raise self.failed
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._trials.append((seq, record))
        self._waiters.append(waiter)
        self._schedule()
        await waiter

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._scheduled = False
        calls, trials, waiters = self._calls, self._trials, self._waiters
        self._calls, self._trials, self._waiters = [], [], []
        stored = [False] * len(trials)
        if self.failed is None and (calls or trials):
            try:
                self.store.save(self.run_id, trials=trials, calls=calls)
                self.transactions += 1
                stored = [True] * len(trials)
            except StoreFull as error:
                self.failed = error
                if len(calls) + len(trials) > 1:
                    stored = self._one_by_one(calls, trials)
        for waiter, done in zip(waiters, stored, strict=True):
            if waiter.done():
                continue
            if done:
                waiter.set_result(None)
            else:
                assert self.failed is not None
                waiter.set_exception(self.failed)

    def _one_by_one(self, calls: list[tuple[str, str, Output]], trials: list[tuple[int, TrialRecord]]) -> list[bool]:
        """After a batch did not fit (a full disk), keep what still fits, one transaction per item: the answers
        first (so a resume calls nothing twice), then the trials, stopping at the first that does not fit.
        Returns which trials were stored (their waiters go on; the rest get the error)."""
        stored = [False] * len(trials)
        try:
            for call in calls:
                self.store.save(self.run_id, calls=[call])
                self.transactions += 1
            for index, trial in enumerate(trials):
                self.store.save(self.run_id, trials=[trial])
                self.transactions += 1
                stored[index] = True
        except StoreFull:
            pass
        return stored
