"""The local stack: the app on an AWS emulator on loopback, started by ``make run``."""
