"""widget.tasks.TaskSet: background tasks are held until they end, then let go (also on
MicroPython, whose tasks have no done-callbacks), and their errors are reported."""

import asyncio

from tests.portable._support import until
from widget.tasks import TaskSet


async def test_tasks_are_held_until_they_end_then_let_go():
    errors = []
    tasks = TaskSet(errors.append)
    gate = asyncio.Event()
    done = []

    async def work(n):
        await gate.wait()
        done.append(n)

    for n in range(3):
        tasks.spawn(work(n))
    assert len(tasks) == 3
    gate.set()
    await until(lambda: len(tasks) == 0)
    assert sorted(done) == [0, 1, 2] and errors == []


async def test_an_error_is_reported_not_lost():
    errors = []
    tasks = TaskSet(errors.append)

    async def boom():
        raise ValueError("broken")

    tasks.spawn(boom())
    await until(lambda: len(tasks) == 0)
    assert [str(e) for e in errors] == ["broken"]
    TaskSet().spawn(boom())  # without a reporter: swallowed, never raised into the loop
    await asyncio.sleep(0)


async def test_a_cancelled_task_is_let_go_too():
    tasks = TaskSet()
    task = tasks.spawn(asyncio.Event().wait())
    await asyncio.sleep(0)
    task.cancel()
    await until(lambda: len(tasks) == 0)
