"""Use cases: open a session, load, apply pure rules, write. The only layer that commits."""
