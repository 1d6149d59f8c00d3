"""What a shop needs before shoppers hear from it: the mail server, the address shoppers
reach, and the checklist of what is still missing. Kept in the store and edited in the
admin; an environment variable, when set, wins and is shown as such."""
