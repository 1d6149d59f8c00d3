"""The owner's own copy of the whole store (data ownership): every table as a CSV file and all
of them in one JSON document, in one ZIP, written as long work into the data dir's
``exports`` folder and offered for download for a day.

Owns what leaves the store this way and what never does (``withheld``: passwords, key and
token hashes, sealed credentials), how rows are read without holding a table in memory
(``tables``, ``json_rows``), the archive's layout (``archive``), the exports folder
(``files``) and the export as long work (``runs``).

Its own package rather than part of ``insight``: insight computes figures from the store,
this copies the store out; they share no code, and the export's secret rules sit next to
the ones of ``secrets_at_rest``, not among the dashboard's panels.
"""
