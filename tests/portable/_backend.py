"""A small in-memory ChatKit backend for the portable tests of issue 11 (restore, history,
resume, stop): the session endpoint (with resume tokens), ``threads.get_by_id`` (the OLDEST 20
items, as the SDK answers), ``items.list`` and ``threads.list`` with the SDK's paging
(``order``, ``limit``, ``after`` = the id of the last entry of the previous page),
``threads.update``, ``threads.delete`` and ``POST /api/chatkit/stop``. Portable code only.

``fail[op]`` is a list of scripted answers used first for that operation (``"session"``,
``"stop"`` or a request ``type``): a ``ScriptedResponse``, an exception to raise, or a
callable ``(request)`` returning either (or a coroutine of one).
``before[op]`` is a callable run before an operation is answered (to make an answer appear
between two polls, say).
"""

import json

from widget.tools.mock_transport import MockTransport, ScriptedResponse

BASE = "http://api.test"
JSON = {"Content-Type": "application/json"}


def iso(n):
    """A distinct, ordered ISO 8601 timestamp: 2026-11-26T09:MM:SSZ with n seconds."""
    return "2026-11-26T09:%02d:%02dZ" % (n // 60, n % 60)


def user(item_id, text, thread_id="thr_1", n=0):
    return {
        "type": "user_message",
        "id": item_id,
        "thread_id": thread_id,
        "created_at": iso(n),
        "content": [{"type": "input_text", "text": text}],
        "attachments": [],
        "inference_options": {},
    }


def answer(item_id, text, thread_id="thr_1", n=0):
    return {
        "type": "assistant_message",
        "id": item_id,
        "thread_id": thread_id,
        "created_at": iso(n),
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def turns(count, thread_id="thr_1"):
    """``count`` question/answer pairs: u1, a1, u2, a2, ..."""
    out = []
    for i in range(1, count + 1):
        out.append(user("u%d" % i, "question %d" % i, thread_id, 2 * i))
        out.append(answer("a%d" % i, "answer %d" % i, thread_id, 2 * i + 1))
    return out


def json_response(value, status=200, headers=None):
    h = dict(JSON)
    h.update(headers or {})
    return ScriptedResponse(status, h, [json.dumps(value).encode()])


def error(status, message="Nope.", headers=None):
    body = {"error": {"type": "Error", "message": message}, "timestamp": "t"}
    return json_response(body, status, headers)


def _page(entries, limit, after):
    start = 0
    if after is not None:
        for i, e in enumerate(entries):
            if e["id"] == after:
                start = i + 1
    limit = limit or 20
    data = entries[start : start + limit]
    has_more = start + limit < len(entries)
    page = {"data": data, "has_more": has_more}
    if has_more:
        page["after"] = data[-1]["id"]
    return page


class Backend:
    def __init__(self, resume=True):
        self.threads = {}  # id -> {"id", "title", "created_at", "items": [...]}
        self.order = []  # thread ids, oldest first
        self.calls = []  # (op, params or body) in order
        self.fail = {}
        self.before = {}
        self.resume = resume
        self.sessions = 0
        self.stops = []
        self.transport = MockTransport(self)

    def add_thread(self, thread_id, items=(), title=None, n=0):
        self.threads[thread_id] = {
            "id": thread_id,
            "title": title,
            "created_at": iso(n),
            "items": list(items),
        }
        self.order.append(thread_id)

    def ops(self):
        return [c[0] for c in self.calls]

    def _scripted(self, op, request):
        hook = self.before.get(op)
        if hook is not None:
            hook(self)
        answers = self.fail.get(op)
        if answers:
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            if callable(answer):  # (request) -> a response, or a coroutine of one
                return answer(request)
            return answer
        return None

    def __call__(self, request):
        if request.url.endswith("/api/chatkit/session"):
            body = json.loads(request.body)
            self.calls.append(("session", body, request.headers.get("Authorization")))
            scripted = self._scripted("session", request)
            if scripted is not None:
                return scripted
            self.sessions += 1
            out = {
                "client_secret": "secret-%d" % self.sessions,
                "session_id": "sess",
                "expires_at": "2099-01-01T00:00:00Z",
            }
            if self.resume:
                out["resume_token"] = "ckr_%d" % self.sessions
                out["resume_expires_at"] = "2099-01-01T00:00:00Z"
            return json_response(out)
        if request.url.endswith("/api/chatkit/stop"):
            body = json.loads(request.body)
            self.calls.append(("stop", body, request.headers.get("Authorization")))
            self.stops.append(body["thread_id"])
            scripted = self._scripted("stop", request)
            if scripted is not None:
                return scripted
            return ScriptedResponse(204, {}, [])
        body = json.loads(request.body)
        op = body["type"]
        params = body["params"]
        self.calls.append((op, params, request.headers.get("Authorization")))
        scripted = self._scripted(op, request)
        if scripted is not None:
            return scripted
        return getattr(self, "_" + op.replace(".", "_"))(params)

    def _thread_json(self, t, items_page):
        return {
            "id": t["id"],
            "title": t["title"],
            "created_at": t["created_at"],
            "status": {"type": "active"},
            "metadata": {},
            "items": items_page,
        }

    def _threads_get_by_id(self, params):
        t = self.threads.get(params["thread_id"])
        if t is None:
            return error(404, "Thread not found.")
        return json_response(self._thread_json(t, _page(t["items"], 20, None)))

    def _items_list(self, params):
        t = self.threads.get(params["thread_id"])
        if t is None:
            return error(404, "Thread not found.")
        entries = list(t["items"])
        if params.get("order", "desc") == "desc":
            entries.reverse()
        return json_response(_page(entries, params.get("limit"), params.get("after")))

    def _threads_list(self, params):
        ids = list(self.order)
        if params.get("order", "desc") == "desc":
            ids.reverse()
        entries = [self._thread_json(self.threads[i], {"data": []}) for i in ids]
        return json_response(_page(entries, params.get("limit"), params.get("after")))

    def _threads_update(self, params):
        t = self.threads.get(params["thread_id"])
        if t is None:
            return error(404, "Thread not found.")
        t["title"] = params["title"]
        return json_response(self._thread_json(t, {"data": []}))

    def _threads_delete(self, params):
        if params["thread_id"] not in self.threads:
            return error(404, "Thread not found.")
        del self.threads[params["thread_id"]]
        self.order.remove(params["thread_id"])
        return json_response({})
