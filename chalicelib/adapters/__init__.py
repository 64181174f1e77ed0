"""Adapters: every AWS service but DynamoDB (SQS, S3, KMS, Secrets Manager) and the network.

Each adapter hides one outside thing behind plain functions of domain values — a queue's message
format, an object's key, a webhook's HTTP call — so services never see a client or a wire format.

Never imports: store, services, api, events
"""
