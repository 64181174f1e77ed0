"""The domain: what Saring knows and decides, as pure functions and models.

No AWS, no network, no HTTP, no clock of its own (callers pass ``now``): everything here runs the
same in a unit test, a Lambda and a notebook. Its models are the vocabulary of the other layers.

Never imports: store, adapters, services, api, events, config, observability, boto3, botocore, pynamodb, chalice
"""
