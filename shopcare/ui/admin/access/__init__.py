"""Who gets into the admin: sign-in pages and routes, the gate in front of every admin request, the
account page, the HTTP hardening, and the open sockets ended with a session.
"""
