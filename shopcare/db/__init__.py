"""The store: tables, engine, migrations. Knows SQL, not business rules."""
