"""The thread reducer: what the conversation shows after each event."""

import json

from tests.portable._support import read_fixture
from widget import protocol as p
from widget.thread import state as s
from widget.thread.reducer import apply


def _events(name):
    out = []
    for line in read_fixture("streams/" + name).decode("utf-8").split("\n"):
        if line.startswith("data: "):
            out.append(p.parse_event(json.loads(line[6:])))
    return out


def _run(state, events):
    for ev in events:
        state = apply(state, ev)
    return state


def _submitted(text="What is ROS 2?", cmid="cm_1"):
    return apply(s.initial_state(), s.MessageSubmitted(client_message_id=cmid, text=text))


def _assistant(item_id="msg_a", text=""):
    return p.AssistantMessageItem(
        id=item_id,
        thread_id="thr",
        created_at="c",
        content=[p.AssistantMessageContent(text=text, annotations=[])] if text else [],
    )


def _upd(item_id, update):
    return p.ThreadItemUpdatedEvent(item_id=item_id, update=update)


def _delta(item_id, text, index=0):
    return _upd(item_id, p.AssistantMessageContentPartTextDelta(content_index=index, delta=text))


def _url_ann(url, index=None):
    return p.Annotation(source=p.URLSource(title="T " + url, url=url), index=index)


def test_submitted_message_shows_at_once_as_sending():
    st = _submitted("Hi 🤖\nthere")
    (entry,) = st.entries
    assert entry.status == s.SENDING and entry.text() == "Hi 🤖\nthere"
    assert (
        entry.client_message_id == "cm_1" and st.phase == s.WAITING and st.acked_message_id is None
    )


def test_a_full_captured_turn():
    st = _run(
        _submitted(), [s.StreamOpened()] + _events("01-threads.create.sse") + [s.StreamClosed()]
    )
    user, answer = st.entries
    assert (user.status, user.item.id, user.text()) == (
        s.DONE,
        "msg_8f5e0a04",
        "What is ROS 2?",
    )
    assert user.key == 1  # the optimistic entry was replaced in place, not duplicated
    assert answer.status == s.DONE and answer.item.type == "assistant_message"
    assert answer.text().startswith("ROS 2 is the middleware")
    assert [a.source.url for a in answer.answer.parts[0].annotations] == [
        "/modules/module-1-ros2-nervous-system/introduction"
    ]
    assert st.thread_id == "thr_1072295b" and st.title == "What is ROS 2?"
    assert st.acked_message_id == "cm_1" and st.retry_item_id == "msg_8f5e0a04"
    assert st.phase == s.IDLE and st.problem is None and st.progress is None


def test_text_grows_delta_by_delta_and_progress_clears_with_content():
    events = _events("01-threads.create.sse")
    st = _run(_submitted(), events[:4])  # created, user done, stream_options, progress
    assert st.progress.text == "Searching the textbook..." and st.allow_cancel is True
    seen = []
    for ev in events[4:]:
        st = apply(st, ev)
        if len(st.entries) == 2:
            seen.append((st.entries[1].status, st.entries[1].text()))
    texts = [t for status, t in seen if status == s.STREAMING]
    assert len(set(texts)) > 5
    assert all(texts[i + 1].startswith(texts[i]) for i in range(len(texts) - 1))
    assert st.progress is None


def test_unchanged_entries_are_shared_between_states():
    st = _run(_submitted(), _events("01-threads.create.sse")[:6])
    before = st
    st = apply(st, _delta(st.entries[1].item.id, "x"))
    assert st.entries[0] is before.entries[0]
    assert st.entries[1] is not before.entries[1]


def test_apply_never_mutates_its_input():
    st = _run(_submitted(), _events("01-threads.create.sse")[:8])
    snapshot = [(e.key, e.status, json.dumps(e.item.to_dict())) for e in st.entries]
    for ev in _events("01-threads.create.sse")[8:] + [
        s.StreamFailed(problem=s.Problem(kind="network"))
    ]:
        apply(st, ev)
    assert snapshot == [(e.key, e.status, json.dumps(e.item.to_dict())) for e in st.entries]


