"""Thread state (portable): what the conversation shows and the one reducer that changes it.

state         the values (``ThreadState``, ``Entry``, ``Problem``) and local events
answer        one assistant message as it streams: text appended, parts, annotations
reducer       ``apply(state, event) -> state``
widget_tree   copy-on-write edits of a ChatKit widget tree
conversation  user intents -> requests, outcomes -> reducer events
composer      the rules that protect what the user typed (draft, unsent text)
saved         the record kept in storage between page loads (resume token, thread, open)
history       the visitor's past conversations: list, rename, delete
"""
