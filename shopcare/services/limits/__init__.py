"""Limits against guessing, kept in the store so that every ShopCare process serving it
counts into one budget: a guesser whose requests a proxy spreads over several processes
gets no more tries than one process would give."""
