"""Saring: the runtime package Chalice ships beside app.py.

Importing it registers pydantic's plugin loader as "no plugins". Saring runs no pydantic plugins,
and pydantic's loader imports ``importlib.metadata`` (with email, zipfile, csv and socket) the
first time it builds a validator, before it even reads ``PYDANTIC_DISABLE_PLUGINS``: about 35 ms
of every Lambda cold start spent to find nothing. Nothing else here needs that module. A loader
already imported (a plugin-using tool in a developer's environment) is left alone.
"""

import sys
import types


def _no_pydantic_plugins() -> tuple[()]:
    return ()


_loader = types.ModuleType("pydantic.plugin._loader", "Saring runs no pydantic plugins (see chalicelib).")
_loader.get_plugins = _no_pydantic_plugins  # type: ignore[attr-defined]
sys.modules.setdefault("pydantic.plugin._loader", _loader)
