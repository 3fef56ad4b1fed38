"""The per-request context handed to the ChatKit SDK, the store and the answerer."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class RequestContext:
    session_id: str
    client_ip: str = ""
    # metadata.client_message_id of a threads.create / threads.add_user_message request; the
    # store keeps it with the user item so a re-send can be recognised (see server.py).
    client_message_id: str | None = None
