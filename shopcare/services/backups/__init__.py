"""Backups that restore: ``archive`` makes and proves one, ``restore`` puts one back,
``schedule`` makes them daily and keeps 7 daily and 4 weekly."""