def test_done_without_annotations_keeps_the_received_ones():
    st = _run(
        _submitted(),
        [
            p.ThreadItemAddedEvent(item=_assistant()),
            _upd(
                "msg_a",
                p.AssistantMessageContentPartAdded(
                    content_index=0, content=p.AssistantMessageContent(text="", annotations=[])
                ),
            ),
            _delta("msg_a", "See docs."),
            _upd(
                "msg_a",
                p.AssistantMessageContentPartAnnotationAdded(
                    content_index=0, annotation_index=0, annotation=_url_ann("/a", 3)
                ),
            ),
            _upd(
                "msg_a",
                p.AssistantMessageContentPartAnnotationAdded(
                    content_index=0, annotation_index=0, annotation=_url_ann("/b", 1)
                ),
            ),
            _upd(
                "msg_a",
                p.AssistantMessageContentPartDone(
                    content_index=0,
                    content=p.AssistantMessageContent(text="See docs.", annotations=[]),
                ),
            ),
        ],
    )
    assert [a.source.url for a in st.entries[1].answer.parts[0].annotations] == ["/b", "/a"]
    final = _assistant(text="See docs.")
    st = apply(st, p.ThreadItemDoneEvent(item=final))
    assert st.entries[1].status == s.DONE
    assert [a.source.url for a in st.entries[1].answer.parts[0].annotations] == ["/b", "/a"]


def test_done_with_annotations_is_authoritative():
    st = _run(
        _submitted(),
        [
            p.ThreadItemAddedEvent(item=_assistant()),
            _delta("msg_a", "See docs."),
            _upd(
                "msg_a",
                p.AssistantMessageContentPartAnnotationAdded(
                    content_index=0, annotation_index=0, annotation=_url_ann("/a", 3)
                ),
            ),
        ],
    )
    final = _assistant(text="See docs.")
    final = final.replace(content=[final.content[0].replace(annotations=[_url_ann("/c")])])
    st = apply(st, p.ThreadItemDoneEvent(item=final))
    assert [a.source.url for a in st.entries[1].answer.parts[0].annotations] == ["/c"]


def test_deltas_pad_missing_content_parts():
    st = _run(
        _submitted(),
        [p.ThreadItemAddedEvent(item=_assistant()), _delta("msg_a", "second", index=1)],
    )
    assert [c.text.text() for c in st.entries[1].answer.parts] == ["", "second"]


def test_assistant_ids_reused_across_turns_update_the_newest():
    turn1 = [
        p.ThreadItemAddedEvent(item=_assistant("__fake_id__")),
        _delta("__fake_id__", "first"),
        p.ThreadItemDoneEvent(item=_assistant("__fake_id__", "first")),
    ]
    st = _run(_submitted(), turn1 + [s.StreamClosed()])
    st = _run(
        apply(st, s.MessageSubmitted(client_message_id="cm_2", text="again")),
        [
            p.ThreadItemAddedEvent(item=_assistant("__fake_id__")),
            _delta("__fake_id__", "second"),
        ],
    )
    assert [e.text() for e in st.entries if e.item.type == "assistant_message"] == [
        "first",
        "second",
    ]
    st = apply(st, p.ThreadItemDoneEvent(item=_assistant("__fake_id__", "second!")))
    answers = [(e.status, e.text()) for e in st.entries if e.item.type == "assistant_message"]
    assert answers == [(s.DONE, "first"), (s.DONE, "second!")]
    # a done for an id whose entries are all done starts a new row (a new turn)
    st = apply(st, p.ThreadItemDoneEvent(item=_assistant("__fake_id__", "third")))
    assert [e.text() for e in st.entries if e.item.type == "assistant_message"][-1] == "third"


def test_in_band_error_mid_stream_marks_the_answer_incomplete():
    st = _run(
        _submitted("midstream"),
        [s.StreamOpened()] + _events("17-error-midstream.sse") + [s.StreamClosed()],
    )
    user, answer = st.entries
    assert user.status == s.DONE and answer.status == s.INCOMPLETE and answer.text()
    assert st.problem == s.Problem(kind="server", retryable=True, code="stream.error")
    assert st.retry_item_id == user.item.id and st.phase == s.IDLE


