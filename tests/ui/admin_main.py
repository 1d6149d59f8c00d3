"""The app as the admin tests load it: NiceGUI's ``user`` fixture runs this file as __main__.

The data dir comes from ``SHOPCARE_DATA_DIR``, which each test points at its own temp folder.
"""

import os

from shopcare.app import serve
from shopcare.config import load_settings

if __name__ in {"__main__", "__mp_main__"}:
    # SHOPCARE_TEST_DEMO=0: a new shop (the setup tests), not the demo
    serve(load_settings(), demo=os.environ.get("SHOPCARE_TEST_DEMO", "1") == "1")
