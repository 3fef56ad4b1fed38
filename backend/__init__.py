"""Reference ChatKit backend for chatkit-widget (CPython only): FastAPI + openai-chatkit +
SQLite or PostgreSQL.

Run it with ``python -m backend --help``; build it in code with `backend.app.create_app`.
"""
