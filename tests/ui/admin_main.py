"""The app as the admin tests load it: NiceGUI's ``user`` fixture runs this file as __main__.

The data dir comes from ``SHOPCARE_DATA_DIR``, which each test points at its own temp folder.
"""

import os

from nicegui import app

from shopcare.app import serve
from shopcare.config import load_settings

if __name__ in {"__main__", "__mp_main__"}:
    # NiceGUI keeps one app for every test of a worker, and FastAPI nests the lifespan of
    # each include_router into the app's: left alone, the nesting grows by the admin's
    # routers each test until starting the app exceeds Python's recursion limit (~90 tests).
    pristine = app.router.__dict__.setdefault("shopcare_lifespan", app.router.lifespan_context)
    app.router.lifespan_context = pristine
    # SHOPCARE_TEST_DEMO=0: a new shop (the setup tests), not the demo
    serve(load_settings(), demo=os.environ.get("SHOPCARE_TEST_DEMO", "1") == "1")
