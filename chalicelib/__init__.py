"""Saring: the runtime package Chalice ships beside app.py."""
