"""The wire format (portable): response text -> server-sent events -> ChatKit protocol events.

utf8          bytes -> text, for transports that hand over bytes (tests, recorded streams);
              the browser's fetch hands over text its TextDecoder already decoded
sse           text -> ``ServerSentEvent`` (WHATWG event-stream rules, incremental, capped)
event_stream  SSE -> protocol events (``widget.protocol.parse_event``), text deltas merged
"""
