"""The HTTP API: routes, parsing into domain models, access control, problem+json answers.

A handler parses its input into a pydantic model, calls one service, returns a model; it never
reads a table or a queue itself (services do). Heavy imports stay inside the handlers, so a cold
start loads only what the route needs.

Never imports: store, adapters, events
"""
