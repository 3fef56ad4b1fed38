"""What the reference backend holds, read the way the widget would after a reload: the stored
resume token traded for a client secret (docs/contract.md §1), then one ChatKit request. The
e2e tests of issue 11 check the server's side with it (one user message per question, titles)."""

from __future__ import annotations

import json
import urllib.request


def post(url: str, body: dict, secret: str | None = None) -> dict:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if secret:
        headers["Authorization"] = "Bearer " + secret
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def secret_for(backend_url: str, resume_token: str) -> str:
    """A client secret of the session ``resume_token`` resumes."""
    answer = post(backend_url + "/api/chatkit/session", {"resume_token": resume_token})
    return answer["client_secret"]


def chatkit(backend_url: str, resume_token: str, body: dict) -> dict:
    """One non-streaming ChatKit request in that session (``threads.list``, ``items.list``...)."""
    return post(backend_url + "/chatkit", body, secret_for(backend_url, resume_token))
