"""The broadcast Booker writes delivery results in groups, and every sender still learns its own row's fate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import pytest

from bots.campaigns.dispatcher import Booker
from domain.model.campaigns import SendOutcome


class Store:
    """Records each ``finish_many`` call; rows in ``lost`` had their lease reaped; ``fail`` breaks the next write."""

    def __init__(self) -> None:
        self.writes: list[list[int]] = []
        self.lost: set[int] = set()
        self.fail = False

    async def finish_many(self, results: Sequence[tuple[Any, SendOutcome]]) -> list[bool]:
        await asyncio.sleep(0)
        if self.fail:
            self.fail = False
            raise ConnectionError("database went away")
        self.writes.append([row for row, _ in results])
        return [row not in self.lost for row, _ in results]


async def test_results_are_written_in_one_transaction_once_a_group_is_complete() -> None:
    store = Store()
    booker = Booker(store, batch=4, linger=60)  # type: ignore[arg-type]
    started = time.monotonic()
    booked = await asyncio.gather(*(booker.book(row, SendOutcome.sent()) for row in range(4)))
    assert booked == [True] * 4
    assert store.writes == [[0, 1, 2, 3]]
    assert time.monotonic() - started < 30  # a complete group does not wait for the linger


async def test_a_lone_result_is_written_when_the_linger_is_over() -> None:
    store = Store()
    booker = Booker(store, batch=10, linger=0.05)  # type: ignore[arg-type]
    started = time.monotonic()
    assert await booker.book(1, SendOutcome.sent()) is True
    assert store.writes == [[1]]
    assert 0.04 <= time.monotonic() - started < 5


async def test_results_arriving_while_a_group_is_written_form_the_next_group() -> None:
    store = Store()
    booker = Booker(store, batch=2, linger=60)  # type: ignore[arg-type]
    first = [asyncio.create_task(booker.book(row, SendOutcome.sent())) for row in (1, 2)]
    await asyncio.sleep(0)  # the writer takes 1 and 2
    later = [asyncio.create_task(booker.book(row, SendOutcome.sent())) for row in (3, 4)]
    assert await asyncio.gather(*first, *later) == [True] * 4
    assert store.writes == [[1, 2], [3, 4]]


async def test_a_row_whose_lease_was_lost_is_reported_unbooked() -> None:
    store = Store()
    store.lost.add(2)
    booker = Booker(store, batch=3, linger=60)  # type: ignore[arg-type]
    outcomes = [SendOutcome.sent(), SendOutcome.failed("500"), SendOutcome.blocked()]
    assert await asyncio.gather(*(booker.book(r, o) for r, o in zip((1, 2, 3), outcomes, strict=True))) == [
        True,
        False,
        True,
    ]


async def test_a_failed_write_reaches_every_sender_of_its_group_and_the_next_group_is_still_written() -> None:
    store = Store()
    store.fail = True
    booker = Booker(store, batch=2, linger=60)  # type: ignore[arg-type]
    failed = await asyncio.gather(*(booker.book(r, SendOutcome.sent()) for r in (1, 2)), return_exceptions=True)
    assert [type(e) for e in failed] == [ConnectionError, ConnectionError]
    assert await asyncio.gather(*(booker.book(r, SendOutcome.sent()) for r in (3, 4))) == [True, True]
    assert store.writes == [[3, 4]]


@pytest.mark.parametrize("batch", [0, 1])
async def test_a_batch_of_one_writes_each_result_at_once(batch: int) -> None:
    store = Store()
    booker = Booker(store, batch=batch, linger=60)  # type: ignore[arg-type]
    assert await booker.book(1, SendOutcome.sent()) is True
    assert store.writes == [[1]] and booker.writes == 1
