"""Services: one function per thing the app does, composing domain, store and adapters.

A route handler or an event handler calls one service; services raise the errors of
``services/errors.py``, which the API maps to problems (``api/problems.py``).

Never imports: api, events, chalice
"""
