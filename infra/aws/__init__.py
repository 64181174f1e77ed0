"""The AWS deployment: a CDK app (``python -m infra.aws``) around the Chalice app, least-privileged."""
