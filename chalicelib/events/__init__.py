"""Event handlers: what streams, queues and schedules deliver, turned into service calls.

Each handler reads its records (``records.py``), calls one service per record or batch and
answers Lambda's partial-batch response; the message formats live in the queue adapters.

Never imports: store, api
"""
