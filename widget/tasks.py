"""Background tasks that are kept alive until they end, and whose errors are reported (portable).

``asyncio`` keeps only a weak reference to a task, so a task nobody holds may be collected
before it finishes; the usual fix, a set of tasks with ``add_done_callback(set.discard)``, does
not work on MicroPython, whose tasks have no callbacks: such a set only grows. ``TaskSet``
wraps each coroutine so that the task removes itself when it ends, on every interpreter, and
hands an exception to ``on_error`` instead of losing it.
"""

import asyncio

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Callable


class TaskSet:
    def __init__(self, on_error: "Callable[[BaseException], Any] | None" = None) -> None:
        self._tasks: set = set()
        self._on_error = on_error

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro) -> "Any":
        """Run ``coro`` as a task held until it ends; returns the task."""
        holder: list = []

        async def run() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported, never lost silently
                if self._on_error is not None:
                    self._on_error(exc)
            finally:
                if holder:
                    self._tasks.discard(holder[0])

        task = asyncio.create_task(run())
        holder.append(task)
        self._tasks.add(task)
        return task
