"""What shoppers say: the feedback list."""
