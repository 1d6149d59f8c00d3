"""The app as the admin tests load it: NiceGUI's ``user`` fixture runs this file as __main__.

The data dir comes from ``SHOPCARE_DATA_DIR``, which each test points at its own temp folder.
"""

from shopcare.app import serve
from shopcare.config import load_settings

if __name__ in {"__main__", "__mp_main__"}:
    serve(load_settings(), demo=True)
