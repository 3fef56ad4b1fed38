"""One state, changed only by events through a reducer, watched by subscribers (portable).

The one mechanism behind ``Conversation`` (``widget.thread.reducer``) and ``History``
(``widget.thread.history``): ``dispatch(event)`` applies the reducer; when the state changed,
every subscriber gets the new state, in the order they subscribed. Nothing else writes
``state`` (docs/architecture.md: events -> reducer -> state -> view).
"""

if False:  # type-checking only; MicroPython has no typing module
    from typing import Any, Callable


class StateStore:
    def __init__(self, reduce: "Callable[[Any, Any], Any]", state: "Any") -> None:
        self._reduce = reduce
        self.state = state
        self._subscribers: list = []

    def subscribe(self, fn: "Callable[[Any], Any]") -> None:
        """Call ``fn(state)`` after every change of the state."""
        self._subscribers.append(fn)

    def dispatch(self, event) -> None:
        new = self._reduce(self.state, event)
        if new is not self.state:
            self.state = new
            for fn in self._subscribers:
                fn(new)
