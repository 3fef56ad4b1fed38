"""The network (portable): one transport seam, one clock, deadlines, retries, the session
secret and the ChatKit client.

    transport  ``Transport`` / ``Request`` / ``Response`` / ``AbortHandle``: the only seam
    clock      the one injectable clock every deadline and backoff reads
    exchange   deadlines (``race``), status and media-type checks, error bodies
    retry      backoff with full jitter, ``Retry-After``
    rules      the retry rules of every operation, side by side in one table
    session    the client secret's lifecycle (and the resume token's)
    client     ``ChatKitClient``: requests over the transport, failure classification, Stop
"""