def test_acknowledged_message_tells_the_thread_when_thread_created_was_missed():
    st = _run(_submitted(), _events("02-threads.add_user_message.sse")[:1])
    assert st.thread_id == "thr_1072295b" and st.acked_message_id == "cm_1"


def test_custom_error_carries_the_server_message():
    st = _run(_submitted(), _events("14-error-custom.sse") + [s.StreamClosed()])
    assert st.problem.kind == "server" and st.problem.code == "custom"
    assert st.problem.message == "The textbook search service is unavailable. Please try again."
    assert st.problem.retryable is True


def test_dropped_stream_keeps_partial_text_marked_incomplete():
    events = _events("01-threads.create.sse")[:12]
    problem = s.Problem(kind="network", retryable=True)
    st = _run(_submitted(), events + [s.StreamFailed(problem=problem)])
    assert st.entries[1].status == s.INCOMPLETE and st.entries[1].text()
    assert st.problem is problem and st.phase == s.IDLE and st.progress is None


def test_failure_before_acknowledgement_means_not_sent():
    st = apply(
        _submitted("keep me 🤖"), s.StreamFailed(problem=s.Problem(kind="network", retryable=True))
    )
    (entry,) = st.entries
    assert entry.status == s.FAILED and entry.text() == "keep me 🤖"
    assert st.acked_message_id is None
    st = apply(st, s.MessageResent(client_message_id="cm_1"))
    assert st.entries[0].status == s.SENDING and st.problem is None and st.phase == s.WAITING
    st = _run(st, _events("01-threads.create.sse")[:2])
    assert st.entries[0].status == s.DONE and st.acked_message_id == "cm_1" and len(st.entries) == 1


def test_clean_end_without_done_is_incomplete():
    st = _run(_submitted(), _events("01-threads.create.sse")[:10] + [s.StreamClosed()])
    assert st.entries[1].status == s.INCOMPLETE and st.problem is None


def test_clean_end_without_acknowledgement_is_a_problem():
    st = _run(_submitted(), [s.StreamOpened(), s.StreamClosed()])
    assert st.entries[0].status == s.FAILED and st.problem.kind == "empty" and st.problem.retryable


def test_cancel_marks_the_answer_stopped():
    st = _run(_submitted(), _events("01-threads.create.sse")[:10] + [s.StreamCancelled()])
    assert st.entries[1].status == s.STOPPED and st.phase == s.IDLE and not st.allow_cancel


def test_retry_after_item_drops_later_items_then_streams_again():
    st = _run(_submitted(), _events("01-threads.create.sse") + [s.StreamClosed()])
    user_id = st.entries[0].item.id
    st = apply(st, s.RetrySubmitted(item_id=user_id))
    assert [e.item.id for e in st.entries] == [user_id] and st.phase == s.WAITING
    st = _run(
        st,
        [
            _events("01-threads.create.sse")[4],
            _delta(_events("01-threads.create.sse")[4].item.id, "New"),
        ],
    )
    assert st.entries[1].text() == "New" and st.entries[1].status == s.STREAMING


def test_removed_and_replaced_items():
    st = _run(_submitted("remove"), _events("43-thread.item.removed.sse") + [s.StreamClosed()])
    assert [e.item.type for e in st.entries] == ["user_message"]
    st = _run(_submitted("replace"), _events("42-thread.item.replaced.sse") + [s.StreamClosed()])
    answer = st.entries[-1]
    assert answer.status == s.DONE and "replaced" in answer.text().lower()
    unknown_id = apply(st, p.ThreadItemRemovedEvent(item_id="nope"))
    assert unknown_id is st


def test_replaced_unknown_item_is_appended():
    st = apply(_submitted(), p.ThreadItemReplacedEvent(item=_assistant("new", "x")))
    assert st.entries[-1].item.id == "new" and st.entries[-1].status == s.DONE


