"""The code version, as answers and export manifests state it."""

VERSION = "0.2.0"
