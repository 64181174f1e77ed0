"""Shared test setup: dummy credentials, and settings every test process agrees on."""

from infra.local.harness import use_test_environment

use_test_environment()  # before anything imports boto3 or the app