def test_workflow_tasks_are_added_and_updated():
    st = _run(_submitted("workflow"), _events("19-workflow.sse") + [s.StreamClosed()])
    wf = [e for e in st.entries if e.item.type == "workflow"][0]
    assert wf.status == s.DONE and [t.title for t in wf.item.workflow.tasks] == [
        "Searching the textbook"
    ]
    added = p.ThreadItemAddedEvent(
        item=p.WorkflowItem(
            id="wf_x", thread_id="t", created_at="c", workflow=p.Workflow(type="custom", tasks=[])
        )
    )
    st = _run(
        st,
        [
            added,
            _upd("wf_x", p.WorkflowTaskAdded(task_index=0, task=p.CustomTask(title="a"))),
            _upd("wf_x", p.WorkflowTaskAdded(task_index=0, task=p.CustomTask(title="b"))),
            _upd("wf_x", p.WorkflowTaskUpdated(task_index=1, task=p.CustomTask(title="A"))),
            _upd("wf_x", p.WorkflowTaskUpdated(task_index=5, task=p.CustomTask(title="c"))),
        ],
    )
    assert [t.title for t in st.entries[-1].item.workflow.tasks] == ["b", "A", "c"]


def test_widget_text_streams_into_its_component():
    tree = {
        "type": "Card",
        "children": [
            {"type": "Text", "id": "t1", "value": "Hel"},
            {"type": "Text", "id": "t2", "value": "x"},
        ],
    }
    item = p.WidgetItem(id="w", thread_id="t", created_at="c", widget=tree)
    st = _run(
        _submitted(),
        [
            p.ThreadItemAddedEvent(item=item),
            _upd("w", p.WidgetStreamingTextValueDelta(component_id="t1", delta="lo", done=False)),
            _upd(
                "w",
                p.WidgetComponentUpdated(
                    component_id="t2", component={"type": "Text", "id": "t2", "value": "y"}
                ),
            ),
            _upd(
                "w", p.WidgetStreamingTextValueDelta(component_id="missing", delta="!", done=True)
            ),
        ],
    )
    widget = st.entries[-1].item.widget
    assert widget["children"][0]["value"] == "Hello" and widget["children"][1]["value"] == "y"
    assert tree["children"][0]["value"] == "Hel"  # the original tree was not mutated
    st = apply(st, _upd("w", p.WidgetRootUpdated(widget={"type": "Card", "children": []})))
    assert st.entries[-1].item.widget == {"type": "Card", "children": []}


def test_generated_image_progress():
    item = p.GeneratedImageItem(id="img", thread_id="t", created_at="c")
    st = _run(
        _submitted(),
        [
            p.ThreadItemAddedEvent(item=item),
            _upd(
                "img",
                p.GeneratedImageUpdated(
                    image=p.GeneratedImage(id="i", url="https://x/i.png"), progress=0.5
                ),
            ),
        ],
    )
    assert st.entries[-1].item.image.url == "https://x/i.png" and st.entries[-1].progress == 0.5


def test_updates_that_do_not_fit_are_ignored():
    st = _run(_submitted(), [p.ThreadItemAddedEvent(item=_assistant())])
    for ev in (
        _upd("msg_a", p.WorkflowTaskAdded(task_index=0, task=p.CustomTask(title="a"))),
        _upd("msg_a", p.UnknownUpdate(raw={"type": "assistant_message.sparkle"})),
        _delta("nope", "x"),
        p.UnknownEvent(raw={"type": "thread.future"}),
        p.ClientEffectEvent(name="highlight", data={}),
    ):
        assert apply(st, ev) is st


def test_notices_are_kept_until_dismissed():
    st = _run(_submitted("notice"), _events("18-notice-and-client_effect.sse"))
    ((key, notice),) = st.notices
    assert notice.level == "warning" and "9 of 10" in notice.message
    assert apply(st, s.NoticeDismissed(key=key)).notices == ()


def test_thread_loaded_then_older_pages_prepend():
    thread = p.parse_thread(
        {
            "id": "thr_9",
            "created_at": "c",
            "title": "Old",
            "status": {"type": "active"},
            "items": {"data": []},
        }
    )
    newer = [_assistant("m3", "three"), _assistant("m4", "four")]
    st = apply(
        _submitted(),
        s.ThreadLoaded(thread=thread, items=newer, has_more_before=True, before_cursor="m3"),
    )
    assert (
        st.thread_id == "thr_9"
        and st.title == "Old"
        and [e.item.id for e in st.entries] == ["m3", "m4"]
    )
    assert st.has_more_before and st.before_cursor == "m3"
    st = apply(
        st,
        s.OlderItemsLoaded(
            items=[_assistant("m1", "one"), _assistant("m2", "two")],
            has_more_before=False,
            before_cursor=None,
        ),
    )
    assert [e.item.id for e in st.entries] == ["m1", "m2", "m3", "m4"]
    assert len({e.key for e in st.entries}) == 4 and not st.has_more_before


