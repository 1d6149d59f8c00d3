"""Messages to shoppers: the transactional outbox and its dispatcher, rendering a row into what a
channel sends, the owner's rules and templates, and saying no to optional mail.
"""
