"""What the owner learns from the store: the dashboard's figures."""