def test_feedback_problem_dismissal_and_reset():
    st = _run(_submitted(), _events("01-threads.create.sse"))
    key = st.entries[1].key
    st = apply(st, s.FeedbackGiven(key=key, kind="positive"))
    assert st.entries[1].feedback == "positive"
    assert apply(st, s.FeedbackGiven(key=999, kind="negative")) is st
    st = apply(st, s.StreamFailed(problem=s.Problem(kind="timeout", retryable=True)))
    assert apply(st, s.ProblemDismissed()).problem is None
    fresh = apply(st, s.ThreadReset())
    assert fresh.entries == () and fresh.thread_id is None and fresh.next_key == st.next_key


def test_thread_updated_keeps_title_when_absent_and_tracks_status():
    st = _run(_submitted(), _events("01-threads.create.sse"))
    locked = p.parse_thread(
        {
            "id": st.thread_id,
            "created_at": "c",
            "status": {"type": "locked", "reason": "r"},
            "items": {"data": []},
        }
    )
    st = apply(st, p.ThreadUpdatedEvent(thread=locked))
    assert st.title == "What is ROS 2?" and st.status.type == "locked"


def test_values_compare_and_print():
    a = s.Problem(kind="network", retryable=True)
    assert a == s.Problem(kind="network", retryable=True) and a != s.Problem(kind="timeout")
    assert a != "network" and "kind='network'" in repr(a)
    try:
        a.replace(nope=1)
        raise AssertionError("no error")
    except TypeError:
        pass
    try:
        s.Problem(nope=1)
        raise AssertionError("no error")
    except TypeError:
        pass


def test_an_acknowledgement_with_no_message_in_flight_leaves_a_failed_message_unsent():
    # A failed message, then a regeneration of an earlier question whose stream carries that
    # question's thread.item.done: the failed message is not taken for it.
    first = _run(_submitted(), _events("01-threads.create.sse") + [s.StreamClosed()])
    failed = _run(
        first,
        [
            s.MessageSubmitted(client_message_id="cm_2", text="second", request={"b": 2}),
            s.StreamFailed(problem=s.Problem(kind="network", retryable=True)),
        ],
    )
    assert failed.entries[-1].status == s.FAILED and failed.in_flight is None
    st = apply(failed, s.RetrySubmitted(item_id=first.entries[0].item.id))
    assert st.in_flight is None and st.retry_action is None
    st = _run(st, _events("01-threads.create.sse")[1:] + [s.StreamClosed()])
    unsent = [e for e in st.entries if e.client_message_id == "cm_2"]
    assert [e.status for e in unsent] == [s.FAILED] and unsent[0].request is not None
    assert st.acked_message_id == "cm_1" and st.retry_action == s.RESEND


def test_the_session_failing_at_open_is_the_problem_until_retried():
    st = apply(s.initial_state(), s.SessionRequested())
    assert st.session == s.SESSION_CONNECTING and st.problem is None
    down = s.Problem(kind="http", status=500, message="Down.", retryable=True, retry_after=2.5)
    st = apply(st, s.SessionFailed(problem=down))
    assert st.session == s.SESSION_FAILED and st.problem is down and st.wait == 3
    assert st.retry_action == s.RECONNECT
    assert apply(st, s.ThreadReset()).session == s.SESSION_FAILED  # a new chat: no session yet
    again = apply(st, s.SessionRequested())
    assert again.problem is None and again.wait == 0 and again.retry_action is None
    assert apply(again, s.SessionStarted()).session == s.SESSION_READY


def test_a_session_failure_while_a_message_is_sent_is_left_to_that_message():
    st = apply(
        apply(
            s.initial_state(), s.MessageSubmitted(client_message_id="cm_1", text="a", request={})
        ),
        s.SessionFailed(problem=s.Problem(kind="network", retryable=True)),
    )
    assert st.problem is None and st.phase == s.WAITING and st.session == s.SESSION_FAILED
    st = apply(st, s.StreamFailed(problem=s.Problem(kind="timeout", retryable=True)))
    assert st.problem.kind == "timeout" and st.retry_action == s.RESEND
    assert apply(st, s.StreamOpened()).session == s.SESSION_READY


