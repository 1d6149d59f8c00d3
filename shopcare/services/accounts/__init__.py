"""Who may use the admin and the API: admin accounts and passwords, signed-in sessions, API keys."""
