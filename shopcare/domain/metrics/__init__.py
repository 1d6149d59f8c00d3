"""Pure dashboard metrics over plain rows (no SQL, no I/O): each unit-tested on small
hand-made data with known answers."""