def _thread(thread_id="thr_9", title="Old"):
    return p.parse_thread({"id": thread_id, "created_at": "c", "title": title, "items": {}})


def _question(item_id, text="q?"):
    return p.UserMessageItem(
        id=item_id,
        thread_id="thr_9",
        created_at="c",
        content=[p.UserMessageTextContent(text=text)],
    )


def test_a_thread_read_back_with_an_unanswered_question_is_resuming():
    loaded = s.ThreadLoaded(
        thread=_thread(), items=[_question("u1")], has_more_before=False, before_cursor=None
    )
    st = apply(s.initial_state(), loaded)
    assert st.phase == s.RESUMING and st.allow_cancel and st.retry_action is None
    assert st.retry_item_id == "u1" and st.session == s.SESSION_READY
    answered = apply(
        st,
        s.ThreadRefreshed(
            thread_id="thr_9",
            thread=None,
            items=[_question("u1"), _assistant("a1", "yes")],
            has_more_before=False,
            before_cursor=None,
        ),
    )
    assert answered.phase == s.IDLE and not answered.allow_cancel
    assert answered.entries[0] is st.entries[0] and answered.title == "Old"
    assert [e.text() for e in answered.entries] == ["q?", "yes"]


def test_a_refresh_of_another_thread_or_during_a_request_is_ignored():
    loaded = apply(
        s.initial_state(),
        s.ThreadLoaded(
            thread=_thread(),
            items=[_assistant("a1", "x")],
            has_more_before=False,
            before_cursor=None,
        ),
    )
    other = s.ThreadRefreshed(
        thread_id="thr_other", thread=None, items=[], has_more_before=False, before_cursor=None
    )
    assert apply(loaded, other) is loaded
    busy = loaded.replace(phase=s.WAITING)
    mine = s.ThreadRefreshed(
        thread_id="thr_9", thread=None, items=[], has_more_before=False, before_cursor=None
    )
    assert apply(busy, mine) is busy
    emptied = apply(loaded, mine)  # every item gone from the server: nothing left to show
    assert emptied.entries == () and emptied.phase == s.IDLE


def test_restore_requested_then_failed_keeps_the_thread_to_retry():
    st = apply(_submitted(), s.RestoreRequested(thread_id="thr_9"))
    assert st.phase == s.LOADING and st.entries == () and st.restore_id == "thr_9"
    problem = s.Problem(kind="restore", retryable=True, retry_after=2.5)
    st = apply(st, s.RestoreFailed(problem=problem))
    assert st.phase == s.IDLE and st.wait == 3 and st.retry_action == s.RESTORE
    st = apply(st, s.MessageSubmitted(client_message_id="cm_2", text="hi"))
    assert st.restore_id is None


def test_older_page_requested_failed_and_loaded():
    st = apply(s.initial_state(), s.OlderRequested())
    assert st.loading_older
    st = apply(st, s.OlderFailed(problem=s.Problem(kind="older", retryable=True)))
    assert not st.loading_older and st.retry_action == s.LOAD_OLDER
    st = apply(st, s.OlderItemsLoaded(items=[], has_more_before=False, before_cursor=None))
    assert st.problem is None and st.retry_action is None


def test_awaiting_answer_looks_at_the_newest_question_only():
    q, a = _question("u1"), _assistant("a1", "x")
    assert s.awaiting_answer([q]) and s.awaiting_answer([a, q])
    assert not s.awaiting_answer([q, a]) and not s.awaiting_answer([])
    task = p.parse_item({"type": "end_of_turn", "id": "e1", "thread_id": "t", "created_at": "c"})
    assert not s.awaiting_answer([q, task])  # a turn the server ended without an answer
    work = p.parse_item(
        {
            "type": "workflow",
            "id": "w1",
            "thread_id": "t",
            "created_at": "c",
            "workflow": {"type": "reasoning"},
        }
    )
    assert s.awaiting_answer([q, work]) and not s.awaiting_answer([work])
